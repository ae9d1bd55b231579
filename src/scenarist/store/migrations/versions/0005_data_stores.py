"""Data stores and their records.

- ``data_stores``: name, ``structure`` (JSON), the limits ``max_records`` and
  ``max_bytes``, and the counters ``record_count`` and ``size_bytes`` that every
  write moves under the row's lock; indexed by account (listing).
- ``data_records``: keyed by ``(store_id, key)``, the account in the foreign key
  to its store (cascading); ``size`` is the data's compact JSON size, so a
  replace or delete moves the store's counters without re-measuring. On
  PostgreSQL the key has collation "C": keys sort by code point, as on SQLite.

Revision ID: 0005
Revises: 0004
Create Date: 2026-03-27
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
KEY = sa.String(256).with_variant(sa.String(256, collation="C"), "postgresql")


def _id(name: str = "id", **kw: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=False, **kw)


def upgrade() -> None:
    op.create_table(
        "data_stores",
        _id(),
        _id("account_id"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("structure", sa.Text, nullable=False),
        sa.Column("max_records", sa.Integer, nullable=False),
        sa.Column("max_bytes", sa.BigInteger, nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_data_stores"),
        sa.UniqueConstraint("account_id", "id", name="uq_data_stores_account_id_id"),
    )
    op.create_index("ix_data_stores_account_id_created_at", "data_stores", ["account_id", "created_at"])
    op.create_table(
        "data_records",
        _id("account_id"),
        _id("store_id"),
        sa.Column("key", KEY, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "key", name="pk_data_records"),
        sa.ForeignKeyConstraint(
            ["account_id", "store_id"],
            ["data_stores.account_id", "data_stores.id"],
            name="fk_data_records_account_id_store_id_data_stores",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_data_records_account_id", "data_records", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_data_records_account_id", table_name="data_records")
    op.drop_table("data_records")
    op.drop_index("ix_data_stores_account_id_created_at", table_name="data_stores")
    op.drop_table("data_stores")
