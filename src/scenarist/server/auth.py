"""Accounts, sessions and API tokens: ``/auth/*``, ``/tokens``, ``/account``.

The security middleware has already authenticated the request (bearer token
or session cookie) and checked CSRF; these handlers create and end what it
checks. Password work (argon2id) runs in a worker thread and is rate-limited
per client address and per e-mail before any of it is spent.
"""

from __future__ import annotations

import math
import re
import secrets
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import JSONResponse

from scenarist.server.api_scenarios import month_operations
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError, not_found
from scenarist.server.passwords import MAX_LENGTH, MIN_LENGTH, Passwords
from scenarist.server.security import EMAIL_COOKIE, LOGGED_ACCOUNT, SESSION_COOKIE, digest
from scenarist.store.ports import AccountRecord, SessionRecord, TokenRecord
from scenarist.types import Clock, new_id

router = APIRouter()

Account = Annotated[str, Depends(account_id)]
EMAIL = re.compile(r"^(?=[\x21-\x7e]+$)[^@\s,;<>\"()\[\]\\:]+@[^@\s.,;<>\"()\[\]\\:]+(\.[^@\s.,;<>\"()\[\]\\:]+)+$")
"""An address as one recipient: no character that would split or quote it in a header (``a,b@x`` would
mail two), ASCII only (so that lower-casing cannot turn one mailbox into another: the Kelvin sign)."""
REMEMBER_SECONDS = 365 * 24 * 3600
EXPIRED = "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"


# -- request and answer bodies


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


EMAIL_FORMAT: dict[str, Any] = {"format": "email"}


class Registration(Strict):
    email: str = Field(max_length=254, json_schema_extra=EMAIL_FORMAT)
    password: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)

    @field_validator("email")
    @classmethod
    def _plausible(cls, value: str) -> str:
        value = value.strip()
        if not EMAIL.match(value):
            raise ValueError("not a valid e-mail address")
        return value


class EmailOnly(Strict):
    email: str = Field(max_length=254, json_schema_extra=EMAIL_FORMAT)

    @field_validator("email")
    @classmethod
    def _plausible(cls, value: str) -> str:
        return Registration._plausible(value)


class Login(Strict):
    email: str = Field(max_length=254, json_schema_extra=EMAIL_FORMAT)
    password: str = Field(max_length=MAX_LENGTH)
    remember_email: bool = False


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=100)


class PasswordChange(Strict):
    current_password: str = Field(default="", max_length=MAX_LENGTH)
    """Required when the account has a password; an account without one (signed up by e-mail link) sets its
    first password with the new one alone."""
    new_password: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)


class AccountDelete(Strict):
    password: str = Field(max_length=MAX_LENGTH)
    """Checked when the account has a password (anything, "" included, when it has none)."""


class AccountPublic(BaseModel):
    id: str
    email: str


class LoginAnswer(BaseModel):
    csrf_token: str


class MePublic(AccountPublic):
    has_password: bool
    """False for an account made by an e-mailed sign-in link until it sets a password."""
    csrf_token: str | None = None
    """The session's CSRF token (a cookie session only), so that a reloaded page can go on."""


class RememberedPublic(BaseModel):
    email: str


class TokenPublic(BaseModel):
    id: str
    name: str
    created_at: datetime


class TokenCreated(BaseModel):
    id: str
    name: str
    token: str
    """The secret; shown in this answer only."""


# -- rate limits


class RateLimiter:
    """At most ``limit`` events per key in any ``window`` (a sliding log of event times)."""

    SWEEP_AT = 100_000
    """Keys held before every stale one is dropped at once (a flood of new keys stays bounded)."""

    def __init__(self, limit: int, window: timedelta, clock: Clock) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[datetime]] = {}

    def retry_after(self, key: str) -> int | None:
        """Seconds until one more event is allowed, or None when it is allowed now."""
        events = self._recent(key)
        if len(events) < self.limit:
            return None
        return max(1, math.ceil((events[-self.limit] + self.window - self.clock.now()).total_seconds()))

    def count(self, key: str) -> int:
        """Events of the key in the window."""
        return len(self._recent(key))

    def hit(self, key: str) -> None:
        """Record one event."""
        if len(self._events) >= self.SWEEP_AT:
            for stale in list(self._events):
                self._recent(stale)
        self._events.setdefault(key, deque()).append(self.clock.now())

    def reset(self, key: str) -> None:
        """Forget the key's events (after a success)."""
        self._events.pop(key, None)

    def _recent(self, key: str) -> deque[datetime]:
        events = self._events.get(key, deque())
        horizon = self.clock.now() - self.window
        while events and events[0] <= horizon:
            events.popleft()
        if not events:
            self._events.pop(key, None)
        return events


class AuthKit:
    """The per-application password hasher and rate limiters (kept on ``app.state.auth_kit``).

    Throttling that a stranger cannot turn against an owner:

    - per client address: ``per_ip`` password attempts a minute, whatever the e-mail;
    - per (e-mail, client address) together: ``per_pair`` attempts in 5 minutes; a success
      clears them. An attacker hammering an e-mail from one address is stopped there, and the
      owner logging in from another address is not affected;
    - per e-mail, from every address: a high ceiling (``per_email`` attempts in 15 minutes) past
      which attempts for the e-mail are spaced ``spacing`` apart (429 with a Retry-After of at most
      that): a distributed guesser is slowed to one guess per ``spacing``, nobody is locked out for
      longer, and an address that logged into the account before is not held back at all.
    """

    def __init__(self, clock: Clock, *, per_ip: int = 30, per_email: int = 100, per_pair: int = 5,
                 spacing: timedelta = timedelta(seconds=2), passwords: Passwords | None = None,
                 links_per_ip: int = 10, links_per_email: int = 3) -> None:
        self.passwords = passwords or Passwords()
        self.per_ip = RateLimiter(per_ip, timedelta(minutes=1), clock)
        self.per_pair = RateLimiter(per_pair, timedelta(minutes=5), clock)
        self.per_email = RateLimiter(per_email, timedelta(minutes=15), clock)
        self._spaced = RateLimiter(1, spacing, clock)
        """One attempt per ``spacing`` per e-mail, once the e-mail is over its ceiling."""
        self._known = RateLimiter(1, timedelta(days=30), clock)
        """(e-mail, address) pairs that logged in: exempt from the e-mail's ceiling."""
        self.links_per_ip = RateLimiter(links_per_ip, timedelta(minutes=15), clock)
        self.links_per_email = RateLimiter(links_per_email, timedelta(minutes=15), clock)
        """Sign-in links: per client address, and per e-mail address (whoever asks) so that nobody's inbox
        can be flooded."""

    def admit_link(self, ip: str, email: str) -> None:
        """Count one sign-in link request; 429 with Retry-After when over a limit (the same whether or not
        the address has an account)."""
        waits = [self.links_per_ip.retry_after(ip), self.links_per_email.retry_after(email)]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            raise ApiError(429, "too many sign-in links asked for; try again later",
                           headers={"Retry-After": str(wait)})
        self.links_per_ip.hit(ip)
        self.links_per_email.hit(email)

    def admit(self, ip: str, email: str | None = None) -> None:
        """Count one password attempt; 429 with Retry-After when over a limit."""
        waits = [self.per_ip.retry_after(ip)]
        if email:
            waits += [self.per_pair.retry_after(_pair(email, ip)), self._email_wait(ip, email)]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            raise ApiError(429, "too many attempts; try again later", headers={"Retry-After": str(wait)})
        self.per_ip.hit(ip)
        if email:
            if self._over_ceiling(email):
                self._spaced.hit(email)
            self.per_pair.hit(_pair(email, ip))
            self.per_email.hit(email)

    def succeeded(self, ip: str, email: str) -> None:
        """The password was right: the address's attempts for the e-mail are forgiven, the address is known."""
        self.per_pair.reset(_pair(email, ip))
        self._known.reset(_pair(email, ip))
        self._known.hit(_pair(email, ip))

    def _email_wait(self, ip: str, email: str) -> int | None:
        if not self._over_ceiling(email) or self._known.count(_pair(email, ip)):
            return None
        return self._spaced.retry_after(email)

    def _over_ceiling(self, email: str) -> bool:
        return self.per_email.count(email) >= self.per_email.limit


def _pair(email: str, ip: str) -> str:
    return f"{email}\n{ip}"


def kit(request: Request) -> AuthKit:
    """The application's AuthKit, made on first use."""
    state = request.app.state
    found: AuthKit | None = getattr(state, "auth_kit", None)
    if found is None:
        found = state.auth_kit = AuthKit(runtime(request).clock)
    return found


Kit = Annotated[AuthKit, Depends(kit)]


def _client(request: Request) -> str:
    return str(request.scope.get("state", {}).get("client_ip") or "unknown")


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https" or runtime(request).settings.force_https


def cookie(name: str, value: str, *, secure: bool, http_only: bool = True, extra: str = "") -> str:
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    parts += [extra] if extra else []
    parts += ["HttpOnly"] if http_only else []
    parts += ["Secure"] if secure else []
    return "; ".join(parts)


# -- accounts and sessions


LIMITED: dict[int | str, dict[str, Any]] = {429: {
    "description": "Too many attempts; `Retry-After` says when to try again."}}


@router.post("/auth/register", status_code=201, responses={409: {"description": "The e-mail is taken."}, **LIMITED})
async def register(body: Registration, request: Request, auth_kit: Kit) -> AccountPublic:
    """Create an account; 409 when the e-mail is taken (in any letter case)."""
    store = runtime(request).store
    auth_kit.admit(_client(request))
    if await store.get_account_by_email(body.email) is not None:
        raise ApiError(409, "this e-mail is already registered", path="email")
    record = AccountRecord(id=new_id(), email=body.email, password_hash=await auth_kit.passwords.hash(body.password),
                           created_at=runtime(request).clock.now())
    if not await store.create_account(record):
        raise ApiError(409, "this e-mail is already registered", path="email")
    request.scope["state"][LOGGED_ACCOUNT] = record.id
    return AccountPublic(id=record.id, email=record.email)


@router.post("/auth/login", responses={401: {"description": "Wrong e-mail or password."}, **LIMITED})
async def login(body: Login, request: Request, response: Response, auth_kit: Kit) -> LoginAnswer:
    """Check the password, start a new session (a new id every time) and set its cookie."""
    rt = runtime(request)
    email_key = body.email.strip().lower()
    auth_kit.admit(_client(request), email_key)
    account = await rt.store.get_account_by_email(body.email.strip())
    matches = await auth_kit.passwords.verify(account.password_hash if account else None, body.password)
    if account is None or not matches:
        raise ApiError(401, "wrong e-mail or password")
    auth_kit.succeeded(_client(request), email_key)
    session_id, csrf = await new_session(request, account.id)
    request.scope["state"][LOGGED_ACCOUNT] = account.id
    secure = is_secure(request)
    response.headers.append("set-cookie", cookie(SESSION_COOKIE, session_id, secure=secure))
    response.headers.append("set-cookie", _remember_cookie(account.email if body.remember_email else None, secure))
    return LoginAnswer(csrf_token=csrf)


async def new_session(request: Request, account: str) -> tuple[str, str]:
    """End the session the request came with, if any, and store a new one: its (id, csrf token)."""
    rt = runtime(request)
    previous = request.scope.get("state", {}).get("session_hash")
    if previous:
        await rt.store.delete_session(previous)
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = rt.clock.now()
    await rt.store.create_session(SessionRecord(id_hash=digest(session_id), account_id=account, csrf_token=csrf,
                                                created_at=now, last_seen_at=now))
    return session_id, csrf


def _remember_cookie(email: str | None, secure: bool) -> str:
    """The e-mail for the login form (readable by its script), or the cookie's removal."""
    if email is None:
        return cookie(EMAIL_COOKIE, "", secure=secure, http_only=False, extra=EXPIRED)
    return cookie(EMAIL_COOKIE, quote(email, safe="@"), secure=secure, http_only=False,
                   extra=f"Max-Age={REMEMBER_SECONDS}")


def _ended(request: Request, *, forget_email: bool = False) -> Response:
    answer = Response(status_code=204)
    secure = is_secure(request)
    answer.headers.append("set-cookie", cookie(SESSION_COOKIE, "", secure=secure, extra=EXPIRED))
    if forget_email:
        answer.headers.append("set-cookie", _remember_cookie(None, secure))
    return answer


@router.post("/auth/logout", status_code=204)
async def logout(request: Request) -> Response:
    """End the session on the server and clear its cookie (204 even without one)."""
    session_hash = request.scope.get("state", {}).get("session_hash")
    if session_hash:
        await runtime(request).store.delete_session(session_hash)
    return _ended(request)


@router.get("/auth/me", response_model_exclude_none=True)
async def me(request: Request, account: Account) -> MePublic:
    """The authenticated account, and for a cookie session its ``csrf_token``."""
    record = await runtime(request).store.get_account(account)
    if record is None:
        raise ApiError(401, "authentication required")
    csrf = request.scope.get("state", {}).get("csrf_token")
    return MePublic(id=record.id, email=record.email, has_password=record.password_hash is not None,
                    csrf_token=csrf)


@router.get("/auth/remembered", response_model=RememberedPublic,
            responses={204: {"description": "No e-mail is remembered."}})
async def remembered(request: Request) -> Response:
    """The e-mail of the remember-e-mail cookie, for the login form; 204 without one. Needs no session."""
    email = unquote(request.cookies.get(EMAIL_COOKIE, "")).strip()
    if not email or len(email) > 254 or not EMAIL.match(email):
        return Response(status_code=204)
    return JSONResponse({"email": email})


# -- API tokens


@router.post("/tokens", status_code=201)
async def create_token(body: TokenCreate, request: Request, account: Account) -> TokenCreated:
    """A new API token (256 random bits); only its SHA-256 is stored."""
    rt = runtime(request)
    token = "scn_" + secrets.token_urlsafe(32)
    record = TokenRecord(id=new_id(), account_id=account, name=body.name, token_hash=digest(token),
                         created_at=rt.clock.now())
    await rt.store.create_token(record)
    return TokenCreated(id=record.id, name=record.name, token=token)


@router.get("/tokens")
async def list_tokens(request: Request, account: Account) -> list[TokenPublic]:
    """The account's tokens, without secrets."""
    records = await runtime(request).store.list_tokens(account)
    return [TokenPublic(id=r.id, name=r.name, created_at=r.created_at) for r in records]


@router.delete("/tokens/{token_id}", status_code=204)
async def delete_token(token_id: str, request: Request, account: Account) -> Response:
    """Revoke a token; 404 when it is not one of the account's."""
    if not await runtime(request).store.delete_token(account, token_id):
        raise not_found("token")
    return Response(status_code=204)


# -- the account's data


RECENT_SIGN_IN = timedelta(minutes=15)
"""How fresh the session of an account without a password must be for a grave change."""


async def _recent_sign_in(request: Request, path: str) -> None:
    """An account without a password has nothing to check again: a grave change then takes a cookie session
    signed in within ``RECENT_SIGN_IN`` (a fresh link), never an API token alone (403 at ``path``)."""
    rt = runtime(request)
    state = request.scope.get("state", {})
    session = await rt.store.get_session(state["session_hash"]) if state.get("auth") == "session" else None
    created = session.created_at if session is not None else None
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    if created is None or rt.clock.now() - created > RECENT_SIGN_IN:
        raise ApiError(403, "sign in again with an e-mailed link to do this (the account has no password)", path=path)


async def _recheck_password(request: Request, account: str, auth_kit: AuthKit, password: str, path: str) -> None:
    """The signed-in account's password, checked again before a grave change: rate-limited as a login,
    401 when the account is gone, 403 (at ``path``) when wrong; nothing to check when it has none."""
    store = runtime(request).store
    record = await store.get_account(account)
    if record is None:
        raise ApiError(401, "authentication required")
    if record.password_hash is None:
        await _recent_sign_in(request, path)
        return
    auth_kit.admit(_client(request), record.email.lower())
    if not await auth_kit.passwords.verify(record.password_hash, password):
        raise ApiError(403, "wrong password", path=path)
    auth_kit.succeeded(_client(request), record.email.lower())


@router.post("/account/password", status_code=204,
             responses={403: {"description": "Wrong current password."}, **LIMITED})
async def change_password(body: PasswordChange, request: Request, account: Account, auth_kit: Kit) -> Response:
    """Change the password after checking the current one (403 when wrong, rate-limited as a login); an
    account without a password sets one with ``new_password`` alone. Every other session of the account
    ends, the one making the request goes on."""
    store = runtime(request).store
    await _recheck_password(request, account, auth_kit, body.current_password, "current_password")
    keep = request.scope.get("state", {}).get("session_hash")
    await store.set_password(account, await auth_kit.passwords.hash(body.new_password), keep_session=keep)
    return Response(status_code=204)



@router.get("/account/export")
async def export_account(request: Request, account: Account) -> dict[str, Any]:
    """Every personal datum of the account, no secrets; fields named as the API names them (a scenario's
    ``webhook_url``, not its hook token, and its ``operations_this_month``; a connection's ``authorized``)."""
    rt = runtime(request)
    document = await rt.store.export_account(account)
    urls = {scenario.id: rt.engine.webhook_url(scenario) for scenario in await rt.store.list_scenarios(account)}
    operations = await month_operations(rt, account)
    for scenario in document.get("scenarios", []):
        scenario.pop("hook_token", None)
        scenario["webhook_url"] = urls.get(scenario["id"])
        scenario["operations_this_month"] = operations.get(scenario["id"], 0)
    authorized = {c.id: rt.connections.authorized(c) for c in await rt.store.list_connections(account)}
    for connection in document.get("connections", []):
        connection["authorized"] = authorized.get(connection["id"])
    return document


@router.delete("/account", status_code=204, responses={403: {"description": "Wrong password."}, **LIMITED})
async def delete_account(body: AccountDelete, request: Request, account: Account, auth_kit: Kit) -> Response:
    """Erase the account and all its data after re-checking the password; its sessions end and its
    triggers unregister their webhooks from their services."""
    store = runtime(request).store
    await _recheck_password(request, account, auth_kit, body.password, "password")
    await runtime(request).engine.release_account(account)  # while its connections still exist
    await runtime(request).connections.revoke_account(account)
    await store.delete_account(account)
    runtime(request).access_log.forget(account)
    return _ended(request, forget_email=True)
