"""Connections: an account's credentials for a service, sealed by the vault.

``create`` checks the fields against the connection type's model, splits off
the secret fields (``ConnectionType.secret_fields``, and any ``SecretStr``
field) and seals them as JSON with the vault (AES-256-GCM, the connection id
as associated data); the store keeps the non-secret fields, the sealed bytes
and the id of the key that sealed them, never a secret in clear.

A run resolves a step's connection through this service (the engine's
``Credentials`` port): only a connection of the run's account, of a type the
step's module accepts, decrypted into ``{"type", "fields"}``. An
``AuthenticationError`` flags the connection; a passing ``test`` clears the flag.

``rotate`` re-seals every connection not under the newest key, one row at a
time with a compare-and-swap, so it may run while a server uses the rows.
``check_keys`` fails loudly when a stored connection's key id is not configured.

An OAuth 2.0 type (``ConnectionType.oauth2``) is usable once authorized:
``authorize`` starts the flow (``scenarist.oauth``), ``complete`` takes the
callback. The pending authorization and the tokens are sealed with the other
secrets under reserved keys, never given to a module (``ctx.auth`` sends the
token), refreshed with a compare-and-swap, and revoked when the connection is
deleted.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, SecretStr, ValidationError

from scenarist import oauth
from scenarist.engine.registry import Registry
from scenarist.engine.validation import Problem, pydantic_problems
from scenarist.oauth import OAuth2Auth, OAuthError, Pending, Tokens
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    OAuth2Endpoints,
)
from scenarist.store.ports import ConnectionRecord, Store
from scenarist.types import AccountId, Clock, SystemClock, new_id
from scenarist.vault import Vault, VaultError

_log = structlog.get_logger("scenarist.connections")

ROTATION_PAGE = 200
TEST_TIMEOUT_SECONDS = 30.0
HIDDEN = "********"
TOKENS = "__oauth_tokens__"
PENDING = "__oauth_pending__"
RESERVED = (TOKENS, PENDING)
"""Sealed with the secret fields, never part of a connection's fields."""
CAS_ATTEMPTS = 5
STATE_REFUSED = "the authorization state is unknown, used or expired: start the authorization again"
"""One answer for every state that is not the pending one: which check failed is nobody's business."""
REFUSED_REFRESH_REREADS = (0.0, 1.0)
"""After a refused refresh, look again (at once, then a second later) for tokens another
process stored meanwhile, before calling the connection's authorization lost."""


class InvalidConnection(Exception):
    """The connection cannot be created; each problem names its path (``fields.token``)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class TestOutcome:
    """What ``POST /connections/{id}/test`` answers."""

    ok: bool
    message: str


class ConnectionService:
    def __init__(
        self, store: Store, registry: Registry, vault: Vault, *, clock: Clock | None = None,
        egress: Egress | None = None, http: httpx.AsyncClient | None = None, redirect_uri: str | None = None,
    ) -> None:
        self.egress = egress
        """Where a connection test may connect: the same guard as the runs."""
        self.store = store
        self.registry = registry
        self.vault = vault
        self.clock = clock or SystemClock()
        self.http = http
        """The guarded client for OAuth 2.0 token, refresh and revocation calls."""
        self.redirect_uri = redirect_uri
        """Where the service sends the user back: ``{public_url}/api/v1/oauth/callback``."""
        self._refreshing: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- the account's connections -------------------------------------------------

    async def create(self, account_id: AccountId, type_key: str, name: str, fields: Any) -> ConnectionRecord:
        """Check, split, seal and store; raises ``InvalidConnection``."""
        kind = self.registry.connection_type(type_key)
        if kind is None:
            raise InvalidConnection([Problem("type", f"unknown connection type {type_key!r}")])
        public, secret = _split(kind, _checked(kind, fields))
        connection_id, now = new_id(), self.clock.now()
        record = ConnectionRecord(
            id=connection_id, account_id=account_id, type=kind.key, name=name, fields=public,
            secrets=self._seal(connection_id, secret), key_id=self.vault.newest_key_id,
            created_at=now, updated_at=now,
        )
        await self.store.put_connection(record)
        return record

    async def update(self, account_id: AccountId, connection_id: str, *, name: str | None = None,
                     fields: Mapping[str, Any] | None = None) -> ConnectionRecord | None:
        """Rename and change fields: a field not given keeps its value (a secret one included), the
        whole is checked against the type again, re-sealed under the newest key; the OAuth tokens
        stay. New fields clear the flag (the service refused the old ones). Raises
        ``InvalidConnection`` (``fields.<name>`` for a field the type does not have); None when the
        account has no such connection."""
        record = await self.store.get_connection(account_id, connection_id)
        if record is None:
            return None
        changed = replace(record, name=record.name if name is None else name, updated_at=self.clock.now())
        if fields is not None:
            kind = self.registry.connection_type(record.type)
            if kind is None:
                raise InvalidConnection([Problem("type", f"the connection type {record.type!r} is not installed")])
            _require_known(kind, fields)
            sealed = self._sealed(record)
            merged = {**_fields_of(record, sealed), **fields}
            public, secret = _split(kind, _checked(kind, merged))
            reserved = {k: v for k, v in sealed.items() if k in RESERVED}
            changed = replace(changed, fields=public, secrets=self._seal(record.id, {**secret, **reserved}),
                              key_id=self.vault.newest_key_id, flagged=False)
        await self.store.put_connection(changed)
        return changed

    async def delete(self, account_id: AccountId, connection_id: str) -> bool:
        """Revoke an OAuth 2.0 connection's tokens (best effort), then delete the row, which holds
        the credentials and everything derived from them."""
        record = await self.store.get_connection(account_id, connection_id)
        if record is None:
            return False
        await self._revoke(record)
        return await self.store.delete_connection(account_id, connection_id)

    async def revoke_account(self, account_id: AccountId) -> None:
        """Revoke every OAuth 2.0 connection's tokens of the account (best effort): its erasure."""
        for record in await self.store.list_connections(account_id):
            await self._revoke(record)

    async def _revoke(self, record: ConnectionRecord) -> None:
        kind = self.registry.connection_type(record.type)
        if kind is None or kind.oauth2 is None or self.http is None:
            return
        try:
            sealed = self._sealed(record)
            if TOKENS not in sealed:
                return
            endpoints = kind.oauth2(_fields_of(record, sealed))
            async with asyncio.timeout(TEST_TIMEOUT_SECONDS):
                await oauth.revoke(self.http, endpoints, Tokens.from_json(sealed[TOKENS]))
        except (ModuleError, VaultError, TimeoutError, httpx.HTTPError) as exc:
            _log.warning("oauth_revocation_failed", connection_id=record.id, error=type(exc).__name__)

    # -- OAuth 2.0 -------------------------------------------------------------------

    async def authorize(self, account_id: AccountId, connection_id: str) -> str | None:
        """Start authorizing an OAuth 2.0 connection: the URL to send the user to (None: no such
        connection). Raises ``OAuthError`` for a type that is not OAuth 2.0."""
        record = await self.store.get_connection(account_id, connection_id)
        if record is None:
            return None
        kind, sealed = self._oauth_type(record), self._sealed(record)
        if self.redirect_uri is None:
            raise OAuthError("this server has no OAuth callback address")
        endpoints = _endpoints(kind, _fields_of(record, sealed))
        url, pending = oauth.start(endpoints, prefix=f"{account_id}.{connection_id}", redirect_uri=self.redirect_uri,
                                   now=self._now())
        await self._update(account_id, connection_id, lambda current: {**current, PENDING: pending.to_json()})
        return url

    async def complete(self, state: str, code: str | None, error: str | None = None) -> ConnectionRecord:
        """The callback: check ``state`` against the pending authorization, trade ``code`` for tokens
        and keep them. Raises ``OAuthError`` (any state that is not the pending one is refused alike)."""
        account_id, connection_id, nonce = _parse_state(state)
        record = await self.store.get_connection(account_id, connection_id)
        sealed = self._sealed(record) if record is not None and self._is_oauth(record) else {}
        pending = Pending.from_json(sealed[PENDING]) if PENDING in sealed else None
        if record is None or pending is None or not oauth.matches(pending, nonce, self._now()):
            raise OAuthError(STATE_REFUSED)
        await self._update(account_id, connection_id, _without_pending(pending))  # OAuthError when used meanwhile
        if error is not None or not code:
            raise OAuthError(f"the service did not authorize the connection: {error or 'no code'}")
        endpoints = _endpoints(self._oauth_type(record), _fields_of(record, sealed))
        try:
            tokens = await oauth.exchange(self._http(), endpoints, code, pending, self._now())
        except ModuleError as exc:
            raise OAuthError(_scrub(exc.message, sealed.values())) from None
        await self._update(account_id, connection_id, lambda current: {**current, TOKENS: tokens.to_json()})
        if record.flagged:
            await self.store.set_connection_flag(account_id, connection_id, False)
        return record

    async def fresh_tokens(self, account_id: AccountId, connection_id: str, endpoints: OAuth2Endpoints,
                           stale: str | None = None) -> Tokens:
        """The connection's tokens, refreshed when they are about to expire or ``stale`` was refused.

        One refresh at a time per connection in this process; the store's compare-and-swap keeps
        the tokens whole across processes, and a refresh that lost a race takes the winner's tokens."""
        lock = self._refreshing.get(connection_id)
        if lock is None:
            lock = self._refreshing[connection_id] = asyncio.Lock()
        async with lock:
            tokens = await self._stored_tokens(account_id, connection_id)
            if tokens.fresh(self._now()) and tokens.access_token != stale:
                return tokens
            try:
                renewed = await oauth.refresh(self._http(), endpoints, tokens, self._now())
            except AuthenticationError:
                for wait in REFUSED_REFRESH_REREADS:
                    await asyncio.sleep(wait)
                    latest = await self._stored_tokens(account_id, connection_id)
                    if latest.access_token != tokens.access_token:
                        return latest  # another process refreshed first, with a rotated refresh token
                raise
            stored = await self._update(account_id, connection_id, _replacing(tokens, renewed))
            return Tokens.from_json(stored[TOKENS])

    async def _stored_tokens(self, account_id: AccountId, connection_id: str) -> Tokens:
        record = await self.store.get_connection(account_id, connection_id)
        if record is None:
            raise InvalidConfigurationError(f"connection {connection_id!r} not found")
        sealed = self._sealed(record)
        if TOKENS not in sealed:
            raise InvalidConfigurationError(_not_authorized(connection_id))
        return Tokens.from_json(sealed[TOKENS])

    def authorized(self, record: ConnectionRecord) -> bool | None:
        """For an OAuth 2.0 connection, whether it holds tokens; None for any other type (and when its
        secrets cannot be opened, which its test says)."""
        if not self._is_oauth(record):
            return None
        try:
            return TOKENS in self._sealed(record)
        except VaultError:
            return None

    def _is_oauth(self, record: ConnectionRecord) -> bool:
        kind = self.registry.connection_type(record.type)
        return kind is not None and kind.oauth2 is not None

    def _oauth_type(self, record: ConnectionRecord) -> ConnectionType:
        kind = self.registry.connection_type(record.type)
        if kind is None or kind.oauth2 is None:
            raise OAuthError(f"connection {record.id!r} is of type {record.type}, which is not an OAuth 2.0 type")
        return kind

    def _http(self) -> httpx.AsyncClient:
        if self.http is None:
            raise InvalidConfigurationError("OAuth 2.0 needs the server's HTTP client")
        return self.http

    def _now(self) -> float:
        return self.clock.now().timestamp()

    async def _update(self, account_id: AccountId, connection_id: str,
                      change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Re-seal the connection's secrets as ``change`` makes them, compare-and-swap on the sealed
        bytes; what is sealed now."""
        for _ in range(CAS_ATTEMPTS):
            record = await self.store.get_connection(account_id, connection_id)
            if record is None:
                raise InvalidConfigurationError(f"connection {connection_id!r} not found")
            changed = change(self._sealed(record))
            sealed = self._seal(record.id, changed)
            if await self.store.reseal_connection(
                record.id, expected_key_id=record.key_id, expected_secrets=record.secrets, secrets=sealed,
                key_id=self.vault.newest_key_id, updated_at=self.clock.now(),
            ):
                return changed
        raise ConnectionError(f"connection {connection_id!r} kept changing while its tokens were stored")

    async def test(self, account_id: AccountId, connection_id: str) -> TestOutcome | None:
        """Run the type's test; None when the account has no such connection."""
        record = await self.store.get_connection(account_id, connection_id)
        if record is None:
            return None
        kind = self.registry.connection_type(record.type)
        if kind is None:
            return TestOutcome(False, f"the connection type {record.type!r} is not installed")
        try:
            secret = self._secrets(record)
        except VaultError as exc:
            return TestOutcome(False, f"the credentials cannot be decrypted: {exc}")
        if kind.oauth2 is not None:
            outcome, refused = await self._test_oauth(record, kind, {**record.fields, **secret})
        else:
            outcome, refused = await _run_test(kind, {**record.fields, **secret}, self.egress)
        if refused or (outcome.ok and record.flagged):
            await self.store.set_connection_flag(account_id, connection_id, refused)
        return TestOutcome(outcome.ok, _scrub(outcome.message, secret.values()))

    async def _test_oauth(self, record: ConnectionRecord, kind: ConnectionType,
                          fields: dict[str, Any]) -> tuple[TestOutcome, bool]:
        """Authorized, and the tokens still refresh: the token endpoint is the service's own check
        (without a refresh token, the access token's expiry is all there is to check)."""
        try:
            endpoints = _endpoints(kind, fields)
            stored = await self._stored_tokens(record.account_id, record.id)
            stale = stored.access_token if stored.refresh_token else None
            tokens = await self.fresh_tokens(record.account_id, record.id, endpoints, stale=stale)
        except AuthenticationError as exc:
            return TestOutcome(False, f"{exc.type}: {exc.message}"), True
        except ModuleError as exc:
            return TestOutcome(False, f"{exc.type}: {exc.message}"), False
        if tokens.expires_at is None:
            return TestOutcome(True, "authorized; the service did not say when the token expires"), False
        return TestOutcome(True, f"authorized; the token is valid for {int(tokens.expires_at - self._now())} s"), False

    # -- the engine's Credentials port -------------------------------------------------

    async def problem(self, account_id: AccountId, connection_id: str, accepted: tuple[str, ...]) -> str | None:
        return (await self._usable(account_id, connection_id, accepted))[1]

    async def resolve(self, account_id: AccountId, connection_id: str, accepted: tuple[str, ...]) -> dict[str, Any]:
        record, problem = await self._usable(account_id, connection_id, accepted)
        if record is None or problem is not None:
            raise InvalidConfigurationError(problem)
        try:
            sealed = self._sealed(record)
        except VaultError as exc:
            raise InvalidConfigurationError(f"connection {connection_id!r} cannot be decrypted: {exc}") from None
        if self._is_oauth(record) and TOKENS not in sealed:
            raise InvalidConfigurationError(_not_authorized(connection_id))
        return {"type": record.type, "fields": _fields_of(record, sealed)}

    def auth(self, account_id: AccountId, connection_id: str, connection: Mapping[str, Any]) -> httpx.Auth | None:
        kind = self.registry.connection_type(str(connection.get("type")))
        fields = connection.get("fields") or {}
        if kind is not None and kind.oauth2 is not None:
            return OAuth2Auth(_ConnectionTokens(self, account_id, connection_id, _endpoints(kind, fields)))
        if kind is None or kind.auth is None:
            return None
        return kind.auth(fields)

    async def flag(self, account_id: AccountId, connection_id: str) -> None:
        await self.store.set_connection_flag(account_id, connection_id, True)

    async def _usable(
        self, account_id: AccountId, connection_id: str, accepted: tuple[str, ...]
    ) -> tuple[ConnectionRecord | None, str | None]:
        record = await self.store.get_connection(account_id, connection_id)
        if record is None:
            return None, f"connection {connection_id!r} not found"
        if record.type not in accepted:
            takes = ", ".join(accepted) if accepted else "none"
            return record, f"connection {connection_id!r} is of type {record.type}; this module takes {takes}"
        return record, None

    # -- keys ------------------------------------------------------------------------

    async def check_keys(self) -> None:
        """``VaultError`` naming every key id that sealed a stored connection and is not configured."""
        self.vault.require(await self.store.connection_key_ids())

    async def rotate(self) -> int:
        """Re-seal every connection not under the newest key; how many were re-sealed."""
        await self.check_keys()
        newest, count, after = self.vault.newest_key_id, 0, None
        while page := await self.store.list_all_connections(after=after, limit=ROTATION_PAGE):
            after = page[-1].id
            for record in page:
                if record.key_id != newest and await self._reseal(record, newest):
                    count += 1
        return count

    async def _reseal(self, record: ConnectionRecord, newest: str) -> bool:
        aad = _aad(record.id)
        try:
            sealed = self.vault.seal(self.vault.open(record.secrets, aad), aad)
        except VaultError as exc:
            raise VaultError(f"connection {record.id}: {exc}") from None
        return await self.store.reseal_connection(
            record.id, expected_key_id=record.key_id, expected_secrets=record.secrets, secrets=sealed,
            key_id=newest, updated_at=self.clock.now(),
        )

    # -- sealing ---------------------------------------------------------------------

    def _seal(self, connection_id: str, secret: dict[str, Any]) -> bytes:
        raw = json.dumps(secret, separators=(",", ":"), ensure_ascii=False).encode()
        return self.vault.seal(raw, _aad(connection_id))

    def _sealed(self, record: ConnectionRecord) -> dict[str, Any]:
        """Everything sealed in the connection: its secret fields and the reserved OAuth entries."""
        sealed: dict[str, Any] = json.loads(self.vault.open(record.secrets, _aad(record.id)))
        return sealed

    def _secrets(self, record: ConnectionRecord) -> dict[str, Any]:
        """The secret fields only."""
        return {k: v for k, v in self._sealed(record).items() if k not in RESERVED}


class _ConnectionTokens:
    """A run's ``TokenSource``: the connection's token, kept for the run while it is fresh."""

    def __init__(self, service: ConnectionService, account_id: AccountId, connection_id: str,
                 endpoints: OAuth2Endpoints) -> None:
        self._service = service
        self._account_id = account_id
        self._connection_id = connection_id
        self._endpoints = endpoints
        self._tokens: Tokens | None = None

    async def current(self) -> str:
        if self._tokens is None or not self._tokens.fresh(self._service.clock.now().timestamp()):
            self._tokens = await self._service.fresh_tokens(self._account_id, self._connection_id, self._endpoints)
        return self._tokens.access_token

    async def renew(self, stale: str) -> str:
        self._tokens = await self._service.fresh_tokens(self._account_id, self._connection_id, self._endpoints,
                                                        stale=stale)
        return self._tokens.access_token


def _fields_of(record: ConnectionRecord, sealed: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of the connection, the secret ones decrypted; no reserved entry."""
    return {**record.fields, **{k: v for k, v in sealed.items() if k not in RESERVED}}


def _endpoints(kind: ConnectionType, fields: Mapping[str, Any]) -> OAuth2Endpoints:
    assert kind.oauth2 is not None
    return kind.oauth2(fields)


def _not_authorized(connection_id: str) -> str:
    return (f"connection {connection_id!r} is not authorized yet: open the address that "
            f"POST /api/v1/connections/{connection_id}/authorize gives")


def _replacing(used: Tokens, renewed: Tokens) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Store ``renewed`` only over the tokens it was refreshed from: tokens stored meanwhile (another
    process's refresh, a new authorization) are newer and stay."""

    def change(current: dict[str, Any]) -> dict[str, Any]:
        if current.get(TOKENS) == used.to_json():
            return {**current, TOKENS: renewed.to_json()}
        if TOKENS not in current:
            raise InvalidConfigurationError("the connection's authorization was withdrawn while it refreshed")
        return current

    return change


def _parse_state(state: str) -> tuple[str, str, str]:
    """``(account_id, connection_id, nonce)``; ``OAuthError`` for a state this server did not make."""
    parts = oauth.split_state(state)
    account_id, dot, connection_id = parts[0].partition(".") if parts else ("", "", "")
    if parts is None or not dot or not account_id or not connection_id:
        raise OAuthError(STATE_REFUSED)
    return account_id, connection_id, parts[1]


def _without_pending(pending: Pending) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Take the pending authorization out; ``OAuthError`` when it is no longer there (another
    callback with the same state took it first, or a newer authorization replaced it): the
    compare-and-swap makes a state good for exactly one callback."""

    def change(current: dict[str, Any]) -> dict[str, Any]:
        kept = current.get(PENDING)
        if isinstance(kept, dict) and kept.get("state_hash") == pending.state_hash:
            return {k: v for k, v in current.items() if k != PENDING}
        raise OAuthError(STATE_REFUSED)

    return change


async def _run_test(kind: ConnectionType, fields: dict[str, Any], egress: Egress | None) -> tuple[TestOutcome, bool]:
    """The outcome of the type's test, and whether the service refused the credentials."""
    try:
        _checked(kind, fields)
    except InvalidConnection as exc:
        return TestOutcome(False, f"the stored fields no longer fit {kind.key}: {exc}"), False
    if kind.test is None:
        return TestOutcome(True, f"the credentials are complete; {kind.key} has no online test"), False
    try:
        async with asyncio.timeout(TEST_TIMEOUT_SECONDS):
            return TestOutcome(True, await kind.test(dict(fields), egress=egress) or "ok"), False
    except ModuleError as exc:
        return TestOutcome(False, f"{exc.type}: {exc.message}"), isinstance(exc, AuthenticationError)
    except TimeoutError:
        return TestOutcome(False, f"ModuleTimeoutError: the test took over {TEST_TIMEOUT_SECONDS:g} s"), False
    except Exception as exc:
        return TestOutcome(False, f"RuntimeError: the test failed ({type(exc).__name__})"), False


def _aad(connection_id: str) -> bytes:
    return connection_id.encode()


def _checked(kind: ConnectionType, fields: Any) -> BaseModel:
    if not isinstance(fields, Mapping):
        raise InvalidConnection([Problem("fields", "the fields are an object")])
    try:
        return kind.fields.model_validate(dict(fields))
    except ValidationError as exc:
        raise InvalidConnection(pydantic_problems(exc, "fields")) from None


def _require_known(kind: ConnectionType, fields: Mapping[str, Any]) -> None:
    """``InvalidConnection`` naming each given field that the type does not have."""
    known = {info.alias or name for name, info in kind.fields.model_fields.items()} | set(kind.fields.model_fields)
    unknown = [key for key in fields if key not in known]
    if unknown:
        raise InvalidConnection([Problem(f"fields.{key}", f"{kind.key} has no field {key!r}") for key in unknown])


def _split(kind: ConnectionType, model: BaseModel) -> tuple[dict[str, Any], dict[str, Any]]:
    """(non-secret, secret) fields as JSON; ``SecretStr`` fields are secret whatever the type says."""
    dumped = model.model_dump(mode="json", by_alias=True)
    secret_keys = set(kind.secret_fields)
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            key = info.alias or name
            dumped[key] = value.get_secret_value()
            secret_keys.add(key)
    public = {k: v for k, v in dumped.items() if k not in secret_keys}
    return public, {k: v for k, v in dumped.items() if k in secret_keys}


def _scrub(message: str, secrets: Iterable[Any]) -> str:
    """``message`` without any secret value of the connection in it."""
    for value in secrets:
        if isinstance(value, str) and len(value) >= 4:
            message = message.replace(value, HIDDEN)
    return message
