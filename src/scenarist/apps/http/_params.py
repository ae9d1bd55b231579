"""The params of ``http.request`` and ``http.download``, as data: the UI form and the docs come from here.

Both describe one request (``CallParams``); each adds what it does with the answer.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
DownloadMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Scalar = str | int | float | bool | None
ALLOWED_SCHEMES = ("http", "https")
MAX_TIMEOUT_SECONDS = 300.0
MIB = 1024 * 1024
DEFAULT_DOWNLOAD_BYTES = 10 * MIB
MAX_DOWNLOAD_BYTES = 100 * MIB
MAX_ANSWER_BYTES = 32 * MIB
"""The most of an answer ``http.request`` keeps: its body becomes data, and goes into the run's activity log."""


def url_scheme(url: str) -> str:
    """The lower-cased scheme of ``url`` ("" when it has none)."""
    scheme, sep, _ = url.strip().partition("://")
    return scheme.lower() if sep else ""


class CallParams(BaseModel):
    """What to send: method, address, headers, query and at most one body."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)

    method: Method = Field(
        default="GET",
        description="HTTP method; any letter case is accepted.",
        examples=["POST"],
    )
    url: str = Field(
        description="Absolute http:// or https:// address to call.",
        examples=["https://api.example.com/v1/orders"],
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Request headers, name to value.",
        examples=[{"Accept": "application/json"}],
    )
    query: dict[str, Scalar] = Field(
        default_factory=dict,
        description="Query string parameters added to the URL, name to scalar value.",
        examples=[{"page": 2, "status": "open"}],
    )
    json_body: Any = Field(
        default=None,
        alias="json",
        description="Body sent as JSON (any JSON value except null). Excludes form and body.",
        examples=[{"id": 42, "name": "Ada"}],
    )
    form: dict[str, Scalar] | None = Field(
        default=None,
        description="Body sent URL-encoded (application/x-www-form-urlencoded). "
        "Excludes json and body.",
        examples=[{"name": "Ada", "age": 36}],
    )
    body: str | None = Field(
        default=None,
        description="Raw body sent as is (text/plain unless a Content-Type header is given). "
        "Excludes json and form.",
        examples=["<order id='42'/>"],
    )
    timeout_seconds: float = Field(
        default=40.0,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        description="Give up after this many seconds (at most 300).",
        examples=[10],
    )
    follow_redirects: bool = Field(
        default=True,
        description="Follow 3xx redirects; when false a redirect is returned as the answer.",
        examples=[True],
    )

    @field_validator("method", mode="before")
    @classmethod
    def _upper_method(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if url_scheme(value) not in ALLOWED_SCHEMES:
            raise ValueError("the URL must start with http:// or https://")
        return value.strip()

    @model_validator(mode="after")
    def _one_body(self) -> CallParams:
        given = [name for name in ("json", "form", "body") if self.body_of(name) is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one of json, form and body (got {', '.join(given)})")
        return self

    def body_of(self, name: str) -> Any:
        """The value of the body field ``name`` (json, form or body)."""
        return {"json": self.json_body, "form": self.form, "body": self.body}[name]


class RequestParams(CallParams):
    """``http.request``: the request, and whether to parse a JSON answer."""

    parse_response: bool = Field(
        default=True,
        description="Parse a JSON answer into data; when false the body stays text.",
        examples=[True],
    )
    throw_on_http_error: bool = Field(
        default=True,
        description="Fail the step on a 4xx or 5xx answer (429 a RateLimitError, 401 and 403 an "
        "AuthenticationError, other 4xx a DataError, 5xx a ConnectionError); when false such an answer is the "
        "step's output, {status, headers, body}, like any other.",
        examples=[False],
    )
    max_bytes: int = Field(
        default=MAX_ANSWER_BYTES,
        ge=1,
        le=MAX_ANSWER_BYTES,
        description="Refuse answers whose body is larger than this many bytes once decoded (default and most "
        "32 MiB); reading stops there. For larger files use http.download.",
        examples=[1_048_576],
    )


class DownloadParams(CallParams):
    """``http.download``: the request, and how much of which answer to keep as a file."""

    method: DownloadMethod = Field(
        default="GET",
        description="HTTP method; any letter case is accepted (POST, for instance, for an export that takes a body).",
        examples=["GET"],
    )
    as_text: bool = Field(
        default=False,
        description="Return content as text (decoded with the answer's charset, else UTF-8) instead of base64; "
        "an error when it does not decode.",
        examples=[False],
    )
    max_bytes: int = Field(
        default=DEFAULT_DOWNLOAD_BYTES,
        ge=1,
        le=MAX_DOWNLOAD_BYTES,
        description="Refuse files larger than this many bytes (default 10 MiB, at most 100 MiB); "
        "reading stops there.",
        examples=[10_485_760],
    )
