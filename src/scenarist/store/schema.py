"""The SQL tables (SQLAlchemy Core), one schema for SQLite and PostgreSQL.

Times are ``UtcDateTime`` (aware UTC in Python; naive UTC text on SQLite,
``timestamptz`` on PostgreSQL); JSON is ``JsonText`` (compact text on both).
Children reference their parents with ``ON DELETE CASCADE`` and with the
account in the key, so a row can never hang under another account's parent.
Scenarios do not reference ``accounts`` (the command line's ``local`` account
has no row there); sessions and API tokens do. An account's e-mail is unique
through ``email_key``, its lower-cased form. Connections keep their secret
fields sealed by the vault (``secrets``, with the sealing ``key_id``); like
scenarios they do not reference ``accounts``.
Data stores (``data_stores``) keep their records' count and size next to their
limits, moved by every write under the store row's lock; their records
(``data_records``) hang under them with the account in the key, and sort by
key in code point order on both databases (collation "C" on PostgreSQL).
An account without a password (it signs in by e-mailed links) has the empty
string in ``password_hash`` (``NoneIsEmpty``: the column is NOT NULL since the
first revision, and SQLite cannot relax that without rebuilding a table that
others reference). The e-mail queue (``mail_queue``) holds each message sealed
by the vault until an SMTP server accepts it; ``email_links`` holds the
SHA-256 of each sign-in link's token, never the token.
The migrations in ``migrations/versions`` create exactly these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from scenarist.store.codec import dump_json, load_json, utc

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every dialect."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JsonText(sa.TypeDecorator[Any]):
    """Any JSON value as compact text; Python None is SQL NULL."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else dump_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else load_json(value)


class NoneIsEmpty(sa.TypeDecorator[str]):
    """Text where Python None is stored as the empty string (for a NOT NULL column)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str:
        return "" if value is None else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return value or None


def _id(name: str = "id", **kw: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=False, **kw)


scenarios = sa.Table(
    "scenarios",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("definition", JsonText, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("consecutive_errors", sa.Integer, nullable=False),
    sa.Column("hook_token", sa.String(64)),
    sa.UniqueConstraint("account_id", "id"),
    sa.Index(None, "account_id", "created_at"),
    sa.Index(None, "hook_token", unique=True),
    sa.Index(None, "active", "created_at", "id"),
)

queue_sequence = sa.Sequence("executions_queue_seq", metadata=metadata)
"""PostgreSQL numbers queued executions from this sequence; SQLite, whose writers
take turns, from the highest number in use (see ``SqlStore``)."""

executions = sa.Table(
    "executions",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    _id("scenario_id"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("operations", sa.Integer, nullable=False),
    sa.Column("error", JsonText),
    sa.Column("confidential", sa.Boolean, nullable=False),
    sa.Column("response", JsonText),
    sa.Column("trigger_input", JsonText),
    sa.Column("trigger_event", sa.String(16), nullable=False, server_default="manual"),
    sa.Column("queue_seq", sa.BigInteger),
    sa.Column("resolved_by", sa.String(64)),
    sa.Column("retry_of", sa.String(64)),
    sa.ForeignKeyConstraint(
        ["account_id", "scenario_id"],
        ["scenarios.account_id", "scenarios.id"],
        ondelete="CASCADE",
    ),
    sa.UniqueConstraint("account_id", "id"),
    sa.Index(None, "scenario_id", "created_at", "id"),
    sa.Index(None, "created_at"),
    sa.Index(None, "finished_at"),
    sa.Index(None, "status", "queue_seq"),
    sa.Index(None, "scenario_id", "status"),
)

activity_batches = sa.Table(
    "activity_batches",
    metadata,
    _id("execution_id"),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.PrimaryKeyConstraint("execution_id", "seq"),
    sa.ForeignKeyConstraint(["execution_id"], ["executions.id"], ondelete="CASCADE"),
)

scenario_versions = sa.Table(
    "scenario_versions",
    metadata,
    _id("account_id"),
    _id("scenario_id"),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
    sa.Column("definition", JsonText, nullable=False),
    sa.PrimaryKeyConstraint("scenario_id", "n"),
    sa.ForeignKeyConstraint(
        ["account_id", "scenario_id"],
        ["scenarios.account_id", "scenarios.id"],
        ondelete="CASCADE",
    ),
    sa.Index(None, "account_id"),
    sa.Index(None, "saved_at"),
)
"""Every save of a scenario: ``n`` counts from 1 per scenario."""

usage_hours = sa.Table(
    "usage_hours",
    metadata,
    _id("account_id"),
    _id("scenario_id"),
    sa.Column("hour", UtcDateTime, nullable=False),
    sa.Column("operations", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("account_id", "scenario_id", "hour"),
    sa.Index(None, "hour"),
)
"""Operations of finished runs per scenario and UTC hour (``finish_executions`` adds to them):
a month in any whole-hour time zone is a sum of whole buckets. No foreign key: a deleted
scenario's operations still count for its account's month."""

incomplete = sa.Table(
    "incomplete",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    _id("execution_id"),
    _id("scenario_id"),
    sa.Column("step", sa.Text, nullable=False),
    sa.Column("error", JsonText, nullable=False),
    sa.Column("state", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_retry_at", UtcDateTime),
    sa.ForeignKeyConstraint(
        ["account_id", "execution_id"],
        ["executions.account_id", "executions.id"],
        ondelete="CASCADE",
    ),
    sa.Index(None, "account_id", "scenario_id", "created_at"),
    sa.Index(None, "execution_id"),
    sa.Index(None, "next_retry_at"),
    sa.Index(None, "created_at"),
)

notifications = sa.Table(
    "notifications",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("scenario_id", sa.String(64)),
    sa.Column("data", JsonText, nullable=False),
    sa.Column("read_at", UtcDateTime),
    sa.Index(None, "account_id", "created_at"),
    sa.Index(None, "created_at"),
)

scenario_state = sa.Table(
    "scenario_state",
    metadata,
    _id("scenario_id"),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("value", JsonText, nullable=False),
    sa.PrimaryKeyConstraint("scenario_id", "key"),
)

gateway_logs = sa.Table(
    "gateway_logs",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    sa.Column("scenario_id", sa.String(64)),
    sa.Column("hook", sa.String(255), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("request_headers", JsonText, nullable=False),
    sa.Column("request_body", sa.LargeBinary),
    sa.Column("response_body", sa.LargeBinary),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Index(None, "account_id", "received_at"),
    sa.Index(None, "scenario_id"),
    sa.Index(None, "received_at"),
)

accounts = sa.Table(
    "accounts",
    metadata,
    _id(primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("email_key", sa.String(320), nullable=False),
    sa.Column("password_hash", NoneIsEmpty, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("email_proven_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("email_key"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    _id("account_id"),
    sa.Column("csrf_token", sa.String(128), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
    sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
    sa.Index(None, "account_id"),
    sa.Index(None, "last_seen_at"),
    sa.Index(None, "created_at"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
    sa.UniqueConstraint("token_hash"),
    sa.Index(None, "account_id", "created_at"),
)

connections = sa.Table(
    "connections",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    sa.Column("type", sa.String(128), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("fields", JsonText, nullable=False),
    sa.Column("secrets", sa.LargeBinary, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("flagged", sa.Boolean, nullable=False),
    sa.Index(None, "account_id", "created_at"),
    sa.Index(None, "key_id"),
)

DATA_KEY = sa.String(256).with_variant(sa.String(256, collation="C"), "postgresql")
"""A record key: compared and sorted by code point on every dialect (SQLite's default is binary)."""

data_stores = sa.Table(
    "data_stores",
    metadata,
    _id(primary_key=True),
    _id("account_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("structure", JsonText, nullable=False),
    sa.Column("max_records", sa.Integer, nullable=False),
    sa.Column("max_bytes", sa.BigInteger, nullable=False),
    sa.Column("record_count", sa.Integer, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("account_id", "id"),
    sa.Index(None, "account_id", "created_at"),
)

data_records = sa.Table(
    "data_records",
    metadata,
    _id("account_id"),
    _id("store_id"),
    sa.Column("key", DATA_KEY, nullable=False),
    sa.Column("data", JsonText, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("store_id", "key"),
    sa.ForeignKeyConstraint(
        ["account_id", "store_id"],
        ["data_stores.account_id", "data_stores.id"],
        ondelete="CASCADE",
    ),
    sa.Index(None, "account_id"),
)

mail_queue = sa.Table(
    "mail_queue",
    metadata,
    _id(primary_key=True),
    sa.Column("account_id", sa.String(64)),
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("discard_after", UtcDateTime),
    sa.Index(None, "next_attempt_at"),
    sa.Index(None, "account_id"),
)

email_links = sa.Table(
    "email_links",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("email_key", sa.String(320), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("used_at", UtcDateTime),
    sa.Column("mail_id", sa.String(64)),
    sa.Index(None, "email_key"),
    sa.Index(None, "expires_at"),
)
