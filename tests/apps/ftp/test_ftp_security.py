"""Logging in and trusting the server: credentials, TLS certificates, SSH host keys, failures."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from scenarist.apps.ftp import LIST, UPLOAD, app
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    InvalidConfigurationError,
    ModuleTimeoutError,
)
from tests.apps.ftp.conftest import KEY_PASSPHRASE, PASSWORD, RecordingEgress, Server, SshKeys

WRONG = "definitely-wrong-pw"


def _test_of(key: str) -> Any:
    connection_type = next(ct for ct in app.connection_types if ct.key == key)
    return connection_type.test


# --- credentials, on every protocol -----------------------------------------------


async def test_wrong_password_is_an_authentication_error_without_the_secret(server: Server, run: Any) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await run(LIST, {}, server.connection(password=WRONG))
    assert WRONG not in caught.value.message and PASSWORD not in caught.value.message


async def test_connection_test_logs_in_and_lists_the_login_directory(server: Server, egress: Any) -> None:
    (server.home / "one.txt").write_text("1")
    message = await _test_of(server.connection_type)(server.connection()["fields"], egress=egress)
    assert "localhost" in message and "1 entries" in message
    assert egress.asked == [("localhost", server.fields["port"])]


async def test_connection_test_with_wrong_password_raises_authentication_error(server: Server) -> None:
    fields = server.connection(password=WRONG)["fields"]
    with pytest.raises(AuthenticationError):
        await _test_of(server.connection_type)(fields, egress=RecordingEgress())


async def test_connection_test_without_egress_uses_the_system_resolver(server: Server) -> None:
    fields = server.connection(host="127.0.0.1", tls_verify=False if server.kind != "sftp" else None)["fields"]
    message = await _test_of(server.connection_type)(fields)
    assert "127.0.0.1" in message


# --- FTP and FTPS ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ftps", "ftps_implicit"])
async def test_ftps_session_reports_its_protocol(start_ftp: Any, egress: Any, kind: str) -> None:
    server = start_ftp(kind)
    message = await _test_of("ftp.ftp")(server.connection()["fields"], egress=egress)
    assert "FTPS (implicit TLS)" in message if kind == "ftps_implicit" else "FTPS (explicit TLS)" in message


@pytest.mark.parametrize("kind", ["ftps", "ftps_implicit"])
async def test_untrusted_certificate_is_refused(start_ftp: Any, run: Any, kind: str) -> None:
    server = start_ftp(kind)
    with pytest.raises(AuthenticationError, match="certificate"):
        await run(LIST, {}, server.connection(ca_cert=None))


@pytest.mark.parametrize("kind", ["ftps", "ftps_implicit"])
async def test_certificate_is_checked_against_the_host_name_not_the_address(
    start_ftp: Any, run: Any, egress: Any, kind: str
) -> None:
    server = start_ftp(kind)
    with pytest.raises(AuthenticationError, match="certificate"):
        await run(LIST, {}, server.connection(host="files.example.test"))
    assert egress.asked[-1][0] == "files.example.test"


@pytest.mark.parametrize("kind", ["ftps", "ftps_implicit"])
async def test_tls_verify_off_accepts_any_certificate(start_ftp: Any, run: Any, kind: str) -> None:
    server = start_ftp(kind)
    (server.home / "a.txt").write_text("a")
    out = await run(LIST, {}, server.connection(ca_cert=None, tls_verify=False))
    assert [e["name"] for e in out] == ["a.txt"]


async def test_explicit_tls_never_falls_back_to_plain_text(start_ftp: Any, run: Any) -> None:
    server = start_ftp("ftp")
    with pytest.raises(InvalidConfigurationError, match="does not offer TLS"):
        await run(LIST, {}, server.connection(security="explicit_tls"))


async def test_plain_mode_on_a_tls_only_server_is_refused(start_ftp: Any, run: Any) -> None:
    server = start_ftp("ftps")
    with pytest.raises(InvalidConfigurationError, match="TLS required"):
        await run(LIST, {}, server.connection(security="none"))


async def test_implicit_tls_on_an_explicit_server_fails_to_connect(start_ftp: Any, run: Any) -> None:
    server = start_ftp("ftps")
    with pytest.raises(ConnectionError):
        await run(LIST, {}, server.connection(security="implicit_tls"))


@pytest.mark.parametrize("kind", ["ftp", "ftps"])
async def test_active_mode_transfers_files(start_ftp: Any, run: Any, kind: str) -> None:
    server = start_ftp(kind)
    await run(UPLOAD, {"path": "act.txt", "content": "active"}, server.connection(passive=False))
    out = await run(LIST, {}, server.connection(passive=False))
    assert [e["name"] for e in out] == ["act.txt"]


async def test_servers_without_mlsd_are_listed_with_list(start_ftp: Any, run: Any) -> None:
    server = start_ftp("ftp_no_mlsd")
    (server.home / "a.csv").write_text("12345")
    (server.home / "sub dir").mkdir()
    out = await run(LIST, {}, server.connection())
    assert [(e["name"], e["type"]) for e in out] == [("sub dir", "dir"), ("a.csv", "file")]
    assert out[1]["size"] == 5 and out[1]["modified"]


async def test_data_connections_ignore_the_address_announced_in_pasv(start_ftp: Any, run: Any) -> None:
    server = start_ftp("ftp_lying_pasv")
    (server.home / "a.txt").write_text("a")
    out = await run(LIST, {}, server.connection(timeout_seconds=3))
    assert [e["name"] for e in out] == ["a.txt"]


async def test_garbage_ca_cert_fails_as_configuration(start_ftp: Any, run: Any) -> None:
    server = start_ftp("ftps")
    with pytest.raises(InvalidConfigurationError, match="ca_cert"):
        await run(LIST, {}, server.connection(ca_cert="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))


# --- SFTP host keys and key authentication ---------------------------------------------


async def test_unknown_host_key_is_refused_by_default(sftp_server: Server, run: Any) -> None:
    with pytest.raises(AuthenticationError, match="host key is not trusted"):
        await run(LIST, {}, sftp_server.connection(known_host_key=None))


async def test_a_different_host_key_is_refused(sftp_server: Server, run: Any, ssh_keys: SshKeys) -> None:
    other = ssh_keys.other.export_public_key("openssh").decode()
    with pytest.raises(AuthenticationError, match="host key"):
        await run(LIST, {}, sftp_server.connection(known_host_key=other))


async def test_a_known_host_key_wins_over_accept_unknown(sftp_server: Server, run: Any, ssh_keys: SshKeys) -> None:
    other = ssh_keys.other.export_public_key("openssh").decode()
    with pytest.raises(AuthenticationError, match="host key"):
        await run(LIST, {}, sftp_server.connection(known_host_key=other, accept_unknown_host_key=True))


async def test_accept_unknown_host_key_trusts_any_server(sftp_server: Server, run: Any) -> None:
    out = await run(LIST, {}, sftp_server.connection(known_host_key=None, accept_unknown_host_key=True))
    assert out == []


async def test_known_hosts_lines_are_accepted(sftp_server: Server, run: Any, ssh_keys: SshKeys) -> None:
    line = f"[localhost]:{sftp_server.fields['port']} {ssh_keys.host_line}\n# comment\n"
    assert await run(LIST, {}, sftp_server.connection(known_host_key=line)) == []


async def test_private_key_authenticates_without_a_password(sftp_server: Server, run: Any, ssh_keys: SshKeys) -> None:
    connection = sftp_server.connection(password=None, private_key=ssh_keys.client_pem)
    await run(UPLOAD, {"path": "k.txt", "content": "by key"}, connection)
    assert (sftp_server.home / "k.txt").read_text() == "by key"


async def test_encrypted_private_key_opens_with_its_passphrase(
    sftp_server: Server, run: Any, ssh_keys: SshKeys
) -> None:
    connection = sftp_server.connection(
        password=None, private_key=ssh_keys.client_encrypted_pem, passphrase=KEY_PASSPHRASE
    )
    assert await run(LIST, {}, connection) == []


async def test_wrong_passphrase_is_a_configuration_error(sftp_server: Server, run: Any, ssh_keys: SshKeys) -> None:
    connection = sftp_server.connection(password=None, private_key=ssh_keys.client_encrypted_pem, passphrase="nope")
    with pytest.raises(InvalidConfigurationError, match="private key") as caught:
        await run(LIST, {}, connection)
    assert "nope" not in caught.value.message


async def test_unauthorized_key_is_an_authentication_error(sftp_server: Server, run: Any, ssh_keys: SshKeys) -> None:
    stranger = ssh_keys.other.export_private_key("openssh").decode()
    with pytest.raises(AuthenticationError):
        await run(LIST, {}, sftp_server.connection(password=None, private_key=stranger))


async def test_wrong_password_falls_back_to_a_valid_key(sftp_server: Server, run: Any, ssh_keys: SshKeys) -> None:
    connection = sftp_server.connection(password=WRONG, private_key=ssh_keys.client_pem)
    assert await run(LIST, {}, connection) == []


# --- unreachable and silent servers -------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


async def test_closed_port_is_a_connection_error(server: Server, run: Any, closed_port: int) -> None:
    with pytest.raises(ConnectionError):
        await run(LIST, {}, server.connection(port=closed_port))


async def test_silent_server_is_a_timeout(server: Server, run: Any, silent_port: int) -> None:
    with pytest.raises(ModuleTimeoutError):
        await run(LIST, {}, server.connection(port=silent_port, timeout_seconds=0.5))
