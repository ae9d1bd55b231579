"""Dates the way Make writes them: Moment-style format tokens, time zones by name.

Dates enter as timezone-aware ``datetime`` objects, ISO-8601 strings or epoch
milliseconds (:func:`to_datetime`) and leave as ISO-8601 text in UTC
(:func:`iso_utc`). :func:`format_date` and :func:`parse_date` understand the
tokens ``YYYY YY Q MMMM MMM MM M Do DD D dddd ddd d HH H hh h mm m ss s SSS SS S
A a ZZ Z X x``; text inside ``[brackets]`` is literal. Time zones are IANA
names (``Europe/Prague``) resolved with :mod:`zoneinfo`.

A function given no time zone uses the scenario's (``settings.timezone``, read
from :func:`~scenarist.engine.scope.current_zone`; UTC outside a run): to write
a date, to read text without an offset, and for the ``set*`` functions, which
change one field of the date as a clock in that zone shows it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scenarist.engine.scope import current_zone
from scenarist.sdk import DataError

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

_TOKENS = re.compile(
    r"\[[^\]]*\]|YYYY|YY|Q|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|d|HH|H|hh|h|mm|m|ss|s"
    r"|SSS|SS|S|A|a|ZZ|Z|X|x"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def zone(name: Any) -> tzinfo:
    """The time zone called ``name`` (an IANA name), or the scenario's for ``None`` or ``""``."""
    if name is None or name == "":
        return current_zone()
    if name in ("UTC", "Z"):
        return UTC
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DataError(f"unknown time zone {name!r}") from exc


def to_datetime(value: Any) -> datetime:
    """A timezone-aware datetime from a datetime, an ISO string or epoch milliseconds."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _EPOCH + timedelta(milliseconds=value)
    if isinstance(value, str):
        return _from_text(value.strip())
    raise DataError(f"{value!r} is not a date")


def _from_text(text: str) -> datetime:
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return _EPOCH + timedelta(milliseconds=float(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DataError(f"{text!r} is not a date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=current_zone()).astimezone(UTC)


def iso_utc(value: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``: ``2024-03-05T14:30:00.000Z``."""
    moment = value.astimezone(UTC) if value.tzinfo else value
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def _offset(moment: datetime, sep: str) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{sep}{minutes:02d}"


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _hour12(moment: datetime) -> int:
    return moment.hour % 12 or 12


_FORMATTERS: dict[str, Callable[[datetime], str]] = {
    "YYYY": lambda m: f"{m.year:04d}",
    "YY": lambda m: f"{m.year % 100:02d}",
    "Q": lambda m: str((m.month - 1) // 3 + 1),
    "MMMM": lambda m: MONTHS[m.month - 1],
    "MMM": lambda m: MONTHS[m.month - 1][:3],
    "MM": lambda m: f"{m.month:02d}",
    "M": lambda m: str(m.month),
    "Do": lambda m: _ordinal(m.day),
    "DD": lambda m: f"{m.day:02d}",
    "D": lambda m: str(m.day),
    "dddd": lambda m: WEEKDAYS[m.weekday()],
    "ddd": lambda m: WEEKDAYS[m.weekday()][:3],
    "d": lambda m: str(m.isoweekday() % 7),
    "HH": lambda m: f"{m.hour:02d}",
    "H": lambda m: str(m.hour),
    "hh": lambda m: f"{_hour12(m):02d}",
    "h": lambda m: str(_hour12(m)),
    "mm": lambda m: f"{m.minute:02d}",
    "m": lambda m: str(m.minute),
    "ss": lambda m: f"{m.second:02d}",
    "s": lambda m: str(m.second),
    "SSS": lambda m: f"{m.microsecond // 1000:03d}",
    "SS": lambda m: f"{m.microsecond // 10000:02d}",
    "S": lambda m: str(m.microsecond // 100000),
    "A": lambda m: "AM" if m.hour < 12 else "PM",
    "a": lambda m: "am" if m.hour < 12 else "pm",
    "ZZ": lambda m: _offset(m, ""),
    "Z": lambda m: _offset(m, ":"),
    "X": lambda m: str(int((m - _EPOCH).total_seconds())),
    "x": lambda m: str((m - _EPOCH) // timedelta(milliseconds=1)),
}


def format_date(value: Any, fmt: str, tz: Any = None) -> str:
    """``value`` written with Moment tokens, in time zone ``tz`` (the scenario's by default)."""
    moment = to_datetime(value).astimezone(zone(tz))

    def render(match: re.Match[str]) -> str:
        token = match.group()
        return token[1:-1] if token.startswith("[") else _FORMATTERS[token](moment)

    return _TOKENS.sub(render, str(fmt))


_MONTH_NAMES = "|".join(sorted([*MONTHS, *(m[:3] for m in MONTHS)], key=len, reverse=True))
_DAY_NAMES = "|".join(sorted([*WEEKDAYS, *(d[:3] for d in WEEKDAYS)], key=len, reverse=True))
_PATTERNS = {
    "YYYY": r"(?P<year>[+-]?\d{4})",
    "YY": r"(?P<year2>\d{2})",
    "Q": r"[1-4]",
    "MMMM": rf"(?P<monthname>{_MONTH_NAMES})",
    "MMM": rf"(?P<monthname>{_MONTH_NAMES})",
    "MM": r"(?P<month>\d{1,2})",
    "M": r"(?P<month>\d{1,2})",
    "Do": r"(?P<day>\d{1,2})(?:st|nd|rd|th)",
    "DD": r"(?P<day>\d{1,2})",
    "D": r"(?P<day>\d{1,2})",
    "dddd": rf"(?:{_DAY_NAMES})",
    "ddd": rf"(?:{_DAY_NAMES})",
    "d": r"[0-6]",
    "HH": r"(?P<hour>\d{1,2})",
    "H": r"(?P<hour>\d{1,2})",
    "hh": r"(?P<hour>\d{1,2})",
    "h": r"(?P<hour>\d{1,2})",
    "mm": r"(?P<minute>\d{1,2})",
    "m": r"(?P<minute>\d{1,2})",
    "ss": r"(?P<second>\d{1,2})",
    "s": r"(?P<second>\d{1,2})",
    "SSS": r"(?P<fraction>\d{1,9})",
    "SS": r"(?P<fraction>\d{1,9})",
    "S": r"(?P<fraction>\d{1,9})",
    "A": r"(?P<meridiem>[AaPp]\.?[Mm]\.?)",
    "a": r"(?P<meridiem>[AaPp]\.?[Mm]\.?)",
    "ZZ": r"(?P<offset>Z|[+-]\d{2}:?\d{2})",
    "Z": r"(?P<offset>Z|[+-]\d{2}:?\d{2})",
    "X": r"(?P<seconds>-?\d+(?:\.\d+)?)",
    "x": r"(?P<millis>-?\d+)",
}


def _pattern(fmt: str) -> re.Pattern[str]:
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    for match in _TOKENS.finditer(fmt):
        parts.append(re.escape(fmt[position : match.start()]))
        token = match.group()
        piece = re.escape(token[1:-1]) if token.startswith("[") else _PATTERNS[token]
        for name in re.findall(r"\?P<(\w+)>", piece):
            if name in seen:  # a field given twice: the second one only has to match
                piece = piece.replace(f"?P<{name}>", "?:")
            seen.add(name)
        parts.append(piece)
        position = match.end()
    parts.append(re.escape(fmt[position:]))
    return re.compile("".join(parts), re.IGNORECASE)


def parse_date(text: Any, fmt: Any = None, tz: Any = None) -> datetime:
    """The moment that ``text`` written in format ``fmt`` means, read in time zone ``tz``
    (the scenario's by default).

    Without a format the text is read as ISO-8601 (or epoch milliseconds).
    An offset in the text (``Z`` token) wins over ``tz``.
    """
    if isinstance(text, datetime | int | float) and not isinstance(text, bool):
        return to_datetime(text)
    if fmt is None or fmt == "":
        naive = None if tz is None or tz == "" else _naive_iso(str(text))
        return to_datetime(str(text)) if naive is None else _placed(naive, zone(tz))
    match = _pattern(str(fmt)).fullmatch(str(text).strip())
    if match is None:
        raise DataError(f"{text!r} does not match the date format {fmt!r}")
    return _build(match.groupdict(), zone(tz), text)


def _build(fields: dict[str, str | None], tz: tzinfo, text: Any) -> datetime:
    if fields.get("millis") is not None:
        return _EPOCH + timedelta(milliseconds=int(fields["millis"] or 0))
    if fields.get("seconds") is not None:
        return _EPOCH + timedelta(seconds=float(fields["seconds"] or 0))
    try:
        moment = datetime(
            _year(fields), _month(fields), int(fields.get("day") or 1),
            _hour(fields), int(fields.get("minute") or 0), int(fields.get("second") or 0),
            int((fields.get("fraction") or "0").ljust(6, "0")[:6]), tzinfo=tz,
        )  # fmt: skip
    except ValueError as exc:
        raise DataError(f"{text!r} is not a valid date: {exc}") from exc
    offset = fields.get("offset")
    if offset:
        moment = moment.replace(tzinfo=UTC) - _offset_delta(offset)
    return moment.astimezone(UTC)


def _year(fields: dict[str, str | None]) -> int:
    if fields.get("year"):
        return int(fields["year"] or 0)
    if fields.get("year2"):
        short = int(fields["year2"] or 0)
        return 2000 + short if short <= 68 else 1900 + short  # Moment's pivot
    return 1970


def _month(fields: dict[str, str | None]) -> int:
    name = fields.get("monthname")
    if name:
        return [m[:3].lower() for m in MONTHS].index(name[:3].lower()) + 1
    return int(fields.get("month") or 1)


def _hour(fields: dict[str, str | None]) -> int:
    hour = int(fields.get("hour") or 0)
    meridiem = (fields.get("meridiem") or "").lower()
    if meridiem.startswith("p") and hour < 12:
        return hour + 12
    if meridiem.startswith("a") and hour == 12:
        return 0
    return hour


def _offset_delta(offset: str) -> timedelta:
    if offset.upper() == "Z":
        return timedelta(0)
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return -delta if offset[0] == "-" else delta


def _months_later(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar months; the day is clamped to the month's end."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 0 <= year <= 9999:
        raise DataError("the date would be out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def add_months(value: Any, months: Any) -> datetime:
    """``value`` moved by whole months as the scenario zone's calendar counts them (Moment):
    the day is clamped to the month's end and the wall clock time is kept."""
    wall, where = _local(value)
    return _placed(_months_later(wall, int(months)), where)


def add_days(value: Any, days: float) -> datetime:
    """``value`` moved by ``days`` on the scenario zone's calendar: the wall clock time is
    kept across a daylight saving change (Moment)."""
    wall, where = _local(value)
    return _placed(wall + timedelta(days=days), where)


def add_delta(value: Any, **delta: float) -> datetime:
    """``value`` moved by a :class:`~datetime.timedelta` given as keywords."""
    return to_datetime(value) + timedelta(**delta)


def _naive_iso(text: str) -> datetime | None:
    """``text`` as an ISO-8601 date without an offset, else None (also for epoch digits)."""
    if re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", text):
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return None if parsed.tzinfo else parsed


def _local(value: Any) -> tuple[datetime, tzinfo]:
    """``value`` as a wall clock in the scenario's zone (naive), and that zone."""
    where = current_zone()
    return to_datetime(value).astimezone(where).replace(tzinfo=None), where


def _placed(wall: datetime, where: tzinfo) -> datetime:
    """A wall clock time in zone ``where`` as a moment (a skipped time moves forward)."""
    return wall.replace(tzinfo=where).astimezone(UTC)


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise DataError(f"{what} must be a number, not {value!r}")
    try:
        return int(float(str(value).strip())) if not isinstance(value, int | float) else int(value)
    except ValueError as exc:
        raise DataError(f"{what} must be a number, not {value!r}") from exc


def set_second(value: Any, second: Any) -> datetime:
    """``value`` with its seconds set (0-59; other numbers carry into the minutes)."""
    wall, where = _local(value)
    return _placed(wall.replace(second=0) + timedelta(seconds=_whole(second, "second")), where)


def set_minute(value: Any, minute: Any) -> datetime:
    """``value`` with its minutes set (0-59; other numbers carry into the hours)."""
    wall, where = _local(value)
    return _placed(wall.replace(minute=0) + timedelta(minutes=_whole(minute, "minute")), where)


def set_hour(value: Any, hour: Any) -> datetime:
    """``value`` with its hour set (0-23; other numbers carry into the days)."""
    wall, where = _local(value)
    return _placed(wall.replace(hour=0) + timedelta(hours=_whole(hour, "hour")), where)


def set_date(value: Any, day: Any) -> datetime:
    """``value`` with its day of the month set (1-31; other numbers carry into the months)."""
    wall, where = _local(value)
    return _placed(wall.replace(day=1) + timedelta(days=_whole(day, "day") - 1), where)


def _named(value: Any, names: list[str], what: str) -> int:
    """A number, or an English name (whole or its first three letters) as its 1-based place."""
    if isinstance(value, str) and value.strip()[:1].isalpha():
        text = value.strip().lower()
        for index, name in enumerate(names):
            if text in (name.lower(), name[:3].lower()):
                return index + 1
        raise DataError(f"{value!r} is not a {what}")
    return _whole(value, what)


_SUNDAY_FIRST = [WEEKDAYS[6], *WEEKDAYS[:6]]


def set_day(value: Any, day: Any) -> datetime:
    """``value`` moved to a day of its week (Sunday to Saturday): 1 is Sunday, 7 Saturday,
    or an English day name; other numbers carry into the weeks around."""
    wall, where = _local(value)
    current = wall.isoweekday() % 7  # Sunday 0
    return _placed(wall + timedelta(days=_named(day, _SUNDAY_FIRST, "day of the week") - 1 - current), where)


def set_month(value: Any, month: Any) -> datetime:
    """``value`` with its month set (1-12 or an English name; other numbers carry into the
    years). The day is clamped to the month's end."""
    wall, where = _local(value)
    return _placed(_months_later(wall.replace(month=1), _named(month, MONTHS, "month") - 1), where)


def set_year(value: Any, year: Any) -> datetime:
    """``value`` with its year set; 29 February becomes the 28th in a common year."""
    wall, where = _local(value)
    target = _whole(year, "year")
    if not 1 <= target <= 9999:
        raise DataError(f"year {target} is out of range")
    day = min(wall.day, calendar.monthrange(target, wall.month)[1])
    return _placed(wall.replace(year=target, day=day), where)


_UNITS = {
    "milliseconds": timedelta(milliseconds=1), "seconds": timedelta(seconds=1),
    "minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1),
    "weeks": timedelta(weeks=1),
}  # fmt: skip


def date_difference(first: Any, second: Any, unit: Any = None) -> int:
    """``first`` minus ``second`` in whole ``unit`` (milliseconds by default), cut toward zero."""
    name = "milliseconds" if unit is None or unit == "" else str(unit).strip().lower()
    size = _UNITS.get(name) or _UNITS.get(name + "s")
    if size is None:
        raise DataError(f"unit must be one of {', '.join(_UNITS)}, not {unit!r}")
    delta = to_datetime(first) - to_datetime(second)
    whole = abs(delta) // size
    return whole if delta >= timedelta(0) else -whole
