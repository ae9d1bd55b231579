"""The API's one error shape: ``{"error": {"code", "message", "path"?}}``.

Every failure answers with it and a fitting 4xx; a bug answers 500 with the
same shape and no detail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import structlog
from fastapi import routing as fastapi_routing
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import compile_path

from scenarist.engine.model import format_path

log = structlog.get_logger("scenarist.api")

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 410: "gone", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid",
    429: "too_many_requests",
}

FASTAPI_BODY_ERROR = "There was an error parsing the body"
"""FastAPI's detail when a JSON body failed otherwise than by a ``JSONDecodeError``."""


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, code: str | None = None, path: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.path = path
        self.headers = headers


def require_storable(value: Any, path: str) -> None:
    """Refuse (422) JSON that cannot be stored as sent: NaN/Infinity, lone surrogates, absurd depth."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError, RecursionError) as exc:
        reason = "NaN or Infinity" if isinstance(exc, ValueError) else type(exc).__name__
        if isinstance(exc, UnicodeEncodeError):
            reason = "text that is not valid Unicode"
        elif isinstance(exc, RecursionError):
            reason = "nesting too deep"
        raise ApiError(422, f"{path or 'body'} holds {reason}, which JSON cannot store", path=path) from None


def not_found(what: str = "object") -> ApiError:
    return ApiError(404, f"{what} not found")


def error_response(status: int, code: str, message: str, path: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if path is not None:
        body["path"] = path
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.path, exc.headers)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 400 and message == FASTAPI_BODY_ERROR:  # not UTF-8, or nested too deep to parse
        return error_response(400, "invalid_json", "malformed JSON: not UTF-8 text, or nested too deeply")
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(exc.status_code, CODES.get(exc.status_code, "error"), message, headers=headers or None)


def routes_of(app: Any) -> Iterator[Any]:
    """Every route of ``app``, those of included routers as they are mounted (their full path)."""
    routes = getattr(getattr(app, "router", None), "routes", ())
    contexts = getattr(fastapi_routing, "iter_route_contexts", None)
    yield from contexts(routes) if contexts is not None else routes


def allowed_methods(request: Request) -> list[str]:
    """Every method of every route at the request's path: the router names only the first route's."""
    methods: set[str] = set()
    for route in routes_of(request.app):
        path = getattr(route, "path", None)
        if path is not None and compile_path(path)[0].match(request.url.path):
            methods.update(getattr(route, "methods", None) or ())
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: (order.index(m) if m in order else len(order), m))


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Body and parameter problems: 400 for malformed JSON, else 422 with the path."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": "invalid"}
    loc = tuple(first.get("loc", ()))
    if first.get("type") == "json_invalid":
        return _malformed_json(exc.body, loc, first)
    where = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
    path = format_path(tuple(p for p in where if isinstance(p, int | str)))
    message = "; ".join(f"{format_path(tuple(e.get('loc', ())[1:])) or 'body'}: {e.get('msg')}" for e in errors[:5])
    return error_response(422, "invalid", message, path or None)


def _malformed_json(document: Any, loc: tuple[Any, ...], error: Any) -> JSONResponse:
    """400 ``invalid_json`` saying where: line and column (1-based) of the position JSON failed at."""
    reason = (error.get("ctx") or {}).get("error") or error.get("msg") or "cannot parse"
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    if not isinstance(document, str) or position is None:
        return error_response(400, "invalid_json", f"malformed JSON: {reason}")
    line = document.count("\n", 0, position) + 1
    column = position - (document.rfind("\n", 0, position) + 1) + 1
    return error_response(400, "invalid_json", f"malformed JSON at line {line} column {column}: {reason}")


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", path=request.url.path, error=type(exc).__name__, exc_info=exc)
    return error_response(500, "internal", "internal error")


HANDLERS = {
    ApiError: api_error,
    HTTPException: http_error,
    RequestValidationError: validation_error,
    Exception: unexpected_error,
}
