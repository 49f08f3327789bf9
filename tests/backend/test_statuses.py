"""Status columns are StrEnums: what is written must be listed, and what is read comes back typed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from backend.models import InboundEvent, InboundStatus, Outbox, OutboxStatus
from backend.outbox import Priority, enqueue

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_status_reads_back_as_the_enum(session: Session) -> None:
    row = enqueue(session, channel="sms", recipient="+8613900000000", text="hi", now=NOW, priority=Priority.BULK)
    session.expire_all()
    loaded = session.scalars(select(Outbox).where(Outbox.id == row.id)).one()
    assert loaded.status is OutboxStatus.QUEUED and loaded.priority == 8


def test_an_unlisted_status_cannot_be_written(session: Session) -> None:
    session.add(InboundEvent(channel="sms", provider_message_id="SM1", external_user_id="+1", payload={},
                             status="finished"))
    with pytest.raises(StatementError, match="finished"):
        session.flush()
    session.rollback()
    session.add(InboundEvent(channel="sms", provider_message_id="SM2", external_user_id="+1", payload={},
                             status=InboundStatus.THROTTLED))
    session.flush()


def test_outbox_payload_fields_are_the_typed_ones(session: Session) -> None:
    row = enqueue(session, channel="telegram", recipient="42", text="hi", now=NOW,
                  quick_replies=[{"label": "OK", "payload": "ok"}], image_url=None)
    assert row.payload == {"text": "hi", "quick_replies": [{"label": "OK", "payload": "ok"}]}
    with pytest.raises(TypeError, match="quick_reply"):
        enqueue(session, channel="telegram", recipient="42", text="hi", now=NOW, quick_reply=[])  # a typo
