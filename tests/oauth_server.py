"""A small OAuth 2.0 authorization server for the tests, run for real on 127.0.0.1.

It implements what Scenarist relies on and checks it strictly: the
authorization code grant with PKCE (S256 only), registered redirect URIs,
client authentication in the body or with HTTP Basic, the refresh token grant
(rotating refresh tokens when asked), RFC 7009 revocation, and a protected
resource ``/api/me`` that answers 401 to an expired, revoked or unknown token.
The user's consent is automatic (``deny`` refuses it instead); tests read the
counters to see what Scenarist did.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.threaded_server import serving

CLIENT_ID = "scenarist-test"
CLIENT_SECRET = "client-secret-4f1c"


@dataclass
class Issued:
    client_id: str
    expires_at: float
    refresh: str | None = None
    revoked: bool = False


@dataclass
class AuthServer:
    redirect_uris: tuple[str, ...]
    url: str = ""
    expires_in: int = 3600
    rotate_refresh: bool = False
    deny: bool = False
    throttle: bool = False
    """The token endpoint answers 429 with Retry-After."""
    echo_secrets: bool = False
    """A refused refresh names the refresh token it was sent (a careless service)."""
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access: dict[str, Issued] = field(default_factory=dict)
    refresh: dict[str, Issued] = field(default_factory=dict)
    refresh_grants: int = 0
    code_grants: int = 0
    unauthorized: int = 0
    api_calls: int = 0
    revoked: list[str] = field(default_factory=list)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)

    # -- what tests do to it --------------------------------------------------------

    def invalidate_access_tokens(self) -> None:
        """Every access token issued so far stops working (as a service restart or a key roll would)."""
        for issued in self.access.values():
            issued.revoked = True

    def revoke_refresh_tokens(self) -> None:
        for issued in self.refresh.values():
            issued.revoked = True

    def live_access_tokens(self) -> list[str]:
        now = time.time()
        return [token for token, issued in self.access.items() if not issued.revoked and issued.expires_at > now]

    # -- endpoints ------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.authorize_requests.append(q)
        if q.get("client_id") != CLIENT_ID or q.get("redirect_uri") not in self.redirect_uris:
            return JSONResponse({"error": "invalid_request"}, status_code=400)  # never redirect to an unknown URI
        back = q["redirect_uri"]
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return RedirectResponse(f"{back}?{urlencode({'error': 'invalid_request', 'state': q.get('state', '')})}",
                                    status_code=302)
        if self.deny:
            return RedirectResponse(f"{back}?{urlencode({'error': 'access_denied', 'state': q.get('state', '')})}",
                                    status_code=302)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": back, "used": False,
                            "scope": q.get("scope", "")}
        return RedirectResponse(f"{back}?{urlencode({'code': code, 'state': q.get('state', '')})}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await _form(request)
        if not self._client_ok(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") == "authorization_code":
            return self._code_grant(form)
        if form.get("grant_type") == "refresh_token":
            return self._refresh_grant(form)
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)

    def _client_ok(self, request: Request, form: dict[str, Any]) -> bool:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client_id == CLIENT_ID and secrets.compare_digest(str(secret), CLIENT_SECRET)

    def _code_grant(self, form: dict[str, Any]) -> Response:
        grant = self.codes.get(str(form.get("code")))
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or grant["used"] or grant["redirect_uri"] != form.get("redirect_uri") \
                or not secrets.compare_digest(challenge, grant["challenge"]):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        grant["used"] = True
        self.code_grants += 1
        return self._issue(None)

    def _refresh_grant(self, form: dict[str, Any]) -> Response:
        token = str(form.get("refresh_token"))
        if self.throttle:
            return JSONResponse({"error": "slow_down"}, status_code=429, headers={"Retry-After": "42"})
        issued = self.refresh.get(token)
        if issued is None or issued.revoked:
            said = f"refresh token {token} revoked" if self.echo_secrets else "refresh token revoked"
            return JSONResponse({"error": "invalid_grant", "error_description": said}, status_code=400)
        self.refresh_grants += 1
        if self.rotate_refresh:
            issued.revoked = True
            return self._issue(None)
        return self._issue(token)

    def _issue(self, keep_refresh: str | None) -> Response:
        access = "at-" + secrets.token_urlsafe(24)
        refresh = keep_refresh or "rt-" + secrets.token_urlsafe(24)
        self.access[access] = Issued(CLIENT_ID, time.time() + self.expires_in, refresh)
        self.refresh.setdefault(refresh, Issued(CLIENT_ID, float("inf")))
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": self.expires_in}
        if keep_refresh is None:
            body["refresh_token"] = refresh
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def revoke(self, request: Request) -> Response:
        form = await _form(request)
        if not self._client_ok(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = str(form.get("token"))
        self.revoked.append(token)
        for issued in (self.access.get(token), self.refresh.get(token)):
            if issued is not None:
                issued.revoked = True
        for issued in self.access.values():  # revoking a refresh token ends its access tokens
            if issued.refresh == token:
                issued.revoked = True
        return Response(status_code=200)

    async def me(self, request: Request) -> Response:
        self.api_calls += 1
        header = request.headers.get("authorization", "")
        issued = self.access.get(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None
        if issued is None or issued.revoked or issued.expires_at <= time.time():
            self.unauthorized += 1
            return JSONResponse({"error": "invalid_token"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return JSONResponse({"user": "ada", "calls": self.api_calls})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/revoke", self.revoke, methods=["POST"]),
            Route("/api/me", self.me),
        ])


async def _form(request: Request) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` body as a dict (RFC 6749 sends every request so)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    return dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))


@contextmanager
def serve(server: AuthServer) -> Iterator[AuthServer]:
    """Run ``server`` on uvicorn in a thread on an ephemeral loopback port; ``server.url`` is its base."""
    with serving(server.app()) as url:
        server.url = url
        yield server
