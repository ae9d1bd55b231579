"""``mail_queue``: e-mails waiting for the SMTP server, sealed; ``email_links``: the hashes of sign-in links.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_queue",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=True),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("discard_after", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_queue"),
    )
    op.create_index("ix_mail_queue_next_attempt_at", "mail_queue", ["next_attempt_at"])
    op.create_index("ix_mail_queue_account_id", "mail_queue", ["account_id"])
    op.create_table(
        "email_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_links"),
    )
    op.create_index("ix_email_links_email_key", "email_links", ["email_key"])
    op.create_index("ix_email_links_expires_at", "email_links", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_email_links_expires_at", table_name="email_links")
    op.drop_index("ix_email_links_email_key", table_name="email_links")
    op.drop_table("email_links")
    op.drop_index("ix_mail_queue_account_id", table_name="mail_queue")
    op.drop_index("ix_mail_queue_next_attempt_at", table_name="mail_queue")
    op.drop_table("mail_queue")
