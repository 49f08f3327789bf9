"""channels: webhook nonces, shared access tokens, identity blocks and WeChat windows

Revision ID: 0007_chan
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import backend.models

revision = "0007_chan"
down_revision = "0006_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``webhook_nonces`` and ``shared_tokens``; add block/window columns to identities."""
    op.create_table(
        "webhook_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.String(length=160), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seen_at", backend.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "nonce"),
    )
    with op.batch_alter_table("webhook_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_nonces_seen_at"), ["seen_at"], unique=False)
    op.create_table(
        "shared_tokens",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("expires_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("fetches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocked_at", backend.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("blocked_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("window_kind", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("window_opened_at", backend.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("window_sent", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_column("window_sent")
        batch_op.drop_column("window_opened_at")
        batch_op.drop_column("window_kind")
        batch_op.drop_column("blocked_reason")
        batch_op.drop_column("blocked_at")
    op.drop_table("shared_tokens")
    with op.batch_alter_table("webhook_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_nonces_seen_at"))
    op.drop_table("webhook_nonces")
