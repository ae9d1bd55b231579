"""Request bodies of /api/v1: malformed JSON answers 400 with line and column, YAML is accepted wherever
JSON is (malformed YAML: 400 with line and column), other content types answer 415."""

from __future__ import annotations

import httpx
import pytest

API = "/api/v1"
SCENARIO_YAML = b"""\
name: From YAML
trigger:
  id: hook
  module: webhooks.custom
schedule:
  type: on_demand
flow:
  - id: shape
    module: tools.set_variables
    params:
      variables:
        when: 2024-03-05
        n: 3
"""


def typed(auth: dict[str, str], content_type: str) -> dict[str, str]:
    return {**auth, "Content-Type": content_type}


async def test_malformed_json_answers_400_with_line_and_column(client: httpx.AsyncClient,
                                                               auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/scenarios", content=b'{\n  "name": "x",\n  "flow": [1,,2]\n}',
                               headers=typed(auth, "application/json"))
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_json"
    assert "line 3 column 14" in error["message"], error


async def test_malformed_json_without_a_content_type_answers_400(client: httpx.AsyncClient,
                                                                 auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/tokens", content=b'{"name": ', headers=auth)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_json")
    assert "line 1 column 10" in answer.json()["error"]["message"]


async def test_malformed_json_at_login_answers_400(client: httpx.AsyncClient) -> None:
    answer = await client.post(f"{API}/auth/login", content=b"{'email': 1}",
                               headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_json")
    assert "line 1 column 2" in answer.json()["error"]["message"]


async def test_body_that_is_not_utf8_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/tokens", content=b'{"name": "\xff"}', headers=typed(auth, "application/json"))
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_json")


@pytest.mark.parametrize("content_type", ["application/yaml", "text/yaml", "application/x-yaml",
                                          "application/yaml; charset=utf-8"])
async def test_a_scenario_can_be_created_from_yaml(client: httpx.AsyncClient, auth: dict[str, str],
                                                   content_type: str) -> None:
    answer = await client.post(f"{API}/scenarios", content=SCENARIO_YAML, headers=typed(auth, content_type))
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["name"] == "From YAML"
    assert created["definition"]["flow"][0]["params"]["variables"] == {"when": "2024-03-05", "n": 3}


async def test_yaml_goes_through_the_same_validation_as_json(client: httpx.AsyncClient,
                                                             auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/scenarios", content=SCENARIO_YAML.replace(b"tools.set", b"tools.nope"),
                               headers=typed(auth, "application/yaml"))
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "flow[0].module")


async def test_yaml_is_accepted_by_other_routes_too(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/tokens", content=b"name: from yaml\n", headers=typed(auth, "text/yaml"))
    assert (answer.status_code, answer.json()["name"]) == (201, "from yaml")


async def test_malformed_yaml_answers_400_with_line_and_column(client: httpx.AsyncClient,
                                                               auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/scenarios", content=b"name: x\nflow:\n  - id: [unclosed\n",
                               headers=typed(auth, "application/yaml"))
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_yaml"
    assert "line 4 column 1" in error["message"], error


async def test_yaml_aliases_are_refused(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    bomb = b'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    answer = await client.post(f"{API}/tokens", content=bomb, headers=typed(auth, "application/yaml"))
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_yaml")
    assert "line 1 column 4" in answer.json()["error"]["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=zzz", "image/png"])
async def test_other_content_types_answer_415(client: httpx.AsyncClient, auth: dict[str, str],
                                              content_type: str) -> None:
    answer = await client.post(f"{API}/tokens", content=b"name=x", headers=typed(auth, content_type))
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"


async def test_a_bodyless_request_with_any_content_type_goes_through(client: httpx.AsyncClient,
                                                                     auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/auth/logout", headers=typed(auth, "text/plain"))
    assert answer.status_code == 204


async def test_json_suffix_types_are_json(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/tokens", content=b'{"name": "vendor"}',
                               headers=typed(auth, "application/vnd.api+json"))
    assert answer.status_code == 201, answer.text
