"""SFTP sessions on ``asyncssh``.

Nothing of the machine the worker runs on is used: no ``~/.ssh/config``, no
default keys, no agent, no known_hosts file. The server's host key must match
``known_host_key`` unless ``accept_unknown_host_key`` is set; the keys are
compared as keys, so the address the egress guard resolved is what we connect to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager, suppress
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
    ModuleError,
    ModuleTimeoutError,
)

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

    def __init__(self, conn: asyncssh.SSHClientConnection, sftp: asyncssh.SFTPClient, timeout: float) -> None:
        self._conn = conn
        self._sftp = sftp
        self._timeout = timeout

    @classmethod
    async def open(cls, fields: SftpFields, address: str) -> SftpSession:
        """Connect to ``address``, check the host key, authenticate, start SFTP."""
        keys = _client_keys(fields)
        with _translated(login=True):
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
        return cls(conn, sftp, fields.timeout_seconds)

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
        with _translated():
            return bool(await asyncio.wait_for(self._sftp.exists(path), self._timeout))

    async def _target(self, path: str) -> asyncssh.SFTPAttrs | None:
        try:
            return await asyncio.wait_for(self._sftp.stat(path), self._timeout)
        except asyncssh.SFTPError:
            return None

    async def _call(self, operation: Awaitable[T]) -> T:
        with _translated():
            return await asyncio.wait_for(operation, self._timeout)


def _time(mtime: int | None) -> datetime | None:
    return None if mtime is None else datetime.fromtimestamp(mtime, UTC)


@contextmanager
def _translated(*, login: bool = False) -> Iterator[None]:
    """Turn asyncssh and socket failures into the contract's errors (no secrets in messages)."""
    try:
        yield
    except ModuleError:
        raise
    except asyncssh.HostKeyNotVerifiable as exc:
        raise AuthenticationError(
            "the server's host key is not trusted: give it as known_host_key "
            "(or set accept_unknown_host_key, which trusts any server)"
        ) from exc
    except asyncssh.PermissionDenied as exc:
        raise AuthenticationError("the SSH server refused the user name, password or key") from exc
    except _LOST as exc:
        raise ConnectionError(f"the SFTP connection was lost: {exc.reason}") from exc
    except asyncssh.SFTPError as exc:
        raise DataError(f"the SFTP server refused: {exc.reason}") from exc
    except asyncssh.DisconnectError as exc:
        raise ConnectionError(f"the SSH server closed the connection: {exc.reason}") from exc
    except asyncssh.ChannelOpenError as exc:
        raise ConnectionError(f"the SSH server refused the SFTP channel: {exc.reason}") from exc
    except TimeoutError as exc:
        what = "log in" if login else "answer"
        raise ModuleTimeoutError(f"the SFTP server did not {what} in time") from exc
    except OSError as exc:
        raise ConnectionError(f"the SFTP connection failed: {exc.strerror or exc}") from exc
