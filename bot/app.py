"""The ASGI application: webhooks, the REST API, the staff console, and (embedded) the worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from bot import console, health, pg_events, voice, webhooks
from bot.api import api_router
from bot.services import Services, build_services
from bot.settings import Settings, get_settings
from bot.worker import Worker
from nlu import ensure_trained

log = logging.getLogger(__name__)


def warm_up(svc: Services) -> None:
    """Load (training first if needed) the NLU model and jieba so the first message is fast."""
    ensure_trained(svc.settings.data_dir / "nlu")
    svc.nlu.warm_up()


def create_app(settings: Settings | None = None, *, services: Services | None = None,
               embedded_worker: bool = True) -> FastAPI:
    """Build the app. ``embedded_worker`` runs inbound processing, delivery and sweeps in this process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = app.state.services
        await asyncio.to_thread(warm_up, svc)
        listener = await pg_events.start(svc)  # PostgreSQL: console events across processes
        worker = Worker(svc) if embedded_worker else None
        app.state.worker = worker
        beat = health.Heartbeat(svc, "web") if worker is None else None  # a worker beats for its process
        if beat is not None:
            await beat.start()
        if worker is not None:
            await worker.start()
        log.info("Anju ready: channels %s, NLU %s", sorted(svc.channels), svc.settings.nlu.engine)
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            if beat is not None:
                await beat.stop()
            if listener is not None:
                await listener.stop()
                listener.broker.close()
            for channel in svc.channels.values():
                close = getattr(channel, "close", None)
                if close is not None:
                    await close()

    settings = settings or (services.settings if services else get_settings())
    svc = services or build_services(settings)
    app = FastAPI(title="Anju 安居", version="0.1.0", lifespan=lifespan,
                  description="Intake bot and ticket backend for a residential developer's customer-relations centre.")
    app.state.services = svc
    app.state.settings = settings
    app.state.sessions = svc.sessions
    app.state.worker = None
    app.include_router(webhooks.router)
    app.include_router(voice.router)
    app.include_router(api_router)
    console.install(app)
    app.include_router(health.router)  # /healthz, /readyz, /metrics
    app.add_exception_handler(OperationalError, health.database_unavailable)
    app.add_middleware(health.BodyLimit)
    app.add_middleware(health.AccessLog)
    return app
