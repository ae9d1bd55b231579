"""Real mail servers for the e-mail app's tests.

- ``tls_cert``: a self-signed certificate for ``localhost`` and ``127.0.0.1``
  (made with ``cryptography``), the CA the connections trust through ``ca_cert``.
- ``smtp_server``: aiosmtpd in one of three modes (STARTTLS required, implicit
  TLS, plain), each with AUTH, recording every message it accepts.
- ``dovecot``: a private Dovecot IMAP server started from a generated config in
  a temporary directory (passwd-file users, maildir), stopped by its PID. Under
  ``CI=true`` a missing ``dovecot`` binary fails the test; elsewhere it skips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import service_missing

USER, PASSWORD = "ada@example.com", "s3cret pass"
REFUSED_PREFIX = "nobody@"
SERVER_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- TLS ------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsCert:
    cert_pem: str
    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.cert_pem)


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> TlsCert:
    """A self-signed certificate for localhost / 127.0.0.1, valid for a day."""
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
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "cert.pem").write_text(cert_pem)
    (folder / "key.pem").write_bytes(key_pem)
    return TlsCert(cert_pem, folder / "cert.pem", folder / "key.pem")


# --- SMTP -----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Recorder:
    """aiosmtpd handler: refuses ``nobody@`` recipients, keeps every message and login."""

    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith(REFUSED_PREFIX):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 2.0.0 queued"

    def authenticate(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(USER)
        return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class SmtpServer:
    mode: str
    port: int
    recorder: Recorder
    ca_cert: str

    def fields(self, **overrides: Any) -> dict[str, Any]:
        """Connection fields that reach this server (security matching its mode)."""
        base = {
            "host": "localhost",
            "port": self.port,
            "security": self.mode,
            "username": USER,
            "password": PASSWORD,
            "from_address": "Ada <ada@example.com>",
            "ca_cert": self.ca_cert,
        }
        return {**base, **overrides}

    def connection(self, **overrides: Any) -> dict[str, Any]:
        return {"type": "email.smtp", "fields": self.fields(**overrides)}


@contextlib.contextmanager
def running_smtp(mode: str, cert: TlsCert, *, port: int | None = None,
                 recorder: Recorder | None = None) -> Iterator[SmtpServer]:
    """aiosmtpd until the block ends; on ``port`` (else a free one) and keeping what ``recorder`` keeps
    (else a new one), so that a test can stop a server and start it again where it was."""
    recorder = recorder or Recorder()
    port = port or free_port()
    options: dict[str, Any] = {"authenticator": recorder.authenticate, "auth_require_tls": mode == "starttls"}
    if mode == "starttls":
        options.update(tls_context=cert.server_context(), require_starttls=True)
    elif mode == "ssl":
        options.update(ssl_context=cert.server_context())
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=SERVER_TIMEOUT, **options)
    controller.start()
    try:
        yield SmtpServer(mode, port, recorder, cert.cert_pem)
    finally:
        controller.stop()


@pytest.fixture(params=["starttls", "ssl", "none"])
def smtp_server(request: pytest.FixtureRequest, tls_cert: TlsCert) -> Iterator[SmtpServer]:
    """aiosmtpd in each security mode, with AUTH."""
    with running_smtp(request.param, tls_cert) as server:
        yield server


@pytest.fixture
def starttls_server(tls_cert: TlsCert) -> Iterator[SmtpServer]:
    with running_smtp("starttls", tls_cert) as server:
        yield server


@pytest.fixture
def plain_server(tls_cert: TlsCert) -> Iterator[SmtpServer]:
    with running_smtp("none", tls_cert) as server:
        yield server


# --- IMAP (Dovecot) ---------------------------------------------------------------

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%n
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  chroot =
}}
"""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )


def _accounts() -> dict[str, Any]:
    """Who Dovecot's processes and mail run as: ourselves, or (as root) its own users and nobody."""
    if os.geteuid() != 0:
        me, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
        return {"internal_user": me, "internal_group": group, "login_user": me, "uid": os.getuid(), "gid": os.getgid()}
    try:
        internal, login, mail = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull"), pwd.getpwnam("nobody")
    except KeyError as exc:
        pytest.fail(f"running as root needs the dovecot, dovenull and nobody users: {exc}")
    return {
        "internal_user": internal.pw_name,
        "internal_group": grp.getgrgid(internal.pw_gid).gr_name,
        "login_user": login.pw_name,
        "uid": mail.pw_uid,
        "gid": mail.pw_gid,
    }


@dataclass(frozen=True)
class Dovecot:
    imap_port: int
    imaps_port: int
    ca_cert: str
    client_context: ssl.SSLContext

    def fields(self, security: str = "ssl", **overrides: Any) -> dict[str, Any]:
        port = self.imaps_port if security == "ssl" else self.imap_port
        base = {
            "host": "localhost",
            "port": port,
            "security": security,
            "username": USER,
            "password": PASSWORD,
            "ca_cert": self.ca_cert,
        }
        return {**base, **overrides}

    def connection(self, security: str = "ssl", **overrides: Any) -> dict[str, Any]:
        return {"type": "email.imap", "fields": self.fields(security, **overrides)}

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        """A test-side IMAP session (to create mailboxes, deliver and inspect mail)."""
        client = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=self.client_context, timeout=10)
        try:
            client.login(f'"{USER}"', PASSWORD)
            yield client
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def create_mailbox(self, name: str) -> str:
        with self.client() as client:
            typ, data = client.create(name)
            assert typ == "OK", data
        return name

    def deliver(self, mailbox: str, *messages: EmailMessage | bytes) -> None:
        with self.client() as client:
            for message in messages:
                raw = message if isinstance(message, bytes) else message.as_bytes()
                typ, data = client.append(mailbox, None, None, raw)
                assert typ == "OK", data

    def flags(self, mailbox: str) -> list[bytes]:
        with self.client() as client:
            client.select(mailbox, readonly=True)
            _, data = client.fetch("1:*", "(FLAGS)")
            return [item for item in data if isinstance(item, bytes)]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dovecot exited with {process.returncode}: {log.read_text() if log.exists() else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    pytest.fail(f"dovecot did not listen on {port} within {SERVER_TIMEOUT:g} s")


def _write_config(root: Path, cert: TlsCert, imap_port: int, imaps_port: int) -> Path:
    accounts = _accounts()
    (root / "home").mkdir()
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    shutil.copy(cert.cert_path, root / "cert.pem")
    shutil.copy(cert.key_path, root / "key.pem")
    root.chmod(0o755)
    (root / "users").chmod(0o644)
    if os.geteuid() == 0:
        os.chown(root / "home", accounts["uid"], accounts["gid"])
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            root=root,
            cert=root / "cert.pem",
            key=root / "key.pem",
            imap_port=imap_port,
            imaps_port=imaps_port,
            **accounts,
        )
    )
    return conf


@pytest.fixture(scope="session")
def dovecot(tls_cert: TlsCert) -> Iterator[Dovecot]:
    """A private Dovecot on 127.0.0.1 (IMAP with STARTTLS, and IMAPS) for the whole session."""
    binary = dovecot_binary()
    if binary is None:
        service_missing("dovecot is not installed (apt-get install dovecot-imapd)")
        raise AssertionError("unreachable")
    root = Path(tempfile.mkdtemp(prefix="scenarist-dovecot-"))
    imap_port, imaps_port = free_port(), free_port()
    conf = _write_config(root, tls_cert, imap_port, imaps_port)
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(imaps_port, process, root / "dovecot.log")
        _wait_for_port(imap_port, process, root / "dovecot.log")
        yield Dovecot(imap_port, imaps_port, tls_cert.cert_pem, tls_cert.client_context())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot: Dovecot, request: pytest.FixtureRequest) -> str:
    """A fresh, empty mailbox for one test."""
    return dovecot.create_mailbox(f"t{abs(hash(request.node.nodeid)) % 10**10}x{time.monotonic_ns() % 10**6}")


MessageFactory = Callable[..., EmailMessage]


@pytest.fixture
def make_message() -> MessageFactory:
    """``make_message(subject, text=..., html=..., attachments={name: bytes})``."""

    def build(
        subject: str,
        text: str = "hello",
        html: str | None = None,
        attachments: dict[str, bytes] | None = None,
        **headers: str,
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = "Bob Sender <bob@example.com>"
        message["To"] = "Ada <ada@example.com>, carol@example.com"
        message["Subject"] = subject
        message["Message-ID"] = f"<{subject.replace(' ', '-')}@example.com>"
        message["Date"] = "Tue, 05 Mar 2024 14:30:00 +0100"
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        for name, data in (attachments or {}).items():
            message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
        return message

    return build


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])
