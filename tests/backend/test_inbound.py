"""Inbound events: stored once per platform id, claimed oldest-first per sender."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from backend import inbound

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def store(session: Session, pid: str, user: str = "u1") -> int | None:
    return inbound.store(session, channel="wechat", provider_message_id=pid, external_user_id=user,
                         payload={"text": pid}, now=NOW)


def test_duplicate_provider_id_is_not_stored_twice(session: Session) -> None:
    assert store(session, "m1") is not None
    assert store(session, "m1") is None
    assert inbound.store(session, channel="sms", provider_message_id="m1", external_user_id="x", payload={},
                         now=NOW) is not None


def test_claim_takes_only_the_oldest_pending_event_of_each_sender(session: Session) -> None:
    a1, a2, b1 = store(session, "a1", "A"), store(session, "a2", "A"), store(session, "b1", "B")
    claimed = [e.id for e in inbound.claim_next(session)]
    assert a1 in claimed and b1 in claimed and a2 not in claimed
    event = inbound.lock_event(session, a1)
    inbound.mark_done(event, NOW)
    session.flush()
    assert a2 in [e.id for e in inbound.claim_next(session)]
    assert inbound.lock_event(session, a1) is None  # done


def test_failures_are_counted_then_parked(session: Session) -> None:
    eid = store(session, "f1")
    for _ in range(5):
        inbound.mark_failed(session, eid, "boom", max_attempts=5)
    session.flush()
    assert inbound.lock_event(session, eid) is None
