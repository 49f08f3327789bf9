"""service rules: engineer contact (S4) and visit appointment timers on tickets

Revision ID: 0004_rules
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import backend.models


revision = "0004_rules"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ("engineer_contacted_at", "engineer_contact_alerted_at", "visit_reminded_at", "visit_missed_at",
           "arrived_at")


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, backend.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
