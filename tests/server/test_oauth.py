"""OAuth 2.0 connections against a real authorization server: PKCE, state, refresh, revocation.

The authorization server (``tests.oauth_server``) runs on uvicorn on 127.0.0.1;
Scenarist is the app under test, reached in-process. The browser's part is
played by following the redirects by hand: open ``authorize_url`` at the
authorization server, then open the address it sends back to (our callback).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from scenarist.types import ManualClock
from tests.oauth_server import CLIENT_ID, CLIENT_SECRET, AuthServer, serve
from tests.server.conftest import BASE_URL, PASSWORD, register, running
from tests.server.test_connections import file_bytes

API = "/api/v1"
CALLBACK = f"{BASE_URL}{API}/oauth/callback"


@pytest.fixture
def server() -> Iterator[AuthServer]:
    with serve(AuthServer(redirect_uris=(CALLBACK,))) as running_server:
        yield running_server


def fields(server: AuthServer, **extra: Any) -> dict[str, Any]:
    return {"authorize_url": f"{server.url}/authorize", "token_url": f"{server.url}/token",
            "revoke_url": f"{server.url}/revoke", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scopes": ["profile", "email"], **extra}


async def create(client: httpx.AsyncClient, auth: dict[str, str], server: AuthServer, **extra: Any) -> dict[str, Any]:
    answer = await client.post(f"{API}/connections", headers=auth,
                               json={"type": "http.oauth2", "name": "Service", "fields": fields(server, **extra)})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def consent(authorize_url: str) -> str:
    """The browser at the authorization server: where it is sent back to (our callback, with code and state)."""
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(authorize_url)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK), location
    return location


async def come_back(client: httpx.AsyncClient, location: str) -> httpx.Response:
    """The browser at our callback (no session, no token: the state is the proof)."""
    return await client.get(location.removeprefix(BASE_URL), headers={"Authorization": ""})


async def authorized(client: httpx.AsyncClient, auth: dict[str, str], server: AuthServer, **extra: Any) -> str:
    created = await create(client, auth, server, **extra)
    answer = await come_back(client, await consent(created["authorize_url"]))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": created["id"], "type": "http.oauth2", "name": "Service", "authorized": True}
    connection_id: str = created["id"]
    return connection_id


def calling_me(server: AuthServer, connection_id: str) -> dict[str, Any]:
    return {
        "name": "Who am I",
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [{"id": "me", "module": "http.request", "connection": connection_id,
                  "params": {"url": f"{server.url}/api/me"}}],
        "settings": {"store_incomplete": False},
    }


async def run_me(client: httpx.AsyncClient, auth: dict[str, str], server: AuthServer,
                 connection_id: str) -> dict[str, Any]:
    saved = await client.post(f"{API}/scenarios", json=calling_me(server, connection_id), headers=auth)
    assert saved.status_code == 201, saved.text
    answer = await client.post(f"{API}/scenarios/{saved.json()['id']}/run?wait=true", json={}, headers=auth)
    assert answer.status_code == 200, answer.text
    execution: dict[str, Any] = answer.json()
    return execution


def output(execution: dict[str, Any]) -> Any:
    return next(entry for entry in execution["log"] if entry["step"] == "me")["output"]


# -- the authorization code flow


async def test_authorization_with_pkce_then_a_run_uses_the_token(client: httpx.AsyncClient,
                                                                 server: AuthServer) -> None:
    auth = await register(client)
    created = await create(client, auth, server)
    url = httpx.URL(created["authorize_url"])
    assert url.params["response_type"] == "code"
    assert url.params["code_challenge_method"] == "S256"
    assert len(url.params["code_challenge"]) == 43
    assert url.params["redirect_uri"] == CALLBACK
    assert url.params["scope"] == "profile email"
    assert len(url.params["state"].rsplit(".", 1)[1]) >= 43  # 256 random bits
    assert "code_verifier" not in str(url)

    before = await run_me(client, auth, server, created["id"])
    assert before["status"] == "error"
    assert before["error"]["type"] == "InvalidConfigurationError"
    assert "not authorized yet" in before["error"]["message"]

    answer = await come_back(client, await consent(created["authorize_url"]))
    assert answer.status_code == 200
    assert answer.json()["authorized"] is True
    assert server.code_grants == 1  # the server checked the PKCE verifier against the challenge

    execution = await run_me(client, auth, server, created["id"])
    assert execution["status"] == "success", execution
    assert output(execution)["body"]["user"] == "ada"
    test = await client.post(f"{API}/connections/{created['id']}/test", headers=auth)
    assert test.json()["ok"] is True
    assert "authorized" in test.json()["message"]


async def test_a_bad_state_is_refused_and_the_real_one_still_works(client: httpx.AsyncClient,
                                                                   server: AuthServer) -> None:
    auth = await register(client)
    created = await create(client, auth, server)
    location = httpx.URL(await consent(created["authorize_url"]))
    state = location.params["state"]
    forged = [
        state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB"),  # the right connection, a wrong nonce
        "",
        "not-a-state",
        state.split(".", 1)[1],  # the account part cut off
    ]
    for bad in forged:
        answer = await come_back(client, str(location.copy_set_param("state", bad)))
        assert answer.status_code == 400, bad
        assert answer.json()["error"]["code"] == "oauth_refused"
        assert "start the authorization again" in answer.json()["error"]["message"]
    assert server.code_grants == 0
    assert (await run_me(client, auth, server, created["id"]))["status"] == "error"

    assert (await come_back(client, str(location))).status_code == 200
    assert (await come_back(client, str(location))).status_code == 400  # a state is good once


async def test_a_state_from_another_account_cannot_authorize_a_connection(client: httpx.AsyncClient,
                                                                         server: AuthServer) -> None:
    ada, grace = await register(client), await register(client, "grace@example.com")
    ada_connection = await create(client, ada, server)
    grace_location = httpx.URL(await consent((await create(client, grace, server))["authorize_url"]))
    ada_state = httpx.URL(ada_connection["authorize_url"]).params["state"]
    account, connection, _ = ada_state.split(".")
    grace_nonce = grace_location.params["state"].rsplit(".", 1)[1]
    mixed = grace_location.copy_set_param("state", f"{account}.{connection}.{grace_nonce}")
    answer = await come_back(client, str(mixed))
    assert answer.status_code == 400
    assert server.code_grants == 0


async def test_an_authorization_left_pending_expires(tmp_path: Path, server: AuthServer) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (_, client):
        auth = await register(client)
        created = await create(client, auth, server)
        location = await consent(created["authorize_url"])
        clock.advance(timedelta(minutes=11))
        answer = await come_back(client, location)
        assert answer.status_code == 400
        fresh = await client.post(f"{API}/connections/{created['id']}/authorize", headers=auth)
        assert fresh.status_code == 200
        assert (await come_back(client, await consent(fresh.json()["authorize_url"]))).status_code == 200


async def test_consent_refused_by_the_user_is_a_clear_page(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    server.deny = True
    created = await create(client, auth, server)
    answer = await come_back(client, await consent(created["authorize_url"]))
    assert answer.status_code == 400
    assert "access_denied" in answer.text


async def test_a_wrong_client_secret_fails_the_exchange_without_showing_it(client: httpx.AsyncClient,
                                                                           server: AuthServer) -> None:
    auth = await register(client)
    created = await create(client, auth, server, client_secret="wrong-secret-9d2e")
    answer = await come_back(client, await consent(created["authorize_url"]))
    assert answer.status_code == 400
    assert "invalid_client" in answer.text
    assert "wrong-secret-9d2e" not in answer.text


async def test_client_secret_basic_is_used_when_asked(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    connection = await authorized(client, auth, server, client_auth="basic")
    assert (await run_me(client, auth, server, connection))["status"] == "success"


async def test_authorize_on_a_connection_that_is_not_oauth_is_409(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    bearer = await client.post(f"{API}/connections", headers=auth,
                               json={"type": "http.bearer", "name": "B", "fields": {"token": "t0ken-value"}})
    assert "authorize_url" not in bearer.json()
    answer = await client.post(f"{API}/connections/{bearer.json()['id']}/authorize", headers=auth)
    assert answer.status_code == 409
    missing = await client.post(f"{API}/connections/{'0' * 32}/authorize", headers=auth)
    assert missing.status_code == 404



BROWSER = {"Authorization": "", "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_a_browser_coming_back_lands_on_the_connections_page(client: httpx.AsyncClient,
                                                                   server: AuthServer) -> None:
    auth = await register(client)
    created = await create(client, auth, server)
    listed = (await client.get(f"{API}/connections", headers=auth)).json()
    assert [c["authorized"] for c in listed] == [False]
    location = (await consent(created["authorize_url"])).removeprefix(BASE_URL)
    answer = await client.get(location, headers=BROWSER)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/connections?oauth=connected&connection={created['id']}"
    assert server.code_grants == 1
    listed = (await client.get(f"{API}/connections", headers=auth)).json()
    assert [c["authorized"] for c in listed] == [True]
    again = await client.get(location, headers=BROWSER)  # a state is good once, in a browser too
    assert again.status_code == 303
    refused = httpx.URL(again.headers["location"])
    assert (refused.path, refused.params["oauth"]) == ("/connections", "refused")
    assert "start the authorization again" in refused.params["message"]


async def test_a_browser_refused_consent_lands_on_the_connections_page_with_the_reason(
        client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    server.deny = True
    created = await create(client, auth, server)
    answer = await client.get((await consent(created["authorize_url"])).removeprefix(BASE_URL), headers=BROWSER)
    assert answer.status_code == 303
    location = httpx.URL(answer.headers["location"])
    assert location.params["oauth"] == "refused"
    assert "access_denied" in location.params["message"]


async def test_the_catalogue_and_the_list_say_which_connections_are_oauth(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    apps = (await client.get(f"{API}/apps", headers=auth)).json()
    kinds = {c["key"]: c["oauth2"] for app in apps for c in app["connection_types"]}
    assert kinds["http.oauth2"] is True
    assert kinds["http.bearer"] is False
    await client.post(f"{API}/connections", headers=auth,
                      json={"type": "http.bearer", "name": "B", "fields": {"token": "t0ken-value"}})
    assert [c["authorized"] for c in (await client.get(f"{API}/connections", headers=auth)).json()] == [None]


# -- refresh


async def test_a_token_about_to_expire_is_refreshed_before_it_is_sent(client: httpx.AsyncClient,
                                                                      server: AuthServer) -> None:
    auth = await register(client)
    server.expires_in = 30  # inside the 60 s refresh margin
    connection = await authorized(client, auth, server)
    execution = await run_me(client, auth, server, connection)
    assert execution["status"] == "success", execution
    assert server.refresh_grants == 1
    assert server.unauthorized == 0  # the scenario never saw an expired token


async def test_a_refused_token_is_refreshed_and_the_request_sent_again(client: httpx.AsyncClient,
                                                                       server: AuthServer) -> None:
    auth = await register(client)
    connection = await authorized(client, auth, server)
    assert (await run_me(client, auth, server, connection))["status"] == "success"
    server.invalidate_access_tokens()
    execution = await run_me(client, auth, server, connection)
    assert execution["status"] == "success", execution
    assert [entry["status"] for entry in execution["log"]] == ["success", "success"]
    assert output(execution)["status"] == 200
    assert (server.unauthorized, server.refresh_grants) == (1, 1)
    # the renewed token was stored: the next run sends it at once
    assert (await run_me(client, auth, server, connection))["status"] == "success"
    assert (server.unauthorized, server.refresh_grants) == (1, 1)


async def test_rotated_refresh_tokens_are_kept(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    server.rotate_refresh = True
    connection = await authorized(client, auth, server)
    for _ in range(3):
        server.invalidate_access_tokens()
        assert (await run_me(client, auth, server, connection))["status"] == "success"
    assert server.refresh_grants == 3


async def test_a_revoked_refresh_token_flags_the_connection(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    connection = await authorized(client, auth, server)
    server.invalidate_access_tokens()
    server.revoke_refresh_tokens()
    execution = await run_me(client, auth, server, connection)
    assert execution["status"] == "error"
    assert execution["error"]["type"] == "AuthenticationError"
    assert "authorize the connection again" in execution["error"]["message"]
    listed = (await client.get(f"{API}/connections", headers=auth)).json()
    assert [c["flagged"] for c in listed] == [True]
    test = (await client.post(f"{API}/connections/{connection}/test", headers=auth)).json()
    assert test["ok"] is False
    # authorizing again clears the flag and the connection works again
    again = await client.post(f"{API}/connections/{connection}/authorize", headers=auth)
    assert (await come_back(client, await consent(again.json()["authorize_url"]))).status_code == 200
    assert [c["flagged"] for c in (await client.get(f"{API}/connections", headers=auth)).json()] == [False]
    assert (await run_me(client, auth, server, connection))["status"] == "success"


# -- secrecy and deletion


async def test_tokens_are_in_no_answer_and_deletion_revokes_and_erases_them(tmp_path: Path,
                                                                           server: AuthServer) -> None:
    db = tmp_path / "data" / "scenarist.db"
    async with running(tmp_path) as (_, client):
        auth = await register(client)
        connection = await authorized(client, auth, server)
        execution = await run_me(client, auth, server, connection)
        answers = [
            await client.get(f"{API}/connections", headers=auth),
            await client.get(f"{API}/executions/{execution['id']}", headers=auth),
            await client.post(f"{API}/connections/{connection}/test", headers=auth),  # refreshes once more
            await client.get(f"{API}/account/export", headers=auth),
        ]
        issued = [*server.access, *server.refresh, CLIENT_SECRET]
        assert len(issued) == 4  # two access tokens, one refresh token
        for secret in issued:
            assert [a.request.url.path for a in answers if secret in a.text] == []
        assert CLIENT_SECRET.encode() not in file_bytes(db)
        access_token = list(server.access)[-1]  # the newest, which the connection holds
        refresh_token = server.access[access_token].refresh

        deleted = await client.delete(f"{API}/connections/{connection}", headers=auth)
        assert deleted.status_code == 204
        assert server.revoked == [refresh_token, access_token]
        async with httpx.AsyncClient() as other:
            me = await other.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {access_token}"})
        assert me.status_code == 401
        assert server.live_access_tokens() == []  # revoking the refresh token ended the older one too
        assert (await client.get(f"{API}/connections", headers=auth)).json() == []
    content, access_log = file_bytes(db), (tmp_path / "data" / "access.log").read_text()
    for secret in issued:
        assert secret.encode() not in content
        assert secret not in access_log


async def test_deletion_succeeds_when_the_revocation_endpoint_is_down(client: httpx.AsyncClient,
                                                                       server: AuthServer) -> None:
    auth = await register(client)
    connection = await authorized(client, auth, server, revoke_url="http://127.0.0.1:9/revoke")
    assert (await client.delete(f"{API}/connections/{connection}", headers=auth)).status_code == 204
    assert (await client.get(f"{API}/connections", headers=auth)).json() == []


async def test_runs_refused_at_once_share_one_refresh(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    server.rotate_refresh = True  # a second refresh with the old refresh token would fail
    connection = await authorized(client, auth, server)
    server.invalidate_access_tokens()
    executions = await asyncio.gather(*(run_me(client, auth, server, connection) for _ in range(4)))
    assert [e["status"] for e in executions] == ["success"] * 4
    assert server.refresh_grants == 1


async def test_two_callbacks_with_one_state_authorize_once(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    created = await create(client, auth, server)
    location = await consent(created["authorize_url"])
    answers = await asyncio.gather(come_back(client, location), come_back(client, location))
    assert sorted(a.status_code for a in answers) == [200, 400]
    assert server.code_grants == 1


async def test_a_throttled_refresh_is_a_rate_limit_error(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    connection = await authorized(client, auth, server)
    server.invalidate_access_tokens()
    server.throttle = True
    execution = await run_me(client, auth, server, connection)
    assert execution["status"] == "error"
    assert execution["error"]["type"] == "RateLimitError"
    assert [c["flagged"] for c in (await client.get(f"{API}/connections", headers=auth)).json()] == [False]


async def test_a_refused_refresh_never_shows_the_token_the_service_echoed(client: httpx.AsyncClient,
                                                                          server: AuthServer) -> None:
    auth = await register(client)
    connection = await authorized(client, auth, server)
    [refresh_token] = server.refresh
    server.invalidate_access_tokens()
    server.revoke_refresh_tokens()
    server.echo_secrets = True
    execution = await run_me(client, auth, server, connection)
    assert execution["error"]["type"] == "AuthenticationError"
    assert "********" in execution["error"]["message"]
    detail = await client.get(f"{API}/executions/{execution['id']}", headers=auth)
    assert refresh_token not in detail.text


async def test_erasing_the_account_revokes_its_tokens(client: httpx.AsyncClient, server: AuthServer) -> None:
    auth = await register(client)
    await authorized(client, auth, server)
    [refresh_token] = server.refresh
    erased = await client.request("DELETE", f"{API}/account", headers=auth, json={"password": PASSWORD})
    assert erased.status_code == 204, erased.text
    assert refresh_token in server.revoked
    assert server.live_access_tokens() == []
