"""Expressions: ``{{ ... }}`` inside scenario values, evaluated in a sandbox.

A string that is exactly one ``{{ expr }}`` (whitespace around allowed) gives
the expression's own value (number, array, object, null; text stays text); any
other string holding ``{{`` renders to text: null as "", objects and arrays as
compact JSON, booleans as ``true``/``false``. ``{% %}`` and ``{# #}`` are not
part of the language: they stay literal text. Whitespace control (``{{-``) is
not supported. Results are pure JSON values: datetimes become ISO-8601 text in
UTC (``2024-03-05T14:30:00.000Z``), tuples and iterators become arrays.

The language is Jinja2's expression syntax. Each expression is parsed by Jinja
and translated by :class:`_Translator` into a small Python function, in which
every attribute access, item access, call and size-growing operator goes
through :class:`~scenarist.engine.functions_guards.Guards` and the sandbox of
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`: no attribute starting
with ``_`` (nor ``mro``, ``gi_frame``...) on anything but JSON objects, no
strings, arrays or integers grown past the limits, a deadline checked on
every call and operator. Missing variables and keys are null, and null chains
(``hook.body.missing.deeper`` is null). Keywords (``now``, ``uuid``,
``space``...) always mean their value, even when the context holds such a key;
a function's name means the function where it is called (``first(items)``) and
elsewhere the step of that id when there is one (``get.status`` reads a step
``get``), as a function is no value.

Operators take text holding a number as that number (``"150" > 100``), as
:mod:`scenarist.engine.operators` describes; two numbers are computed inline,
without a call. The functions and keywords are Make's (``docs/functions.md``);
date functions given no zone use the run's (:mod:`scenarist.engine.scope`).

Every failure, of syntax or at run time, raises :class:`ExpressionError`, a
``DataError`` that names the expression and its path inside the value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from jinja2 import TemplateSyntaxError, nodes
from jinja2.parser import Parser

from scenarist.engine import deadlines
from scenarist.engine.functions import KEYWORDS, Library, build_library
from scenarist.engine.functions_guards import Guards, Sandbox, jinja_filters, jinja_tests
from scenarist.engine.functions_text import to_json_value
from scenarist.sdk import DataError
from scenarist.types import Clock, SystemClock

__all__ = ["Compiled", "ExpressionEngine", "ExpressionError"]

_VALUE_NAMES = KEYWORDS
_SCALARS = frozenset({str, int, bool, type(None)})
_CACHE_SIZE = 10_000
_MAX_ATTEMPTS = 64
_HOIST_EVERY = 8
_QUOTED = 200
_NUMERIC_BINOPS = {
    "Add": ("+", "_add"), "Sub": ("-", "_sub"), "Div": ("/", "_div"), "FloorDiv": ("//", "_fdiv"),
    "Mod": ("%", "_mod"), "Mul": ("*", "_mul"),
}  # fmt: skip
"""Operators computed inline when both operands are numbers, else by a guard that
coerces numeric text (``"12" * 2`` is 24) and bounds what can grow."""
_GUARDED_BINOPS = {"Pow": "_pow"}
_BIG = 1 << 32768
"""Integers smaller than this (in size) multiply inline: the product stays within the guard's bits."""
_UNARY = {"Not": "not ", "Pos": "+"}
_ORDER = {"gt": (">", "_gt"), "gteq": (">=", "_ge"), "lt": ("<", "_lt"), "lteq": ("<=", "_le")}
_Evaluator = Callable[[Mapping[str, Any]], Any]


class ExpressionError(DataError):
    """The expression is not valid or failed.

    ``path`` locates the string inside the compiled value (``variables.name``,
    ``items[2]``, ``""`` for the root). The contract type stays ``DataError``.
    """

    def __init__(self, message: str | None = None, *, path: str = "", step: str | None = None):
        super().__init__(message, step=step)
        self.path = path


class Compiled(Protocol):
    """A value with its expressions compiled, ready to evaluate many times."""

    is_constant: bool

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """The value with every expression evaluated against ``context``; pure JSON."""
        ...


def _quoted(source: str) -> str:
    """``source`` quoted for a message, cut short when long."""
    return repr(source if len(source) <= _QUOTED else source[:_QUOTED] + "...")


def _failure(source: str, path: str, exc: BaseException) -> ExpressionError:
    if isinstance(exc, ExpressionError):
        return exc
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return ExpressionError(f"expression {_quoted(source)} failed: {reason}", path=path)


class _Expression:
    """One compiled string."""

    __slots__ = ("_function", "_passthrough", "_path", "_source", "_timeout", "is_constant")

    def __init__(self, function: Any, source: str, path: str, timeout: float, passthrough: bool = False) -> None:
        self.is_constant = False
        self._function = function
        self._source = source
        self._path = path
        self._timeout = timeout
        self._passthrough = passthrough

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """The string's value in ``context``; a plain lookup returns the context's own (JSON) value."""
        try:
            value = self._function(context, time.monotonic() + self._timeout)
            kind = type(value)
            if kind in _SCALARS or (self._passthrough and (kind is dict or kind is list)):
                return value
            return to_json_value(value)
        except Exception as exc:
            raise _failure(self._source, self._path, exc) from exc


class _Value:
    """A compiled dict, list or constant."""

    __slots__ = ("_evaluator", "is_constant")

    def __init__(self, evaluator: _Evaluator, is_constant: bool) -> None:
        self._evaluator = evaluator
        self.is_constant = is_constant

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """The value, with its expressions evaluated in ``context``."""
        return self._evaluator(context)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value


def _join_path(base: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else str(key)


class ExpressionEngine:
    """Compiles and evaluates the expressions in scenario values (contract section 4)."""

    def __init__(
        self, *, clock: Clock | None = None, timeout_ms: float = 100,
        max_output_bytes: int = 1 << 20,
    ) -> None:  # fmt: skip
        self.clock = clock or SystemClock()
        self.timeout = timeout_ms / 1000
        self.limit = max_output_bytes
        self.library: Library = build_library(self.clock, max_output_bytes)
        self.sandbox = Sandbox(max_output_bytes)
        self.filters = jinja_filters(self.sandbox, self.library)
        self.tests = jinja_tests(self.sandbox)
        self.sandbox.install(self.filters, self.tests)
        self.guards = Guards(self.sandbox, max_output_bytes)
        deadlines.watch_collector()
        self._strings: dict[str, Compiled] = {}
        self._objects: dict[int, tuple[Any, Compiled]] = {}

    def compile(self, value: Any) -> Compiled:
        """``value`` with each string holding ``{{`` compiled; ExpressionError on bad syntax."""
        return self._compile(value, "")

    def evaluate(self, value: Any, context: Mapping[str, Any]) -> Any:
        """``value`` with its expressions evaluated in ``context`` (compiled once, cached)."""
        if type(value) is str:
            compiled = self._strings.get(value)
            if compiled is None:
                compiled = self._remember_string(value)
            return compiled.evaluate(context)
        entry = self._objects.get(id(value))
        if entry is None or entry[0] is not value:
            if len(self._objects) >= _CACHE_SIZE:
                self._objects.clear()
            entry = (value, self.compile(value))
            self._objects[id(value)] = entry
        return entry[1].evaluate(context)

    def _remember_string(self, value: str) -> Compiled:
        if len(self._strings) >= _CACHE_SIZE:
            self._strings.clear()
        compiled = self._strings[value] = self.compile(value)
        return compiled

    def references(self, value: Any) -> set[str]:
        """Root names the expressions in ``value`` read, except the function library."""
        found: set[str] = set()
        for source, path in _strings_in(value, ""):
            try:
                for piece in self._split(source, path):
                    if isinstance(piece, nodes.Name):  # find_all looks below the node only
                        found.add(piece.name)
                    if isinstance(piece, nodes.Expr):
                        found.update(n.name for n in piece.find_all(nodes.Name))
            except RecursionError as exc:
                raise ExpressionError(f"{_quoted(source)} is nested too deeply", path=path) from exc
        return {name for name in found if name not in self.library}

    def _compile(self, value: Any, path: str) -> Compiled:
        if isinstance(value, str):
            if "{{" not in value:
                return _Value(lambda context: value, True)
            return self._compile_string(value, path)
        if isinstance(value, Mapping):
            entries = [(k, self._compile(v, _join_path(path, k))) for k, v in value.items()]
            return self._container(value, entries, dict)
        if isinstance(value, list | tuple):
            items = [(i, self._compile(v, _join_path(path, i))) for i, v in enumerate(value)]
            return self._container(value, items, list)
        return _Value(lambda context: value, True)

    @staticmethod
    def _container(value: Any, entries: list[tuple[Any, Compiled]], kind: type) -> Compiled:
        if all(compiled.is_constant for _, compiled in entries):
            return _Value(lambda context: _copy(value), True)
        if kind is dict:
            return _Value(lambda c: {k: item.evaluate(c) for k, item in entries}, False)
        return _Value(lambda c: [item.evaluate(c) for _, item in entries], False)

    def _compile_string(self, source: str, path: str) -> Compiled:
        pieces = self._split(source, path)
        translator = _Translator(self)
        try:
            single = _single(pieces)
            code = translator.template(pieces) if single is None else translator.expression(single)
            function = translator.build(code)
        except RecursionError as exc:
            reason = "nested too deeply"
            raise ExpressionError(f"invalid expression {_quoted(source)}: {reason}", path=path) from exc
        except ExpressionError as exc:
            reason = exc.message
            raise ExpressionError(f"invalid expression {_quoted(source)}: {reason}", path=path) from exc
        passthrough = single is not None and self._is_lookup(single)
        return _Expression(function, source, path, self.timeout, passthrough)

    def _is_lookup(self, node: nodes.Expr) -> bool:
        """A path into the context (``a.b[0].c``): its value is already pure JSON."""
        if isinstance(node, nodes.Name):
            return node.name not in self.library
        if isinstance(node, nodes.Getattr):
            return self._is_lookup(node.node)
        if isinstance(node, nodes.Getitem):
            return isinstance(node.arg, nodes.Const) and self._is_lookup(node.node)
        return False

    def _split(self, source: str, path: str) -> list[str | nodes.Expr]:
        """``source`` cut into literal text and parsed ``{{ }}`` expressions."""
        pieces: list[str | nodes.Expr] = []
        position = 0
        while (start := source.find("{{", position)) >= 0:
            pieces.append(source[position:start])
            expr, end = self._parse_at(source, start + 2, path)
            pieces.append(expr)
            position = end + 2
        pieces.append(source[position:])
        return [piece for piece in pieces if piece != ""]

    def _parse_at(self, source: str, begin: int, path: str) -> tuple[nodes.Expr, int]:
        end = source.find("}}", begin)
        first: TemplateSyntaxError | None = None
        for _ in range(_MAX_ATTEMPTS):
            if end < 0:
                break
            try:
                return self._parse(source[begin:end]), end
            except TemplateSyntaxError as exc:
                first = first or exc
            except RecursionError:
                first = first or TemplateSyntaxError("the expression is nested too deeply", 1)
            end = source.find("}}", end + 1)
        reason = first.message if first else "'{{' is never closed by '}}'"
        raise ExpressionError(f"invalid expression {_quoted(source)}: {reason}", path=path)

    def _parse(self, text: str) -> nodes.Expr:
        parser = Parser(self.sandbox, text, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            token = parser.stream.current
            raise TemplateSyntaxError(f"unexpected {token.value!r} after the expression", 1)
        return expr


def _single(pieces: list[str | nodes.Expr]) -> nodes.Expr | None:
    """The one expression of a string that holds nothing else but whitespace."""
    exprs = [piece for piece in pieces if isinstance(piece, nodes.Expr)]
    text = "".join(piece for piece in pieces if isinstance(piece, str))
    return exprs[0] if len(exprs) == 1 and not text.strip() else None


def _strings_in(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(value, path)] if "{{" in value else []
    found: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            found.extend(_strings_in(item, _join_path(path, key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.extend(_strings_in(item, _join_path(path, index)))
    return found


class _Translator:
    """Turns a parsed Jinja expression into the Python source of a function.

    Literals other than simple ones, and every function, are referenced from
    a constant table (``_k``), never spelled into the source; names are
    identifiers checked by Jinja's lexer and written with ``repr``.
    """

    def __init__(self, engine: ExpressionEngine) -> None:
        self.engine = engine
        self.constants: list[Any] = []
        self.helpers: list[str] = []
        self.temporaries = 0
        self.depth = 0

    def build(self, code: str) -> Any:
        """The function ``(context, deadline) -> value`` computing ``code``."""
        self.helpers.append(f"def _expression(c, s):\n    return {code}\n")
        namespace = {**self.engine.guards.namespace(), "_k": tuple(self.constants)}
        try:
            exec(compile("".join(self.helpers), "<expression>", "exec"), namespace)  # noqa: S102
        except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
            raise ExpressionError(f"the expression is too complex: {exc}") from exc
        return namespace["_expression"]

    def template(self, pieces: list[str | nodes.Expr]) -> str:
        """Code rendering ``pieces`` to text."""
        parts = [
            repr(piece) if isinstance(piece, str) else f"_txt({self.expression(piece)})"
            for piece in pieces
        ]
        return f"_join(({', '.join(parts)},))"

    def constant(self, value: Any) -> str:
        if value is None or type(value) in (str, int, bool):
            return repr(value)
        self.constants.append(value)
        return f"_k[{len(self.constants) - 1}]"

    def expression(self, node: nodes.Node) -> str:
        """Python source computing ``node``.

        Every few levels down, the code moves into a helper function of its
        own, so that deep expressions stay within Python's nesting limits.
        """
        self.depth += 1
        try:
            code = self._node(node)
        finally:
            self.depth -= 1
        if self.depth == 0 or self.depth % _HOIST_EVERY:
            return code
        name = f"_h{len(self.helpers)}"
        self.helpers.append(f"def {name}(c, s):\n    return {code}\n")
        return f"{name}(c, s)"

    def _node(self, node: nodes.Node) -> str:
        kind = type(node).__name__
        visitor = getattr(self, f"visit_{kind}", None)
        if kind in _NUMERIC_BINOPS:
            return self._numeric(kind, node)
        if kind in _GUARDED_BINOPS:
            return f"{_GUARDED_BINOPS[kind]}(s, {self._pair(node)})"
        if kind == "Neg":
            value = self._temporary()
            return f"(-{value} if _ty({value} := {self.expression(node.node)}) in _N else _neg({value}))"  # type: ignore[attr-defined]
        if kind in _UNARY:
            return f"({_UNARY[kind]}{self.expression(node.node)})"  # type: ignore[attr-defined]
        if visitor is None:
            raise ExpressionError(f"{kind} is not supported in expressions")
        result: str = visitor(node)
        return result

    def _temporary(self) -> str:
        self.temporaries += 1
        return f"_t{self.temporaries}"

    def _operand(self, node: nodes.Node | str) -> tuple[str, str | None]:
        """A numeric operator's operand: its code (a temporary), and the test that it is a number.

        A number literal is its own code and needs no test (``> 10``, ``* 100``)."""
        if isinstance(node, str):
            return node, f"_ty({node}) in _N"
        if isinstance(node, nodes.Const) and type(node.value) in (int, float) and abs(node.value) < _BIG:
            return repr(node.value), None
        held = self._temporary()
        return held, f"_ty({held} := {self.expression(node)}) in _N"

    def _both_numbers(self, left: nodes.Node | str, right: nodes.Node, *, small: bool = False) -> tuple[str, str, str]:
        """Codes for ``left`` and ``right``, and a test that both are numbers (``small``: and
        under :data:`_BIG` in size).

        The tests are joined by ``&`` (not ``and``), so that both operands are always
        evaluated, left first.
        """
        a, a_test = self._operand(left)
        b, b_test = self._operand(right)
        tests = [f"({test})" for test in (a_test, b_test) if test is not None]
        code = " & ".join(tests) if tests else "True"
        if small:
            code += "".join(f" and _NBIG < {held} < _BIG" for held, t in ((a, a_test), (b, b_test)) if t)
        return a, b, code

    def _numeric(self, kind: str, node: Any) -> str:
        """An arithmetic operator: inline for two numbers (the hot path), else the guard.

        ``*`` of two integers stays inline only while neither is beyond 2**32768, so the
        guard still refuses products of over ``MAX_PRODUCT_BITS`` bits."""
        symbol, guard = _NUMERIC_BINOPS[kind]
        a, b, numbers = self._both_numbers(node.left, node.right, small=kind == "Mul")
        return f"({a} {symbol} {b} if {numbers} else {guard}(s, {a}, {b}))"

    def _pair(self, node: Any) -> str:
        return f"{self.expression(node.left)}, {self.expression(node.right)}"

    def _list(self, items: list[nodes.Expr]) -> str:
        return "".join(f"{self.expression(item)}, " for item in items)

    def visit_Const(self, node: nodes.Const) -> str:
        return self.constant(node.value)

    def visit_Name(self, node: nodes.Name) -> str:
        if node.name in _VALUE_NAMES:
            return f"{self.constant(self.engine.library[node.name])}()"
        if node.name in self.engine.library:
            return f"c.get({node.name!r}, {self.constant(self.engine.library[node.name])})"
        return f"c.get({node.name!r})"

    def visit_Getattr(self, node: nodes.Getattr) -> str:
        """``_ga(obj, name)``, with a JSON object's key read inline: most attributes in scenarios are
        keys of bundles (``items.value.id``), and the call per access was a tenth of a W2 item's
        time. The inline path is exactly ``_ga``'s for a dict and a name without ``__``."""
        target = self.expression(node.node)
        if node.attr.startswith("__"):
            return f"_ga({target}, {node.attr!r})"
        self.temporaries += 1
        held = f"_t{self.temporaries}"
        return f"({held}.get({node.attr!r}) if _ty({held} := {target}) is _D else _ga({held}, {node.attr!r}))"

    def visit_Getitem(self, node: nodes.Getitem) -> str:
        return f"_gi({self.expression(node.node)}, {self.expression(node.arg)})"

    def visit_Slice(self, node: nodes.Slice) -> str:
        parts = [self.expression(p) if p is not None else "None" for p in (node.start, node.stop, node.step)]
        return f"slice({', '.join(parts)})"

    def visit_Tuple(self, node: nodes.Tuple) -> str:
        return f"({self._list(node.items)})"

    def visit_List(self, node: nodes.List) -> str:
        return f"[{self._list(node.items)}]"

    def visit_Dict(self, node: nodes.Dict) -> str:
        pairs = "".join(f"{self.expression(p.key)}: {self.expression(p.value)}, " for p in node.items)
        return f"{{{pairs}}}"

    def visit_CondExpr(self, node: nodes.CondExpr) -> str:
        otherwise = "None" if node.expr2 is None else self.expression(node.expr2)
        return f"({self.expression(node.expr1)} if {self.expression(node.test)} else {otherwise})"

    def visit_And(self, node: nodes.And) -> str:
        return f"({self.expression(node.left)} and {self.expression(node.right)})"

    def visit_Or(self, node: nodes.Or) -> str:
        return f"({self.expression(node.left)} or {self.expression(node.right)})"

    def visit_Concat(self, node: nodes.Concat) -> str:
        return f"_cat(s, ({self._list(node.nodes)}))"

    def visit_Compare(self, node: nodes.Compare) -> str:
        """Comparisons, chained as in Python (``a < b < c`` reads ``b`` once)."""
        left: nodes.Node | str = node.expr
        checks = []
        for index, operand in enumerate(node.ops):
            chained = index < len(node.ops) - 1
            code, left = self._comparison(operand.op, left, operand.expr, chained)
            checks.append(code)
        return f"({' and '.join(checks)})"

    def _code(self, operand: nodes.Node | str) -> str:
        """An operand's code; a ``str`` is a temporary already holding its value."""
        return operand if isinstance(operand, str) else self.expression(operand)

    def _comparison(self, op: str, left: nodes.Node | str, right: nodes.Node, chained: bool) -> tuple[str, str]:
        """The code of one comparison, and what holds its right operand (for a ``chained`` one,
        which the next comparison reads).

        Two numbers (or, for ``==``, two values of one type) compare inline; anything
        else goes to a guard that compares numeric text as a number (``"150" > 100``)."""
        if op in ("in", "notin"):
            held = self._temporary()
            test = f"_in({self._code(left)}, ({held} := {self.expression(right)}))"
            return (test if op == "in" else f"(not {test})"), held
        if op in ("eq", "ne"):
            return self._equality(op, left, right, chained)
        symbol, guard = _ORDER[op]
        a, b, numbers = self._both_numbers(left, right)
        if chained and b[:2] != "_t":  # a literal in the middle of a chain: held for the next one
            held = self._temporary()
            return f"({a} {symbol} ({held} := {b}) if {numbers} else {guard}({a}, {held} := {b}))", held
        return f"({a} {symbol} {b} if {numbers} else {guard}({a}, {b}))", b

    def _equality(self, op: str, left: nodes.Node | str, right: nodes.Node, chained: bool) -> tuple[str, str]:
        """``==`` or ``!=``: inline for two values of one type, else :func:`loosely_equal`.

        Against a number or text literal (``== 37``, ``== "paid"``) only the left side's type
        is tested."""
        a = self._temporary()
        value = right.value if isinstance(right, nodes.Const) and not chained else None
        if type(value) in (int, float, str):
            b = self.constant(value)
            kind = "in _N" if type(value) in (int, float) else "is _S"
            same = f"_ty({a} := {self._code(left)}) {kind}"
        else:
            b = self._temporary()
            same = f"_ty({a} := {self._code(left)}) is _ty({b} := {self.expression(right)})"
        if op == "eq":
            return f"({a} == {b} if {same} else _eq({a}, {b}))", b
        return f"({a} != {b} if {same} else not _eq({a}, {b}))", b

    def _arguments(self, node: nodes.Call | nodes.Filter | nodes.Test, first: str = "") -> str:
        parts = [first] if first else []
        parts += [self.expression(arg) for arg in node.args]
        if node.dyn_args is not None:
            parts.append(f"*{self.expression(node.dyn_args)}")
        if node.kwargs:
            kwargs = ", ".join(f"{kw.key!r}: {self.expression(kw.value)}" for kw in node.kwargs)
            parts.append(f"**{{{kwargs}}}")
        if node.dyn_kwargs is not None:
            parts.append(f"**{self.expression(node.dyn_kwargs)}")
        return ", ".join(parts)

    def _timed(self, function: Any, arguments: str) -> str:
        return f"_chk(s, {self.constant(function)}({arguments}))"

    def visit_Filter(self, node: nodes.Filter) -> str:
        function = self.engine.filters.get(node.name)
        if function is None:
            raise ExpressionError(f"there is no function or filter named {node.name!r}")
        value = self.expression(node.node) if node.node is not None else "None"
        return self._timed(function, self._arguments(node, value))

    def visit_Test(self, node: nodes.Test) -> str:
        function = self.engine.tests.get(node.name)
        if function is None:
            raise ExpressionError(f"there is no test named {node.name!r}")
        return self._timed(function, self._arguments(node, self.expression(node.node)))

    def visit_Call(self, node: nodes.Call) -> str:
        callee = node.node
        if isinstance(callee, nodes.Name):
            if callee.name not in self.engine.library:
                raise ExpressionError(f"there is no function named {callee.name!r}")
            return self._timed(self.engine.library[callee.name], self._arguments(node))
        if isinstance(callee, nodes.Getattr):
            function = f"_gm({self.expression(callee.node)}, {callee.attr!r})"
        else:
            function = self.expression(callee)
        arguments = self._arguments(node)
        return f"_call(s, {function}, {arguments})" if arguments else f"_call(s, {function})"
