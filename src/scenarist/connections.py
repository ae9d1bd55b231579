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
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from scenarist.engine.registry import Registry
from scenarist.engine.validation import Problem, pydantic_problems
from scenarist.sdk import AuthenticationError, ConnectionType, Egress, InvalidConfigurationError, ModuleError
from scenarist.store.ports import ConnectionRecord, Store
from scenarist.types import AccountId, Clock, SystemClock, new_id
from scenarist.vault import Vault, VaultError

ROTATION_PAGE = 200
TEST_TIMEOUT_SECONDS = 30.0
HIDDEN = "********"


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
        egress: Egress | None = None,
    ) -> None:
        self.egress = egress
        """Where a connection test may connect: the same guard as the runs."""
        self.store = store
        self.registry = registry
        self.vault = vault
        self.clock = clock or SystemClock()

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

    async def delete(self, account_id: AccountId, connection_id: str) -> bool:
        """Deletes the row, which holds the credentials and everything derived from them."""
        return await self.store.delete_connection(account_id, connection_id)

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
        outcome, refused = await _run_test(kind, {**record.fields, **secret}, self.egress)
        if refused or (outcome.ok and record.flagged):
            await self.store.set_connection_flag(account_id, connection_id, refused)
        return TestOutcome(outcome.ok, _scrub(outcome.message, secret.values()))

    # -- the engine's Credentials port -------------------------------------------------

    async def problem(self, account_id: AccountId, connection_id: str, accepted: tuple[str, ...]) -> str | None:
        return (await self._usable(account_id, connection_id, accepted))[1]

    async def resolve(self, account_id: AccountId, connection_id: str, accepted: tuple[str, ...]) -> dict[str, Any]:
        record, problem = await self._usable(account_id, connection_id, accepted)
        if record is None or problem is not None:
            raise InvalidConfigurationError(problem)
        try:
            return {"type": record.type, "fields": self._open(record)}
        except VaultError as exc:
            raise InvalidConfigurationError(f"connection {connection_id!r} cannot be decrypted: {exc}") from None

    def auth(self, account_id: AccountId, connection_id: str, connection: Mapping[str, Any]) -> httpx.Auth | None:
        kind = self.registry.connection_type(str(connection.get("type")))
        if kind is None or kind.auth is None:
            return None
        return kind.auth(connection.get("fields") or {})

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

    def _secrets(self, record: ConnectionRecord) -> dict[str, Any]:
        secret: dict[str, Any] = json.loads(self.vault.open(record.secrets, _aad(record.id)))
        return secret

    def _open(self, record: ConnectionRecord) -> dict[str, Any]:
        """Every field of the connection, the secret ones decrypted."""
        return {**record.fields, **self._secrets(record)}


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
