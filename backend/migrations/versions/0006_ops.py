"""operations: worker heartbeats, staff bind codes, outbox lease owner, background import jobs

Revision ID: 0006_ops
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import backend.models

revision = "0006_ops"
down_revision = "0005_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the heartbeat and staff bind-code tables."""
    op.create_table(
        "worker_heartbeats",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("started_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("beat_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("info", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("worker_heartbeats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_heartbeats_beat_at"), ["beat_at"], unique=False)
    op.create_table(
        "staff_bind_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("used_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("used_channel", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("staff_bind_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_bind_codes_staff_id"), ["staff_id"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leased_by", sa.String(length=120), nullable=True))
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("csv_text", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("created_at", backend.models.UTCDateTime(), nullable=False),
        sa.Column("started_at", backend.models.UTCDateTime(), nullable=True),
        sa.Column("finished_at", backend.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_jobs_status"), ["status"], unique=False)


def downgrade() -> None:
    """Drop the operations tables."""
    op.drop_table("import_jobs")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("leased_by")
    op.drop_table("staff_bind_codes")
    op.drop_table("worker_heartbeats")
