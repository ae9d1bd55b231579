"""The access log: one JSON line per request in ``data_dir/access.log`` (contract section 7).

- ``AccessLog`` buffers the lines and appends them at most once a second
  (when large, and at shutdown). The file rotates by size: once it would
  pass ``max_bytes`` (10 MiB) it becomes ``access.log.1``, the older ones
  move up one, and the oldest beyond ``backups`` (5) is deleted.
- ``logged_path`` is what a request's path is logged as: paths that carry
  user data (a data-store record's key, an e-mailed sign-in token) as their
  route template, a webhook's path with only the start of its token.
- ``purge`` deletes the entries older than the retention window
  (``retention_access_log_days``): whole rotated files when their newest
  entry is too old, else the old lines of a file (rewritten in place, mode 0600).
- Each entry names the account that made the request (``account``: the
  authenticated one, or the one a registration or login succeeded for);
  ``AccessLog.forget`` deletes an erased account's entries from every file,
  and drops those still to come (the erasure's own request among them).

Every file is created mode 0600. The writer (the server) and a purge (the
server's hourly one, or ``scenarist purge`` in another process) take the lock
``access.log.lock`` for each append, rotation or rewrite, so no line is lost
between them.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scenarist.datadir import create_private

MIB = 1024 * 1024
MAX_BYTES = 10 * MIB
BACKUPS = 5
HOOKS_PREFIX = "/hooks/"
_TEMPLATES = (
    (re.compile(r"/api/v1/data-stores/[^/]+/records/.+"), "/api/v1/data-stores/{data_store_id}/records/{key}"),
    (re.compile(r"/api/v1/auth/email-link/.+"), "/api/v1/auth/email-link/{token}"),
)
"""Paths that carry user data or a secret, and the route template each is logged as."""


def logged_path(path: str) -> str:
    """``path`` as the access log records it: a route template for a path that carries user data."""
    if path.startswith(HOOKS_PREFIX):
        return HOOKS_PREFIX + path[len(HOOKS_PREFIX):][:4] + "..."
    for pattern, template in _TEMPLATES:
        if pattern.fullmatch(path):
            return template
    return path


class AccessLog:
    """JSON lines appended through a buffer: written every second, when large, and at shutdown.

    Each write opens the file, appends and closes it: at most a few times a second, and no handle is left
    open between them (a rotation or a purge may have replaced the file meanwhile).
    """

    def __init__(self, path: Path, *, flush_seconds: float = 1.0, max_buffer: int = 64 * 1024,
                 max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.path = path
        self.max_bytes = max_bytes
        """The size past which the file rotates."""
        self.backups = backups
        """How many rotated files are kept (``access.log.1`` the newest)."""
        self._flush_seconds = flush_seconds
        self._max_buffer = max_buffer
        self._lines: list[str] = []
        self._size = 0
        self._timer: asyncio.TimerHandle | None = None
        self._forgotten: set[str] = set()

    def write(self, record: dict[str, Any]) -> None:
        """Buffer one record; it reaches the file within ``flush_seconds`` (never, for an erased account's)."""
        if record.get("account") in self._forgotten:
            return
        line = json.dumps(record, separators=(",", ":")) + "\n"
        self._lines.append(line)
        self._size += len(line)
        if self._size >= self._max_buffer:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._flush_seconds, self.flush)

    def flush(self) -> None:
        """Append what is buffered to the file, rotating it first when it would grow past ``max_bytes``."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._lines:
            return
        data, self._lines, self._size = "".join(self._lines).encode("utf-8"), [], 0
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with locked(self.path):
            if _size(self.path) > 0 and _size(self.path) + len(data) > self.max_bytes:
                self.rotate()
            fd = create_private(self.path, os.O_WRONLY | os.O_APPEND)
            with os.fdopen(fd, "ab") as out:
                out.write(data)

    def rotate(self) -> None:
        """``access.log`` becomes ``access.log.1``, each older one moves up, the one past ``backups`` goes
        (the caller holds the lock)."""
        files = rotated(self.path, self.backups + 1)
        files[-1].unlink(missing_ok=True)
        for older, newer in zip(reversed(files[1:]), reversed(files[:-1]), strict=True):
            if newer.exists():
                newer.replace(older)

    def purge(self, before: datetime) -> int:
        """Write what is buffered, then delete the entries older than ``before``; how many were deleted."""
        self.flush()
        return purge(self.path, before, backups=self.backups)

    def forget(self, account_id: str) -> int:
        """Delete every entry of ``account_id`` (an erased account), and write none of it from now on; how many
        were deleted."""
        self._forgotten.add(account_id)
        self.flush()
        needle = b'"account":' + json.dumps(account_id).encode()
        return _drop(self.path, lambda line: needle in line, backups=self.backups)


def rotated(path: Path, count: int) -> list[Path]:
    """``path`` and its rotations ``path.1`` ... ``path.{count - 1}``, newest first."""
    return [path] + [path.with_name(f"{path.name}.{n}") for n in range(1, count)]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the log's lock file (``access.log.lock``, 0600) exclusively."""
    fd = create_private(path.with_name(path.name + ".lock"))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def purge(path: Path, before: datetime, *, backups: int = BACKUPS) -> int:
    """Delete the entries of ``path`` and its rotations older than ``before``; how many were deleted."""
    return _drop(path, lambda line: _older(line, before), backups=backups, in_order=True)


def _drop(path: Path, unwanted: Callable[[bytes], bool], *, backups: int, in_order: bool = False) -> int:
    """Delete the lines of ``path`` and its rotations that are ``unwanted``; how many. A rotated file left
    empty is deleted. ``in_order``: the unwanted lines are the oldest, so the files after the first one that
    keeps a line are not read."""
    if not path.parent.exists():
        return 0
    deleted = 0
    with locked(path):
        for file in reversed(rotated(path, backups + 1)):  # oldest first
            if not file.exists():
                continue
            lines = file.read_bytes().splitlines(keepends=True)
            kept = [line for line in lines if not unwanted(line)]
            deleted += len(lines) - len(kept)
            if not kept and file != path:
                file.unlink()
            elif len(kept) < len(lines):
                _rewrite(file, b"".join(kept))
            if kept and in_order:
                break
    return deleted


def _older(line: bytes, before: datetime) -> bool:
    """The entry's ``time`` is before ``before`` (an entry without a readable time is kept)."""
    try:
        when = datetime.fromisoformat(json.loads(line)["time"])
    except (ValueError, KeyError, TypeError):
        return False
    return (when if when.tzinfo else when.replace(tzinfo=UTC)) < before


def _rewrite(file: Path, data: bytes) -> None:
    """Replace ``file``'s content atomically (a new file, 0600, renamed over it)."""
    fresh = file.with_name(file.name + ".tmp")
    fd = create_private(fresh, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    fresh.replace(file)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
