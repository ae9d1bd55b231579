"""The scheduler's index: ``scenarios (active, created_at, id)``.

``list_active_scenarios`` reads the active scenarios of every account, in
creation order, every second; this index gives it the active rows only,
already in that order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-15
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_scenarios_active_created_at_id"


def upgrade() -> None:
    op.create_index(INDEX, "scenarios", ["active", "created_at", "id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="scenarios")
