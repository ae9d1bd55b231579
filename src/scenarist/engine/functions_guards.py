"""The sandbox under expressions: what compiled expressions may touch, and how much.

:class:`Sandbox` is Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
with no globals (no ``lipsum``, ``cycler``, ``joiner``, ``namespace``), unsafe
attributes failing at once instead of giving an undefined value, and
``str.format`` limited in field widths and result size. :class:`Guards`
holds the helpers compiled expressions call for attribute and item access,
calls and the operators that can grow values (``+ * % ** ~``): each checks
the expression's deadline and refuses results larger than the limit.

The arithmetic guards coerce text holding a number as
:mod:`scenarist.engine.operators` describes.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from string import Formatter
from typing import Any, NoReturn, cast

from jinja2 import ChainableUndefined, Undefined
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from jinja2.tests import TESTS
from jinja2.utils import _PassArg

from scenarist.engine import deadlines
from scenarist.engine.functions import KEYWORDS, Library
from scenarist.engine.functions import TESTS as MAKE_TESTS
from scenarist.engine.functions_numbers import loosely_equal
from scenarist.engine.functions_text import bounded, percent_format, to_text
from scenarist.engine.operators import (
    NUMBER_TYPES,
    divide,
    floor_divide,
    greater,
    greater_or_equal,
    less,
    less_or_equal,
    negate,
    numbers_of,
    subtract,
)
from scenarist.sdk import DataError

BLOCKED = frozenset({
    "mro", "func_globals", "func_code", "func_closure", "func_defaults", "func_dict",
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame",
    "ag_code", "ag_await", "f_globals", "f_locals", "f_builtins", "f_code", "f_back",
    "tb_frame", "tb_next", "co_code", "im_func", "im_self", "im_class", "to_bytes",
})  # fmt: skip
"""Attributes never reachable, besides those starting with ``_``."""

KEPT_JINJA_FILTERS = [
    "abs", "attr", "dictsort", "e", "escape", "filesizeformat", "float", "forceescape",
    "groupby", "int", "items", "list", "reject", "rejectattr", "reverse", "safe", "select",
    "selectattr", "striptags", "title", "tojson", "truncate", "unique", "urlencode", "wordcount",
]  # fmt: skip
"""Jinja's own filters offered besides Make's functions (``center``, ``indent``,
``batch``, ``wordwrap``, ``random``... are left out: they can grow text at will)."""

MAX_POWER_BITS = 128
"""Largest integer a ``**`` may give, in bits."""
MAX_PRODUCT_BITS = 65_536
"""Largest integer a ``*`` may give, in bits."""
_WIDTH = re.compile(r"\d+")
_BIG = 1 << (MAX_PRODUCT_BITS // 2)
"""Integers below this (in size) multiply within :data:`MAX_PRODUCT_BITS`."""
_TEXT_JOINABLE = (str, int, float, type(None))
_SIZED = (str, bytes, list, tuple)
"""Values whose ``+`` and ``*`` can grow past the limit."""
_GROWING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join"})


class _LimitedFormatter(SandboxedFormatter):
    """``str.format`` that refuses big field widths and big results."""

    def __init__(self, env: Sandbox) -> None:
        super().__init__(env)
        self._limit = env.limit
        self._total = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        for width in _WIDTH.findall(format_spec):
            if len(width) > 9 or int(width) > self._limit:
                raise SecurityError(f"format width {width[:12]} is too large")
        text = Formatter.format_field(self, value, format_spec)
        self._total += len(text)
        if self._total > self._limit:
            raise SecurityError(f"the formatted text would be longer than {self._limit}")
        return text


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, without globals, failing at once on unsafe access."""

    def __init__(self, limit: int) -> None:
        super().__init__(undefined=ChainableUndefined, autoescape=False)
        self.limit = limit
        self.globals.clear()

    def install(self, filters: Library, tests: Library) -> None:
        """Use ``filters`` and ``tests`` (for Jinja's filters that look others up by name)."""
        self.filters = cast("dict[str, Any]", filters)
        self.tests = cast("dict[str, Any]", tests)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Whether sandboxed code may read ``obj.attr``."""
        return attr not in BLOCKED and super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse an unsafe attribute (Jinja would return an undefined value)."""
        raise SecurityError(f"access to {attribute!r} of a {type(obj).__name__} is not allowed")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map`` replaced by a limited, sandboxed formatter."""
        name = getattr(value, "__name__", None)
        owner = getattr(value, "__self__", None)
        if name not in ("format", "format_map") or not isinstance(owner, str):
            return None
        template = str(owner)

        def formatted(*args: Any, **kwargs: Any) -> str:
            if name == "format_map":
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                return str(_LimitedFormatter(self).vformat(template, (), args[0]))
            return str(_LimitedFormatter(self).vformat(template, args, kwargs))

        return formatted


def _with_pass_arg(sandbox: Sandbox, function: Callable[..., Any]) -> Callable[..., Any]:
    kind = _PassArg.from_obj(function)
    if kind is _PassArg.environment:
        return partial(function, sandbox)
    if kind is _PassArg.eval_context:
        return partial(function, new_context(sandbox, None, {}).eval_ctx)
    if kind is _PassArg.context:
        return partial(function, new_context(sandbox, None, {}))
    return function


def jinja_filters(sandbox: Sandbox, library: Library) -> Library:
    """Filters by name: Make's library (not its keywords, which take no value), then the kept
    Jinja filters, ready to call."""
    kept = {name: _with_pass_arg(sandbox, FILTERS[name]) for name in KEPT_JINJA_FILTERS}
    return {**kept, **{name: f for name, f in library.items() if name not in KEYWORDS}}


def jinja_tests(sandbox: Sandbox) -> Library:
    """Jinja's tests (``is odd``, ``is none``...), with null counting as undefined."""
    jinja = cast("dict[str, Callable[..., Any]]", TESTS)
    tests = {name: _with_pass_arg(sandbox, test) for name, test in jinja.items()}
    return {**tests, **MAKE_TESTS}


def _late(deadline: float) -> None:
    """Fail the expression if its deadline is really past (not just by a collector pause)."""
    deadlines.check(deadline)


def _checked(deadline: float, value: Any) -> Any:
    """``value``, unless the deadline has passed (called after each function)."""
    if time.monotonic() > deadline:
        _late(deadline)
    return value


def _denied(name: str) -> bool:
    return name[:1] == "_" or name in BLOCKED


def _refuse(name: Any) -> NoReturn:
    raise SecurityError(f"access to {name!r} is not allowed")


def _bits(left: int, right: int) -> int:
    return left.bit_length() + right.bit_length()


def _power_bits(base: int, exponent: int) -> float:
    """About how many bits ``base ** exponent`` needs, computed without computing it."""
    if exponent <= 0 or abs(base) <= 1:
        return 0
    return exponent * math.log2(abs(base))


_MISSING = object()


class Guards:
    """The helpers a compiled expression calls; see the module docstring."""

    def __init__(self, sandbox: Sandbox, limit: int) -> None:
        self.sandbox = sandbox
        self.limit = limit

    def namespace(self) -> dict[str, Any]:
        """The names compiled expressions use."""
        return {
            "__builtins__": {"slice": slice}, "_chk": self.checked,
            "_ga": self.getattr, "_gi": self.getitem, "_gm": self.method, "_call": self.call,
            "_add": self.add, "_mul": self.mul, "_mod": self.mod, "_pow": self.pow,
            "_cat": self.concat, "_in": self.contains, "_txt": to_text, "_join": self.join,
            "_ty": type, "_D": dict, "_S": str, "_N": NUMBER_TYPES, "_BIG": _BIG, "_NBIG": -_BIG,
            "_sub": subtract, "_div": divide, "_fdiv": floor_divide, "_neg": negate,
            "_eq": loosely_equal, "_gt": greater, "_ge": greater_or_equal, "_lt": less, "_le": less_or_equal,
        }  # fmt: skip

    def checked(self, deadline: float, value: Any) -> Any:
        """A function's ``value``, unless the deadline has passed or it is text (or binary data)
        longer than the limit: a function nested in itself (``escapeHTML(escapeHTML(...))``)
        cannot grow text without bound."""
        if time.monotonic() > deadline:
            _late(deadline)
        kind = type(value)
        if (kind is str or kind is bytes) and len(value) > self.limit:
            self._check(len(value))
        return value

    def getattr(self, obj: Any, name: str) -> Any:
        """``obj.name``: a key of a JSON object, else a safe attribute; null when absent.

        A missing key of an object is null, unless its name starts with ``__``.
        Functions and methods have no attributes here (``join.func`` would
        reach the unbounded function behind a filter).
        """
        if type(obj) is dict:
            value = obj.get(name, _MISSING)
            if value is not _MISSING:
                return value
            if name[:2] == "__":
                _refuse(name)
            return None
        if _denied(name) or callable(obj):
            _refuse(name)
        if obj is None or isinstance(obj, Undefined):
            return None
        if isinstance(obj, Mapping):
            return obj.get(name)
        value = self.sandbox.getattr(obj, name)
        return None if isinstance(value, Undefined) else value

    def getitem(self, obj: Any, key: Any) -> Any:
        """``obj[key]``: 0-based indices, negative from the end; null when absent."""
        kind = type(obj)
        if kind is dict or isinstance(key, str):
            return self.getattr(obj, key) if isinstance(key, str) else obj.get(key)
        if (kind is list or kind is str or kind is tuple) and type(key) is int:
            return obj[key] if -len(obj) <= key < len(obj) else None
        if obj is None or isinstance(obj, Undefined):
            return None
        if isinstance(obj, Mapping):
            return obj.get(key)
        value = self.sandbox.getitem(obj, key)
        return None if isinstance(value, Undefined) else value

    def method(self, obj: Any, name: str) -> Any:
        """``obj.name`` about to be called: a key holding a function, else a safe method."""
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if _denied(name) or callable(obj):
            _refuse(name)
        value = self.sandbox.getattr(obj, name)
        if isinstance(value, Undefined):
            raise DataError(f"{to_text(type(obj).__name__)} has no method {name!r}")
        return value

    def call(self, deadline: float, function: Any, /, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` if the sandbox allows it and time is left."""
        if not callable(function):
            raise DataError(f"a {type(function).__name__} value cannot be called")
        if not self.sandbox.is_safe_callable(function):
            raise SecurityError(f"{function!r} may not be called")
        owner = getattr(function, "__self__", None)
        if isinstance(owner, str | bytes | int | float) or owner is None:
            args = self._check_builtin_call(owner, function, args, kwargs)
        result = function(*args, **kwargs)
        if isinstance(result, str | bytes) and len(result) > self.limit:
            self._check(len(result))
        return _checked(deadline, result)

    def _check_builtin_call(
        self, owner: Any, function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Any, ...]:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and abs(value) > self.limit:
                raise SecurityError(f"the argument {value} is too large")
        name = getattr(function, "__name__", "")
        if not isinstance(owner, str | bytes) or name not in _GROWING_METHODS:
            return args
        size = len(owner)
        if name == "join" and args:
            parts = bounded(args[0])
            args = (parts, *args[1:])
            size += sum(len(p) if isinstance(p, str | bytes) else 0 for p in parts)
            size += len(owner) * len(parts)
        elif name == "replace" and len(args) >= 2:
            size += owner.count(args[0]) * len(args[1])
        elif name == "expandtabs":
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            size += tabs * int(args[0] if args else 8)
        elif args:
            size = max(size, int(args[0]))
        self._check(size)
        return args

    def _check(self, size: int) -> None:
        if size > self.limit:
            raise SecurityError(f"the result would be larger than {self.limit} (limit)")

    def add(self, deadline: float, left: Any, right: Any) -> Any:
        """``left + right``: numbers (numeric text too) add up, other text joins, arrays join."""
        if time.monotonic() > deadline:
            _late(deadline)
        numbers = numbers_of(left, right)
        if numbers is not None:
            return numbers[0] + numbers[1]
        if (type(left) is str and isinstance(right, _TEXT_JOINABLE)) or (
            type(right) is str and isinstance(left, _TEXT_JOINABLE)
        ):
            left, right = to_text(left), to_text(right)
        if isinstance(left, _SIZED) and isinstance(right, _SIZED):
            self._check(len(left) + len(right))
        return left + right

    def mul(self, deadline: float, left: Any, right: Any) -> Any:
        """``left * right``, refusing repeated text or arrays over the limit, or huge integers."""
        if time.monotonic() > deadline:
            _late(deadline)
        numbers = numbers_of(left, right)
        if numbers is not None:
            left, right = numbers
        if isinstance(left, int) and isinstance(right, _SIZED):
            left, right = right, left
        if isinstance(left, _SIZED) and isinstance(right, int):
            self._check(len(left) * max(right, 0))
        elif isinstance(left, int) and isinstance(right, int) and _bits(left, right) > MAX_PRODUCT_BITS:
            raise SecurityError("the product is too large")
        return left * right

    def mod(self, deadline: float, left: Any, right: Any) -> Any:
        """``left % right``; for text that is not a number, ``%`` formatting with widths and size bounded."""
        if time.monotonic() > deadline:
            _late(deadline)
        numbers = numbers_of(left, right)
        if numbers is not None:
            return numbers[0] % numbers[1]
        if isinstance(left, str):
            return percent_format(self.limit, left, right)
        if isinstance(left, bytes):
            raise DataError("% formatting of binary data is not supported")
        return left % right

    def pow(self, deadline: float, base: Any, exponent: Any) -> Any:
        """``base ** exponent``, refusing integers over :data:`MAX_POWER_BITS` before computing."""
        if time.monotonic() > deadline:
            _late(deadline)
        numbers = numbers_of(base, exponent)
        if numbers is not None:
            base, exponent = numbers
        if isinstance(base, int) and isinstance(exponent, int) and _power_bits(base, exponent) > MAX_POWER_BITS:
            raise SecurityError(f"the power is too large (over {MAX_POWER_BITS} bits)")
        return base**exponent

    def concat(self, deadline: float, parts: Iterable[Any]) -> str:
        """``a ~ b ~ c``: the parts as text, joined."""
        if time.monotonic() > deadline:
            _late(deadline)
        return self.join(tuple(to_text(part) for part in parts))

    def join(self, parts: tuple[str, ...]) -> str:
        """Rendered text pieces joined, refused over the limit."""
        self._check(sum(map(len, parts)))
        return "".join(parts)

    @staticmethod
    def contains(item: Any, container: Any) -> bool:
        """``item in container``; nothing is in null."""
        if container is None or isinstance(container, Undefined):
            return False
        if isinstance(container, str) and not isinstance(item, str):
            item = to_text(item)
        return item in container

