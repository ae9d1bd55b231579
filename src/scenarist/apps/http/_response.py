"""From an ``httpx.Response`` to the module's output bundle, or to a contract error.

Output: ``{"status": int, "headers": {lower-cased name: value}, "body": ...}``.
The body is decided by the Content-Type:

- JSON (``application/json``, ``*/*+json``): the parsed value (text when
  ``parse_response`` is false); invalid JSON is a ``DataError``;
- text (``text/*``, XML, form-encoded, JavaScript, or no type but valid UTF-8): a string;
- anything else: a base64 string, and the bundle gets ``"body_encoding": "base64"``;
- an empty body: ``None``.

Error statuses (unless ``throw_on_http_error`` is false, when ``error_bundle`` makes them output like any
other, a JSON body that does not parse staying text): 429 is ``RateLimitError`` (with ``retry_after`` in seconds
from Retry-After), 401/403 ``AuthenticationError``, other 4xx ``DataError``,
5xx ``ConnectionError``.

The body is read apart from the answer (``read_body``), decoded and counted
as it arrives, so that a module can stop at its limit; the functions here take
the answer for its status and headers and the body as bytes.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from scenarist.sdk import AnswerTooLarge, AuthenticationError, Bundle, ConnectionError, DataError, RateLimitError

EXCERPT_CHARS = 200
ERROR_SAMPLE_BYTES = 8 * 1024
"""How much of an error answer is read, for its message."""
_TEXT_TYPES = frozenset(
    {
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/javascript",
        "application/x-ndjson",
        "application/yaml",
    }
)


def media_type(response: httpx.Response) -> str:
    """The lower-cased media type of the answer, without parameters ("" if none)."""
    content_type: str = response.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower()


def is_json_type(media: str) -> bool:
    """True for ``application/json`` and the ``+json`` types."""
    return media == "application/json" or media.endswith("+json")


def is_text_type(media: str) -> bool:
    """True for media types whose body is best shown as text."""
    return media.startswith("text/") or media.endswith("+xml") or media in _TEXT_TYPES


async def read_body(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes of the (decoded) body, and whether there was more; reading stops there.

    The transport's cap ends the reading the same way when it is not below ``limit`` (every byte up to it came
    through first); a lower cap (a redirect's) is the transport's own refusal, and its ``AnswerTooLarge`` goes on.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return b"".join(chunks)[:limit], True
    except AnswerTooLarge as exc:
        if exc.limit < limit:
            raise
        return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def body_text(response: httpx.Response, body: bytes) -> str:
    """The body as text in the answer's charset (else UTF-8), bytes that do not decode replaced: ``response.text``."""
    return body.decode(response.encoding or "utf-8", errors="replace")


def excerpt(response: httpx.Response, body: bytes) -> str:
    """The start of the answer's body, for error messages (at most 200 characters)."""
    text = body_text(response, body).strip()
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds()) if when.tzinfo else None


def raise_for_status(response: httpx.Response, body: bytes, now: datetime) -> None:
    """Raise the contract error that fits an error status (its message quotes ``body``); do nothing below 400."""
    status = response.status_code
    if status < 400:
        return
    start = excerpt(response, body)
    message = f"HTTP {status} {response.reason_phrase}" + (f": {start}" if start else "")
    if status == 429:
        delay = retry_after_seconds(response.headers.get("retry-after"), now)
        raise RateLimitError(message, retry_after=delay)
    if status in (401, 403):
        raise AuthenticationError(message)
    if status >= 500:
        raise ConnectionError(message)
    raise DataError(message)


def _decode_json(response: httpx.Response, body: bytes) -> Any:
    try:
        return json.loads(body_text(response, body))
    except json.JSONDecodeError as exc:
        raise DataError(
            f"HTTP {response.status_code} answered invalid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg}): {excerpt(response, body)}"
        ) from exc


def _text_or_base64(response: httpx.Response, body: bytes, media: str) -> tuple[str, bool]:
    """The body as text when it is textual, else as base64 (second item True)."""
    if is_text_type(media) or is_json_type(media):
        return body_text(response, body), False
    if not media:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def header_dict(response: httpx.Response) -> dict[str, str]:
    """The answer's headers, lower-cased name to value (a repeated header's values joined by commas)."""
    return {name: response.headers[name] for name in response.headers}


def to_bundle(response: httpx.Response, body: bytes, parse: bool) -> Bundle:
    """The output bundle for a successful answer whose body is ``body``."""
    bundle: Bundle = {"status": response.status_code, "headers": header_dict(response), "body": None}
    if not body:
        return bundle
    media = media_type(response)
    if parse and is_json_type(media):
        bundle["body"] = _decode_json(response, body)
        return bundle
    bundle["body"], binary = _text_or_base64(response, body, media)
    if binary:
        bundle["body_encoding"] = "base64"
    return bundle


def error_bundle(response: httpx.Response, body: bytes, parse: bool) -> Bundle:
    """The output bundle for a 4xx or 5xx answer that is data: as ``to_bundle``, but a body announced as JSON that
    does not parse (a proxy's HTML error page) stays text rather than failing the step."""
    try:
        return to_bundle(response, body, parse)
    except DataError:
        return to_bundle(response, body, parse=False)
