"""The ``http.request`` module: send one request through the engine's client.

The engine's ``ctx.http`` (an ``httpx.AsyncClient``) carries the egress policy,
proxy and source address; this module never makes its own client.
Transport failures map to the contract's errors: timeouts to
``ModuleTimeoutError``, unreachable hosts and broken connections to
``ConnectionError``, an unusable URL to ``InvalidConfigurationError``, a
refused client certificate to ``AuthenticationError``, an answer over its
size cap to ``DataError`` (asking again brings the same answer).
``http.download`` builds, sends and maps its request with the same functions.

The body is read as it streams and counted once decoded: at most
``max_bytes`` of it (32 MiB at most) is kept, since it becomes the step's
output and goes into the run's activity log; of an error answer, only the
start that its message quotes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from scenarist.apps.http._params import ALLOWED_SCHEMES, CallParams, RequestParams, url_scheme
from scenarist.apps.http._response import ERROR_SAMPLE_BYTES, error_bundle, raise_for_status, read_body, to_bundle
from scenarist.sdk import (
    ANSWER_LIMIT,
    AnswerTooLarge,
    AuthenticationError,
    Bundle,
    ClientCertificateRefused,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
    RunContext,
)


def _body_arguments(params: CallParams) -> dict[str, Any]:
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


def _headers(params: CallParams, defaults: Mapping[str, str]) -> dict[str, str]:
    """The params' headers over ``defaults`` (names compared case-insensitively), and text/plain for a raw body."""
    given = {name.lower() for name in params.headers}
    headers = {name: value for name, value in defaults.items() if name.lower() not in given} | params.headers
    if params.body is not None and "content-type" not in given:
        headers["Content-Type"] = "text/plain; charset=utf-8"
    return headers


def build_request(
    ctx: RunContext, params: CallParams, defaults: Mapping[str, str] | None = None, *, max_bytes: int
) -> httpx.Request:
    """Build the request; a URL httpx cannot use is the step's configuration error.

    The transport caps the answer's body at ``max_bytes``, raised to the error sample's size: an error answer is
    read for its message up to that, whatever the limit on a file.
    """
    if url_scheme(params.url) not in ALLOWED_SCHEMES:
        raise InvalidConfigurationError(f"the URL must be http:// or https://, not {params.url!r}")
    try:
        url = httpx.URL(params.url)
        return ctx.http.build_request(
            params.method,
            url.copy_merge_params(params.query) if params.query else url,
            headers=_headers(params, defaults or {}),
            timeout=params.timeout_seconds,
            extensions={ANSWER_LIMIT: max(max_bytes, ERROR_SAMPLE_BYTES)},
            **_body_arguments(params),
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise InvalidConfigurationError(f"the URL {params.url!r} is not usable: {exc}") from exc


def send_options(ctx: RunContext, params: CallParams) -> dict[str, Any]:
    """``ctx.http.send``'s keyword arguments: redirects, and the connection's credentials."""
    auth = ctx.auth
    if auth is None and ctx.connection is not None:
        raise InvalidConfigurationError(f"the {ctx.connection.get('type')} connection gives no credentials to send")
    return {"follow_redirects": params.follow_redirects} | ({"auth": auth} if auth is not None else {})


@asynccontextmanager
async def call_errors(request: httpx.Request, timeout_seconds: float) -> AsyncIterator[None]:
    """Bound the call by ``timeout_seconds`` and map transport failures to contract errors.

    A server that refuses the client certificate is an ``AuthenticationError``:
    the credentials were refused, and retrying will not change that.
    """
    where = f"{request.method} {request.url.host}"
    try:
        async with asyncio.timeout(timeout_seconds):
            yield
    except ClientCertificateRefused as exc:
        raise AuthenticationError(f"{where}: {exc}") from exc
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise ModuleTimeoutError(f"{where} did not answer within {timeout_seconds:g} s") from exc
    except httpx.UnsupportedProtocol as exc:
        raise InvalidConfigurationError(f"{where}: {exc}") from exc
    except AnswerTooLarge as exc:
        raise DataError(f"{where}: {exc}") from exc
    except httpx.DecodingError as exc:
        raise DataError(f"{where} answered a body that cannot be decoded: {exc}") from exc
    except httpx.TooManyRedirects as exc:
        raise ConnectionError(f"{where}: too many redirects") from exc
    except httpx.HTTPError as exc:
        raise ConnectionError(f"{where} failed: {type(exc).__name__}: {exc}") from exc


async def run(ctx: RunContext, params: RequestParams) -> Bundle:
    """Send the request and return ``{status, headers, body}``; errors per the contract.

    With ``throw_on_http_error`` false a 4xx or 5xx answer is output like any other (Make's "evaluate all states
    as errors: no"), read up to ``max_bytes``.
    """
    request = build_request(ctx, params, max_bytes=params.max_bytes)
    options = send_options(ctx, params)
    async with call_errors(request, params.timeout_seconds):
        response = await ctx.http.send(request, stream=True, **options)
        failing = response.status_code >= 400 and params.throw_on_http_error
        try:
            body, more = await read_body(response, ERROR_SAMPLE_BYTES if failing else params.max_bytes)
        finally:
            await response.aclose()
    ctx.log.debug(f"http.request {request.method} {request.url.host} -> {response.status_code}")
    if failing:
        raise_for_status(response, body, ctx.clock.now())
    if more:
        raise DataError(f"{request.method} {request.url.host} answered more than max_bytes "
                        f"({params.max_bytes} bytes); reading stopped there")
    if response.status_code >= 400:
        return error_bundle(response, body, params.parse_response)
    return to_bundle(response, body, params.parse_response)
