"""dialog state versioned: stamp stored conversation states with version 1

The stored shape gains a ``v`` key (``bot/dialogs/state.py``); version 0 rows read the same, so the
upgrade only stamps them and clears a ticket placeholder ("$created") that must never be stored.

Revision ID: 0004_conv
Revises: 0003
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004_conv"
down_revision = "0003"
branch_labels = None
depends_on = None

conversations = sa.table("conversations", sa.column("id", sa.Integer), sa.column("state", sa.JSON))


def _rewrite(change: Any) -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(conversations.c.id, conversations.c.state)).all():
        state = dict(row.state or {})
        new = change(state)
        if new != (row.state or {}):
            bind.execute(conversations.update().where(conversations.c.id == row.id).values(state=new))


def upgrade() -> None:
    """Stamp every stored dialog state with ``v: 1``."""
    def stamp(state: dict[str, Any]) -> dict[str, Any]:
        if state.get("ticket_id") == "$created":
            state.pop("ticket_id")
        return {**state, "v": 1}

    _rewrite(stamp)


def downgrade() -> None:
    """Drop the version stamp (version 0 rows have the same fields)."""
    def unstamp(state: dict[str, Any]) -> dict[str, Any]:
        state.pop("v", None)
        return state

    _rewrite(unstamp)
