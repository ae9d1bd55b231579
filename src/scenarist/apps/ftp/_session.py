"""One logged-in session with a file server, whatever the protocol.

Every module opens a session for its operation and closes it afterwards:
``async with open_session(fields, egress) as session: ...``. The address comes
from the egress guard (contract section 9); the host name the user gave is
kept for the TLS certificate check. Each protocol's client is imported when
its first session opens: an FTP connection never loads asyncssh, and reading
the catalogue loads neither.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from scenarist.apps.ftp._connection import FtpFields, SftpFields
from scenarist.apps.ftp._entries import Entry
from scenarist.sdk import Egress
from scenarist.sdk.sockets import resolve


class Session(Protocol):
    """What the modules need from a server; paths are the server's (``/`` separated)."""

    protocol: str
    """How the session travels: "FTP", "FTPS (explicit TLS)", "FTPS (implicit TLS)" or "SFTP"."""

    async def list_folder(self, folder: str) -> list[Entry]:
        """The entries of ``folder`` ("" is the login directory); ``DataError`` when it does not exist."""
        ...

    async def read(self, path: str, max_bytes: int) -> bytes:
        """The content of the file ``path``; ``DataError`` when missing or over ``max_bytes``."""
        ...

    async def write(self, path: str, data: bytes, *, overwrite: bool) -> None:
        """Store ``data`` as ``path``; ``DataError`` when it exists and ``overwrite`` is false."""
        ...

    async def delete(self, path: str) -> None:
        """Remove the file ``path``; ``DataError`` when there is none."""
        ...

    async def make_folders(self, folder: str) -> None:
        """Create ``folder`` and its missing parents."""
        ...

    async def close(self) -> None: ...


@asynccontextmanager
async def open_session(fields: FtpFields | SftpFields, egress: Egress) -> AsyncIterator[Session]:
    """A logged-in session on the server ``fields`` describe, closed on the way out."""
    session: Session
    if isinstance(fields, SftpFields):
        from scenarist.apps.ftp._sftp import SftpSession

        address = await resolve(egress, fields.host, fields.port)
        session = await SftpSession.open(fields, address)
    else:
        from scenarist.apps.ftp._ftp import FtpSession

        address = await resolve(egress, fields.host, fields.effective_port)
        session = await FtpSession.open(fields, address)
    try:
        yield session
    finally:
        await session.close()
