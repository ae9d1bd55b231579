"""OAuth 2.0 for connections: the authorization code flow with PKCE, refresh and revocation.

The parts here know the protocol (RFC 6749, 7636, 7009) and nothing of the
store: ``ConnectionService`` keeps what they produce sealed in the connection
(the pending authorization and the tokens are secret fields like any other)
and hands runs an ``OAuth2Auth`` over a ``TokenSource`` of its own.

- ``start`` makes the authorization URL: a ``state`` whose random part is
  kept only as a hash, and a PKCE verifier (S256) that never leaves the server.
- ``exchange``/``refresh``/``revoke`` talk to the service's endpoints through
  the guarded HTTP client, so the egress policy applies to them too.
- ``OAuth2Auth`` sends the access token, asks its source for a fresh one
  shortly before it expires, and once more when the service answers 401.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncGenerator, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    InvalidConfigurationError,
    ModuleTimeoutError,
    OAuth2Endpoints,
    RateLimitError,
)

PENDING_SECONDS = 600
"""How long an authorization started may take to come back to the callback."""
REFRESH_MARGIN_SECONDS = 60
"""A token expiring within this margin is refreshed before it is used."""
TOKEN_TIMEOUT_SECONDS = 30.0
CALLBACK_PATH = "/api/v1/oauth/callback"


class OAuthError(Exception):
    """The authorization cannot be completed; the message is safe to show (no secret in it)."""


@dataclass(frozen=True)
class Pending:
    """An authorization started and not yet come back: sealed in the connection until then."""

    state_hash: str
    verifier: str
    redirect_uri: str
    expires_at: float

    def to_json(self) -> dict[str, Any]:
        return {"state_hash": self.state_hash, "verifier": self.verifier, "redirect_uri": self.redirect_uri,
                "expires_at": self.expires_at}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pending:
        return cls(str(data["state_hash"]), str(data["verifier"]), str(data["redirect_uri"]),
                   float(data["expires_at"]))


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    """Seconds since the epoch; None when the service did not say."""
    scope: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "expires_at": self.expires_at, "scope": self.scope}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tokens:
        expires = data.get("expires_at")
        return cls(str(data["access_token"]), data.get("refresh_token"),
                   float(expires) if expires is not None else None, data.get("scope"))

    def fresh(self, now: float) -> bool:
        """Usable for a while yet: not within the refresh margin of its expiry."""
        return self.expires_at is None or self.expires_at - REFRESH_MARGIN_SECONDS > now


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def start(endpoints: OAuth2Endpoints, *, prefix: str, redirect_uri: str, now: float) -> tuple[str, Pending]:
    """The URL to send the user to, and what to keep until the callback.

    ``state`` is ``{prefix}.{nonce}``: the prefix names the connection, the nonce
    (256 bits) proves the callback answers this very authorization."""
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 unreserved characters: RFC 7636 allows 43-128
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        **endpoints.extra_authorize_params,
        "response_type": "code",
        "client_id": endpoints.client_id,
        "redirect_uri": redirect_uri,
        "state": f"{prefix}.{nonce}",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if endpoints.scopes:
        query["scope"] = endpoints.scope_separator.join(endpoints.scopes)
    url = httpx.URL(endpoints.authorize_url).copy_merge_params(query)
    return str(url), Pending(_digest(nonce), verifier, redirect_uri, now + PENDING_SECONDS)


def split_state(state: str) -> tuple[str, str] | None:
    """``(prefix, nonce)`` of a state ``start`` made; None for anything else."""
    prefix, dot, nonce = state.rpartition(".")
    return (prefix, nonce) if dot and prefix and len(nonce) >= 43 else None


def matches(pending: Pending, nonce: str, now: float) -> bool:
    return now < pending.expires_at and secrets.compare_digest(pending.state_hash, _digest(nonce))


async def exchange(http: httpx.AsyncClient, endpoints: OAuth2Endpoints, code: str, pending: Pending,
                   now: float) -> Tokens:
    """Trade the authorization code (with the PKCE verifier) for tokens."""
    answer = await _token_call(http, endpoints, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": pending.redirect_uri,
        "code_verifier": pending.verifier,
    })
    return _tokens(answer, now, None)


async def refresh(http: httpx.AsyncClient, endpoints: OAuth2Endpoints, tokens: Tokens, now: float) -> Tokens:
    """New tokens from the refresh token; the old refresh token stays when the service sends none."""
    if not tokens.refresh_token:
        raise AuthenticationError("the access token expired and the service gave no refresh token: "
                                  "authorize the connection again")
    answer = await _token_call(http, endpoints, {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
    return _tokens(answer, now, tokens.refresh_token)


async def revoke(http: httpx.AsyncClient, endpoints: OAuth2Endpoints, tokens: Tokens) -> None:
    """RFC 7009: revoke the refresh token (which ends its access tokens) and the access token."""
    if endpoints.revoke_url is None:
        return
    pairs = [(tokens.refresh_token, "refresh_token"), (tokens.access_token, "access_token")]
    for token, hint in pairs:
        if token:
            form, auth = _client_credentials(endpoints, {"token": token, "token_type_hint": hint})
            answer = await http.post(endpoints.revoke_url, data=form, auth=auth, timeout=TOKEN_TIMEOUT_SECONDS)
            if answer.status_code >= 400:
                raise ConnectionError(f"the revocation endpoint answered {answer.status_code}")


def _client_credentials(endpoints: OAuth2Endpoints, form: dict[str, str]) -> tuple[dict[str, str], Any]:
    """The form and the httpx auth that carry the client's own credentials."""
    if endpoints.client_auth == "basic" and endpoints.client_secret is not None:
        return form, httpx.BasicAuth(endpoints.client_id, endpoints.client_secret)
    form = {**form, "client_id": endpoints.client_id}
    if endpoints.client_secret is not None:
        form["client_secret"] = endpoints.client_secret
    return form, httpx.USE_CLIENT_DEFAULT


async def _token_call(http: httpx.AsyncClient, endpoints: OAuth2Endpoints, form: dict[str, str]) -> dict[str, Any]:
    """POST to the token endpoint; the JSON answer, or the contract's error for the failure."""
    form, auth = _client_credentials(endpoints, form)
    sent = {**form, "client_secret": endpoints.client_secret or ""}
    host = httpx.URL(endpoints.token_url).host
    try:
        answer = await http.post(endpoints.token_url, data=form, auth=auth, timeout=TOKEN_TIMEOUT_SECONDS,
                                 headers={"Accept": "application/json"})
    except httpx.TimeoutException as exc:
        raise ModuleTimeoutError(f"the token endpoint {host} did not answer in time") from exc
    except httpx.HTTPError as exc:
        raise ConnectionError(f"the token endpoint {host} cannot be reached: {type(exc).__name__}") from exc
    if answer.status_code == 429:
        raise RateLimitError(f"the token endpoint {host} asks to slow down", retry_after=_retry_after(answer))
    try:
        body = answer.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ConnectionError(f"the token endpoint {host} answered {answer.status_code} without a JSON object")
    if answer.status_code >= 500:
        raise ConnectionError(f"the token endpoint {host} answered {answer.status_code}")
    if answer.status_code >= 400 or "error" in body:
        reason = _scrubbed(str(body.get("error", answer.status_code)), sent)
        detail = body.get("error_description")
        message = f"the token endpoint refused: {reason}"
        if isinstance(detail, str):
            message += f" ({_scrubbed(detail, sent)[:300]})"
        if reason in ("invalid_grant", "invalid_client", "unauthorized_client") or answer.status_code == 401:
            raise AuthenticationError(message + ": authorize the connection again")
        if reason in ("temporarily_unavailable", "server_error"):
            raise ConnectionError(message)
        raise InvalidConfigurationError(message)
    return body


def _scrubbed(text: str, form: Mapping[str, str]) -> str:
    """``text`` without any value this client sent (a service may echo the refresh token or secret)."""
    for value in form.values():
        if len(value) >= 4:
            text = text.replace(value, "********")
    return text


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return max(0.0, float(answer.headers.get("retry-after", "")))
    except ValueError:
        return None


def _tokens(body: Mapping[str, Any], now: float, previous_refresh: str | None) -> Tokens:
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ConnectionError("the token endpoint answered without an access_token")
    kind = str(body.get("token_type", "bearer")).lower()
    if kind != "bearer":
        raise InvalidConfigurationError(f"the service issues {kind!r} tokens; only bearer tokens are supported")
    expires_in = body.get("expires_in")
    try:
        expires_at = now + float(expires_in) if expires_in is not None else None
    except (TypeError, ValueError):
        expires_at = None
    refresh_token = body.get("refresh_token")
    scope = body.get("scope")
    return Tokens(access, refresh_token if isinstance(refresh_token, str) and refresh_token else previous_refresh,
                  expires_at, scope if isinstance(scope, str) else None)


class TokenSource(Protocol):
    """Where ``OAuth2Auth`` gets its access token: the connection's, refreshed when due."""

    async def current(self) -> str:
        """An access token that is not about to expire."""
        ...

    async def renew(self, stale: str) -> str:
        """A new access token after the service refused ``stale`` (a 401)."""
        ...


class OAuth2Auth(httpx.Auth):
    """``Authorization: Bearer`` with the connection's token; one retry with a new token after a 401."""

    def __init__(self, source: TokenSource) -> None:
        self._source = source

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise TypeError("OAuth2Auth needs an async client")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._source.current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {await self._source.renew(token)}"
            yield request
