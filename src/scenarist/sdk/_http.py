"""What a module may ask of an HTTP request beyond httpx's API, and what the transport may raise.

Request extensions (``httpx.Request(..., extensions={...})``):

- ``ANSWER_LIMIT``: the most bytes of the answer's body to read (an ``int``); past it ``AnswerTooLarge``.
- ``CLIENT_TLS``: the ``ssl.SSLContext`` to connect with (a client certificate's).
"""

from __future__ import annotations

import httpx

CLIENT_TLS = "scenarist.ssl_context"
"""The request extension holding the ``ssl.SSLContext`` to connect with (a client certificate's)."""
ANSWER_LIMIT = "scenarist.max_answer_bytes"
"""The request extension holding the most bytes of an answer's body to read (an ``int``), redirects aside."""


class ClientCertificateRefused(httpx.ConnectError):
    """The server refused the TLS handshake because of the client certificate (or its absence)."""


class AnswerTooLarge(httpx.DecodingError):
    """The answer's body is larger than its cap: reading stopped there, and the rest of it is never read.

    A ``DecodingError`` (the body cannot be read), not a ``TransportError``: the network did its job and asking
    again brings the same body, so nothing should retry it as a network failure. httpx passes it through its
    redirect and auth handling and through ``client.send``, closing the answer on the way.
    """

    def __init__(self, message: str, *, limit: int, request: httpx.Request) -> None:
        super().__init__(message, request=request)
        self.limit = limit
        """The cap, in bytes, that the body went over."""
