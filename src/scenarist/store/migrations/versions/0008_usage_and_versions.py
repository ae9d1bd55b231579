"""``usage_hours``: the operations of finished runs per account, scenario and UTC hour;
``scenario_versions``: every save of a scenario, numbered from 1 per scenario.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "usage_hours",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operations", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "scenario_id", "hour", name="pk_usage_hours"),
    )
    op.create_index("ix_usage_hours_hour", "usage_hours", ["hour"])
    op.create_table(
        "scenario_versions",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", "n", name="pk_scenario_versions"),
        sa.ForeignKeyConstraint(["account_id", "scenario_id"], ["scenarios.account_id", "scenarios.id"],
                                name="fk_scenario_versions_account_id_scenario_id_scenarios", ondelete="CASCADE"),
    )
    op.create_index("ix_scenario_versions_account_id", "scenario_versions", ["account_id"])
    op.create_index("ix_scenario_versions_saved_at", "scenario_versions", ["saved_at"])
    # the scenarios saved before this revision start their history with their current definition
    op.execute("INSERT INTO scenario_versions (account_id, scenario_id, n, saved_at, definition) "
               "SELECT account_id, id, 1, updated_at, definition FROM scenarios")


def downgrade() -> None:
    op.drop_table("scenario_versions")
    op.drop_index("ix_usage_hours_hour", table_name="usage_hours")
    op.drop_table("usage_hours")
