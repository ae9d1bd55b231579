"""FTP and FTPS sessions on the standard library's ``ftplib``, run in worker threads.

``ftplib.FTP_TLS`` is mature, has no dependencies and, by default, opens
passive data connections to the address of the control connection rather than
the one the server announces: the data channel cannot be pointed at another
host behind the egress guard. ``_Client`` adds what it lacks: connecting to a
resolved address while checking the certificate against the host name, implicit
TLS, and TLS session reuse on data connections (which many servers demand).

Failures become the contract's errors in ``_errors``: 530 on login is an
``AuthenticationError`` (and so is a certificate that fails the check), other
5xx replies on files are ``DataError``, 4xx replies and broken connections
``ConnectionError``, silences ``ModuleTimeoutError``.
"""

from __future__ import annotations

import ftplib
import io
import posixpath
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from scenarist.apps.ftp._connection import FtpFields
from scenarist.apps.ftp._entries import Entry, from_list_line, from_mlsd
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    run_blocking,
    sockets,
)
from scenarist.sdk.sockets import ErrorMap, Rule

T = TypeVar("T")
BLOCK_SIZE = 64 * 1024
_UNSUPPORTED = ("500", "502")
_PROTOCOLS = {"explicit_tls": "FTPS (explicit TLS)", "implicit_tls": "FTPS (implicit TLS)", "none": "FTP"}


class _TooLarge(Exception):
    """A download went over its limit."""


class _Client(ftplib.FTP_TLS):
    """``FTP_TLS`` that connects to an address but checks TLS against ``server_name``."""

    def __init__(self, server_name: str, context: ssl.SSLContext | None, timeout: float, implicit: bool) -> None:
        super().__init__(context=context, timeout=timeout)
        self.server_name = server_name
        self.implicit = implicit
        self.data_protected = False

    def connect(self, host: str = "", port: int = 0, timeout: float = -999, source_address: Any = None) -> str:
        if not self.implicit:
            return super().connect(host, port, timeout, source_address)
        self.host, self.port = host, port
        raw = socket.create_connection((host, port), self.timeout)
        try:
            self.sock = self.context.wrap_socket(raw, server_hostname=self.server_name)
        except BaseException:
            raw.close()
            raise
        self.af = self.sock.family
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def auth(self) -> str:
        """``AUTH TLS``, then TLS on the control connection, checked against the host name."""
        reply = self.voidcmd("AUTH TLS")
        assert self.sock is not None
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.server_name)
        self.file = self.sock.makefile(mode="r", encoding=self.encoding)
        return reply

    def prot_p(self) -> str:
        reply = super().prot_p()
        self.data_protected = True
        return reply

    def ntransfercmd(self, cmd: str, rest: int | str | None = None) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)  # noqa: S321 - TLS-wrapped below unless plain was chosen
        if self.data_protected:
            session = getattr(self.sock, "session", None)
            try:
                conn = self.context.wrap_socket(conn, server_hostname=self.server_name, session=session)
            except BaseException:
                conn.close()
                raise
        return conn, size


class FtpSession:
    """A logged-in FTP or FTPS session; every call runs in a worker thread."""

    def __init__(self, client: _Client, protocol: str, errors: ErrorMap) -> None:
        self._client = client
        self.protocol = protocol
        self._errors = errors

    @classmethod
    async def open(cls, fields: FtpFields, address: str) -> FtpSession:
        """Connect to ``address``, secure the connection as ``fields.security`` says, log in."""
        context = sockets.tls_context(fields.tls_settings(), fields.host)
        client = _Client(fields.host, context, fields.timeout_seconds, fields.security == "implicit_tls")
        try:
            await run_blocking(_login, client, fields, address)
        except BaseException:
            client.close()
            raise
        return cls(client, _PROTOCOLS[fields.security], _errors(fields))

    async def list_folder(self, folder: str) -> list[Entry]:
        return await self._call(self._list, folder)

    async def read(self, path: str, max_bytes: int) -> bytes:
        return await self._call(self._read, path, max_bytes)

    async def write(self, path: str, data: bytes, *, overwrite: bool) -> None:
        await self._call(self._write, path, data, overwrite)

    async def delete(self, path: str) -> None:
        await self._call(self._client.delete, path)

    async def make_folders(self, folder: str) -> None:
        await self._call(self._make_folders, folder)

    async def close(self) -> None:
        await run_blocking(self._quit)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        with self._errors.translating():
            return await run_blocking(fn, *args)

    # --- blocking parts, in a worker thread --------------------------------

    def _list(self, folder: str) -> list[Entry]:
        try:
            lines = list(self._client.mlsd(folder))
        except ftplib.error_perm as exc:
            if not str(exc).startswith(_UNSUPPORTED):
                raise
            return self._list_plain(folder)
        found = (from_mlsd(folder, name, facts) for name, facts in lines)
        return [entry for entry in found if entry is not None]

    def _list_plain(self, folder: str) -> list[Entry]:
        lines: list[str] = []
        self._client.retrlines(f"LIST {folder}" if folder else "LIST", lines.append)
        now = datetime.now(UTC)
        found = (from_list_line(folder, line, now) for line in lines)
        return [entry for entry in found if entry is not None]

    def _read(self, path: str, max_bytes: int) -> bytes:
        buffer = io.BytesIO()

        def take(block: bytes) -> None:
            if buffer.tell() + len(block) > max_bytes:
                raise _TooLarge
            buffer.write(block)

        try:
            self._client.retrbinary(f"RETR {path}", take, blocksize=BLOCK_SIZE)
        except _TooLarge:
            raise DataError(f"{path} is larger than max_bytes ({max_bytes} bytes)") from None
        return buffer.getvalue()

    def _write(self, path: str, data: bytes, overwrite: bool) -> None:
        if not overwrite and self._exists(path):
            raise DataError(f"{path} already exists (overwrite is off)")
        self._client.storbinary(f"STOR {path}", io.BytesIO(data), blocksize=BLOCK_SIZE)

    def _exists(self, path: str) -> bool:
        folder, name = posixpath.split(path.rstrip("/"))
        try:
            return any(entry.name == name for entry in self._list(folder))
        except ftplib.error_perm:
            return False

    def _make_folders(self, folder: str) -> None:
        parts = [part for part in folder.split("/") if part]
        current = "/" if folder.startswith("/") else ""
        for part in parts:
            current = posixpath.join(current, part)
            try:
                self._client.mkd(current)
            except ftplib.error_perm:
                continue

    def _quit(self) -> None:
        try:
            self._client.quit()
        except (OSError, EOFError, ftplib.Error):
            pass
        finally:
            self._client.close()


def _login(client: _Client, fields: FtpFields, address: str) -> None:
    with _errors(fields, login=True).translating():
        client.connect(address, fields.effective_port)
        if fields.security == "explicit_tls":
            _start_tls(client)
        client.login(fields.username, fields.password, secure=False)
        if fields.security != "none":
            client.prot_p()
        client.set_pasv(fields.passive)
        client.voidcmd("TYPE I")


def _start_tls(client: _Client) -> None:
    try:
        client.auth()
    except ftplib.error_perm as exc:
        raise InvalidConfigurationError(
            f"the server does not offer TLS (AUTH TLS answered {_reply(exc)}); "
            "choose security 'none' only if plain text is acceptable"
        ) from exc


def _errors(fields: FtpFields, *, login: bool = False) -> ErrorMap:
    """``ftplib``'s, the socket's and TLS's failures as the contract's errors; a permanent reply while
    logging in is about the session's settings (``login``), afterwards about the file."""
    where = f"the FTP server {fields.host}:{fields.effective_port}"
    refused = "refused the session" if login else "refused"
    return ErrorMap(
        where,
        Rule(lambda exc: isinstance(exc, ftplib.error_perm) and _reply(exc).startswith("530"), AuthenticationError,
             lambda exc: f"{where} refused the login: {_reply(exc)}"),
        Rule(ftplib.error_perm, InvalidConfigurationError if login else DataError,
             lambda exc: f"{where} {refused}: {_reply(exc)}"),
        Rule(ftplib.error_temp, ConnectionError,
             lambda exc: f"{where} is temporarily unable to comply: {_reply(exc)}"),
        Rule((ftplib.error_reply, ftplib.error_proto), ConnectionError,
             lambda exc: f"{where} answered unexpectedly: {_reply(exc)}"),
        certificate=AuthenticationError,
    )


def _reply(exc: BaseException) -> str:
    return str(exc).strip()[:300] or type(exc).__name__
