"""A controllable proactive-service world: services over the test database, channels (recording or real
channels pointed at the fake platforms), a pinned clock, and a fake monotonic clock for rate limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

import bot.worker
from bot.services import Services, build_services
from bot.settings import Settings
from bot.sweeps import run_all
from bot.worker import Worker
from tests.fakes.nlu import FakeNlu


class FakeMonotonic:
    """Replaces ``time`` and ``asyncio.sleep`` inside :mod:`bot.worker`: sleeping advances the clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        """The fake monotonic time."""
        return self.now


class _FakeAsyncio:
    def __init__(self, clock: FakeMonotonic) -> None:
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, seconds: float) -> None:
        self._clock.now += max(seconds, 1e-6)  # real time always moves; a float-rounded 0 would spin
        await asyncio.sleep(0)


def install_fake_time(monkeypatch: Any) -> FakeMonotonic:
    """Make the worker's rate limiter run on a fake clock (no real waiting)."""
    clock = FakeMonotonic()
    monkeypatch.setattr(bot.worker, "time", clock)
    monkeypatch.setattr(bot.worker, "asyncio", _FakeAsyncio(clock))
    return clock


@dataclass
class Sent:
    """One send as the platform saw it: channel, recipient, wall time (pinned clock), fake monotonic time."""

    channel: str
    recipient: str
    at: datetime
    mono: float
    template: str | None
    text: str
    worker: int = 0


class Recorder:
    """Wraps a channel: records each send with both clocks, then delegates."""

    def __init__(self, name: str, inner: Any, world: World) -> None:
        self.name, self.inner, self.world = name, inner, world

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.inner, attr)

    async def send(self, message: Any) -> Any:
        """Record and delegate."""
        mono = self.world.mono.now if self.world.mono else 0.0
        self.world.sent.append(Sent(self.name, message.external_user_id, self.world.now, mono,
                                    message.template_id, message.text, self.world.generation))
        return await self.inner.send(message)


@dataclass
class World:
    """Services + worker with a pinned clock."""

    engine: Engine
    now: datetime
    channels: dict[str, Any]
    settings_kw: dict[str, Any] = field(default_factory=dict)
    mono: FakeMonotonic | None = None
    sent: list[Sent] = field(default_factory=list)
    generation: int = 0

    def __post_init__(self) -> None:
        self.start_worker()

    def start_worker(self) -> None:
        """(Re)build services and a worker, as a process restart would."""
        self.generation += 1
        settings = Settings(database_url=str(self.engine.url), _env_file=None, **self.settings_kw)
        wrapped = {name: Recorder(name, ch, self) for name, ch in self.channels.items()}
        self.svc: Services = build_services(settings, engine=self.engine, channels=wrapped, nlu=FakeNlu())
        self.svc.clock = lambda: self.now
        self.worker = Worker(self.svc, sweeps_enabled=False)

    def advance(self, **delta: float) -> None:
        """Move the pinned clock."""
        self.now += timedelta(**delta)

    def at(self, moment: datetime) -> None:
        """Set the pinned clock."""
        self.now = moment

    def sweep(self) -> dict[str, int]:
        """Run every sweep once at the pinned time."""
        return run_all(self.svc, self.now)

    def deliver(self, limit: int = 1000) -> int:
        """Deliver due outbox rows once."""
        return asyncio.run(self.worker.deliver_due(limit))

    def deliver_all(self, batch: int = 200) -> int:
        """Deliver until nothing is due at the pinned time."""
        total = 0
        while (n := self.deliver(batch)) > 0:
            total += n
        return total
