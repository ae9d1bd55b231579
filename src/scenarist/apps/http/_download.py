"""The ``http.download`` module: fetch one file, at most ``max_bytes`` of it.

Output, like ``ftp.download``'s: ``{status, headers, file_name, content_type,
size, content, encoding}``, ``content`` base64 (``encoding: "base64"``) or,
with ``as_text``, text (``encoding: "text"``).

The size limit holds while reading: a declared Content-Length over it is
refused before the body is read, and an answer without one (chunked) is read
only until it passes the limit. The transport holds the same cap on the bytes
as they arrive, including those of an answer httpx reads itself (a 401 an
auth flow answers), and holds a redirect's body to 1 MiB: a redirect with an
endless body fails at once instead of filling memory. The request asks for
``Accept-Encoding: identity`` (unless the headers say otherwise) so that
Content-Length is the file's size; a compressed answer is still decoded, and
its decoded size is what counts. Error statuses map as in ``http.request``.
"""

from __future__ import annotations

import base64
import codecs
import mimetypes

import httpx

from scenarist.apps.http._disposition import file_name
from scenarist.apps.http._params import DownloadParams
from scenarist.apps.http._request import build_request, call_errors, send_options
from scenarist.apps.http._response import ERROR_SAMPLE_BYTES, header_dict, media_type, raise_for_status, read_body
from scenarist.sdk import Bundle, DataError, RunContext

_IDENTITY = {"Accept-Encoding": "identity"}
_NO_ENCODINGS = ("", "identity")


async def run(ctx: RunContext, params: DownloadParams) -> Bundle:
    """Download the file; errors per the contract, a file over ``max_bytes`` a ``DataError``."""
    request = build_request(ctx, params, _IDENTITY, max_bytes=params.max_bytes)
    options = send_options(ctx, params)
    async with call_errors(request, params.timeout_seconds):
        response = await ctx.http.send(request, stream=True, **options)
        try:
            data = await _file(ctx, response, params.max_bytes)
        finally:
            await response.aclose()
    ctx.log.debug(f"http.download {request.method} {request.url.host} -> {response.status_code}, {len(data)} bytes")
    return _bundle(response, data, params.as_text)


async def _file(ctx: RunContext, response: httpx.Response, max_bytes: int) -> bytes:
    """The body of a successful answer, within the limit; an error status raised as its contract error."""
    if response.status_code >= 400:
        sample, _ = await read_body(response, ERROR_SAMPLE_BYTES)
        raise_for_status(response, sample, ctx.clock.now())
    if 300 <= response.status_code < 400:
        where = response.headers.get("location", "nowhere")
        raise DataError(f"HTTP {response.status_code} redirects to {where}, and follow_redirects is off")
    declared = _declared_size(response)
    if declared is not None and declared > max_bytes:
        raise DataError(f"the file is {declared} bytes, over max_bytes ({max_bytes} bytes)")
    data, more = await read_body(response, max_bytes)
    if more:
        raise DataError(f"the file is larger than max_bytes ({max_bytes} bytes); the download stopped there")
    return data


def _declared_size(response: httpx.Response) -> int | None:
    """The Content-Length, when it is the file's size (no content coding)."""
    length = response.headers.get("content-length", "").strip()
    coding = response.headers.get("content-encoding", "").strip().lower()
    return int(length) if length.isdigit() and coding in _NO_ENCODINGS else None


def _bundle(response: httpx.Response, data: bytes, as_text: bool) -> Bundle:
    name = file_name(response.headers.get("content-disposition"), response.url)
    bundle: Bundle = {
        "status": response.status_code,
        "headers": header_dict(response),
        "file_name": name,
        "content_type": media_type(response) or mimetypes.guess_type(name)[0] or "application/octet-stream",
        "size": len(data),
    }
    if as_text:
        return {**bundle, "content": _text(data, response.charset_encoding), "encoding": "text"}
    return {**bundle, "content": base64.b64encode(data).decode("ascii"), "encoding": "base64"}


def _text(data: bytes, charset: str | None) -> str:
    """The file as text in its declared charset, else UTF-8 (a byte order mark dropped)."""
    try:
        codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        codec = "utf-8"
    try:
        return data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        raise DataError(f"the file is not {codec} text (byte {exc.start} does not decode); "
                        "download it without as_text") from None
