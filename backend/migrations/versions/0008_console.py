"""console: resolve and snooze conversations

Revision ID: 0008_console
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import backend.models

revision = "0008_console"
down_revision = "0007_chan"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the conversation's resolved and snoozed times."""
    op.add_column("conversations", sa.Column("resolved_at", backend.models.UTCDateTime(), nullable=True))
    op.add_column("conversations", sa.Column("snoozed_until", backend.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("snoozed_until")
        batch.drop_column("resolved_at")
