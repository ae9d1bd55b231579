"""The ``http.request`` module: send one request through the engine's client.

The engine's ``ctx.http`` (an ``httpx.AsyncClient``) carries the egress policy,
proxy and source address; this module never makes its own client.
Transport failures map to the contract's errors: timeouts to
``ModuleTimeoutError``, unreachable hosts and broken connections to
``ConnectionError``, an unusable URL to ``InvalidConfigurationError``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from scenarist.apps.http._params import ALLOWED_SCHEMES, RequestParams, url_scheme
from scenarist.apps.http._response import raise_for_status, to_bundle
from scenarist.sdk import (
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
    RunContext,
)
from scenarist.types import Bundle


def _body_arguments(params: RequestParams) -> dict[str, Any]:
    """The httpx keyword arguments for the one body given, if any."""
    if params.json_body is not None:
        return {"json": params.json_body}
    if params.form is not None:
        return {"data": {k: "" if v is None else _scalar_text(v) for k, v in params.form.items()}}
    if params.body is not None:
        return {"content": params.body.encode("utf-8")}
    return {}


def _scalar_text(value: str | int | float | bool) -> str:
    """Form values as text; booleans as ``true``/``false`` as in query strings."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _headers(params: RequestParams) -> dict[str, str]:
    headers = dict(params.headers)
    has_type = any(name.lower() == "content-type" for name in headers)
    if params.body is not None and not has_type:
        headers["Content-Type"] = "text/plain; charset=utf-8"
    return headers


def _request(ctx: RunContext, params: RequestParams) -> httpx.Request:
    """Build the request; a URL httpx cannot use is the step's configuration error."""
    if url_scheme(params.url) not in ALLOWED_SCHEMES:
        raise InvalidConfigurationError(f"the URL must be http:// or https://, not {params.url!r}")
    try:
        url = httpx.URL(params.url)
        return ctx.http.build_request(
            params.method,
            url.copy_merge_params(params.query) if params.query else url,
            headers=_headers(params),
            timeout=params.timeout_seconds,
            **_body_arguments(params),
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise InvalidConfigurationError(f"the URL {params.url!r} is not usable: {exc}") from exc


async def _send(ctx: RunContext, request: httpx.Request, params: RequestParams) -> httpx.Response:
    """Send and read the whole answer, mapping transport failures to contract errors."""
    auth = ctx.auth
    if auth is None and ctx.connection is not None:
        raise InvalidConfigurationError(f"the {ctx.connection.get('type')} connection gives no credentials to send")
    where = f"{request.method} {request.url.host}"
    try:
        async with asyncio.timeout(params.timeout_seconds):
            kwargs: dict[str, Any] = {"follow_redirects": params.follow_redirects}
            if auth is not None:
                kwargs["auth"] = auth
            return await ctx.http.send(request, **kwargs)
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise ModuleTimeoutError(
            f"{where} did not answer within {params.timeout_seconds:g} s"
        ) from exc
    except httpx.UnsupportedProtocol as exc:
        raise InvalidConfigurationError(f"{where}: {exc}") from exc
    except httpx.DecodingError as exc:
        raise DataError(f"{where} answered a body that cannot be decoded: {exc}") from exc
    except httpx.TooManyRedirects as exc:
        raise ConnectionError(f"{where}: too many redirects") from exc
    except httpx.HTTPError as exc:
        raise ConnectionError(f"{where} failed: {type(exc).__name__}: {exc}") from exc


async def run(ctx: RunContext, params: RequestParams) -> Bundle:
    """Send the request and return ``{status, headers, body}``; errors per the contract."""
    request = _request(ctx, params)
    response = await _send(ctx, request, params)
    ctx.log.debug(f"http.request {request.method} {request.url.host} -> {response.status_code}")
    raise_for_status(response, ctx.clock.now())
    return to_bundle(response, params.parse_response)
