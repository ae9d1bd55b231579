"""Connections: an account's credentials, secret fields sealed by the vault.

- ``connections``: type, name, the non-secret ``fields`` (JSON), the sealed
  ``secrets`` and the ``key_id`` that sealed them, ``flagged`` once the service
  refused them; indexed by account (listing) and by key id (rotation, the
  start-up check that every key is configured).

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("secrets", sa.LargeBinary, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("flagged", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
    )
    op.create_index("ix_connections_account_id_created_at", "connections", ["account_id", "created_at"])
    op.create_index("ix_connections_key_id", "connections", ["key_id"])


def downgrade() -> None:
    op.drop_index("ix_connections_key_id", table_name="connections")
    op.drop_index("ix_connections_account_id_created_at", table_name="connections")
    op.drop_table("connections")
