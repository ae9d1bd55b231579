"""The store port: every record the engine keeps, and the calls that keep them.

Every query is scoped by account here, in the store layer, never in callers:
an object of another account is simply not found.

Implementations: ``memory.MemoryStore`` (unit tests) and ``sql.SqlStore``
(SQLite, the embedded default, and PostgreSQL), both checked by one contract
suite in ``tests/store/``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from scenarist.types import JSON, AccountId, ExecutionId, RunStatus, ScenarioId


@dataclass(frozen=True)
class ScenarioRecord:
    id: ScenarioId
    account_id: AccountId
    name: str
    definition: dict[str, Any]
    """The scenario definition as JSON (contract section 3)."""
    active: bool
    created_at: datetime
    updated_at: datetime
    consecutive_errors: int = 0
    hook_token: str | None = None
    """The secret part of the scenario's webhook URL (unique across all accounts), if it has one."""


@dataclass(frozen=True)
class ExecutionRecord:
    id: ExecutionId
    account_id: AccountId
    scenario_id: ScenarioId
    status: RunStatus
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    operations: int = 0
    error: dict[str, Any] | None = None
    """``{"type", "message", "step"}`` of the error that ended the run, if any."""
    confidential: bool = False
    response: dict[str, Any] | None = None
    """``{"status", "headers", "body"}`` set by ``webhooks.respond``."""
    trigger_input: JSON = None
    """The trigger event's payload (webhook request, manual input). Payload data:
    purged with the activity stream; never stored for confidential scenarios in
    clear (the caller passes it encrypted or not at all)."""
    trigger_event: str = "manual"
    """What started the run: ``manual``, ``webhook``, ``schedule`` or ``retry``."""
    resolved_by: ExecutionId | None = None
    """The retry whose success resolved this execution's incomplete executions (it then reads ``success``)."""
    retry_of: str | None = None
    """For a retry: the id of the incomplete execution it resumed."""


@dataclass(slots=True)
class ActivityRecord:
    """One operation (or one filtered bundle) of a run.

    Not frozen: a run makes one per operation, and a frozen dataclass's ``__init__``
    (``object.__setattr__`` per field) cost more than the rest of recording it."""

    step: str
    module: str
    bundle: int
    status: str
    """``success``, ``error``, ``filtered`` or ``skipped``."""
    started_at: datetime
    duration_ms: float
    input: JSON = None
    output: JSON = None
    error: dict[str, Any] | None = None
    """``{"type", "message"}``; for confidential scenarios ``{"type"}`` only."""


@dataclass(frozen=True)
class IncompleteRecord:
    id: str
    account_id: AccountId
    execution_id: ExecutionId
    scenario_id: ScenarioId
    step: str
    error: dict[str, Any]
    state: bytes
    """Opaque resume state (serialized by the engine, encrypted when confidential)."""
    created_at: datetime
    attempts: int = 0
    next_retry_at: datetime | None = None
    """None: waits for a manual retry."""


@dataclass(frozen=True)
class NotificationRecord:
    id: str
    account_id: AccountId
    kind: str
    message: str
    created_at: datetime
    scenario_id: ScenarioId | None = None
    data: dict[str, Any] = field(default_factory=dict)
    read_at: datetime | None = None
    """When the account marked it read; None while unread."""


@dataclass(frozen=True)
class GatewayLogRecord:
    """One request received by the webhook gateway, and its answer."""

    id: str
    account_id: AccountId
    hook: str
    """The hook token the request was addressed to."""
    method: str
    path: str
    """The request target: the path and, after ``?``, the query string as received."""
    status: int
    """The HTTP status answered."""
    received_at: datetime
    duration_ms: float
    scenario_id: ScenarioId | None = None
    """None when no scenario took the request (unknown or inactive hook)."""
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes | None = None
    response_body: bytes | None = None


@dataclass(frozen=True)
class RetentionWindows:
    """Days each kind of record is kept (contract section 8)."""

    gateway_logs_days: int = 30
    incomplete_days: int = 30
    notifications_days: int = 7
    activity_days: int = 30
    runs_days: int = 60


@dataclass(frozen=True)
class ScenarioVersion:
    scenario_id: ScenarioId
    n: int
    """1 for the first save, then one more per save."""
    saved_at: datetime
    definition: dict[str, Any]


VERSIONS_KEPT_DAYS = 60
"""How long old versions are kept (``purge`` kind ``versions``); a scenario's newest version stays."""

USAGE_KEPT_DAYS = 400
"""How long the hourly operation counters are kept (``purge`` kind ``usage``): past a year."""

UNFINISHED = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


def usage_hour(run: ExecutionRecord) -> datetime:
    """The UTC hour whose counter a finished run's operations go to."""
    at = run.finished_at or run.started_at or run.created_at
    return hour_of(at)


def hour_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def usage_of(
    finished: list[tuple[ExecutionRecord, list[ActivityRecord]]], unfinished: set[str]
) -> Counter[tuple[AccountId, ScenarioId, datetime]]:
    """What a group commit adds to the hourly counters: each run not finished before
    counts once, with the operations of its last record in the batch."""
    last = {run.id: run for run, _ in finished if run.id in unfinished and run.status not in UNFINISHED}
    usage: Counter[tuple[AccountId, ScenarioId, datetime]] = Counter()
    for run in last.values():
        if run.operations:
            usage[(run.account_id, run.scenario_id, usage_hour(run))] += run.operations
    return usage


@dataclass(frozen=True)
class AccountRecord:
    id: AccountId
    email: str
    """As registered; looked up case-insensitively."""
    password_hash: str | None
    """None: the account has no password (it signs in by e-mailed links)."""
    created_at: datetime


@dataclass(frozen=True)
class MailRecord:
    """One e-mail waiting in the queue until an SMTP server accepts it (then it is deleted)."""

    id: str
    sealed: bytes
    """The message (recipient, subject, plain text and HTML bodies) sealed by the vault: the queue holds
    sign-in links, which must not lie in the database in clear."""
    created_at: datetime
    next_attempt_at: datetime
    account_id: AccountId | None = None
    """The account it is for, when it has one yet (erased with the account)."""
    attempts: int = 0
    last_error: str | None = None
    discard_after: datetime | None = None
    """A message worth nothing later (a sign-in link that expired) is dropped, not sent, after this."""


EMAIL_LINKS_KEPT = timedelta(days=1)
"""How long a sign-in link is kept past its expiry (following it then still says "expired")."""


@dataclass(frozen=True)
class EmailLinkRecord:
    """A sign-in link sent by e-mail: only the SHA-256 of its token is kept."""

    token_hash: str
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class SessionRecord:
    id_hash: str
    """SHA-256 hex of the opaque session id; the id itself is never stored."""
    account_id: AccountId
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class TokenRecord:
    id: str
    account_id: AccountId
    name: str
    token_hash: str
    """SHA-256 hex of the API token; the token itself is shown once and never stored."""
    created_at: datetime


@dataclass(frozen=True)
class ConnectionRecord:
    """Credentials for a service, of one account. The store never sees a secret in clear."""

    id: str
    account_id: AccountId
    type: str
    """The connection type's full key (``http.bearer``)."""
    name: str
    fields: dict[str, Any]
    """The non-secret fields, as JSON."""
    secrets: bytes
    """The secret fields as JSON, sealed by the caller with the vault (AES-256-GCM,
    the connection id as associated data). Anything derived from the credentials
    (refreshed tokens) is kept here too, so deleting the row deletes it all."""
    key_id: str
    """The id of the vault key that sealed ``secrets``."""
    created_at: datetime
    updated_at: datetime
    flagged: bool = False
    """True once the service refused the credentials (``AuthenticationError``)."""


@dataclass(frozen=True)
class DataStoreRecord:
    """A data store of an account (Make's data stores): records by key, each checked against
    ``structure`` by the caller. User data: no retention window applies, the account's erasure
    deletes it."""

    id: str
    account_id: AccountId
    name: str
    structure: list[dict[str, Any]]
    """The fields a record may have, as JSON: ``{"name", "type", "required", "label"?}`` each."""
    max_records: int
    max_bytes: int
    """The limit of ``size_bytes``."""
    created_at: datetime
    updated_at: datetime
    record_count: int = 0
    """Kept by the store with every write, in the same transaction; ignored when passed in."""
    size_bytes: int = 0
    """The records' data as compact UTF-8 JSON (``codec.json_size``), summed; kept like ``record_count``."""


@dataclass(frozen=True)
class DataRecord:
    """One record of a data store."""

    store_id: str
    key: str
    """Unique in its store; 1 to ``DATA_KEY_MAX_LENGTH`` characters."""
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


DATA_KEY_MAX_LENGTH = 256

DataLimit = Literal["max_records", "max_bytes"]

RecordChange = Callable[[DataStoreRecord, dict[str, Any] | None], dict[str, Any]]
"""Given the data store (as locked for the write) and a record's current data (None when there is
no record with the key), the record's new data. It may raise: the exception propagates and
nothing is written."""

DataStoreChange = Callable[[DataStoreRecord], DataStoreRecord]
"""Given the data store as locked for the change, its new version (same contract for raising)."""


class DataStoreFull(Exception):
    """A write would take a data store past one of its limits; nothing was written."""

    def __init__(self, data_store: DataStoreRecord, limit: DataLimit) -> None:
        super().__init__(f"data store {data_store.name!r} is at its limit {limit}")
        self.data_store = data_store
        """The store as it was when the write was refused (its counters included)."""
        self.limit = limit


@dataclass(frozen=True)
class DataStoreQuota:
    """What all the data stores of one account may take together, so that one account cannot fill
    the disk with stores that each keep their own limits."""

    max_stores: int
    """How many data stores an account may have."""
    max_bytes: int
    """The most the stores' ``max_bytes`` may add up to: declared limits, not current sizes, so that
    a record write never fails because of another store."""


QuotaLimit = Literal["max_stores", "max_bytes"]


class DataStoreQuotaExceeded(Exception):
    """Creating a data store, or raising its ``max_bytes``, would take its account past its
    ``DataStoreQuota``; nothing was written."""

    def __init__(self, limit: QuotaLimit, quota: DataStoreQuota, stores: int, others_bytes: int) -> None:
        super().__init__(f"the account's data stores are at their quota {limit}")
        self.limit = limit
        self.quota = quota
        self.stores = stores
        """How many data stores the account has, as counted under its lock."""
        self.others_bytes = others_bytes
        """The ``max_bytes`` of the account's other stores (all but the one created or changed), summed."""


class ScenarioStore(Protocol):
    """Scenarios, their versions and their webhook tokens."""

    async def put_scenario(self, scenario: ScenarioRecord) -> None:
        """Insert or replace (by id) a scenario."""
        ...

    async def get_scenario(self, account_id: AccountId, scenario_id: ScenarioId) -> ScenarioRecord | None: ...

    async def list_scenarios(self, account_id: AccountId) -> list[ScenarioRecord]: ...

    async def add_scenario_version(self, scenario: ScenarioRecord) -> ScenarioVersion:
        """Keep the scenario's definition as its next version, saved at its ``updated_at``.
        ``ValueError`` when the scenario is not the account's."""
        ...

    async def list_scenario_versions(
        self, account_id: AccountId, scenario_id: ScenarioId, *, before: int | None = None, limit: int = 100
    ) -> list[ScenarioVersion]:
        """Newest first; ``before`` a version number, for the next page."""
        ...

    async def get_scenario_version(
        self, account_id: AccountId, scenario_id: ScenarioId, n: int
    ) -> ScenarioVersion | None: ...

    async def delete_scenario(self, account_id: AccountId, scenario_id: ScenarioId) -> bool:
        """Delete a scenario and everything of it (executions, activity, incomplete, state,
        gateway logs)."""
        ...

    async def set_scenario_active(self, account_id: AccountId, scenario_id: ScenarioId, active: bool) -> bool: ...

    async def record_run_outcome(self, account_id: AccountId, scenario_id: ScenarioId, failed: bool) -> int:
        """Reset (failed=False) or increment (failed=True) the scenario's
        consecutive error count; return the new count."""
        ...

    async def list_active_scenarios(self) -> list[ScenarioRecord]:
        """The active scenarios of every account, oldest first (created_at, then id).
        The scheduler reads them every second: one indexed query."""
        ...

    async def get_scenario_by_hook(self, hook_token: str) -> ScenarioRecord | None:
        """The scenario whose webhook token this is, of any account."""
        ...


class RunStore(Protocol):
    """Runs: executions, their activity, incomplete executions, per-scenario state."""

    async def create_execution(self, execution: ExecutionRecord) -> None:
        """``ValueError`` when the id is taken or the scenario is not the account's."""
        ...

    async def update_execution(self, execution: ExecutionRecord) -> None:
        """Replace the mutable fields (status, times, operations, error, response, trigger_input) by id;
        ``confidential`` is fixed when the execution is created (intake knows the scenario's setting)."""
        ...

    async def finish_executions(self, finished: list[tuple[ExecutionRecord, list[ActivityRecord]]]) -> None:
        """The group commit of finished runs, in ONE transaction: for each pair, in
        order, append the activity records as one batch (as ``append_activity``, none
        when the list is empty) and replace the execution's mutable fields (as
        ``update_execution``). ``ValueError``, and nothing of the batch stored, when an
        execution is not found in its record's account. A run that was not finished yet
        (queued or running) adds its operations to its scenario's counter of the UTC hour
        it finished in (``operations_by_scenario``); one that already was adds nothing."""
        ...

    async def operations_by_scenario(
        self, account_id: AccountId, since: datetime, until: datetime
    ) -> dict[ScenarioId, int]:
        """The operations of the account's runs that finished in ``[since, until)``, per
        scenario (deleted ones included), from the hourly counters that ``finish_executions``
        moves: ``since`` and ``until`` are taken to their UTC hour. Scenarios without
        operations are absent."""
        ...

    async def get_execution(self, account_id: AccountId, execution_id: ExecutionId) -> ExecutionRecord | None: ...

    async def list_executions(
        self,
        account_id: AccountId,
        scenario_id: ScenarioId,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: ExecutionId | None = None,
    ) -> list[ExecutionRecord]:
        """Newest first (created_at, then id); ``before`` is an execution id: the page after it."""
        ...

    async def append_activity(self, execution_id: ExecutionId, records: list[ActivityRecord]) -> None:
        """Append a batch; implementations store a batch compactly (one row)."""
        ...

    async def get_activity(self, account_id: AccountId, execution_id: ExecutionId) -> list[ActivityRecord]:
        """All records of the execution, in append order."""
        ...

    async def put_incomplete(self, record: IncompleteRecord) -> None:
        """Insert or replace by id."""
        ...

    async def get_incomplete(self, account_id: AccountId, incomplete_id: str) -> IncompleteRecord | None: ...

    async def list_incomplete(
        self, account_id: AccountId, scenario_id: ScenarioId | None = None
    ) -> list[IncompleteRecord]:
        """Oldest first."""
        ...

    async def due_incomplete(self, now: datetime, limit: int = 100) -> list[IncompleteRecord]:
        """Records of every account whose ``next_retry_at`` <= now, earliest first."""
        ...

    async def delete_incomplete(self, account_id: AccountId, incomplete_id: str) -> bool: ...

    async def resolve_incomplete(self, account_id: AccountId, incomplete_id: str, resolved_by: ExecutionId) -> bool:
        """In one transaction: delete the incomplete execution, then mark ``success`` with
        ``resolved_by`` every execution ended ``incomplete`` that it stood for (its ``execution_id``
        and the retries of it, ``retry_of``) and that no other incomplete execution still waits on.
        False (nothing changed) when the account has no such incomplete execution."""
        ...

    async def get_state(self, scenario_id: ScenarioId, key: str) -> JSON:
        """None when unset."""
        ...

    async def set_state(self, scenario_id: ScenarioId, key: str, value: JSON) -> None: ...


class QueueStore(Protocol):
    """Dispatch: the run queue the gateway fills and the workers take from."""

    async def enqueue_executions(self, executions: list[ExecutionRecord]) -> None:
        """Insert queued executions (with their trigger_input) in ONE transaction
        (the gateway's group commit); each gets the next queue sequence number."""
        ...

    async def count_queued(self, scenario_id: ScenarioId) -> int: ...

    async def list_queued(self, limit: int = 1000) -> list[ExecutionRecord]:
        """Queued executions of active scenarios, every account, in arrival order
        (queue sequence), with their trigger_input."""
        ...

    async def mark_running(self, started: list[tuple[ExecutionId, datetime]]) -> None:
        """Set ``running`` and ``started_at`` on each execution that is still ``queued``, in one
        transaction (a run that already finished keeps its status, whatever the order of writes)."""
        ...

    async def requeue_running(self) -> int:
        """Put every ``running`` execution back to ``queued`` (after a crash); the count. A sub-scenario's
        run (``trigger_event`` ``scenario``) is ``cancelled`` instead: its caller runs again and calls anew."""
        ...

    async def claim_execution(self, execution_id: ExecutionId, started_at: datetime) -> bool:
        """Conditional update ``queued -> running``; False when it was not queued."""
        ...


class GatewayLogStore(Protocol):
    """The webhook gateway's log."""

    async def add_gateway_log(self, record: GatewayLogRecord) -> None: ...

    async def add_gateway_logs(self, records: list[GatewayLogRecord]) -> None:
        """Add many gateway log records in ONE transaction; ``ValueError``, and none
        of them stored, when an id is taken (or repeated in the list)."""
        ...

    async def list_gateway_logs(
        self, account_id: AccountId, *, scenario_id: ScenarioId | None = None, limit: int = 100,
        before: str | None = None, bodies: bool = False,
    ) -> list[GatewayLogRecord]:
        """Newest first (received_at, then id); ``before`` is a log id: the page after it (none when it
        is not one of these). Without ``bodies``, ``request_body``/``response_body`` are None."""
        ...

    async def get_gateway_log(self, account_id: AccountId, log_id: str) -> GatewayLogRecord | None:
        """One request with its bodies."""
        ...


class AccountStore(Protocol):
    """Accounts, sessions, API tokens and notifications."""

    async def create_account(self, account: AccountRecord) -> bool:
        """False when the e-mail is taken (compared case-insensitively)."""
        ...

    async def get_account(self, account_id: AccountId) -> AccountRecord | None: ...

    async def get_account_by_email(self, email: str) -> AccountRecord | None:
        """Case-insensitive."""
        ...

    async def set_password(self, account_id: AccountId, password_hash: str, *, keep_session: str | None) -> bool:
        """Store a new password hash and end every session of the account but ``keep_session`` (an id
        hash); False when there is no such account."""
        ...

    async def prove_email(self, account_id: AccountId, now: datetime) -> bool:
        """Record that the account's address was proven (an e-mailed link was followed). True the first time:
        then, in the same transaction, the account's password is cleared and its sessions and API tokens end,
        so whoever registered the address before its owner proved it keeps nothing. False after that, or
        when there is no such account."""
        ...

    async def delete_account(self, account_id: AccountId) -> bool:
        """Erase the account and every row of it: scenarios, executions, activity,
        incomplete executions, notifications, state, gateway logs, sessions, tokens,
        connections, data stores and their records, queued e-mails, and the sign-in links to its address
        with their e-mails."""
        ...

    async def export_account(self, account_id: AccountId) -> dict[str, Any]:
        """Every personal datum of the account as JSON-ready values, no secrets:
        ``account`` (id, email, created_at), ``scenarios``, ``executions`` (each with
        its ``log``), ``incomplete_executions`` (without state), ``notifications``,
        ``tokens`` (id, name, created_at), ``sessions`` (created_at, last_seen_at),
        ``gateway_logs`` (without bodies), ``connections`` (id, type, name, the
        non-secret fields, flagged, times; never the sealed secrets), ``data_stores`` (each with
        its ``records``). Times as ISO 8601 strings."""
        ...

    async def create_session(self, session: SessionRecord) -> None: ...

    async def get_session(self, id_hash: str) -> SessionRecord | None: ...

    async def touch_session(self, id_hash: str, last_seen_at: datetime) -> None: ...

    async def delete_session(self, id_hash: str) -> None: ...

    async def delete_sessions(self, *, idle_before: datetime, created_before: datetime) -> int:
        """Delete sessions last seen before ``idle_before`` or created before ``created_before``."""
        ...

    async def create_token(self, token: TokenRecord) -> None: ...

    async def get_token_by_hash(self, token_hash: str) -> TokenRecord | None: ...

    async def list_tokens(self, account_id: AccountId) -> list[TokenRecord]: ...

    async def delete_token(self, account_id: AccountId, token_id: str) -> bool: ...

    async def add_notification(self, record: NotificationRecord) -> None: ...

    async def list_notifications(self, account_id: AccountId) -> list[NotificationRecord]:
        """Newest first."""
        ...

    async def mark_notification_read(self, account_id: AccountId, notification_id: str, read_at: datetime) -> bool:
        """Set ``read_at`` (a notification already read keeps its first time); False when it is not
        one of the account's."""
        ...


class ConnectionStore(Protocol):
    """Connections (their credentials sealed by the vault)."""

    async def put_connection(self, connection: ConnectionRecord) -> None:
        """Insert or replace (by id) a connection; ``ValueError`` when the id is another account's."""
        ...

    async def get_connection(self, account_id: AccountId, connection_id: str) -> ConnectionRecord | None: ...

    async def list_connections(self, account_id: AccountId) -> list[ConnectionRecord]:
        """Oldest first (created_at, then id)."""
        ...

    async def delete_connection(self, account_id: AccountId, connection_id: str) -> bool:
        """Delete the connection and everything derived from its credentials (all in its row)."""
        ...

    async def set_connection_flag(self, account_id: AccountId, connection_id: str, flagged: bool) -> bool:
        """Set or clear the flag that the service refused the credentials; False when not found."""
        ...

    async def list_all_connections(self, *, after: str | None = None, limit: int = 500) -> list[ConnectionRecord]:
        """A page of the connections of every account, by id, those with an id above ``after``
        (key rotation walks them all with it)."""
        ...

    async def connection_key_ids(self) -> set[str]:
        """The vault key ids that the stored connections are sealed with."""
        ...

    async def reseal_connection(
        self, connection_id: str, *, expected_key_id: str, expected_secrets: bytes, secrets: bytes, key_id: str,
        updated_at: datetime,
    ) -> bool:
        """Compare-and-swap for key rotation: replace ``secrets`` and ``key_id`` only while the
        row still holds ``expected_secrets`` sealed under ``expected_key_id`` (what the rotation
        read); False when the row is gone or changed meanwhile."""
        ...


class DataStoreStore(Protocol):
    """Data stores and their records (user data: no retention; every write locks its store, so limits hold
    under concurrency)."""

    async def create_data_store(self, data_store: DataStoreRecord, quota: DataStoreQuota | None = None) -> None:
        """Insert a data store without records (its counters start at 0); ``ValueError`` when the id is taken.
        With a ``quota`` (None: none), the count and the insert are one transaction under the account's
        lock, so racing creates never pass it: ``DataStoreQuotaExceeded`` when the account has
        ``max_stores`` stores already, or when its stores' ``max_bytes`` and this one's would add up
        past the quota's ``max_bytes``."""
        ...

    async def get_data_store(self, account_id: AccountId, store_id: str) -> DataStoreRecord | None: ...

    async def list_data_stores(self, account_id: AccountId) -> list[DataStoreRecord]:
        """Oldest first (created_at, then id)."""
        ...

    async def update_data_store(
        self, account_id: AccountId, store_id: str, change: DataStoreChange, quota: DataStoreQuota | None = None
    ) -> DataStoreRecord | None:
        """Under the store's write lock (no record write runs meanwhile), write what ``change`` makes of
        it: name, structure, limits, updated_at (id, account, created_at and the counters stay).
        With a ``quota``, under the account's lock too (taken first): ``DataStoreQuotaExceeded`` when the
        change raises ``max_bytes`` and the stores' ``max_bytes`` would add up past the quota's (a change
        that raises nothing passes, even over a lowered quota). The updated store; None when the
        account has no such store."""
        ...

    async def delete_data_store(self, account_id: AccountId, store_id: str) -> bool:
        """Delete the store and its records."""
        ...

    async def get_data_record(self, account_id: AccountId, store_id: str, key: str) -> DataRecord | None: ...

    async def list_data_records(
        self, account_id: AccountId, store_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[DataRecord]:
        """The store's records by key in code point order, those after the key ``after``; [] when the
        account has no such store."""
        ...

    async def write_data_record(
        self, account_id: AccountId, store_id: str, key: str, change: RecordChange, now: datetime
    ) -> DataRecord | None:
        """Insert or replace the record ``key`` with what ``change`` makes of it, in ONE transaction
        under the store's write lock: the limits are checked against the counters as locked,
        and the counters move with the write. ``DataStoreFull`` when the write would add a
        record past ``max_records`` or grow ``size_bytes`` past ``max_bytes`` (a write that
        grows neither passes, even in a store over a lowered limit); ``ValueError`` for a key
        that is empty or too long, or data JSON cannot hold. A replaced record keeps its
        ``created_at``. The record written; None when the account has no such store."""
        ...

    async def delete_data_record(self, account_id: AccountId, store_id: str, key: str) -> bool: ...

    async def clear_data_records(self, account_id: AccountId, store_id: str) -> int | None:
        """Delete every record of the store; how many, None when the account has no such store."""
        ...


class MailStore(Protocol):
    """The platform's e-mail queue and the sign-in links (their e-mails queued with them)."""

    async def enqueue_mails(self, mails: list[MailRecord]) -> None:
        """Add e-mails to the queue in one transaction; ``ValueError`` when an id is taken."""
        ...

    async def due_mails(self, now: datetime, limit: int = 50) -> list[MailRecord]:
        """Queued e-mails whose ``next_attempt_at`` is at or before ``now``, oldest attempt first."""
        ...

    async def next_mail_at(self) -> datetime | None:
        """The earliest ``next_attempt_at`` of the queue; None when it is empty."""
        ...

    async def claim_mail(self, mail: MailRecord, until: datetime) -> bool:
        """Move ``next_attempt_at`` of the e-mail from what ``mail`` read to ``until``, if no other sender did
        meanwhile: True when this caller may send it (another sender sees it due only after ``until``)."""
        ...

    async def retry_mail(self, mail_id: str, *, attempts: int, next_attempt_at: datetime, error: str) -> None:
        """Record a failed attempt and when to try again."""
        ...

    async def delete_mail(self, mail_id: str) -> bool:
        """Remove an e-mail from the queue (sent, or dropped); False when it was not there."""
        ...

    async def create_email_link(self, link: EmailLinkRecord, mail: MailRecord) -> None:
        """Store a sign-in link and queue its e-mail in one transaction; links that expired a day before
        ``link.created_at`` are deleted on the way. ``ValueError`` when the token hash or mail id is taken."""
        ...

    async def use_email_link(self, token_hash: str, now: datetime) -> str | None:
        """Mark the link used, once: the e-mail it was sent to, or None when there is no such link, it was
        used already, or it expired at or before ``now``."""
        ...


class Store(ScenarioStore, RunStore, QueueStore, GatewayLogStore, AccountStore, ConnectionStore, DataStoreStore,
            MailStore, Protocol):
    """Every role port in one: what the memory and SQL stores implement."""

    async def purge(self, as_of: datetime, windows: RetentionWindows) -> dict[str, int]:
        """Delete what is older than its window as of ``as_of``; count per kind:
        ``runs`` (executions finished/created before as_of - runs_days, with
        their activity), ``activity`` (activity batches of executions created
        before as_of - activity_days, and their trigger_input), ``incomplete``
        (created before as_of - incomplete_days), ``notifications``
        (created before as_of - notifications_days), ``gateway_logs``
        (received before as_of - gateway_logs_days). A record exactly at the
        edge is kept. Each kind counts the rows its own window deleted (for
        ``activity``: batches), not what a longer-reaching kind took along."""
        ...

    async def close(self) -> None: ...
