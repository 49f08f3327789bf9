"""Console events are typed: publishing a type the console does not know is refused."""

from __future__ import annotations

import pytest

from bot.events import Broker, EventType


async def test_known_types_reach_subscribers_unknown_are_refused() -> None:
    broker = Broker()
    async with broker.subscribe() as queue:
        broker.publish({"type": EventType.PAGE_ACKED, "ticket_id": 1})
        broker.publish({"type": "message", "conversation_id": 2})
        with pytest.raises(ValueError, match="page_ackd"):
            broker.publish({"type": "page_ackd", "ticket_id": 1})
        got = [await queue.get(), await queue.get()]
    assert [e["type"] for e in got] == ["page_acked", "message"] and queue.empty()
