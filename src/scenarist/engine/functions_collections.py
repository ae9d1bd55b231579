"""Make's functions on objects (collections) and arrays.

Indices are 0-based. ``None`` (Make's empty value) counts as an empty array
or object; functions never mutate their arguments.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import Undefined

from scenarist.engine.functions_text import bounded, text_arg, to_text
from scenarist.sdk import DataError

_PATH_PART = re.compile(r"[^.\[\]]+")


def is_empty(value: Any) -> bool:
    """Make's emptiness: null, empty text, an empty array or object."""
    if value is None or value == "":
        return True
    if isinstance(value, list | tuple | Mapping):
        return len(value) == 0
    return isinstance(value, Undefined)


def ifempty(value: Any, alternative: Any) -> Any:
    """``value`` unless it is empty, else ``alternative``."""
    return alternative if is_empty(value) else value


def items_of(value: Any) -> list[Any]:
    """An array argument as a list (null is empty, a scalar is one item)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str | Mapping):
        return [value]
    if isinstance(value, Iterable):
        return bounded(value)
    return [value]


def get(value: Any, path: Any) -> Any:
    """The value at ``path`` (``a.b[0]`` or ``a.b.0``) inside ``value``; null when absent."""
    parts = [path] if isinstance(path, int) else _PATH_PART.findall(text_arg(path))
    for part in parts:
        if isinstance(value, Mapping):
            value = value.get(part) if part in value else value.get(str(part))
        elif isinstance(value, list | tuple) and _is_index(part):
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else None
        else:
            return None
    return value


def _is_index(part: Any) -> bool:
    return isinstance(part, int) or bool(re.fullmatch(r"-?\d+", str(part)))


def _names(keys: tuple[Any, ...]) -> list[str]:
    names: list[str] = []
    for key in keys:
        names.extend(text_arg(k) for k in items_of(key))
    return names


def pick(value: Any, *keys: Any) -> dict[str, Any]:
    """A copy of object ``value`` with only the given keys (names or arrays of names)."""
    source = value if isinstance(value, Mapping) else {}
    return {name: source[name] for name in _names(keys) if name in source}


def omit(value: Any, *keys: Any) -> dict[str, Any]:
    """A copy of object ``value`` without the given keys."""
    source = value if isinstance(value, Mapping) else {}
    dropped = set(_names(keys))
    return {k: v for k, v in source.items() if k not in dropped}


def map_(
    array: Any, key: Any = None, filter_key: Any = None, filter_values: Any = None,
    attribute: Any = None,
) -> list[Any]:  # fmt: skip
    """Make's map: the ``key`` of each item, keeping items whose ``filter_key`` is listed.

    ``filter_values`` is an array or comma-separated text; ``attribute`` is
    Jinja's spelling of ``key``.
    """
    key = attribute if key is None else key
    wanted = None
    if filter_key is not None:
        values = filter_values.split(",") if isinstance(filter_values, str) else filter_values
        wanted = {to_text(v) for v in items_of(values)}
    result = []
    for item in items_of(array):
        if wanted is not None and to_text(get(item, filter_key)) not in wanted:
            continue
        result.append(item if key is None else get(item, key))
    return result


def _sort_key(folded: bool) -> Any:
    def key(value: Any) -> tuple[int, Any]:
        if value is None:
            return (0, 0)
        if isinstance(value, bool):
            return (1, int(value))
        if isinstance(value, int | float):
            return (2, value)
        text = text_arg(value)
        return (3, text.casefold() if folded else text)

    return key


def sort(array: Any, order: Any = "asc", key: Any = None, **jinja: Any) -> list[Any]:
    """Make's sort: ``order`` is ``asc``, ``desc``, ``asc ci`` or ``desc ci``; ``key`` a path.

    Jinja's ``reverse=`` and ``attribute=`` keywords are accepted too.
    """
    spelled = text_arg(order or "asc").lower().split()
    if not spelled or spelled[0] not in ("asc", "desc") or spelled[1:] not in ([], ["ci"]):
        raise DataError(f"sort order must be asc, desc, asc ci or desc ci, not {order!r}")
    key = jinja.get("attribute", key)
    ranking = _sort_key(folded=spelled[1:] == ["ci"])
    reverse = spelled[0] == "desc" or bool(jinja.get("reverse"))
    items = items_of(array)
    return sorted(items, key=lambda item: ranking(item if key is None else get(item, key)),
                  reverse=reverse)  # fmt: skip


def _unique(items: list[Any], identity: Any) -> list[Any]:
    seen: set[str] = set()
    result = []
    for item in items:
        marker = to_text(identity(item))
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result


def deduplicate(array: Any) -> list[Any]:
    """The array without repeated items (equal JSON), in first-seen order."""
    return _unique(items_of(array), lambda item: [item])


def distinct(array: Any, key: Any = None) -> list[Any]:
    """The array without items whose ``key`` (or the item itself) was already seen."""
    return _unique(items_of(array), lambda item: [item if key is None else get(item, key)])


def flatten(array: Any, depth: Any = 1) -> list[Any]:
    """Nested arrays spliced into their parent, ``depth`` levels deep."""
    result: list[Any] = []
    for item in items_of(array):
        if isinstance(item, list | tuple) and int(depth) > 0:
            result.extend(flatten(list(item), int(depth) - 1))
        else:
            result.append(item)
    return result


def first(value: Any) -> Any:
    """The first item of an array (or character of text); null when empty."""
    if isinstance(value, str):
        return value[:1] or None
    items = items_of(value)
    return items[0] if items else None


def last(value: Any) -> Any:
    """The last item of an array (or character of text); null when empty."""
    if isinstance(value, str):
        return value[-1:] or None
    items = items_of(value)
    return items[-1] if items else None


def slice_(value: Any, start: Any = 0, end: Any = None) -> Any:
    """Items (or characters) from ``start`` up to, not including, ``end``."""
    stop = None if end is None else int(end)
    if isinstance(value, str):
        return value[int(start or 0) : stop]
    return items_of(value)[int(start or 0) : stop]


def keys(value: Any) -> list[str]:
    """The keys of an object."""
    return list(value) if isinstance(value, Mapping) else []


def merge(*values: Any) -> Any:
    """Objects merged into one (later keys win), or arrays joined into one."""
    if values and all(isinstance(value, Mapping) for value in values):
        merged: dict[str, Any] = {}
        for value in values:
            merged.update(value)
        return merged
    result: list[Any] = []
    for value in values:
        result.extend(items_of(value))
    return result


def contains(haystack: Any, needle: Any) -> bool:
    """Whether text holds a substring, an array an item, or an object a key."""
    if haystack is None:
        return False
    if isinstance(haystack, str):
        return text_arg(needle) in haystack
    if isinstance(haystack, Mapping):
        return text_arg(needle) in haystack
    return any(item == needle for item in items_of(haystack))


def to_collection(array: Any, key_name: Any, value_name: Any) -> dict[str, Any]:
    """An object from an array of objects: ``item[key_name]`` maps to ``item[value_name]``."""
    return {
        text_arg(get(item, key_name)): get(item, value_name)
        for item in items_of(array)
        if isinstance(item, Mapping)
    }


def to_array(value: Any) -> list[Any]:
    """An object as ``[{"key": ..., "value": ...}]``; an array stays as it is."""
    if isinstance(value, Mapping):
        return [{"key": k, "value": v} for k, v in value.items()]
    return items_of(value)


def length(value: Any) -> int:
    """The number of characters, items, keys or bytes (of binary data); 0 for null."""
    if value is None:
        return 0
    if isinstance(value, str | list | tuple | Mapping | bytes):
        return len(value)
    return len(items_of(value))


def _marker(item: Any) -> str:
    """An item's identity for comparing arrays: its compact JSON."""
    return to_text([item])


def add(array: Any, *values: Any) -> list[Any]:
    """A copy of the array with ``values`` added at its end."""
    return [*items_of(array), *values]


def remove(array: Any, *values: Any) -> list[Any]:
    """A copy of the array without any item equal to one of ``values``."""
    dropped = {_marker(value) for value in values}
    return [item for item in items_of(array) if _marker(item) not in dropped]


def reverse(value: Any) -> Any:
    """The array's items (or the text's characters) in the opposite order."""
    if isinstance(value, str):
        return value[::-1]
    return items_of(value)[::-1]


def shuffle(array: Any) -> list[Any]:
    """The array's items in a random order."""
    items = list(items_of(array))
    random.shuffle(items)
    return items


def array_difference(first: Any, second: Any, mode: Any = "classic") -> list[Any]:
    """``classic``: the items of ``first`` that are not in ``second``; ``symmetric``: the items
    of either array that are not in the other (those of ``first`` first)."""
    spelled = text_arg(mode or "classic").strip().lower()
    if spelled not in ("classic", "symmetric"):
        raise DataError(f"the mode must be classic or symmetric, not {mode!r}")
    left, right = items_of(first), items_of(second)
    in_left, in_right = {_marker(i) for i in left}, {_marker(i) for i in right}
    result = [item for item in left if _marker(item) not in in_right]
    if spelled == "symmetric":
        result += [item for item in right if _marker(item) not in in_left]
    return result


def array_intersect(first: Any, second: Any) -> list[Any]:
    """The items of ``first`` that are also in ``second``."""
    in_second = {_marker(item) for item in items_of(second)}
    return [item for item in items_of(first) if _marker(item) in in_second]
