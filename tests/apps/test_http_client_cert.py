"""``http.client_certificate``: mutual TLS against a real HTTPS server that requires a client certificate.

The server (``tests.mtls_server``) trusts one client CA and answers with the
common name of the certificate it saw. The private key is a canary: no error
message, test message or output may contain it.
"""

from __future__ import annotations

import os
import socket
import ssl
import stat
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from pydantic import ValidationError

from scenarist.apps.http import DOWNLOAD, REQUEST, app
from scenarist.apps.http._client_cert import (
    CLIENT_CERTIFICATE,
    ClientCertificateFields,
    _memory_files,
    _private_files,
    client_context,
)
from scenarist.egress import EgressGuard, EgressPolicy
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    InvalidConfigurationError,
    ModuleError,
)
from scenarist.transport import CLIENT_TLS, ClientCertificateRefused
from scenarist.transport import http_client as client_with
from tests.apps.conftest import make_context
from tests.certs import Authority, Issued
from tests.mtls_server import REPORT_BYTES, MutualTlsServer, server_context, serving

PASSPHRASE = "pass-CANARY-51c0"


@dataclass(frozen=True)
class Pki:
    """The server's CA and certificate, the CA the server trusts for clients, and a stranger's CA."""

    server_ca: Authority
    server: Issued
    client_ca: Authority
    ada: Issued
    stranger: Issued


@pytest.fixture(scope="module")
def pki() -> Pki:
    server_ca, client_ca = Authority("Server CA"), Authority("Client CA")
    return Pki(server_ca, server_ca.issue("127.0.0.1", server=True), client_ca, client_ca.issue("ada"),
               Authority("Stranger CA").issue("eve"))


@pytest.fixture
def mtls(pki: Pki, tmp_path: Path) -> Iterator[MutualTlsServer]:
    with serving(server_context(pki.server, pki.client_ca, tmp_path)) as server:
        yield server


def connection(pki: Pki, issued: Issued | None = None, **changes: str | None) -> dict[str, Any]:
    """An http.client_certificate connection for ``issued`` (ada by default) that trusts the server's CA."""
    issued = issued or pki.ada
    fields = {"certificate": issued.chain_pem, "private_key": issued.key_pem(),
              "ca_certificate": pki.server_ca.cert_pem}
    return {"type": "http.client_certificate", "fields": fields | changes}


def assert_no_secret(text: str, issued: Issued) -> None:
    key_body = issued.key_pem().splitlines()[1]
    assert key_body not in text
    assert PASSPHRASE not in text


async def whoami(run_module: Any, server: MutualTlsServer, conn: dict[str, Any] | None) -> Any:
    out = await run_module(REQUEST, {"url": f"{server.url}/whoami"}, connection=conn)
    return out["body"]["client"]


# --- the connection type, described as data ----------------------------------------------------


def test_the_type_is_offered_by_both_modules() -> None:
    assert app.connection_types[-1] is CLIENT_CERTIFICATE
    assert "http.client_certificate" in REQUEST.connection_types
    assert "http.client_certificate" in DOWNLOAD.connection_types


def test_the_key_and_the_passphrase_are_secret_and_the_rest_is_not() -> None:
    assert CLIENT_CERTIFICATE.secret_fields == ("private_key", "passphrase")
    properties = CLIENT_CERTIFICATE.fields.model_json_schema()["properties"]
    assert set(properties) == {"certificate", "private_key", "passphrase", "ca_certificate"}
    assert set(CLIENT_CERTIFICATE.fields.model_json_schema()["required"]) == {"certificate", "private_key"}


# --- the handshake -----------------------------------------------------------------------------


async def test_the_server_sees_the_client_certificate(run_module: Any, mtls: MutualTlsServer, pki: Pki) -> None:
    assert await whoami(run_module, mtls, connection(pki)) == "ada"


async def test_an_encrypted_key_works_with_its_passphrase(run_module: Any, mtls: MutualTlsServer, pki: Pki) -> None:
    conn = connection(pki, private_key=pki.ada.key_pem(PASSPHRASE), passphrase=PASSPHRASE)
    assert await whoami(run_module, mtls, conn) == "ada"


async def test_a_traditional_encrypted_key_works_too(run_module: Any, mtls: MutualTlsServer, pki: Pki) -> None:
    conn = connection(pki, private_key=pki.ada.key_pem(PASSPHRASE, traditional=True), passphrase=PASSPHRASE)
    assert await whoami(run_module, mtls, conn) == "ada"


async def test_a_passphrase_for_a_plain_key_is_ignored(run_module: Any, mtls: MutualTlsServer, pki: Pki) -> None:
    assert await whoami(run_module, mtls, connection(pki, passphrase=PASSPHRASE)) == "ada"


async def test_a_certificate_issued_by_an_intermediate_is_sent_with_its_chain(
    run_module: Any, pki: Pki, tmp_path: Path
) -> None:
    root = Authority("Root CA")
    bob = root.intermediate("Issuing CA").issue("bob")
    with serving(server_context(pki.server, root, tmp_path)) as server:
        assert await whoami(run_module, server, connection(pki, bob)) == "bob"


async def test_the_download_module_presents_the_certificate(run_module: Any, mtls: MutualTlsServer, pki: Pki) -> None:
    out = await run_module(DOWNLOAD, {"url": f"{mtls.url}/files/report.bin"}, connection=connection(pki))
    assert out["file_name"] == "r.bin"
    assert out["size"] == len(REPORT_BYTES)


@pytest.mark.parametrize("maximum", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
async def test_a_certificate_the_server_does_not_trust_is_an_authentication_error(
    run_module: Any, pki: Pki, tmp_path: Path, maximum: ssl.TLSVersion
) -> None:
    refused = pytest.raises(AuthenticationError, match="does not trust the issuer of the client certificate")
    with serving(server_context(pki.server, pki.client_ca, tmp_path, maximum)) as server, refused as caught:
        await whoami(run_module, server, connection(pki, pki.stranger))
    assert server.refusals and server.handshakes == 0
    assert_no_secret(caught.value.message, pki.stranger)


async def _send_without_certificate(client: httpx.AsyncClient, pki: Pki, url: str) -> httpx.Response:
    """A request that trusts the server's CA but presents no certificate (straight to the transport)."""
    trusting = ssl.create_default_context(cadata=pki.server_ca.cert_pem)
    request = client.build_request("GET", url, extensions={CLIENT_TLS: trusting})
    return await client.send(request)


async def test_no_certificate_where_one_is_required_is_refused_by_name(
    http_client: httpx.AsyncClient, mtls: MutualTlsServer, pki: Pki
) -> None:
    with pytest.raises(ClientCertificateRefused, match="the server requires a client certificate"):
        await _send_without_certificate(http_client, pki, f"{mtls.url}/whoami")


async def test_no_certificate_over_tls_1_2_names_the_likely_cause(
    http_client: httpx.AsyncClient, pki: Pki, tmp_path: Path
) -> None:
    context = server_context(pki.server, pki.client_ca, tmp_path, ssl.TLSVersion.TLSv1_2)
    with serving(context) as server, pytest.raises(httpx.ConnectError, match="may require a client certificate"):
        await _send_without_certificate(http_client, pki, f"{server.url}/whoami")


async def test_a_server_that_drops_the_handshake_without_an_alert_gets_a_hint(
    run_module: Any, pki: Pki, tmp_path: Path
) -> None:
    """asyncio's servers close without the TLS alert: the cause is likely, not certain, hence no AuthenticationError."""
    async with _asyncio_server(server_context(pki.server, pki.client_ca, tmp_path)) as url:
        with pytest.raises(ConnectionError, match=r"closed the TLS connection .* requires a client certificate"):
            await run_module(REQUEST, {"url": f"{url}/"}, connection=connection(pki, pki.stranger))


async def test_the_servers_certificate_is_still_verified(run_module: Any, mtls: MutualTlsServer, pki: Pki) -> None:
    with pytest.raises(ConnectionError, match="certificate verify failed"):
        await whoami(run_module, mtls, connection(pki, ca_certificate=None))


async def test_the_egress_policy_still_applies(mtls: MutualTlsServer, pki: Pki) -> None:
    async with client_with(egress=EgressGuard(EgressPolicy())) as refusing:
        ctx = make_context(refusing, "http.request", connection(pki))
        with pytest.raises(ConnectionError, match="refused by the egress policy"):
            await REQUEST.run(ctx, REQUEST.params.model_validate({"url": f"{mtls.url}/whoami"}))
    assert mtls.handshakes == 0 and mtls.refusals == []


async def test_a_plain_http_url_is_refused_rather_than_sent_without_the_certificate(
    run_module: Any, pki: Pki
) -> None:
    with pytest.raises(InvalidConfigurationError, match="only over https://"):
        await run_module(REQUEST, {"url": "http://127.0.0.1:9/whoami"}, connection=connection(pki))


# --- pooling and caching -----------------------------------------------------------------------


async def test_requests_with_different_certificates_never_share_a_connection(
    http_client: httpx.AsyncClient, pki: Pki, tmp_path: Path
) -> None:
    bob = pki.client_ca.issue("bob")
    with serving(server_context(pki.server, pki.client_ca, tmp_path)) as server:
        seen = []
        for conn in [connection(pki), connection(pki, bob), connection(pki), connection(pki, bob)]:
            ctx = make_context(http_client, "http.request", conn)
            out = await REQUEST.run(ctx, REQUEST.params.model_validate({"url": f"{server.url}/whoami"}))
            assert isinstance(out, dict)
            seen.append(out["body"]["client"])
    assert seen == ["ada", "bob", "ada", "bob"]
    assert server.handshakes == 2, "each certificate's connection is kept and reused"


def test_the_context_is_built_once_per_certificate(pki: Pki) -> None:
    fields = ClientCertificateFields.model_validate(connection(pki)["fields"])
    same = ClientCertificateFields.model_validate(connection(pki)["fields"])
    other = ClientCertificateFields.model_validate(connection(pki, pki.client_ca.issue("bob"))["fields"])
    context = client_context(fields)
    assert client_context(same) is context
    assert client_context(other) is not context


def test_memory_files_read_back_and_touch_no_disk() -> None:
    if not hasattr(os, "memfd_create"):
        pytest.skip("no memfd_create on this system")
    with _memory_files(b"one", b"two") as paths:
        assert [Path(p).read_bytes() for p in paths] == [b"one", b"two"]
        assert all(os.readlink(p).startswith("/memfd:") for p in paths)


def test_private_files_are_readable_by_their_owner_only_and_removed() -> None:
    with _private_files(b"key material") as paths:
        path = Path(paths[0])
        assert path.read_bytes() == b"key material"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not path.exists() and not path.parent.exists()


# --- fields that cannot work -------------------------------------------------------------------


async def test_a_key_of_another_certificate_fails_the_step_clearly(run_module: Any, pki: Pki) -> None:
    conn = connection(pki, private_key=pki.stranger.key_pem())
    with pytest.raises(InvalidConfigurationError, match="the private key does not match the certificate") as caught:
        await run_module(REQUEST, {"url": "https://127.0.0.1:9/"}, connection=conn)
    assert_no_secret(caught.value.message, pki.stranger)


async def test_a_wrong_passphrase_fails_clearly_without_echoing_it(run_module: Any, pki: Pki) -> None:
    conn = connection(pki, private_key=pki.ada.key_pem(PASSPHRASE), passphrase="not-it")
    with pytest.raises(InvalidConfigurationError, match="cannot be decrypted") as caught:
        await run_module(REQUEST, {"url": "https://127.0.0.1:9/"}, connection=conn)
    assert "not-it" not in caught.value.message
    assert_no_secret(caught.value.message, pki.ada)


async def test_an_encrypted_key_without_its_passphrase_asks_for_it(run_module: Any, pki: Pki) -> None:
    conn = connection(pki, private_key=pki.ada.key_pem(PASSPHRASE))
    with pytest.raises(InvalidConfigurationError, match="give its passphrase"):
        await run_module(REQUEST, {"url": "https://127.0.0.1:9/"}, connection=conn)


BROKEN_CERTIFICATE = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"certificate": BROKEN_CERTIFICATE}, "certificate is not a PEM certificate"),
        ({"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
         "private_key is not a usable PEM private key"),
        ({"ca_certificate": BROKEN_CERTIFICATE}, "ca_certificate is not a PEM certificate"),
    ],
)
async def test_unusable_pem_names_the_field(run_module: Any, pki: Pki, changes: dict[str, str], message: str) -> None:
    conn = connection(pki)
    conn["fields"] |= changes
    with pytest.raises(InvalidConfigurationError, match=message):
        await run_module(REQUEST, {"url": "https://127.0.0.1:9/"}, connection=conn)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"certificate": "/etc/ssl/client.pem"}, "certificate"),
        ({"private_key": "/etc/ssl/client.key"}, "private_key"),
        ({"ca_certificate": "ca.pem"}, "ca_certificate"),
    ],
)
def test_text_that_is_not_pem_at_all_fails_validation(pki: Pki, changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field}\n  Value error, must be"):
        ClientCertificateFields.model_validate(connection(pki)["fields"] | changes)


def test_blank_optional_fields_mean_none(pki: Pki) -> None:
    fields = ClientCertificateFields.model_validate(connection(pki, passphrase="", ca_certificate="  ")["fields"])
    assert fields.passphrase is None and fields.ca_certificate is None


def test_missing_fields_are_a_configuration_error_naming_them(pki: Pki) -> None:
    assert CLIENT_CERTIFICATE.auth is not None
    with pytest.raises(InvalidConfigurationError, match="private_key"):
        CLIENT_CERTIFICATE.auth({"certificate": pki.ada.cert_pem})


# --- the connection test -----------------------------------------------------------------------


async def connection_test(fields: dict[str, Any]) -> str:
    assert CLIENT_CERTIFICATE.test is not None
    return await CLIENT_CERTIFICATE.test(fields, egress=None)


async def test_the_connection_test_reports_the_subject_and_the_expiry(pki: Pki) -> None:
    message = await connection_test(connection(pki)["fields"])
    assert "CN=ada" in message and "match" in message and "valid until" in message


async def test_the_connection_test_reports_a_mismatched_key_without_echoing_it(pki: Pki) -> None:
    fields = connection(pki, private_key=pki.stranger.key_pem())["fields"]
    with pytest.raises(InvalidConfigurationError, match="the private key does not match the certificate") as caught:
        await connection_test(fields)
    assert_no_secret(str(caught.value), pki.stranger)


async def test_the_connection_test_reports_an_expired_certificate(pki: Pki) -> None:
    old = pki.client_ca.issue("old", not_before=datetime.now(UTC) - timedelta(days=30))
    with pytest.raises(InvalidConfigurationError, match="expired on"):
        await connection_test(connection(pki, old)["fields"])


async def test_the_connection_test_reports_a_certificate_not_yet_valid(pki: Pki) -> None:
    future = pki.client_ca.issue("future", not_before=datetime.now(UTC) + timedelta(days=3))
    with pytest.raises(InvalidConfigurationError, match="valid only from"):
        await connection_test(connection(pki, future)["fields"])


async def test_the_connection_test_raises_module_errors_only(pki: Pki) -> None:
    with pytest.raises(ModuleError):
        await connection_test({"certificate": BROKEN_CERTIFICATE, "private_key": "y"})


# --- helpers -----------------------------------------------------------------------------------


@asynccontextmanager
async def _asyncio_server(context: ssl.SSLContext) -> AsyncIterator[str]:
    """An aiohttp HTTPS server requiring a client certificate: it drops refused handshakes without an alert."""
    application = web.Application()
    application.router.add_get("/", _hello)
    runner = web.AppRunner(application, handle_signals=False)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        await web.SockSite(runner, sock, ssl_context=context).start()
        yield f"https://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
        sock.close()


async def _hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")
