"""Accounts, sessions, API tokens; webhook tokens; the run queue's order.

- ``accounts`` (e-mail unique through its lower-cased ``email_key``),
  ``sessions`` and ``api_tokens`` (both cascade with their account);
- ``scenarios.hook_token``, unique;
- ``executions.trigger_event`` and ``executions.queue_seq``, numbered for the
  rows already there in creation order; on PostgreSQL the sequence that
  numbers new ones.

Columns are only added (``ALTER TABLE ADD COLUMN``): recreating a SQLite table
whose children cascade would delete the children.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
QUEUE_SEQUENCE = "executions_queue_seq"


def _id(name: str = "id", **kw: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=False, **kw)


def _index(table: str, *columns: str, unique: bool = False) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=unique)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    _accounts()
    _sessions()
    _api_tokens()
    op.add_column("scenarios", sa.Column("hook_token", sa.String(64)))
    _index("scenarios", "hook_token", unique=True)
    _execution_queue()


def _accounts() -> None:
    op.create_table(
        "accounts",
        _id(),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("email_key", name="uq_accounts_email_key"),
    )


def _sessions() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        _id("account_id"),
        sa.Column("csrf_token", sa.String(128), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("last_seen_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_sessions_account_id_accounts", ondelete="CASCADE"
        ),
    )
    _index("sessions", "account_id")
    _index("sessions", "last_seen_at")
    _index("sessions", "created_at")


def _api_tokens() -> None:
    op.create_table(
        "api_tokens",
        _id(),
        _id("account_id"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_api_tokens_account_id_accounts", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    _index("api_tokens", "account_id", "created_at")


def _execution_queue() -> None:
    op.add_column("executions", sa.Column("trigger_event", sa.String(16), nullable=False, server_default="manual"))
    op.add_column("executions", sa.Column("queue_seq", sa.BigInteger))
    # number the rows already there in creation order (UPDATE ... FROM: SQLite 3.33+, PostgreSQL)
    op.execute(
        "UPDATE executions SET queue_seq = numbered.n"
        " FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM executions) AS numbered"
        " WHERE numbered.id = executions.id"
    )
    _index("executions", "status", "queue_seq")
    _index("executions", "scenario_id", "status")
    if _postgres():
        op.execute(sa.schema.CreateSequence(sa.Sequence(QUEUE_SEQUENCE)))
        start = sa.select(
            sa.func.setval(QUEUE_SEQUENCE, sa.func.coalesce(sa.func.max(sa.column("queue_seq")), 0) + 1, False)
        )
        op.execute(start.select_from(sa.table("executions")))


def downgrade() -> None:
    if _postgres():
        op.execute(sa.schema.DropSequence(sa.Sequence(QUEUE_SEQUENCE)))
    for table, columns in (("executions", ("scenario_id", "status")), ("executions", ("status", "queue_seq"))):
        op.drop_index(f"ix_{table}_{'_'.join(columns)}", table_name=table)
    op.drop_column("executions", "queue_seq")
    op.drop_column("executions", "trigger_event")
    op.drop_index("ix_scenarios_hook_token", table_name="scenarios")
    op.drop_column("scenarios", "hook_token")
    for table in ("api_tokens", "sessions", "accounts"):
        op.drop_table(table)
