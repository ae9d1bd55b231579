"""Real file servers for the FTP app's tests, started and stopped by the tests.

- FTP, explicit FTPS and implicit FTPS: pyftpdlib in a background thread on
  127.0.0.1 (ephemeral port), one user jailed in a temporary home. The TLS
  servers demand TLS on the control and the data connections and present a
  self-signed certificate for ``localhost`` made here with ``cryptography``.
  pyftpdlib has no implicit mode; ``_ImplicitTLSHandler`` starts TLS on accept
  and greets only once the handshake is done.
- SFTP: asyncssh on 127.0.0.1, a generated Ed25519 host key, password and
  public-key authentication, the SFTP root chrooted to a temporary home.

``server`` is parametrized over the four; ``run`` runs a module as the engine
would, with a recording egress guard (``localhost`` and ``*.test`` names go to
127.0.0.1) and a scenario state shared by the calls of one test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from scenarist.apps.ftp import app
from scenarist.sdk import ConnectionError, ModuleHarness, ModuleSpec, SystemClock

with warnings.catch_warnings():
    # pyftpdlib is built on asyncore/asynchat, deprecated in Python 3.11 (and vendored from 3.12 on).
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer

USER, PASSWORD = "ada", "pa55 word!"
KEY_PASSPHRASE = "key phrase"
TEST_TIMEOUT = 30.0
PROTOCOLS = ["ftp", "ftps", "ftps_implicit", "sftp"]
logging.getLogger("pyftpdlib").setLevel(logging.WARNING)


# --- certificates and keys ----------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    pem: str
    """The certificate alone: what a client trusts."""
    path: Path
    """Certificate and key in one PEM file: what the server loads."""


def _self_signed(folder: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = folder / "server.pem"
    path.write_text(cert_pem + key_pem)
    return Certificate(cert_pem, path)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return _self_signed(tmp_path_factory.mktemp("tls"))


@dataclass(frozen=True)
class SshKeys:
    host: asyncssh.SSHKey
    client: asyncssh.SSHKey
    other: asyncssh.SSHKey
    """A key nobody trusts: a wrong host key, an unauthorized client key."""

    @property
    def host_line(self) -> str:
        return self.host.export_public_key("openssh").decode().strip()

    @property
    def client_pem(self) -> str:
        return self.client.export_private_key("openssh").decode()

    @property
    def client_encrypted_pem(self) -> str:
        return self.client.export_private_key("pkcs8-pem", KEY_PASSPHRASE).decode()


@pytest.fixture(scope="session")
def ssh_keys() -> SshKeys:
    return SshKeys(*(asyncssh.generate_private_key("ssh-ed25519") for _ in range(3)))


# --- FTP servers ----------------------------------------------------------------


class _ImplicitTLSHandler(TLS_FTPHandler):  # type: ignore[misc]
    """FTPS with TLS from the first byte: handshake on accept, then the greeting."""

    def handle(self) -> None:
        self.secure_connection(self.ssl_context)

    def handle_ssl_established(self) -> None:
        TLS_FTPHandler.handle(self)


class _NoMlsdHandler(FTPHandler):  # type: ignore[misc]
    """An old-style server: LIST only, no MLSD/MLST."""

    proto_cmds = {k: v for k, v in FTPHandler.proto_cmds.items() if k not in ("MLSD", "MLST")}


def _handler(kind: str, home: Path, certificate: Certificate) -> type[FTPHandler]:
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(home), perm="elradfmwMT")
    base: type[FTPHandler] = {
        "ftp": FTPHandler,
        "ftp_no_mlsd": _NoMlsdHandler,
        "ftp_lying_pasv": FTPHandler,
        "ftps": TLS_FTPHandler,
        "ftps_implicit": _ImplicitTLSHandler,
    }[kind]
    attrs: dict[str, Any] = {"authorizer": authorizer, "timeout": 60, "auth_failed_timeout": 0.05}
    if kind == "ftp_lying_pasv":
        attrs["masquerade_address"] = "203.0.113.9"  # TEST-NET-3: announced in PASV, never reachable
    if issubclass(base, TLS_FTPHandler):
        attrs.update(
            certfile=str(certificate.path),
            ssl_context=None,
            tls_control_required=True,
            tls_data_required=True,
        )
    return type(f"Test{base.__name__}", (base,), attrs)


class ThreadedFtpServer:
    """A pyftpdlib server on its own IO loop, in a thread; ``stop`` closes every socket."""

    def __init__(self, handler: type[FTPHandler]) -> None:
        self._ioloop = IOLoop()
        self._server = FTPServer(("127.0.0.1", 0), handler, ioloop=self._ioloop)
        self.port: int = self._server.address[1]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-ftp-server", daemon=True)

    def _serve(self) -> None:
        while not self._stopping.is_set():
            self._server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        self._server.close_all()

    def start(self) -> ThreadedFtpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "the test FTP server did not stop"


# --- SFTP server ----------------------------------------------------------------


class _SshServer(asyncssh.SSHServer):
    def __init__(self, client_key: asyncssh.SSHKey) -> None:
        self._client_key = client_key

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USER and password == PASSWORD

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == USER and key.public_data == self._client_key.public_data


# --- what the tests get ------------------------------------------------------------


@dataclass
class Server:
    """A running server: where its files are and a connection that reaches it."""

    kind: str
    home: Path
    connection_type: str
    fields: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def connection(self, **changes: Any) -> dict[str, Any]:
        """The connection mapping, with ``changes`` to its fields (None removes a field)."""
        fields = {**self.fields, **changes}
        return {"type": self.connection_type, "fields": {k: v for k, v in fields.items() if v is not None}}


def _ftp_fields(kind: str, port: int, certificate: Certificate) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "host": "localhost",
        "port": port,
        "username": USER,
        "password": PASSWORD,
        "timeout_seconds": 10,
    }
    if kind.startswith("ftps"):
        fields.update(security="implicit_tls" if kind == "ftps_implicit" else "explicit_tls")
        fields.update(ca_cert=certificate.pem)
    else:
        fields.update(security="none")
    return fields


@pytest.fixture
def start_ftp(tmp_path: Path, certificate: Certificate) -> Iterator[Any]:
    """``start_ftp(kind)``: a pyftpdlib server of that kind, stopped after the test."""
    started: list[ThreadedFtpServer] = []

    def start(kind: str) -> Server:
        home = tmp_path / f"{kind}-home"
        home.mkdir()
        ftpd = ThreadedFtpServer(_handler(kind, home, certificate)).start()
        started.append(ftpd)
        return Server(kind, home, "ftp.ftp", _ftp_fields(kind, ftpd.port, certificate))

    yield start
    for ftpd in started:
        ftpd.stop()


@asynccontextmanager
async def serve_sftp(home: Path, keys: SshKeys) -> AsyncIterator[Server]:
    """An asyncssh SFTP server chrooted to ``home``, closed on the way out."""
    home.mkdir()
    acceptor = await asyncssh.listen(
        "127.0.0.1",
        0,
        server_host_keys=[keys.host],
        server_factory=lambda: _SshServer(keys.client),
        sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(home).encode()),
        allow_scp=False,
        login_timeout=10,
    )
    port = acceptor.sockets[0].getsockname()[1]
    fields = {
        "host": "localhost",
        "port": port,
        "username": USER,
        "password": PASSWORD,
        "known_host_key": keys.host_line,
        "timeout_seconds": 10,
    }
    try:
        yield Server("sftp", home, "ftp.sftp", fields)
    finally:
        acceptor.close()
        await acceptor.wait_closed()


@pytest.fixture
async def sftp_server(tmp_path: Path, ssh_keys: SshKeys) -> AsyncIterator[Server]:
    async with serve_sftp(tmp_path / "sftp-home", ssh_keys) as started:
        yield started


@pytest.fixture(params=PROTOCOLS)
async def server(
    request: pytest.FixtureRequest, start_ftp: Any, tmp_path: Path, ssh_keys: SshKeys
) -> AsyncIterator[Server]:
    """Each protocol in turn: plain FTP, explicit FTPS, implicit FTPS, SFTP."""
    if request.param == "sftp":
        async with serve_sftp(tmp_path / "sftp-home", ssh_keys) as started:
            yield started
    else:
        yield start_ftp(request.param)


class RecordingEgress:
    """Sends ``localhost`` and ``*.test`` to 127.0.0.1, remembers what was asked, refuses on demand."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []
        self.refuse = False

    async def resolve(self, host: str, port: int) -> str:
        self.asked.append((host, port))
        if self.refuse:
            raise ConnectionError(f"{host} is not an allowed destination")
        if host == "localhost" or host.endswith(".test"):
            return "127.0.0.1"
        return host


@pytest.fixture
def egress() -> RecordingEgress:
    return RecordingEgress()


@pytest.fixture
async def harness(http_client: httpx.AsyncClient, egress: RecordingEgress) -> AsyncIterator[ModuleHarness]:
    """The FTP app's harness for one test: its scenario state (``harness.state``) is shared by the test's calls."""
    async with ModuleHarness(app, http=http_client, egress=egress, clock=SystemClock()) as harness:
        yield harness


@pytest.fixture
def run(harness: ModuleHarness) -> Any:
    """``await run(spec, params, connection)``: the module run by the harness, bounded in time; an action's
    bundle, a search's bundles."""

    async def call(spec: ModuleSpec, params: dict[str, Any], connection: dict[str, Any]) -> Any:
        async with asyncio.timeout(TEST_TIMEOUT):
            bundles = await harness.run(spec.key, params, connection=connection)
        return bundles if spec.kind == "search" else bundles[0]

    return call
