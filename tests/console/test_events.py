"""The server-sent event stream (role filtering, heartbeat) and the PostgreSQL LISTEN/NOTIFY bridge."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import Engine

from backend.models import Role
from bot import pg_events
from bot.console import inbox
from bot.console.auth import Ctx
from tests.bot.conftest import Estate
from tests.console.conftest import Console
from tests.console.test_conversations import OPENID, bind, conversation


class _Connected:
    async def is_disconnected(self) -> bool:
        return False


def _ctx(console: Console, username: str, role: Role) -> Ctx:
    return Ctx(console.bot.svc, console.users[username], username, username, role, "zh", "", console.bot.now, None)


async def _next(stream: object) -> str:
    return await asyncio.wait_for(stream.__anext__(), 3.0)  # type: ignore[attr-defined]


async def test_agents_only_hear_about_what_they_may_see(console: Console, estate: Estate) -> None:
    bind(console, estate)
    await asyncio.to_thread(console.bot.say, "wechat", OPENID, "你好")
    conv = conversation(console)
    broker = console.bot.svc.broker
    agent = inbox._stream(_Connected(), _ctx(console, "agent2", Role.AGENT))  # type: ignore[arg-type]
    advisor = inbox._stream(_Connected(), _ctx(console, "advisor", Role.AGENT))  # type: ignore[arg-type]
    assert (await _next(agent)).startswith("retry:")
    assert (await _next(advisor)).startswith("retry:")
    broker.publish({"type": "message", "conversation_id": conv.id})
    broker.publish({"type": "delivery", "outbox_id": 7, "status": "sent"})
    broker.publish({"type": "alert", "kind": "emergency", "ticket": "AJ-1"})
    assert json.loads((await _next(agent)).removeprefix("data: "))["type"] == "delivery"
    assert json.loads((await _next(agent)).removeprefix("data: "))["kind"] == "emergency"
    assert json.loads((await _next(advisor)).removeprefix("data: ")) == {"type": "message", "conversation_id": conv.id}
    await agent.aclose()  # type: ignore[attr-defined]
    await advisor.aclose()  # type: ignore[attr-defined]


async def test_heartbeat_comment(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox, "HEARTBEAT_S", 0.0)
    stream = inbox._stream(_Connected(), _ctx(console, "sup", Role.SUPERVISOR))  # type: ignore[arg-type]
    await _next(stream)
    assert await _next(stream) == ": heartbeat\n\n"
    await stream.aclose()


def test_long_events_are_truncated_to_fit_notify() -> None:
    payload = pg_events.encode({"type": "message", "conversation_id": 3, "text": "漏" * 5000}, "me")
    assert len(payload.encode()) <= pg_events.MAX_PAYLOAD
    assert json.loads(payload) == {"type": "message", "conversation_id": 3, "truncated": True, "_origin": "me"}


async def test_notify_reaches_other_processes(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (set ANJU_TEST_DATABASE_URL)")
    sender, receiver = pg_events.NotifyingBroker(engine), pg_events.NotifyingBroker(engine)
    listeners = [pg_events.Listener(sender), pg_events.Listener(receiver)]
    for listener in listeners:
        await listener.start()
    try:
        for listener in listeners:
            await asyncio.wait_for(listener.ready.wait(), 10)
        async with receiver.subscribe() as heard, sender.subscribe() as own:
            sender.publish({"type": "message", "conversation_id": 42})
            assert await asyncio.wait_for(heard.get(), 5) == {"type": "message", "conversation_id": 42}
            assert await own.get() == {"type": "message", "conversation_id": 42}  # local delivery
            await asyncio.sleep(0.5)
            assert own.empty()  # its own NOTIFY is not delivered twice
    finally:
        for listener in listeners:
            await listener.stop()
        sender.close()
        receiver.close()
