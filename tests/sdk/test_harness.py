"""``ModuleHarness``: one module of an app, run without the engine, as the engine would run it."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from scenarist.engine.executor import module_error
from scenarist.engine.registry import Registry
from scenarist.sdk import (
    App,
    AuthenticationError,
    DataError,
    InvalidConfigurationError,
    ModuleHarness,
    ModuleSpec,
    RunContext,
    RuntimeError,
)
from scenarist.types import ManualClock
from tests.sdk import example_app
from tests.sdk.example_app import app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "write-an-app.md"
EXAMPLE = Path(example_app.__file__)
ACCOUNT = {"type": "greetings.account", "fields": {"sender": "Ada", "signing_key": "k" * 16}}


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


def probe_app(run: Any) -> App:
    """An app of one action, ``probe``, running ``run``."""
    return App(key="probe", label="Probe", modules=(ModuleSpec("probe", "Probe", "", NoParams, run),))


# -- the example app, through the harness --------------------------------------------


async def test_invalid_params_are_the_data_error_the_engine_raises() -> None:
    async with ModuleHarness(app) as harness:
        with pytest.raises(DataError) as caught:
            await harness.run("say_hello", params={"name": "", "colour": "red"})
    with pytest.raises(ValidationError) as raw:
        example_app.SayHelloParams.model_validate({"name": "", "colour": "red"})
    engine_error = module_error(raw.value, "step1")
    assert caught.value.to_dict() == engine_error.to_dict()
    assert "params.name:" in caught.value.message
    assert "params.colour:" in caught.value.message


async def test_an_action_gives_one_bundle() -> None:
    async with ModuleHarness(app) as harness:
        bundles = await harness.run("say_hello", params={"name": "Grace", "greeting": "Hi"})
    assert bundles == [{"text": "Hi, Grace!"}]


async def test_the_full_module_key_is_accepted() -> None:
    async with ModuleHarness(app) as harness:
        assert await harness.run("greetings.say_hello", params={"name": "Grace"}) == [{"text": "Hello, Grace!"}]


async def test_a_connection_reaches_the_module() -> None:
    async with ModuleHarness(app) as harness:
        [bundle] = await harness.run("say_hello", params={"name": "Grace"}, connection=ACCOUNT)
    expected = hmac.new(b"k" * 16, b"Hello, Grace!", hashlib.sha256).hexdigest()
    assert bundle == {"text": "Hello, Grace!", "from": "Ada", "signature": expected}


async def test_a_connection_of_another_type_is_a_configuration_error() -> None:
    async with ModuleHarness(app) as harness:
        with pytest.raises(InvalidConfigurationError, match=r"greetings\.account"):
            await harness.run("say_hello", params={"name": "Grace"}, connection={"type": "x.y", "fields": {}})


async def test_respond_is_captured() -> None:
    async with ModuleHarness(app) as harness:
        await harness.run("say_hello", params={"name": "Grace"}, trigger_event="webhook")
        assert harness.response == {"status": 200, "headers": {}, "body": {"text": "Hello, Grace!"}}


async def test_the_response_is_reset_by_each_run() -> None:
    async with ModuleHarness(app) as harness:
        await harness.run("say_hello", params={"name": "Grace"}, trigger_event="webhook")
        await harness.run("say_hello", params={"name": "Grace"})
        assert harness.response is None


async def test_polling_keeps_its_cursor_across_polls() -> None:
    clock = ManualClock()
    async with ModuleHarness(app, clock=clock) as harness:
        assert await harness.run("chimes", params={"every_minutes": 60}) == []
        clock.advance(3 * 3600 + 60)
        first = await harness.run("chimes", params={"every_minutes": 60})
        second = await harness.run("chimes", params={"every_minutes": 60})
    assert [b["at"] for b in first] == [
        "2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00", "2026-01-01T03:00:00+00:00",
    ]
    assert second == []
    assert harness.state == {"chimes:step1": "2026-01-01T03:00:00+00:00"}


async def test_a_poll_stops_at_its_limit_and_the_next_poll_goes_on() -> None:
    clock = ManualClock()
    async with ModuleHarness(app, clock=clock) as harness:
        await harness.run("chimes", params={"every_minutes": 1})
        clock.advance(600)
        first = await harness.run("chimes", params={"every_minutes": 1, "limit": 4})
        rest = await harness.run("chimes", params={"every_minutes": 1, "limit": 100})
    assert (len(first), len(rest)) == (4, 6)


async def test_state_given_to_run_seeds_the_cursor() -> None:
    async with ModuleHarness(app) as harness:
        state = {"chimes:step1": "2025-12-31T22:00:00+00:00"}
        bundles = await harness.run("chimes", params={"every_minutes": 60}, state=state)
    assert [b["at"] for b in bundles] == ["2025-12-31T23:00:00+00:00", "2026-01-01T00:00:00+00:00"]


class GreetingsApi:
    """The Greetings API's hooks endpoint, as an ``httpx.MockTransport`` handler: it keeps what it is given."""

    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, str]] = {}
        self.keys: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers["Authorization"])
        hook_id = request.url.path.rsplit("/", 1)[1]
        if request.method == "POST":
            hook_id = f"h{len(self.hooks) + 1}"
            self.hooks[hook_id] = json.loads(request.content)
            return httpx.Response(201, json={"id": hook_id})
        return httpx.Response(204 if self.hooks.pop(hook_id, None) else 404)


def signed(reply: dict[str, Any], key: str = "k" * 16) -> dict[str, Any]:
    """A request as the gateway stores it, signed the way the Greetings API signs its deliveries."""
    signature = hmac.new(key.encode(), reply["id"].encode(), hashlib.sha256).hexdigest()
    return {"method": "POST", "headers": {"x-greetings-signature": signature}, "query": {}, "body": reply}


async def test_attach_registers_the_webhook_and_detach_removes_it() -> None:
    api = GreetingsApi()
    url = "https://scenarist.example/hooks/abc"
    async with httpx.AsyncClient(transport=httpx.MockTransport(api)) as http, ModuleHarness(app, http=http) as harness:
        attached = await harness.attach("watch_replies", {"event": "reply"}, url, connection=ACCOUNT)
        assert api.hooks == {"h1": {"url": url, "event": "reply"}}
        await harness.detach("watch_replies", {"event": "reply"}, attached, connection=ACCOUNT)
    assert attached == {"hook_id": "h1"}
    assert api.hooks == {}
    assert api.keys == ["Bearer " + "k" * 16] * 2


async def test_detach_of_a_hook_already_gone_succeeds() -> None:
    transport = httpx.MockTransport(GreetingsApi())
    async with httpx.AsyncClient(transport=transport) as http, ModuleHarness(app, http=http) as harness:
        await harness.detach("watch_replies", {}, {"hook_id": "h9"}, connection=ACCOUNT)


async def test_a_refused_key_is_an_authentication_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(401))
    async with httpx.AsyncClient(transport=transport) as http, ModuleHarness(app, http=http) as harness:
        with pytest.raises(AuthenticationError, match="refused the account"):
            await harness.attach("watch_replies", {}, "https://scenarist.example/hooks/abc", connection=ACCOUNT)


async def test_the_trigger_checks_the_signature_of_each_request() -> None:
    reply = {"id": "r1", "from": "Grace", "text": "Hi back!"}
    forged = {**signed(reply), "headers": {"x-greetings-signature": "0" * 64}}
    async with ModuleHarness(app) as harness:
        bundles = await harness.run("watch_replies", connection=ACCOUNT, trigger_input=signed(reply))
        with pytest.raises(DataError, match="not signed"):
            await harness.run("watch_replies", connection=ACCOUNT, trigger_input=forged)
    assert bundles == [{"event": "reply", "from": "Grace", "text": "Hi back!"}]


async def test_attach_hands_back_json_as_the_engine_keeps_it() -> None:
    async def attach(ctx: RunContext, params: NoParams, webhook_url: str) -> Any:
        return {"hook_id": 7, "urls": (webhook_url,)} if webhook_url.endswith("ok") else {"when": {1}}

    async def detach(ctx: RunContext, params: NoParams, attached: Any) -> None:
        seen.append(attached)

    seen: list[Any] = []
    hooked = App(key="hooked", label="Hooked", modules=(
        ModuleSpec("watch", "Watch", "", NoParams, fail_run, kind="trigger", attach=attach, detach=detach),))
    async with ModuleHarness(hooked) as harness:
        attached = await harness.attach("watch", {}, "https://x.example/ok")
        await harness.detach("hooked.watch", {}, attached)
        with pytest.raises(RuntimeError, match="not JSON"):
            await harness.attach("watch", {}, "https://x.example/bad")
    assert seen == [{"hook_id": 7, "urls": ["https://x.example/ok"]}]


async def test_attach_on_a_module_without_hooks_names_it() -> None:
    async with ModuleHarness(app) as harness:
        with pytest.raises(KeyError, match="say_hello"):
            await harness.attach("say_hello", {"name": "Grace"}, "https://scenarist.example/hooks/abc")


async def test_the_hooks_get_validated_params() -> None:
    async with ModuleHarness(app) as harness:
        with pytest.raises(DataError, match=r"params\.event"):
            await harness.attach("watch_replies", {"event": "wave"}, "https://x.example/", connection=ACCOUNT)


async def fail_run(ctx: RunContext, params: NoParams) -> dict[str, Any]:
    raise AssertionError("not run")


async def test_the_example_app_loads_like_an_installed_app() -> None:
    [catalogued] = Registry([app]).catalogue()
    say_hello = catalogued["modules"][0]
    assert say_hello["key"] == "greetings.say_hello"
    assert say_hello["params"]["properties"]["name"]["examples"] == ["Grace"]
    assert catalogued["connection_types"][0]["secret_fields"] == ["signing_key"]


# -- the harness itself ---------------------------------------------------------------


async def test_an_unknown_module_names_the_ones_there_are() -> None:
    async with ModuleHarness(app) as harness:
        with pytest.raises(KeyError, match="say_hello, chimes, watch_replies"):
            await harness.run("wave")


async def test_a_result_that_is_not_bundles_is_a_runtime_error() -> None:
    async def broken(ctx: RunContext, params: NoParams) -> Any:
        return "hello"

    async with ModuleHarness(probe_app(broken)) as harness:
        with pytest.raises(RuntimeError, match="returned str"):
            await harness.run("probe")


async def test_state_keeps_json_only() -> None:
    async def keep(ctx: RunContext, params: NoParams) -> dict[str, Any]:
        await ctx.state.set("when", {1, 2})
        return {}

    async with ModuleHarness(probe_app(keep)) as harness:
        with pytest.raises(TypeError):
            await harness.run("probe")


async def test_the_context_is_the_one_the_engine_builds() -> None:
    seen: list[RunContext] = []

    async def look(ctx: RunContext, params: NoParams) -> dict[str, Any]:
        seen.append(ctx)
        return {"now": ctx.clock.now().isoformat()}

    egress = ManualEgress()
    async with ModuleHarness(probe_app(look), egress=egress) as harness:
        assert await harness.run("probe", trigger_input={"a": 1}) == [{"now": "2026-01-01T00:00:00+00:00"}]
    [ctx] = seen
    assert (ctx.module, ctx.step_id, ctx.trigger_input, ctx.egress) == ("probe.probe", "step1", {"a": 1}, egress)
    assert isinstance(ctx.http, httpx.AsyncClient)
    assert ctx.http.is_closed


async def test_a_given_http_client_is_used_and_left_open() -> None:
    async def fetch(ctx: RunContext, params: NoParams) -> dict[str, Any]:
        return dict((await ctx.http.get("https://example.test/hello")).json())

    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"path": request.url.path}))
    async with httpx.AsyncClient(transport=transport) as client:
        async with ModuleHarness(probe_app(fetch), http=client) as harness:
            assert await harness.run("probe") == [{"path": "/hello"}]
        assert not client.is_closed


class ManualEgress:
    async def resolve(self, host: str, port: int) -> str:
        return "192.0.2.1"


# -- the guide cannot drift from this tested example -----------------------------------


def code_blocks(language: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_the_guide_shows_the_example_app_whole_and_in_order() -> None:
    example = EXAMPLE.read_text(encoding="utf-8")
    app_blocks = [b.strip("\n") for b in code_blocks("python") if b in example]
    assert "\n\n\n".join(app_blocks) + "\n" == example


def test_every_python_block_of_the_guide_is_tested_code() -> None:
    tested = EXAMPLE.read_text(encoding="utf-8") + Path(__file__).read_text(encoding="utf-8")
    for block in code_blocks("python"):
        assert block in tested, block


def test_the_guide_registers_the_example_app() -> None:
    [block] = code_blocks("toml")
    apps = tomllib.loads(block)["project"]["entry-points"]["scenarist.apps"]
    assert apps == {"greetings": "greetings:app"}
