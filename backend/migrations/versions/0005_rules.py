"""service rules: engineer contact (S4) and visit appointment timers on tickets, survey dimensions (S16)

Revision ID: 0005_rules
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import backend.models


revision = "0005_rules"
down_revision = "0004_conv"
branch_labels = None
depends_on = None

COLUMNS = ("engineer_contacted_at", "engineer_contact_alerted_at", "visit_reminded_at", "visit_missed_at",
           "arrived_at")


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, backend.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table("surveys", schema=None) as batch_op:  # S16 dimensions
        batch_op.add_column(sa.Column("expectation", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dimensions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("dimensions")
        batch_op.drop_column("expectation")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
