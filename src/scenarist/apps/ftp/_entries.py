"""Directory entries, the same shape over FTP and SFTP, and the parsers that make them.

FTP servers describe a folder with ``MLSD`` (RFC 3659, machine-readable, UTC
times) or, when they are older, with a Unix ``ls -l`` style ``LIST``;
``from_mlsd`` and ``from_list_line`` read both.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from scenarist.sdk import Bundle

EntryType = Literal["file", "dir"]
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_LIST_LINE = re.compile(
    r"^(?P<mode>[-dlbcps])[-rwxsStTl@+.]{9,}\S*\s+\d+\s+\S+\s+(?:\S+\s+)?(?P<size>\d+)\s+"
    r"(?P<month>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+(?P<when>\d{1,2}:\d{2}|\d{4})\s(?P<name>.+)$"
)


@dataclass(frozen=True)
class Entry:
    """One name in a folder."""

    name: str
    path: str
    type: EntryType
    size: int
    modified: datetime | None
    """Last modification, UTC; None when the server does not say."""

    def to_bundle(self) -> Bundle:
        return {
            "name": self.name,
            "path": self.path,
            "type": self.type,
            "size": self.size,
            "modified": self.modified.isoformat() if self.modified else None,
        }

    @property
    def signature(self) -> list[str | int | None]:
        """What tells a changed file from an unchanged one: modification time and size."""
        return [self.modified.isoformat() if self.modified else None, self.size]


def join(folder: str, name: str) -> str:
    """``name`` inside ``folder`` ("" and "." being the login directory)."""
    if folder in ("", "."):
        return name
    return posixpath.join(folder, name)


def parent(path: str) -> str:
    """The folder of ``path`` ("" for a name in the login directory)."""
    return posixpath.dirname(path.rstrip("/"))


def from_mlsd(folder: str, name: str, facts: dict[str, str]) -> Entry | None:
    """An entry from one ``MLSD`` line's facts; None for ``.``/``..`` and unknown kinds."""
    kind = facts.get("type", "").lower()
    if kind in ("cdir", "pdir") or name in (".", ".."):
        return None
    if kind == "dir":
        entry_type: EntryType = "dir"
    elif kind == "file" or kind.startswith("os.unix=slink"):
        entry_type = "file"
    else:
        return None
    return Entry(name, join(folder, name), entry_type, _int(facts.get("size")), parse_mlsd_time(facts.get("modify")))


def parse_mlsd_time(value: str | None) -> datetime | None:
    """``YYYYMMDDHHMMSS[.sss]`` (always UTC in MLSD) as an aware datetime."""
    if not value:
        return None
    whole, _, fraction = value.partition(".")
    try:
        moment = datetime.strptime(whole, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    if fraction.isdigit():
        moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return moment


def from_list_line(folder: str, line: str, now: datetime) -> Entry | None:
    """An entry from one Unix-style ``LIST`` line; None for lines it cannot read.

    Such listings give no time zone (UTC is assumed) and, for recent files, no
    year: the most recent year that does not put the date in the future is taken.
    """
    match = _LIST_LINE.match(line.rstrip("\r\n"))
    if match is None:
        return None
    name = match["name"]
    if match["mode"] == "l":
        name = name.split(" -> ", 1)[0]
    if name in (".", ".."):
        return None
    entry_type: EntryType = "dir" if match["mode"] == "d" else "file"
    return Entry(name, join(folder, name), entry_type, int(match["size"]), _list_time(match, now))


def _list_time(match: re.Match[str], now: datetime) -> datetime | None:
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        return None
    day, when = int(match["day"]), match["when"]
    try:
        if ":" not in when:
            return datetime(int(when), month, day, tzinfo=UTC)
        hour, minute = (int(part) for part in when.split(":"))
        moment = datetime(now.year, month, day, hour, minute, tzinfo=UTC)
        return moment if moment <= now else moment.replace(year=now.year - 1)
    except ValueError:
        return None


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
