"""An in-process bot over the test database: recording channels, fake NLU, a controllable clock."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from backend import inbound
from backend.db import transaction
from bot.channels.base import Attachment, InboundMessage
from bot.envelope import to_payload
from bot.services import Services, build_services
from bot.settings import Settings
from bot.worker import Worker
from tests.fakes.nlu import FakeNlu
from tests.fakes.recording import RecordingChannel

_ids = itertools.count(1)


class Bot:
    """Send owner messages through the real pipeline (store, process, deliver) and read the replies."""

    def __init__(
        self, engine: Engine, now: datetime, nlu: Any = None, channels: tuple[str, ...] = ("wechat", "sms", "telegram")
    ):
        """A bot over ``engine`` at time ``now``."""
        self.now = now
        self.channels = {name: RecordingChannel(name) for name in channels}
        settings = Settings(database_url=str(engine.url), _env_file=None)
        self.svc: Services = build_services(settings, engine=engine, channels=self.channels, nlu=nlu or FakeNlu())
        self.svc.clock = lambda: self.now
        self.worker = Worker(self.svc, sweeps_enabled=False)

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)

    def store(self, channel: str, user: str, text: str = "", *, msg_id: str | None = None, **kw: Any) -> int | None:
        """Store one inbound message as the webhook would; returns the event id (None for a duplicate)."""
        msg = InboundMessage(
            channel=channel,
            external_user_id=user,
            provider_message_id=msg_id or f"m{next(_ids)}",
            text=text,
            received_at=self.now,
            **kw,
        )
        with transaction(self.svc.sessions) as session:
            return inbound.store(
                session,
                channel=channel,
                provider_message_id=msg.provider_message_id,
                external_user_id=user,
                payload=to_payload(msg),
                now=self.now,
            )

    def run(self) -> None:
        """Process everything pending and deliver the outbox."""
        self.worker.process_pending(1000)
        asyncio.run(self.worker.deliver_due(1000))

    def say(self, channel: str, user: str, text: str = "", **kw: Any) -> list[str]:
        """Send a message and return the texts the owner got back."""
        before = len(self.channels[channel].to(user))
        self.store(channel, user, text, **kw)
        self.run()
        return self.channels[channel].to(user)[before:]

    def press(self, channel: str, user: str, payload: str) -> list[str]:
        """Press a button."""
        return self.say(channel, user, "", kind="button", event=payload)

    def contact(self, channel: str, user: str, phone: str) -> list[str]:
        """Share the sender's own contact (Telegram)."""
        return self.say(
            channel, user, "", kind="contact", attachments=(Attachment(kind="contact", phone=phone, own_contact=True),)
        )

    def sweep(self) -> dict[str, int]:
        """Run every sweep at the current time, then deliver."""
        from bot.sweeps import run_all

        result = run_all(self.svc, self.now)
        asyncio.run(self.worker.deliver_due(1000))
        return result
