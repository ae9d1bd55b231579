"""The file modules: list, upload, download, delete; each over FTP, FTPS or SFTP.

Each run opens one session with the step's connection (through the egress
guard), does its one operation and closes the session.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import mimetypes
import posixpath
from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from scenarist.apps.ftp._connection import FTP_TYPE, SFTP_TYPE, FtpFields, SftpFields, connection_fields
from scenarist.apps.ftp._entries import Entry, parent
from scenarist.apps.ftp._params import DeleteParams, DownloadParams, ListParams, UploadParams
from scenarist.apps.ftp._session import Session, open_session
from scenarist.sdk import Bundle, DataError, Egress, RunContext, sockets


def matching(entries: Iterable[Entry], pattern: str | None) -> list[Entry]:
    """The entries whose name matches the shell ``pattern`` (all of them without one)."""
    if not pattern:
        return list(entries)
    return [entry for entry in entries if fnmatch.fnmatchcase(entry.name, pattern)]


def session_for(ctx: RunContext) -> AbstractAsyncContextManager[Session]:
    """``async with session_for(ctx) as session``: a session on the step's connection."""
    return open_session(connection_fields(ctx.connection), ctx.egress)


async def run_list(ctx: RunContext, params: ListParams) -> list[Bundle]:
    async with session_for(ctx) as session:
        entries = await session.list_folder(params.folder)
    chosen = [e for e in matching(entries, params.pattern) if params.type in ("all", e.type)]
    chosen.sort(key=lambda e: (e.type != "dir", e.name))
    return [entry.to_bundle() for entry in chosen[: params.limit]]


async def run_upload(ctx: RunContext, params: UploadParams) -> Bundle:
    data = _content_bytes(params)
    async with session_for(ctx) as session:
        if params.create_folders and parent(params.path):
            await session.make_folders(parent(params.path))
        await session.write(params.path, data, overwrite=params.overwrite)
    return {"path": params.path, "size": len(data)}


def _content_bytes(params: UploadParams) -> bytes:
    if params.encoding == "text":
        return params.content.encode("utf-8")
    try:
        return base64.b64decode("".join(params.content.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DataError("content is not valid base64 (encoding is base64)") from exc


async def run_download(ctx: RunContext, params: DownloadParams) -> Bundle:
    async with session_for(ctx) as session:
        data = await session.read(params.path, params.max_bytes)
    name = posixpath.basename(params.path)
    bundle: Bundle = {
        "path": params.path,
        "name": name,
        "size": len(data),
        "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
    }
    if params.as_text:
        try:
            return {**bundle, "content": data.decode("utf-8"), "encoding": "text"}
        except UnicodeDecodeError as exc:
            raise DataError(f"{params.path} is not UTF-8 text; download it without as_text") from exc
    return {**bundle, "content": base64.b64encode(data).decode("ascii"), "encoding": "base64"}


async def run_delete(ctx: RunContext, params: DeleteParams) -> Bundle:
    async with session_for(ctx) as session:
        await session.delete(params.path)
    return {"path": params.path, "deleted": True}


async def _describe(session: Session, fields: FtpFields | SftpFields) -> str:
    entries = await session.list_folder("")
    return (
        f"Connected to {fields.host} as {fields.username} over {session.protocol}; "
        f"the login directory holds {len(entries)} entries."
    )


async def _probe(fields: FtpFields | SftpFields, egress: Egress) -> str:
    async with open_session(fields, egress) as session:
        return await _describe(session, fields)


async def check_ftp(fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Connect, log in and list the login directory; pass the engine's ``egress`` when it has one."""
    return await sockets.connection_test(FtpFields, fields, FTP_TYPE, egress, _probe)


async def check_sftp(fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Connect, check the host key, authenticate and list the login directory."""
    return await sockets.connection_test(SftpFields, fields, SFTP_TYPE, egress, _probe)
