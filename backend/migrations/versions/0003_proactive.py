"""proactive service: notice deliveries, maintenance campaigns, consent events

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import backend.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the proactive-service tables."""
    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("created_at", backend.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "ref_id", "owner_id"),
    )
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_deliveries_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "maintenance_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("notify_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("notified_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("maintenance_campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_campaigns_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_maintenance_campaigns_notify_at"), ["notify_at"], unique=False)

    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=True),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", backend.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_events_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    """Drop the proactive-service tables."""
    op.drop_table("consent_events")
    op.drop_table("maintenance_campaigns")
    op.drop_table("notice_deliveries")
