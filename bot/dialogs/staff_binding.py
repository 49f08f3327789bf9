"""Staff bind their paging account by sending the bot a one-time staff code (``anju staff code``).

A message that is only a code (``S12345678``, optionally after 绑定/bind) binds the sender's address on
that channel to the staff member, so emergency pages reach them there. The owner dialog never sees it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend import staff_contacts
from backend.models import ChannelIdentity
from backend.outbox import enqueue
from bot import effects as fx
from bot.dialogs.texts import render


def code_in(text: str) -> str | None:
    """The staff code when the message is one, else None."""
    return staff_contacts.looks_like_bind_code(text)


def bind(session: Session, identity: ChannelIdentity, code: str, *, lang: str, now: datetime) -> fx.Applied:
    """Redeem ``code`` for the sender and answer them (bound / wrong or expired code)."""
    staff = staff_contacts.redeem_bind_code(session, code, channel=identity.channel,
                                            external_id=identity.external_id, now=now)
    if staff is not None:
        text = render("staff_bound", staff.language, name=staff.name)
    else:
        text = render("staff_bind_failed", lang)
    enqueue(session, channel=identity.channel, recipient=identity.external_id, text=text, now=now,
            staff_id=staff.id if staff else None)
    applied = fx.Applied()
    applied.wake_outbox = True
    if staff is not None:
        applied.console_events.append({"type": "staff_bound", "staff_id": staff.id, "channel": identity.channel})
    return applied
