"""The outbox: claim order, leases, backoff, dead letters, quiet hours, delivery receipts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from backend import outbox
from backend.models import Outbox

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SH)


def q(session: Session, text: str, **kw: object) -> Outbox:
    return outbox.enqueue(session, channel="sms", recipient="+8613900000000", text=text, now=NOW, **kw)


def test_emergency_pages_jump_the_queue(session: Session) -> None:
    q(session, "reply")
    q(session, "notice", purpose="notice", priority=outbox.BULK_PRIORITY)
    q(session, "page", purpose="page", priority=outbox.PAGE_PRIORITY)
    rows = outbox.claim_due(session, now=NOW, limit=2)
    assert [r.payload["text"] for r in rows] == ["page", "reply"]
    assert all(r.status == "sending" and r.attempts == 1 for r in rows)


def test_lease_expiry_makes_a_row_due_again(session: Session) -> None:
    q(session, "x")
    [row] = outbox.claim_due(session, now=NOW)
    assert outbox.claim_due(session, now=NOW + timedelta(seconds=30)) == []
    [again] = outbox.claim_due(session, now=NOW + outbox.LEASE + timedelta(seconds=1))
    assert again.id == row.id and again.attempts == 2


def test_retry_backoff_then_dead_letter(session: Session) -> None:
    row = q(session, "x")
    delays = []
    for _ in range(3):
        [claimed] = outbox.claim_due(session, now=row.next_attempt_at)
        before = claimed.next_attempt_at - outbox.LEASE
        saved = outbox.record_result(session, claimed.id, ok=False, retryable=True, error="503", now=before,
                                     max_attempts=3, base_backoff_s=2.0)
        delays.append((saved.next_attempt_at - before).total_seconds() if saved.status == "queued" else None)
    assert delays == [2.0, 4.0, None]
    assert saved.status == "dead" and saved.last_error == "503"


def test_retry_after_is_honoured(session: Session) -> None:
    row = q(session, "x")
    outbox.claim_due(session, now=NOW)
    saved = outbox.record_result(session, row.id, ok=False, retryable=True, retry_after=17, now=NOW)
    assert saved.next_attempt_at == NOW + timedelta(seconds=17)


def test_permanent_failure_dead_letters_at_once(session: Session) -> None:
    row = q(session, "x")
    outbox.claim_due(session, now=NOW)
    assert outbox.record_result(session, row.id, ok=False, retryable=False, error="21610", now=NOW).status == "dead"
    assert outbox.requeue_dead(session, row.id, now=NOW).status == "queued"


def test_quiet_hours_hold_notices_but_not_replies(session: Session) -> None:
    night = datetime(2026, 11, 24, 22, 30, tzinfo=SH)
    quiet = outbox.QuietHours()
    notice = outbox.enqueue(session, channel="sms", recipient="x", text="n", now=night, purpose="notice")
    outbox.enqueue(session, channel="sms", recipient="x", text="r", now=night)
    rows = outbox.claim_due(session, now=night, quiet=quiet)
    assert [r.payload["text"] for r in rows] == ["r"]
    assert notice.next_attempt_at == datetime(2026, 11, 25, 8, 0, tzinfo=SH)
    assert quiet.next_allowed(datetime(2026, 11, 25, 7, 59, tzinfo=SH)) == datetime(2026, 11, 25, 8, 0, tzinfo=SH)
    assert quiet.next_allowed(datetime(2026, 11, 25, 8, 0, tzinfo=SH)) is None


def test_delivery_receipt_updates_status(session: Session) -> None:
    row = q(session, "x")
    outbox.claim_due(session, now=NOW)
    outbox.record_result(session, row.id, ok=True, provider_message_id="SM1", now=NOW)
    assert outbox.mark_delivery(session, "SM1", "delivered") == 1
    session.refresh(row)
    assert row.status == "delivered"
    assert outbox.mark_delivery(session, "SM1", "queued") == 0


def test_dedupe_key_blocks_a_second_copy(session: Session) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    q(session, "x", dedupe_key="page:1:sms")
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            q(session, "x", dedupe_key="page:1:sms")
