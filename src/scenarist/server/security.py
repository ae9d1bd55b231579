"""The security middleware: headers, authentication, CSRF and the access log.

A pure ASGI middleware in front of everything, the webhook gateway included.
For every HTTP request it

- adds the security headers (CSP, nosniff, referrer policy; HSTS over HTTPS
  or with ``force_https``) to the answer, whatever produced it; a webhook
  answer (``/hooks/``) always gets the sandbox CSP and nosniff, and loses any
  ``Set-Cookie``, whatever its producer set;
- for ``/api/v1``: refuses (413) a body over ``api_max_bytes`` (64 KiB under
  ``/api/v1/auth/``), from its ``Content-Length`` before reading it, else as
  soon as the streamed bytes pass the cap; refuses a state-changing request whose ``Origin`` is
  cross-site, authenticates a bearer API token or the session cookie into
  ``scope["state"]`` (``account_id``, ``auth``, ``session_hash``), and refuses
  a cookie-authenticated state-changing request without the session's
  ``X-CSRF-Token``;
- appends one JSON line to ``data_dir/access.log`` (``scenarist.access_log``: paths that carry user data
  as their route template, rotation, retention).

Under ``/hooks/`` it does only the headers and the log: the gateway must stay fast.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scenarist.access_log import logged_path
from scenarist.server.errors import error_response, unexpected_error
from scenarist.store.ports import SessionRecord

if TYPE_CHECKING:
    from scenarist.server.runtime import Runtime

SESSION_COOKIE = "scenarist_session"
"""Holds the opaque session id; HttpOnly, SameSite=Lax, no Max-Age."""
EMAIL_COOKIE = "scenarist_email"
"""Holds only the remembered e-mail for the login form; authenticates nothing."""
CSRF_HEADER = "x-csrf-token"
LOGGED_ACCOUNT = "logged_account"
"""The request state's key for the account a registration or login succeeded for: its access log entry names it
(an authenticated request's names ``account_id``)."""

API_PREFIX = "/api/v1/"
AUTH_PREFIX = "/api/v1/auth/"
AUTH_MAX_BYTES = 64 * 1024
"""The body cap of ``/api/v1/auth/*``: what a login or a registration can need, and no more."""
HOOKS_PREFIX = "/hooks/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_EXEMPT = frozenset({"/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/email-link"})
"""They act on no session's authority; the Origin check still guards them."""

CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
HOOK_HEADERS = {
    "content-security-policy": "sandbox; default-src 'none'",
    "x-content-type-options": "nosniff",
}
"""A webhook answer is the tenant's content: sandboxed (no script, no same-origin access), never sniffed,
whatever headers it was given (contract section 6)."""


def digest(secret: str) -> str:
    """SHA-256 hex of a session id or API token: the only form the store keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` lower-cased, default ports dropped; ``"null"`` when there is none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "null"
    scheme, host = parts.scheme.lower(), parts.hostname
    if not scheme or not host:
        return "null"
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def strip_query(url: str) -> str:
    """A referrer without its query string, fragment and credentials."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    netloc = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else parts.path


def parse_networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated CIDRs (or single addresses); a bad entry raises ValueError."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec.split(",") if item.strip())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SecurityMiddleware:
    """Security headers, API authentication, CSRF and the access log (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime) -> None:
        settings = runtime.settings
        self.app = app
        self.runtime = runtime
        self.proxies = parse_networks(settings.trusted_proxies)
        self.public_origin = origin_of(settings.public_url)
        self.access_log = runtime.access_log
        idle = settings.session_idle_seconds
        self.idle = timedelta(seconds=idle)
        self.lifetime = timedelta(seconds=settings.session_max_seconds)
        self.touch_every = timedelta(seconds=min(60.0, idle / 10))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.app(scope, receive, self._lifespan_send(send))
        else:
            await self.app(scope, receive, send)

    def _lifespan_send(self, send: Send) -> Send:
        async def forward(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown."):
                self.access_log.flush()
            await send(message)

        return forward

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = Headers(scope=scope)
        state = scope.setdefault("state", {})
        state["client_ip"] = self.client_ip(scope, headers)
        status: list[int] = []
        https = scope.get("scheme") == "https" or self.runtime.settings.force_https
        api = scope["path"].startswith(API_PREFIX)
        hook = scope["path"].startswith(HOOKS_PREFIX)

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                self._add_headers(message, https=https, api=api, hook=hook)
            await send(message)

        try:
            refusal = None
            if api:
                cap = self.body_cap(scope["path"])
                refusal = _declared_over(headers, cap) or await self._guard(scope, headers, state)
                receive = _capped(receive, cap)
            await (refusal or self.app)(scope, receive, guarded_send)
        except Exception as exc:
            if status:
                raise
            answer = await unexpected_error(Request(scope), exc)
            await answer(scope, receive, guarded_send)
        finally:
            self._log(scope, headers, status[0] if status else 500, time.perf_counter() - started)

    def _add_headers(self, message: Message, *, https: bool, api: bool, hook: bool) -> None:
        out = MutableHeaders(scope=message)
        if hook:
            for name in ("set-cookie", "content-security-policy-report-only", *HOOK_HEADERS):
                del out[name]
            out.update(HOOK_HEADERS)
        for name, value in HEADERS.items():
            out.setdefault(name, value)
        if https:
            out.setdefault("strict-transport-security", HSTS)
        if api:
            out.setdefault("cache-control", "no-store")

    def body_cap(self, path: str) -> int:
        """The most bytes a request body to ``path`` may have (contract section 7)."""
        cap = self.runtime.settings.api_max_bytes
        return min(cap, AUTH_MAX_BYTES) if path.startswith(AUTH_PREFIX) else cap

    # -- authentication and CSRF

    async def _guard(self, scope: Scope, headers: Headers, state: dict[str, Any]) -> Response | None:
        """A 403 answer when the request must not reach the API, else None (state filled in)."""
        unsafe = scope["method"] in UNSAFE_METHODS
        if unsafe and self._cross_site(scope, headers):
            return error_response(403, "forbidden", "cross-site request refused")
        session = await self._authenticate(headers, state)
        if session is None or not unsafe or scope["path"] in CSRF_EXEMPT:
            return None
        if not hmac.compare_digest(headers.get(CSRF_HEADER, "").encode(), session.csrf_token.encode()):
            return error_response(403, "forbidden", "missing or wrong X-CSRF-Token")
        return None

    def _cross_site(self, scope: Scope, headers: Headers) -> bool:
        origin = headers.get("origin")
        if origin is None:
            return False
        claimed = origin_of(origin)
        own = origin_of(f"{scope.get('scheme', 'http')}://{headers.get('host', '')}")
        return claimed == "null" or claimed not in {own, self.public_origin}

    async def _authenticate(self, headers: Headers, state: dict[str, Any]) -> SessionRecord | None:
        """Fill in the state from a bearer token or a live session; the session when it was one."""
        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                record = await self.runtime.store.get_token_by_hash(digest(token.strip()))
                if record is not None:
                    state.update(account_id=record.account_id, auth="token")
            return None
        session_id = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        session = await self.live_session(digest(session_id)) if session_id else None
        if session is not None:
            state.update(account_id=session.account_id, auth="session", session_hash=session.id_hash,
                         csrf_token=session.csrf_token)
        return session

    async def live_session(self, id_hash: str) -> SessionRecord | None:
        """The session if it is alive now (its last-seen time refreshed now and then); a dead one is deleted."""
        store, now = self.runtime.store, self.runtime.clock.now()
        session = await store.get_session(id_hash)
        if session is None:
            return None
        last_seen = _aware(session.last_seen_at)
        if now - last_seen > self.idle or now - _aware(session.created_at) > self.lifetime:
            await store.delete_session(id_hash)
            return None
        if now - last_seen >= self.touch_every:
            await store.touch_session(id_hash, now)
        return session

    # -- client address and the access log

    def client_ip(self, scope: Scope, headers: Headers) -> str | None:
        """The peer, or the nearest untrusted hop of X-Forwarded-For when the peer is a trusted proxy."""
        client = scope.get("client")
        peer: str | None = client[0] if client else None
        if not self.proxies or peer is None or not self._trusted(peer):
            return peer
        hops = [hop.strip() for value in headers.getlist("x-forwarded-for") for hop in value.split(",")]
        for hop in reversed([h for h in hops if h]):
            if not self._trusted(hop):
                return hop if _is_ip(hop) else peer
        return peer

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)

    def _log(self, scope: Scope, headers: Headers, status: int, seconds: float) -> None:
        state = scope.get("state", {})
        self.access_log.write({
            "time": self.runtime.clock.now().isoformat(),
            "ip": state.get("client_ip"),
            "method": scope["method"],
            "path": logged_path(scope["path"]),
            "account": state.get("account_id") or state.get(LOGGED_ACCOUNT),
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "user_agent": headers.get("user-agent"),
            "referrer": strip_query(headers["referer"]) if "referer" in headers else None,
            "locale": headers.get("accept-language"),
        })


def _too_large(cap: int) -> str:
    return f"request body over {cap} bytes"


def _declared_over(headers: Headers, cap: int) -> Response | None:
    """413 at once, before a byte of the body is read, when ``Content-Length`` says it is over ``cap``."""
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        return error_response(413, "payload_too_large", _too_large(cap), headers={"Connection": "close"})
    return None


def _capped(receive: Receive, cap: int) -> Receive:
    """``receive`` that counts the body as it streams (chunked bodies have no Content-Length) and raises
    a 413 ``HTTPException`` as soon as it is over ``cap``: the rest is never read."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > cap:
                raise HTTPException(413, _too_large(cap), headers={"Connection": "close"})
        return message

    return counted


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
