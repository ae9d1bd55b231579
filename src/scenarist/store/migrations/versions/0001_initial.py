"""Initial schema: scenarios, executions, activity, incomplete, notifications, state, gateway logs.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _id(name: str = "id", **kw: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=False, **kw)


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def upgrade() -> None:
    _scenarios()
    _executions()
    _activity_batches()
    _incomplete()
    _notifications()
    _scenario_state()
    _gateway_logs()


def _scenarios() -> None:
    op.create_table(
        "scenarios",
        _id(),
        _id("account_id"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("consecutive_errors", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
        sa.UniqueConstraint("account_id", "id", name="uq_scenarios_account_id_id"),
    )
    _index("scenarios", "account_id", "created_at")


def _executions() -> None:
    op.create_table(
        "executions",
        _id(),
        _id("account_id"),
        _id("scenario_id"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("started_at", TIME),
        sa.Column("finished_at", TIME),
        sa.Column("operations", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("response", sa.Text),
        sa.Column("trigger_input", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_executions"),
        sa.ForeignKeyConstraint(
            ["account_id", "scenario_id"],
            ["scenarios.account_id", "scenarios.id"],
            name="fk_executions_account_id_scenario_id_scenarios",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("account_id", "id", name="uq_executions_account_id_id"),
    )
    _index("executions", "scenario_id", "created_at", "id")
    _index("executions", "created_at")
    _index("executions", "finished_at")


def _activity_batches() -> None:
    op.create_table(
        "activity_batches",
        _id("execution_id"),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("execution_id", "seq", name="pk_activity_batches"),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["executions.id"],
            name="fk_activity_batches_execution_id_executions",
            ondelete="CASCADE",
        ),
    )


def _incomplete() -> None:
    op.create_table(
        "incomplete",
        _id(),
        _id("account_id"),
        _id("execution_id"),
        _id("scenario_id"),
        sa.Column("step", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_retry_at", TIME),
        sa.PrimaryKeyConstraint("id", name="pk_incomplete"),
        sa.ForeignKeyConstraint(
            ["account_id", "execution_id"],
            ["executions.account_id", "executions.id"],
            name="fk_incomplete_account_id_execution_id_executions",
            ondelete="CASCADE",
        ),
    )
    _index("incomplete", "account_id", "scenario_id", "created_at")
    _index("incomplete", "execution_id")
    _index("incomplete", "next_retry_at")
    _index("incomplete", "created_at")


def _notifications() -> None:
    op.create_table(
        "notifications",
        _id(),
        _id("account_id"),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("scenario_id", sa.String(64)),
        sa.Column("data", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    _index("notifications", "account_id", "created_at")
    _index("notifications", "created_at")


def _scenario_state() -> None:
    op.create_table(
        "scenario_state",
        _id("scenario_id"),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", "key", name="pk_scenario_state"),
    )


def _gateway_logs() -> None:
    op.create_table(
        "gateway_logs",
        _id(),
        _id("account_id"),
        sa.Column("scenario_id", sa.String(64)),
        sa.Column("hook", sa.String(255), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("request_headers", sa.Text, nullable=False),
        sa.Column("request_body", sa.LargeBinary),
        sa.Column("response_body", sa.LargeBinary),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gateway_logs"),
    )
    _index("gateway_logs", "account_id", "received_at")
    _index("gateway_logs", "scenario_id")
    _index("gateway_logs", "received_at")


def downgrade() -> None:
    for table in (
        "gateway_logs",
        "scenario_state",
        "notifications",
        "incomplete",
        "activity_batches",
        "executions",
        "scenarios",
    ):
        op.drop_table(table)
