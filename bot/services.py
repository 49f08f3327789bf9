"""The long-lived objects a process needs, built once from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from backend import surveys
from backend.db import make_engine, session_factory
from backend.models import Owner, Staff, Ticket, TicketEvent, Unit, utcnow
from backend.outbox import QuietHours
from backend.tickets import ServiceRules
from backend.tokens import DbTokenStore
from bot.answers import Answers
from bot.channels.base import Channel
from bot.channels.registry import build_channels
from bot.dialogs.texts import render
from bot.events import Broker
from bot.settings import Settings
from nlu import get_engine


def _clock(value: str) -> time:
    hour, minute = (int(x) for x in value.split(":"))
    return time(hour, minute)


class SurveyService:
    """Survey answers with the deployment's rules bound in."""

    def __init__(self, rules: ServiceRules) -> None:
        """Bind the rules."""
        self.rules = rules

    def record_answer(
        self, session: Session, survey: Any, *, score: int, comment: str | None, now: datetime
    ) -> Ticket | None:
        """See :func:`backend.surveys.record_answer`."""
        return surveys.record_answer(session, survey, score=score, comment=comment, now=now, rules=self.rules)


@dataclass
class Services:
    """Database, channels, NLU, rules and the event broker for one process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    channels: dict[str, Channel]
    nlu: Any
    rules: ServiceRules
    tz: ZoneInfo
    quiet: QuietHours
    answers: Answers
    surveys: SurveyService
    broker: Broker = field(default_factory=Broker)
    clock: Callable[[], datetime] = utcnow

    @property
    def ack_after(self) -> timedelta:
        """How long an engineer has to acknowledge a page."""
        return timedelta(minutes=self.settings.sla.page_ack_minutes)

    def format_local(self, moment: datetime) -> str:
        """A deadline as the owner reads it, in the centre's timezone."""
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def page_text(self, ticket: Ticket, layer: int, staff: Staff) -> str:
        """The page an engineer receives (full phone: they must call the owner)."""
        session = object_session(ticket)
        owner = session.get(Owner, ticket.owner_id) if session and ticket.owner_id else None
        unit = session.get(Unit, ticket.unit_id) if session and ticket.unit_id else None
        summary = " ".join(x for x in (ticket.category or "", ticket.location or "") if x)
        told = _details(session, ticket) if session else {}
        address = (
            f"{unit.building.project.name} {unit.label}" if unit
            else told.get("address") or "未知 (unknown): 请联系业主 / call the owner"
        )
        callback = told.get("callback") or (owner.phone if owner else "")
        return render(
            "page_text",
            staff.language,
            layer=layer,
            ticket=ticket.number,
            summary=summary,
            address=address,
            owner=owner.name if owner else "-",
            phone=callback,
            text=ticket.description[:200],
        )


def _details(session: Session, ticket: Ticket) -> dict[str, str]:
    """The latest address and callback number the owner gave for ``ticket`` (ticket "details" events)."""
    found: dict[str, str] = {}
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "details")
    for event in session.scalars(stmt.order_by(TicketEvent.id)):
        for key in ("address", "callback"):
            if (event.data or {}).get(key):
                found[key] = str(event.data[key])
    return found


def make_nlu(settings: Settings) -> Any:
    """The configured NLU engine; Rasa falls back to the builtin engine when its server is down."""
    builtin = get_engine("builtin", model_dir=settings.data_dir / "nlu")
    if settings.nlu.engine != "rasa":
        return builtin
    token = settings.nlu.rasa_token.get_secret_value() if settings.nlu.rasa_token else None
    return get_engine(
        "rasa", url=settings.nlu.rasa_url, token=token, timeout_s=settings.nlu.rasa_timeout_s, fallback=builtin
    )


def rules_from_settings(settings: Settings) -> ServiceRules:
    """Service rules (calendar, windows, timers) as configured: the one place they are built."""
    return ServiceRules.from_settings(settings.sla, settings.timezone)


def build_services(
    settings: Settings, *, engine: Engine | None = None, channels: dict[str, Channel] | None = None, nlu: Any = None
) -> Services:
    """Wire everything from the settings; tests may pass their own engine, channels or NLU."""
    engine = engine or make_engine(settings.database_url)
    tz = ZoneInfo(settings.timezone)
    rules = rules_from_settings(settings)
    if nlu is None:
        nlu = make_nlu(settings)
    sessions = session_factory(engine)
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        channels=channels if channels is not None else build_channels(settings, token_store=DbTokenStore(sessions)),
        nlu=nlu,
        rules=rules,
        tz=tz,
        quiet=QuietHours(_clock(settings.outbox.quiet_start), _clock(settings.outbox.quiet_end), tz),
        answers=Answers(tz),
        surveys=SurveyService(rules),
    )
