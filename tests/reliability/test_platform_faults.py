"""A platform API that fails (5xx), rate-limits (429 + retry-after), hangs or drops the connection.

Each case: the first attempt fails and the row is retried with backoff (or the platform's retry-after),
the retry succeeds, and the platform received the message exactly once. Persistent failure
dead-letters the row after ``max_attempts`` and the console's conversation thread shows it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from backend import outbox
from backend.db import transaction
from backend.models import Outbox
from tests.reliability.conftest import Fakes
from tests.reliability.inproc import InProcess

RECIPIENT = {"wechat": "oFault0001", "sms": "+8613900001111", "telegram": "700009999"}


def _fault(fakes: Fakes, channel: str, kind: str) -> float | None:
    """Queue the fault on the channel's fake; returns the retry-after the platform announces, if any."""
    fake = {"wechat": fakes.wechat, "sms": fakes.twilio, "telegram": fakes.telegram}[channel]
    path = {"wechat": "/message/custom/send", "sms": "/Messages.json", "telegram": "/sendMessage"}[channel]
    if kind == "5xx":
        fake.fail_next(1, 502, path=path)
    elif kind == "429" and channel == "telegram":
        fakes.telegram.rate_limit_next(1, retry_after=7)
        return 7.0
    elif kind == "429" and channel == "sms":
        fakes.twilio.rate_limit_next(1, retry_after=3)
        return 3.0
    elif kind == "429":
        fake.fail_next(1, 429, path=path)
    elif kind == "hang":
        fake.hang_next(1, seconds=3.0, path=path)  # longer than the channel's 1 s timeout
    else:
        fake.drop_next(1, path=path)
    return None


def _accepted(fakes: Fakes, channel: str) -> int:
    return sum(1 for c, r, _t in fakes.deliveries() if c == channel and r == RECIPIENT[channel])


def _row(app: InProcess, row_id: int) -> Outbox:
    with app.svc.sessions() as s:
        row = s.get(Outbox, row_id)
        assert row is not None
        return row


def _enqueue(app: InProcess, channel: str, fakes: Fakes | None = None) -> int:
    if fakes is not None and channel == "wechat":  # the owner wrote: WeChat's customer-service window is open
        fakes.wechat.user_action(RECIPIENT["wechat"])
    with transaction(app.svc.sessions) as s:
        return outbox.enqueue(s, channel=channel, recipient=RECIPIENT[channel], text="您的报修已受理", now=app.now).id


@pytest.mark.parametrize("kind", ["5xx", "429", "hang", "drop"])
@pytest.mark.parametrize("channel", ["wechat", "sms", "telegram"])
def test_platform_fault_is_retried_with_backoff_and_delivered_once(inproc: InProcess, fakes: Fakes, channel: str,
                                                                   kind: str) -> None:
    row_id = _enqueue(inproc, channel, fakes)
    retry_after = _fault(fakes, channel, kind)
    assert inproc.deliver() == 1
    row = _row(inproc, row_id)
    assert row.status == "queued" and row.attempts == 1 and row.last_error
    wait = (row.next_attempt_at.replace(tzinfo=None) - inproc.now.replace(tzinfo=None)).total_seconds()
    assert wait == pytest.approx(retry_after if retry_after is not None else inproc.settings.outbox.base_backoff_s)
    assert inproc.deliver() == 0, "retried before its backoff"
    inproc.advance(wait + 0.1)
    assert inproc.deliver() == 1
    row = _row(inproc, row_id)
    assert row.status == "sent" and row.attempts == 2
    assert _accepted(fakes, channel) == 1  # nothing lost, nothing doubled


@pytest.mark.parametrize("channel", ["wechat", "sms", "telegram"])
def test_persistent_failure_dead_letters_and_the_console_shows_it(inproc: InProcess, fakes: Fakes,
                                                                   channel: str) -> None:
    from tests.reliability.test_hostile import console_thread, owner_writes

    owner_writes(inproc, channel, "厨房水龙头坏了，一直滴水")
    inproc.process()
    fake = {"wechat": fakes.wechat, "sms": fakes.twilio, "telegram": fakes.telegram}[channel]
    fake.fail_next(100, 503)
    events: list[dict[str, object]] = []
    original: Callable[[dict[str, object]], None] = inproc.svc.broker.publish
    inproc.svc.broker.publish = lambda e: (events.append(e), original(e))[1]  # type: ignore[method-assign]
    for _ in range(inproc.settings.outbox.max_attempts):
        inproc.deliver()
        inproc.advance(3600)
    with inproc.svc.sessions() as s:
        rows = list(s.scalars(select(Outbox).where(Outbox.channel == channel)))
    assert rows and all(r.status == "dead" and r.attempts == inproc.settings.outbox.max_attempts for r in rows)
    assert all(r.last_error for r in rows)
    assert {"type": "delivery", "outbox_id": rows[0].id, "status": "dead"} in events  # the live console's feed
    page = console_thread(inproc, channel)
    assert "st-dead" in page
    fake.reset()
    if channel == "wechat":  # reset() forgot the owner's message: their customer-service window is still open
        from tests.reliability.test_hostile import user_on

        fakes.wechat.user_action(user_on(inproc, "wechat"))
    with transaction(inproc.svc.sessions) as s:  # a supervisor requeues it from the console
        outbox.requeue_dead(s, rows[0].id, now=inproc.now)
    assert inproc.deliver() == 1
    assert _row(inproc, rows[0].id).status == "sent"
