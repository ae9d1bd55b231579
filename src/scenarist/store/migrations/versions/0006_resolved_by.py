"""Retry resolution: which execution resolved an incomplete one.

- ``executions.resolved_by``: the id of the retry whose success resolved this
  execution's incomplete executions (the execution then reads ``success``).
- ``executions.retry_of``: for a retry, the incomplete execution it resumed, so
  that a retry which failed again is resolved with the original once a later
  retry succeeds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("executions", sa.Column("resolved_by", sa.String(64), nullable=True))
    op.add_column("executions", sa.Column("retry_of", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("retry_of")
        batch.drop_column("resolved_by")
