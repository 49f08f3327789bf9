"""The one way staff are told something: best channel or every channel, deduplicated, typed priority."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Outbox, Role
from backend.outbox import Priority
from backend.staff_notify import notify_staff
from tests.factories import make_staff

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def _rows(session: Session) -> list[tuple[str, str, int, str]]:
    rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
    return [(r.channel, r.recipient, r.priority, r.payload["text"]) for r in rows]


def test_best_channel_or_every_channel_and_dedupe(session: Session) -> None:
    both = make_staff(session, Role.SUPERVISOR, telegram_chat_id="42", phone="13900001111", language="en")
    sms_only = make_staff(session, Role.SUPERVISOR, phone="13900002222")
    make_staff(session, Role.SUPERVISOR)  # no address at all: skipped
    staff = list(session.scalars(select(both.__class__).order_by(both.__class__.id)))

    sent = notify_staff(session, staff, text=lambda m: f"hi {m.language}", dedupe="t:{staff}:{channel}",
                        now=NOW, enabled=["telegram", "sms"])
    assert [(m.id, ch) for m, ch in sent] == [(both.id, "telegram"), (sms_only.id, "sms")]
    assert _rows(session) == [("telegram", "42", Priority.NOTICE, "hi en"), ("sms", "+8613900002222", 4, "hi zh")]

    again = notify_staff(session, staff, text="x", dedupe="t:{staff}:{channel}", now=NOW,
                         enabled=["telegram", "sms"], every_channel=True, priority=Priority.PAGE)
    assert [(m.id, ch) for m, ch in again] == [(both.id, "sms")]  # the already-queued keys are skipped
    assert _rows(session)[-1] == ("sms", "+8613900001111", 0, "x")
