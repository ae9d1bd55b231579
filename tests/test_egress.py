"""The egress policy (contract section 9): on addresses, through the real transport, through the engine.

Every server here listens on loopback; refused requests never leave the machine.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from pydantic import BaseModel

from scenarist.bootstrap import engine_from_settings
from scenarist.egress import EgressGuard, EgressPolicy, EgressRefused, classify, parse_address
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine
from scenarist.sdk import App, ConnectionError, ModuleSpec, RunContext
from scenarist.settings import Settings
from scenarist.store.memory import MemoryStore
from scenarist.transport import AiohttpTransport, http_client
from scenarist.types import ManualClock, RunStatus
from scenarist.vault import Vault
from tests.engine_kit import new_engine

LOOPBACK = "127.0.0.0/8,::1"
TEST_KEY = "t1:" + base64.b64encode(bytes(range(32))).decode()


def guard(allow: str = "", **options: Any) -> EgressGuard:
    return EgressGuard(EgressPolicy.parse(allow, **options))


# --- the policy on addresses ------------------------------------------------------------------------------------

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"),
    ("fc00::1", "private"),
    ("169.254.169.254", "metadata"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fe80::1%1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("192.0.2.10", "reserved"),
    ("198.18.0.1", "reserved"),
    ("::ffff:127.0.0.1", "loopback (IPv4-mapped 127.0.0.1)"),
    ("::ffff:7f00:1", "loopback (IPv4-mapped 127.0.0.1)"),
    ("::ffff:169.254.169.254", "metadata"),
    ("::ffff:10.0.0.1", "private"),
    ("::127.0.0.1", "loopback (IPv4-compatible 127.0.0.1)"),
    ("::ffff:0:127.0.0.1", "loopback (IPv4-translated 127.0.0.1)"),
    ("2002:7f00:1::1", "loopback (6to4 127.0.0.1)"),
    ("2002:a9fe:a9fe::", "metadata address (6to4 169.254.169.254)"),
    ("64:ff9b::a00:1", "private (NAT64 10.0.0.1)"),
    ("64:ff9b:1::1", "private"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback (Teredo 127.0.0.1)"),
    ("2001:db8::1", "reserved"),
    ("100::1", "reserved"),
]

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "100.63.255.255",
    "100.128.0.0",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_the_default_policy_refuses_non_public_addresses(address: str, reason: str) -> None:
    refusal = EgressPolicy().refusal(address)
    assert refusal is not None
    assert refusal.startswith(f"{address} is ")
    assert reason in refusal


@pytest.mark.parametrize("address", PUBLIC)
def test_the_default_policy_allows_public_addresses(address: str) -> None:
    assert EgressPolicy().refusal(address) is None
    assert classify(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("host", "address"), [
    ("0x7f000001", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
    ("::ffff:7f00:1", "::ffff:7f00:1"),
    ("0xa9fea9fe", "169.254.169.254"),
])
def test_odd_spellings_of_addresses_are_read_as_the_address_they_mean(host: str, address: str) -> None:
    assert parse_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "localhost", "cafe.be", "dead.beef", "xn--bcher-kva.example"])
def test_names_are_not_addresses(host: str) -> None:
    assert parse_address(host) is None


@pytest.mark.parametrize("host", [
    "127.0.0.1", "0x7f000001", "2130706433", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]", "::ffff:7f00:1",
    "169.254.169.254", "0xa9fea9fe", "[fe80::1%25eth0]", "0",
])
def test_a_url_host_that_spells_a_refused_address_is_refused_before_any_lookup(host: str) -> None:
    with pytest.raises(EgressRefused, match=r"^refused by the egress policy: "):
        EgressPolicy().check_host(host)


def test_a_numeric_host_that_is_no_address_is_refused() -> None:
    with pytest.raises(EgressRefused, match="not a valid address"):
        EgressPolicy().check_host("1.2.3.4.5")


def test_a_name_is_left_to_the_resolver_and_a_public_address_passes() -> None:
    assert EgressPolicy().check_host("example.com") is None
    assert EgressPolicy().check_host("8.8.8.8") == ipaddress.ip_address("8.8.8.8")


@pytest.mark.parametrize(("allow", "address", "allowed"), [
    ("127.0.0.0/8", "127.0.0.1", True),
    ("127.0.0.0/8", "127.9.9.9", True),
    ("127.0.0.0/8", "::ffff:127.0.0.1", True),
    ("127.0.0.0/8", "::1", False),
    ("127.0.0.1/32", "127.0.0.2", False),
    ("127.0.0.1/32", "::ffff:127.0.0.2", False),
    ("127.0.0.1", "127.0.0.1", True),
    ("::1", "::1", True),
    (" 10.0.0.0/8 , 192.168.0.0/16 ", "192.168.7.7", True),
    ("10.0.0.0/8", "10.200.0.1", True),
    ("10.0.0.0/8", "172.16.0.1", False),
    ("10.0.0.0/8", "64:ff9b::a00:1", False),
    ("64:ff9b::/96", "64:ff9b::a00:1", True),
    ("fd00::/8", "fd00::2", True),
    ("169.254.0.0/16", "169.254.169.254", True),
    ("10.0.0.1/8", "10.1.1.1", True),
])
def test_the_allow_list_admits_networks_and_addresses(allow: str, address: str, allowed: bool) -> None:
    assert (EgressPolicy.parse(allow).refusal(address) is None) is allowed


@pytest.mark.parametrize(("allow", "host", "allowed"), [
    ("localhost", "localhost", True),
    ("localhost", "LOCALHOST.", True),
    ("LocalHost.", "localhost", True),
    ("internal.example.com", "internal.example.com", True),
    ("internal.example.com", "other.example.com", False),
    ("*.corp.example", "db.corp.example", True),
    ("*.corp.example", "a.b.corp.example", True),
    ("*.corp.example", "corp.example", False),
    ("*.corp.example", "evilcorp.example", False),
])
def test_the_allow_list_admits_host_names(allow: str, host: str, allowed: bool) -> None:
    assert EgressPolicy.parse(allow).host_allowed(host) is allowed


def test_an_allowed_host_name_is_reached_on_whatever_it_resolves_to() -> None:
    policy = EgressPolicy.parse("db.corp.example")
    assert policy.select("db.corp.example", ["10.0.0.5", "127.0.0.1"]) == ["10.0.0.5", "127.0.0.1"]
    with pytest.raises(EgressRefused):
        policy.select("other.corp.example", ["10.0.0.5"])


def test_a_malformed_network_in_the_allow_list_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a valid network"):
        EgressPolicy.parse("10.0.0.0/33")


def test_a_malformed_source_address_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        EgressPolicy.parse("", source_address="not-an-address")


def test_a_name_is_reached_on_its_allowed_addresses_only() -> None:
    addresses = ["127.0.0.1", "93.184.215.14", "::1", "2606:4700:4700::1111"]
    assert EgressPolicy().select("mixed.example", addresses) == ["93.184.215.14", "2606:4700:4700::1111"]


def test_a_name_that_resolves_only_to_refused_addresses_is_refused_with_every_reason() -> None:
    with pytest.raises(EgressRefused) as caught:
        EgressPolicy().select("sneaky.example", ["127.0.0.1", "169.254.169.254"])
    assert str(caught.value) == (
        "refused by the egress policy: sneaky.example resolves only to refused addresses "
        "(127.0.0.1 is loopback; 169.254.169.254 is the cloud metadata address)"
    )


def test_the_policy_comes_from_settings_and_refuses_by_default(tmp_path: Path) -> None:
    default = EgressPolicy.from_settings(Settings(data_dir=tmp_path))
    assert default == EgressPolicy()
    configured = EgressPolicy.from_settings(Settings(
        data_dir=tmp_path, egress_allow="127.0.0.0/8,::1,db.internal", egress_proxy="http://proxy.internal:3128",
        egress_source_address="127.0.0.2",
    ))
    assert configured.refusal("127.0.0.1") is None
    assert configured.host_allowed("db.internal")
    assert configured.proxy_host == "proxy.internal"
    assert configured.source_address == "127.0.0.2"
    assert configured.family == socket.AF_INET


def test_the_source_address_and_the_address_family_follow_the_settings(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    monkeypatch.setenv("SCENARIST_EGRESS_SOURCE_ADDRESS", "::1")
    monkeypatch.setenv("SCENARIST_EGRESS_ALLOW", "10.0.0.0/8")
    egress = EgressGuard.from_settings(Settings(data_dir=tmp_path))
    assert egress.source_address == "::1"
    assert egress.policy.family == socket.AF_INET6
    assert egress.policy.refusal("10.1.1.1") is None


# --- local servers ----------------------------------------------------------------------------------------------


@dataclass
class Server:
    """A local aiohttp server; ``peers`` records (remote address, path) of each request it got."""

    url: str
    port: int
    peers: list[tuple[str, str]] = field(default_factory=list)


Start = Callable[..., Awaitable[Server]]


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    """``await start(host="127.0.0.1")``: a server with /hello, /peer and /to?url=... (a 302 to url)."""
    runners: list[web.AppRunner] = []

    async def run(host: str = "127.0.0.1") -> Server:
        server = Server(url="", port=0)

        async def hello(request: web.Request) -> web.Response:
            server.peers.append((request.remote or "", request.path))
            return web.Response(text="hello")

        async def peer(request: web.Request) -> web.Response:
            server.peers.append((request.remote or "", request.path))
            return web.json_response({"peer": request.remote})

        async def redirect(request: web.Request) -> web.Response:
            server.peers.append((request.remote or "", request.path))
            raise web.HTTPFound(request.query["url"])

        app = web.Application()
        app.add_routes([web.get("/hello", hello), web.get("/peer", peer), web.get("/to", redirect)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, 0)
        await site.start()
        runners.append(runner)
        server.port = runner.addresses[0][1]
        server.url = f"http://{host}:{server.port}"
        return server

    yield run
    for runner in runners:
        await runner.cleanup()


@dataclass
class Proxy:
    """A tiny forward proxy: records each request line and answers for the target itself."""

    url: str
    lines: list[str] = field(default_factory=list)


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    found = Proxy(url="")

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        found.lines.append(head.split(b"\r\n", 1)[0].decode())
        body = b"via proxy"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    found.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    yield found
    server.close()
    await server.wait_closed()


async def refusal(client: httpx.AsyncClient, url: str, **kwargs: Any) -> str:
    """The message of the ConnectError a request to ``url`` ends with."""
    with pytest.raises(httpx.ConnectError) as caught:
        await client.get(url, **kwargs)
    return str(caught.value)


# --- through the real transport ---------------------------------------------------------------------------------


async def test_a_request_to_loopback_is_refused_by_default(start: Start) -> None:
    server = await start()
    async with http_client() as client:
        message = await refusal(client, f"{server.url}/hello")
    assert message == "refused by the egress policy: 127.0.0.1 is loopback"
    assert server.peers == []


async def test_a_request_to_loopback_goes_through_when_the_allow_list_has_it(start: Start) -> None:
    server = await start()
    async with http_client(egress=guard(LOOPBACK)) as client:
        answer = await client.get(f"{server.url}/hello")
    assert answer.text == "hello"
    assert server.peers == [("127.0.0.1", "/hello")]


@pytest.mark.parametrize("host", [
    "0x7f000001", "2130706433", "127.1", "0x7f.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "localhost",
    "LOCALHOST", "127.0.0.1",
])
async def test_odd_spellings_of_loopback_in_a_url_are_refused(start: Start, host: str) -> None:
    server = await start()
    async with http_client() as client:
        message = await refusal(client, f"http://{host}:{server.port}/hello")
    assert message.startswith("refused by the egress policy: ")
    assert "loopback" in message
    assert server.peers == []


async def test_a_fully_qualified_loopback_name_never_reaches_the_server(start: Start) -> None:
    server = await start()
    async with http_client() as client:
        message = await refusal(client, f"http://LOCALHOST.:{server.port}/hello")
    if _resolves("localhost."):
        assert message.startswith("refused by the egress policy: ")
    assert server.peers == []


def test_httpx_rejects_an_octal_address_in_a_url_before_the_policy_sees_it() -> None:
    with pytest.raises(httpx.InvalidURL):
        httpx.URL("http://0177.0.0.1/")


async def test_a_name_on_the_allow_list_is_reached_on_loopback(start: Start) -> None:
    server = await start()
    async with http_client(egress=guard("localhost")) as client:
        answer = await client.get(f"http://localhost:{server.port}/hello")
    assert answer.text == "hello"


async def test_a_redirect_to_a_refused_address_is_refused_at_the_hop(start: Start) -> None:
    server = await start()
    target = f"http://[::ffff:127.0.0.2]:{server.port}/hello"
    async with http_client(egress=guard("127.0.0.1/32")) as client:
        message = await refusal(client, f"{server.url}/to", params={"url": target}, follow_redirects=True)
    assert message == "refused by the egress policy: ::ffff:7f00:2 is loopback (IPv4-mapped 127.0.0.2)"
    assert server.peers == [("127.0.0.1", "/to")]


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/", "http://[fd00::2]/", "http://10.0.0.1/", "http://0xa9fea9fe/",
])
async def test_a_redirect_to_an_internal_address_is_refused(start: Start, target: str) -> None:
    server = await start()
    async with http_client(egress=guard("127.0.0.1/32")) as client:
        message = await refusal(client, f"{server.url}/to", params={"url": target}, follow_redirects=True)
    assert message.startswith("refused by the egress policy: ")


async def test_a_redirect_to_a_name_that_resolves_to_a_refused_address_is_refused(start: Start) -> None:
    redirector, target = await start("127.0.0.2"), await start("127.0.0.1")
    async with http_client(egress=guard("127.0.0.2/32")) as client:
        message = await refusal(client, f"{redirector.url}/to", params={"url": f"http://localhost:{target.port}/hello"},
                                follow_redirects=True)
    assert message == ("refused by the egress policy: localhost resolves only to refused addresses "
                       "(127.0.0.1 is loopback)")
    assert [path for _, path in redirector.peers] == ["/to"]
    assert target.peers == []


async def test_a_redirect_to_an_allowed_address_is_followed(start: Start) -> None:
    server = await start()
    async with http_client(egress=guard("127.0.0.1/32")) as client:
        answer = await client.get(f"{server.url}/to", params={"url": f"{server.url}/hello"}, follow_redirects=True)
    assert answer.text == "hello"
    assert [path for _, path in server.peers] == ["/to", "/hello"]


async def test_every_outgoing_request_goes_through_the_proxy(proxy: Proxy) -> None:
    async with http_client(egress=guard(proxy=proxy.url)) as client:
        answer = await client.get("http://93.184.215.14/some/path?q=1")
    assert answer.text == "via proxy"
    assert proxy.lines == ["GET http://93.184.215.14/some/path?q=1 HTTP/1.1"]


async def test_the_proxy_is_reachable_by_name_on_a_private_address(proxy: Proxy) -> None:
    by_name = proxy.url.replace("127.0.0.1", "localhost")
    async with http_client(egress=guard(proxy=by_name)) as client:
        answer = await client.get("http://93.184.215.14/")
    assert answer.text == "via proxy"
    assert proxy.lines == ["GET http://93.184.215.14/ HTTP/1.1"]


async def test_a_refused_target_is_not_sent_to_the_proxy(proxy: Proxy) -> None:
    async with http_client(egress=guard(proxy=proxy.url)) as client:
        literal = await refusal(client, "http://169.254.169.254/latest/meta-data/")
        named = await refusal(client, "http://localhost:8080/")
    assert literal == "refused by the egress policy: 169.254.169.254 is the cloud metadata address"
    assert "localhost resolves only to refused addresses" in named
    assert proxy.lines == []


async def test_outgoing_sockets_bind_to_the_source_address(start: Start) -> None:
    server = await start()
    async with http_client(egress=guard(LOOPBACK, source_address="127.0.0.2")) as client:
        answer = await client.get(f"{server.url}/peer")
    assert answer.json() == {"peer": "127.0.0.2"}


async def test_a_transport_without_a_policy_refuses_like_the_default(start: Start) -> None:
    server = await start()
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        message = await refusal(client, f"{server.url}/hello")
    assert "127.0.0.1 is loopback" in message


# --- the guard for modules that open their own sockets ----------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "2130706433", "0x7f000001", "::ffff:127.0.0.1", "::1"])
async def test_the_guard_refuses_loopback_hosts_with_a_connection_error(host: str) -> None:
    with pytest.raises(ConnectionError, match=r"^refused by the egress policy: .*loopback"):
        await guard().resolve(host, 21)


async def test_the_guard_returns_the_address_to_connect_to() -> None:
    assert await guard(LOOPBACK).resolve("localhost", 21) == "127.0.0.1"
    assert await guard(LOOPBACK).resolve("2130706433", 21) == "127.0.0.1"
    assert await guard("localhost").resolve("localhost", 5432) == "127.0.0.1"
    assert await guard().resolve("8.8.8.8", 53) == "8.8.8.8"


async def test_the_guard_reports_a_host_that_does_not_resolve_as_a_connection_error() -> None:
    with pytest.raises(ConnectionError, match="cannot be resolved"):
        await guard().resolve("no-such-host.invalid.", 21)


# --- through the engine -----------------------------------------------------------------------------------------


class ResolveParams(BaseModel):
    host: str
    port: int = 21


async def resolve_step(ctx: RunContext, params: ResolveParams) -> dict[str, Any]:
    return {"address": await ctx.egress.resolve(params.host, params.port)}


PROBE = App(key="netprobe", label="Net probe", modules=(
    ModuleSpec("resolve", "Resolve", "Resolves a host through ctx.egress.", ResolveParams, resolve_step),
))


def scenario(step_id: str, module: str, **params: Any) -> dict[str, Any]:
    return {"name": "egress", "trigger": {"id": "hook", "module": "webhooks.custom"},
            "flow": [{"id": step_id, "module": module, "params": params}]}


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    """An engine built without an egress guard: the refusing default."""
    eng = new_engine(MemoryStore(), Registry([*Registry.discover().apps.values(), PROBE]), clock=ManualClock(),
                 sealer=Vault.parse(TEST_KEY))
    yield eng
    await eng.aclose()


async def test_an_http_request_to_a_refused_address_ends_the_run_with_a_connection_error(
    engine: Engine, start: Start
) -> None:
    server = await start()
    record = await engine.save_scenario(scenario("call", "http.request", url=f"{server.url}/hello"))
    result = await engine.run(record, {})
    error = result.execution.error
    assert error is not None
    assert (error["type"], error["step"]) == ("ConnectionError", "call")
    assert "refused by the egress policy: 127.0.0.1 is loopback" in error["message"]
    assert server.peers == []


async def test_an_http_request_to_the_metadata_address_ends_the_run_with_a_connection_error(engine: Engine) -> None:
    record = await engine.save_scenario(scenario("call", "http.request", url="http://169.254.169.254/latest/"))
    result = await engine.run(record, {})
    assert result.execution.error is not None
    assert result.execution.error["type"] == "ConnectionError"
    assert "169.254.169.254 is the cloud metadata address" in result.execution.error["message"]


async def test_modules_get_the_engines_guard_as_ctx_egress(engine: Engine) -> None:
    record = await engine.save_scenario(scenario("look", "netprobe.resolve", host="localhost"))
    result = await engine.run(record, {})
    assert result.execution.error is not None
    assert result.execution.error["type"] == "ConnectionError"
    assert "localhost resolves only to refused addresses" in result.execution.error["message"]


async def test_the_allow_list_in_settings_reaches_the_engines_http_client(tmp_path: Path, start: Start) -> None:
    server = await start()
    settings = Settings(data_dir=tmp_path, secret_keys=TEST_KEY, egress_allow="127.0.0.1/32")
    async with engine_from_settings(settings) as eng:
        allowed = await eng.run(await eng.save_scenario(scenario("call", "http.request", url=f"{server.url}/hello")),
                                {})
        refused = await eng.run(await eng.save_scenario(
            scenario("call", "http.request", url=f"http://127.0.0.2:{server.port}/hello")), {})
    assert allowed.execution.status == RunStatus.SUCCESS, allowed.execution.error
    assert refused.execution.error is not None
    assert "127.0.0.2 is loopback" in refused.execution.error["message"]
    assert server.peers == [("127.0.0.1", "/hello")]


def _resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 80)
    except OSError:
        return False
    return True
