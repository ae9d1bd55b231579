"""Request bodies of ``/api/v1``: JSON, or YAML (the scenario files are YAML), nothing else.

A pure ASGI middleware in front of the API routes. For a request that carries a body:

- JSON (``application/json``, ``application/*+json``, or no content type) passes on; FastAPI
  parses it, and a malformed document answers 400 ``invalid_json`` with its line and column
  (``errors.validation_error``);
- YAML (``application/yaml``, ``text/yaml``, ``application/x-yaml``) is parsed here and handed on as
  JSON; a malformed document answers 400 ``invalid_yaml`` with its line and column. Anchors and aliases
  are refused (an alias bomb would expand without bound once written as JSON);
- any other content type answers 415.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scenarist.server.errors import error_response

API_PREFIX = "/api/v1/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
YAML_TYPES = frozenset({"application/yaml", "text/yaml", "application/x-yaml"})
UNSUPPORTED = "send the body as JSON (application/json) or YAML (application/yaml)"


class BodyFormats:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        kind = media_type(Headers(scope=scope).get("content-type"))
        if kind is None:  # a body without a content type is read as JSON
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            await self.app({**scope, "headers": [*headers, (b"content-type", b"application/json")]}, receive, send)
            return
        if is_json(kind):
            await self.app(scope, receive, send)
            return
        body = await _read(receive) if kind in YAML_TYPES else await _first_chunk(receive)
        if not body:
            await self.app(scope, _replay(b"", receive), send)
        elif kind not in YAML_TYPES:
            await error_response(415, "unsupported_media_type", f"{kind} is not accepted: {UNSUPPORTED}")(
                scope, _replay(b"", receive), send)
        else:
            await self._yaml(scope, body, receive, send)

    async def _yaml(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
        try:
            converted = yaml_as_json(body)
        except ValueError as exc:
            await error_response(400, "invalid_yaml", str(exc))(scope, _replay(b"", receive), send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(converted)).encode())]
        await self.app({**scope, "headers": headers}, _replay(converted, receive), send)


def media_type(header: str | None) -> str | None:
    """``type/subtype`` lower-cased, without parameters; None when there is no content type."""
    kind = (header or "").split(";")[0].strip().lower()
    return kind or None


def is_json(kind: str) -> bool:
    main, _, sub = kind.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader without anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted",
                                             event.start_mark)  # type: ignore[arg-type]
        if getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(None, None, "anchors (&name) are not accepted", event.start_mark)
        return super().compose_node(parent, index)


def yaml_as_json(body: bytes) -> bytes:
    """The YAML document as JSON bytes; ``ValueError`` saying where (line, column) it is malformed."""
    try:
        value = yaml.load(body, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader, aliases refused
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise ValueError(f"malformed YAML{where}: {exc.problem or exc.context or 'cannot parse'}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"malformed YAML: {exc}") from None
    except RecursionError:
        raise ValueError("malformed YAML: nesting too deep") from None
    try:
        return json.dumps(value, default=_json_default, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (TypeError, RecursionError) as exc:
        raise ValueError(f"the YAML document holds what JSON cannot: {exc}") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"a value of type {type(value).__name__}")


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b""
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _first_chunk(receive: Receive) -> bytes:
    """The first non-empty part of the body (b"" when there is none): enough to refuse it."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b""
        if message.get("body") or not message.get("more_body", False):
            return bytes(message.get("body", b""))


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body, once, then what the client sends next (its disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
