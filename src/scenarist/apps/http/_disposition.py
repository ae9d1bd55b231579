"""A downloaded file's name: from Content-Disposition (RFC 6266), else the URL, else "download".

``filename*`` (RFC 8187: ``UTF-8''%e2%82%ac%20rates.pdf``) wins over
``filename``, as RFC 6266 says. The name is data for later steps (an upload
path, an attachment), so it is reduced to its last path segment without
control characters: a server cannot name ``../../etc/passwd``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import httpx

FALLBACK_NAME = "download"
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_EXTENDED = re.compile(r"^([A-Za-z0-9!#$%&+^_`{}~-]+)'[^']*'(.*)$")
_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "iso-8859-1"}


def file_name(content_disposition: str | None, url: httpx.URL) -> str:
    """The name to give the file: the header's, else the URL path's last segment, else "download"."""
    named = disposition_name(content_disposition or "")
    return named or _safe(url.path.rsplit("/", 1)[-1]) or FALLBACK_NAME


def disposition_name(header: str) -> str | None:
    """The file name a Content-Disposition header gives (``filename*`` first), made safe; None if none."""
    params = _params(header)
    extended = _extended_value(params.get("filename*", ""))
    return _safe(extended or "") or _safe(params.get("filename", ""))


def _params(header: str) -> dict[str, str]:
    """The header's parameters, names lower-cased, quoted values unquoted; the first of a repeated name wins."""
    params: dict[str, str] = {}
    for name, raw in _PARAM.findall(header):
        params.setdefault(name.lower(), _unquote(raw.strip()))
    return params


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _extended_value(value: str) -> str | None:
    """An RFC 8187 value (``charset'language'percent-encoded``) decoded; None when unusable."""
    match = _EXTENDED.match(value.strip())
    charset = _CHARSETS.get(match.group(1).lower()) if match else None
    if match is None or charset is None:
        return None
    try:
        return unquote(match.group(2), encoding=charset, errors="strict")
    except UnicodeDecodeError:
        return None


def _safe(name: str) -> str | None:
    """The last path segment of ``name`` without control characters; None when nothing usable is left."""
    segment = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in segment if unicodedata.category(ch)[0] != "C").strip()
    return None if cleaned in ("", ".", "..") else cleaned
