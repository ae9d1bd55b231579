"""The data directory: only its owner may enter it or read what is in it (contract section 7).

``prepare`` creates it mode 0700 and sets, explicitly and whatever the umask,
0700 on it and on every folder in it and 0600 on every file in it, so that a
directory made by an older version, restored from a backup or created under
a lax umask is fixed at start. When the store is the embedded SQLite file,
that file is created empty with mode 0600 first: SQLite gives its ``-wal`` and
``-shm`` files the mode of the database file. Files created later (the access
log and its rotations, the key file) are created 0600 by their writers with
``create_private``. Symbolic links are left alone, and so is what they point to.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def prepare(data_dir: Path, *, database: Path | None = None) -> None:
    """Create ``data_dir`` (0700) and ``database`` (an empty file, 0600) when missing; fix every mode in it."""
    data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if database is not None and not database.exists():
        database.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.close(create_private(database))
    fix_modes(data_dir)


def fix_modes(data_dir: Path) -> None:
    """0700 on ``data_dir`` and the folders in it, 0600 on the files in it (symbolic links not followed)."""
    _set_mode(data_dir, DIR_MODE)
    for root, folders, files in os.walk(data_dir):
        for name in folders:
            _set_mode(Path(root, name), DIR_MODE)
        for name in files:
            _set_mode(Path(root, name), FILE_MODE)


def create_private(path: Path, flags: int = os.O_WRONLY) -> int:
    """Open ``path`` (created if missing) with ``flags`` and mode 0600 whatever the umask; the file descriptor."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _set_mode(path: Path, mode: int) -> None:
    try:
        current = path.lstat()
    except FileNotFoundError:  # a file that went away meanwhile (a WAL deleted on close)
        return
    if stat.S_ISLNK(current.st_mode) or stat.S_IMODE(current.st_mode) == mode:
        return
    try:
        path.chmod(mode)
    except FileNotFoundError:
        return
