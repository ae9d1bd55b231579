"""What an OAuth 2.0 connection type declares: where to authorize, where tokens come from.

A connection type with ``oauth2`` set is authorized in the browser (the
authorization code flow with PKCE and ``state``); Scenarist keeps the tokens
sealed in the connection, refreshes them before they expire and on a 401, and
revokes them when the connection is deleted. A module never sees a token: it
sends requests through ``ctx.http`` with ``auth=ctx.auth``.

``oauth2`` is a function of the connection's fields, so that a generic type
(``http.oauth2``) takes its endpoints from the fields while an app for one
service fixes them and asks only for the client id and secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class OAuth2Endpoints:
    """An OAuth 2.0 client: the service's endpoints and this client's registration."""

    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str | None = None
    revoke_url: str | None = None
    """RFC 7009 revocation endpoint; without one, deleting the connection forgets the tokens only."""
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    client_auth: Literal["body", "basic"] = "body"
    """How the client authenticates at the token endpoint: ``client_secret_post`` or ``client_secret_basic``."""
    extra_authorize_params: dict[str, str] = field(default_factory=dict)
    """Added to the authorization URL (``access_type=offline``, ``prompt=consent`` ...)."""
