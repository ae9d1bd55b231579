"""SFTP sessions on ``asyncssh``.

Nothing of the machine the worker runs on is used: no ``~/.ssh/config``, no
default keys, no agent, no known_hosts file. The server's host key must match
``known_host_key`` unless ``accept_unknown_host_key`` is set; the keys are
compared as keys, so the address the egress guard resolved is what we connect to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import asyncssh

from scenarist.apps.ftp._connection import SftpFields, host_keys
from scenarist.apps.ftp._entries import Entry, EntryType, join
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
)
from scenarist.sdk.sockets import ErrorMap, Rule

T = TypeVar("T")
CHUNK = 256 * 1024
_TYPES: dict[int, EntryType] = {
    asyncssh.FILEXFER_TYPE_REGULAR: "file",
    asyncssh.FILEXFER_TYPE_DIRECTORY: "dir",
}
_LOST = (asyncssh.SFTPConnectionLost, asyncssh.SFTPNoConnection)


def _client_keys(fields: SftpFields) -> list[asyncssh.SSHKey] | None:
    if not fields.private_key:
        return None
    try:
        return [asyncssh.import_private_key(fields.private_key, fields.passphrase or None)]
    except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError, ValueError, TypeError) as exc:
        raise InvalidConfigurationError(
            "the private key could not be read: wrong format, missing or wrong passphrase"
        ) from exc


def _known_hosts(fields: SftpFields) -> Any:
    """asyncssh's ``known_hosts``: the trusted keys, or None (trust any) when asked for."""
    if fields.known_host_key:
        return (host_keys(fields.known_host_key), [], [])
    if fields.accept_unknown_host_key:
        return None
    return ([], [], [])


class SftpSession:
    """A logged-in SFTP session."""

    protocol = "SFTP"

    def __init__(self, conn: asyncssh.SSHClientConnection, sftp: asyncssh.SFTPClient, timeout: float,
                 errors: ErrorMap) -> None:
        self._conn = conn
        self._sftp = sftp
        self._timeout = timeout
        self._errors = errors

    @classmethod
    async def open(cls, fields: SftpFields, address: str) -> SftpSession:
        """Connect to ``address``, check the host key, authenticate, start SFTP."""
        keys = _client_keys(fields)
        with _errors(fields, login=True).translating():
            conn = await asyncssh.connect(
                address,
                fields.port,
                username=fields.username,
                password=fields.password or None,
                client_keys=keys,
                passphrase=None,
                known_hosts=_known_hosts(fields),
                config=[],
                agent_path=None,
                agent_forwarding=False,
                pkcs11_provider=None,
                gss_auth=False,
                gss_kex=False,
                host_based_auth=False,
                password_auth=bool(fields.password),
                kbdint_auth=bool(fields.password),
                public_key_auth=keys is not None,
                connect_timeout=fields.timeout_seconds,
                login_timeout=fields.timeout_seconds,
            )
            try:
                sftp = await asyncio.wait_for(conn.start_sftp_client(), fields.timeout_seconds)
            except BaseException:
                conn.close()
                await conn.wait_closed()
                raise
        return cls(conn, sftp, fields.timeout_seconds, _errors(fields))

    async def list_folder(self, folder: str) -> list[Entry]:
        names = await self._call(self._sftp.readdir(folder or "."))
        entries = []
        for item in names:
            name = str(item.filename)
            if name in (".", ".."):
                continue
            attrs = item.attrs
            if attrs.type == asyncssh.FILEXFER_TYPE_SYMLINK:
                target = await self._target(join(folder, name))
                if target is None:
                    continue
                attrs = target
            kind = _TYPES.get(attrs.type)
            if kind is not None:
                entries.append(Entry(name, join(folder, name), kind, attrs.size or 0, _time(attrs.mtime)))
        return entries

    async def read(self, path: str, max_bytes: int) -> bytes:
        attrs = await self._call(self._sftp.stat(path))
        if attrs.type == asyncssh.FILEXFER_TYPE_DIRECTORY:
            raise DataError(f"{path} is a folder, not a file")
        if (attrs.size or 0) > max_bytes:
            raise DataError(f"{path} is larger than max_bytes ({max_bytes} bytes)")
        chunks: list[bytes] = []
        total = 0
        async with await self._call(self._sftp.open(path, "rb")) as file:
            while block := await self._call(file.read(CHUNK)):
                total += len(block)
                if total > max_bytes:
                    raise DataError(f"{path} is larger than max_bytes ({max_bytes} bytes)")
                chunks.append(cast(bytes, block))
        return b"".join(chunks)

    async def write(self, path: str, data: bytes, *, overwrite: bool) -> None:
        if not overwrite and await self._exists(path):
            raise DataError(f"{path} already exists (overwrite is off)")
        async with await self._call(self._sftp.open(path, "wb" if overwrite else "xb")) as file:
            for start in range(0, len(data), CHUNK):
                await self._call(file.write(data[start : start + CHUNK]))

    async def delete(self, path: str) -> None:
        await self._call(self._sftp.remove(path))

    async def make_folders(self, folder: str) -> None:
        if folder.strip("/"):
            await self._call(self._sftp.makedirs(folder, exist_ok=True))

    async def close(self) -> None:
        self._sftp.exit()
        self._conn.close()
        with suppress(TimeoutError, OSError, asyncssh.Error):
            await asyncio.wait_for(self._conn.wait_closed(), self._timeout)

    async def _exists(self, path: str) -> bool:
        with self._errors.translating():
            return bool(await asyncio.wait_for(self._sftp.exists(path), self._timeout))

    async def _target(self, path: str) -> asyncssh.SFTPAttrs | None:
        try:
            return await asyncio.wait_for(self._sftp.stat(path), self._timeout)
        except asyncssh.SFTPError:
            return None

    async def _call(self, operation: Awaitable[T]) -> T:
        with self._errors.translating():
            return await asyncio.wait_for(operation, self._timeout)


def _time(mtime: int | None) -> datetime | None:
    return None if mtime is None else datetime.fromtimestamp(mtime, UTC)


def _errors(fields: SftpFields, *, login: bool = False) -> ErrorMap:
    """asyncssh's and the socket's failures as the contract's errors (no secrets in messages)."""
    return ErrorMap(
        f"the SFTP server {fields.host}:{fields.port}",
        Rule(asyncssh.HostKeyNotVerifiable, AuthenticationError,
             "the server's host key is not trusted: give it as known_host_key "
             "(or set accept_unknown_host_key, which trusts any server)"),
        Rule(asyncssh.PermissionDenied, AuthenticationError, "{where} refused the user name, password or key"),
        Rule(_LOST, ConnectionError, "{where}: the SFTP connection was lost: {exc.reason}"),
        Rule(asyncssh.SFTPError, DataError, "{where} refused: {exc.reason}"),
        Rule(asyncssh.DisconnectError, ConnectionError, "{where} closed the connection: {exc.reason}"),
        Rule(asyncssh.ChannelOpenError, ConnectionError, "{where} refused the SFTP channel: {exc.reason}"),
        Rule(TimeoutError, ModuleTimeoutError, "{where} did not log in in time" if login else
             "{where} did not answer in time"),
    )
