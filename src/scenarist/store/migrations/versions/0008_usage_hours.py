"""``usage_hours``: the operations of finished runs per account, scenario and UTC hour.

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


def downgrade() -> None:
    op.drop_index("ix_usage_hours_hour", table_name="usage_hours")
    op.drop_table("usage_hours")
