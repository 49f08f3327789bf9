"""Human takeover of conversations: take over, reply, notes, hand back, routing of waiting owners.

Plain functions over a session, like :mod:`backend.tickets`; the caller commits and then publishes
console events. Owner-facing texts are rendered by a callable the caller passes in (``render(key,
lang, **params)``), because the templates live with the dialogs, above this package.

Rules kept here:

- the bot is silent while ``mode`` is ``waiting`` or ``staff`` (``bot/conversation.py`` checks it);
- a waiting conversation goes to the owner's own advisor first (客服顾问制) while they are online
  and for ``advisor_window``, then to the shared queue; if nobody picks it up within the pickup time
  a :class:`~backend.models.ConsoleAlert` is raised for the supervisors;
- a staff reply is an outbox row plus a ``Message(direction="out", author="staff:<id>")`` in one
  transaction, routed by :func:`reply_route` (WeChat's 48 h customer-service window);
- handing back resumes the dialog: re-ask a pending question, else ask for a pending repair
  confirmation, else start a due callback survey.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import is_postgres
from backend.models import (
    ChannelIdentity,
    ConsoleAlert,
    Conversation,
    Message,
    Mode,
    Outbox,
    Owner,
    Staff,
    StaffSession,
    Status,
    Survey,
    SurveyStatus,
    Ticket,
)
from backend.notify import Policy, template_data, window_open
from backend.outbox import enqueue
from backend.phones import e164

WECHAT_WINDOW = timedelta(hours=48)
ONLINE_WINDOW = timedelta(minutes=15)
PICKUP_ALERT = "pickup_timeout"
Render = Callable[..., str]


class ConsoleError(ValueError):
    """An action the console refuses (e.g. replying to a conversation someone else holds)."""


@dataclass(frozen=True)
class Route:
    """Where a staff message to an owner goes.

    ``via`` is ``chat`` (the conversation's own channel), ``template`` (a WeChat template message,
    outside the 48 h window), ``sms`` (fallback to the owner's phone) or ``late`` (WeChat outside the
    window with neither a template nor a phone: sent anyway, the platform will probably refuse it).
    """

    channel: str
    recipient: str
    via: str
    template_id: str | None = None


def reply_route(identity: ChannelIdentity, owner: Owner | None, *, now: datetime, template_id: str | None,
                sms_enabled: bool) -> Route:
    """Choose how to reach the owner: the chat, or (WeChat after 48 h of silence) a template or SMS.

    Args:
        identity: The conversation's channel identity.
        owner: The bound owner, if any (their phone is the SMS fallback).
        now: The current time.
        template_id: The configured WeChat ``service_notice`` template name/id, or None if unset.
        sms_enabled: Whether the SMS channel is configured.
    """
    chat = Route(identity.channel, identity.external_id, "chat")
    if identity.channel != "wechat":
        return chat
    if window_open(identity, Policy(frozenset({"wechat"}), window=WECHAT_WINDOW).traits_of("wechat"), now):
        return chat
    if template_id:
        return Route("wechat", identity.external_id, "template", template_id)
    if sms_enabled and owner is not None and owner.phone:
        return Route("sms", e164(owner.phone), "sms")
    return Route(identity.channel, identity.external_id, "late")


def is_online(session: Session, staff_id: int, now: datetime) -> bool:
    """True when the staff member has a live console session seen in the last 15 minutes."""
    stmt = select(StaffSession.id).where(
        StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None), StaffSession.expires_at > now,
        StaffSession.last_seen_at > now - ONLINE_WINDOW).limit(1)
    return session.scalar(stmt) is not None


def route_waiting(session: Session, conv: Conversation, *, now: datetime, advisor_window: timedelta) -> int | None:
    """The advisor a waiting conversation is reserved for, or None when it is in the shared queue.

    The owner's advisor gets it first while they are active, online and ``advisor_window`` has not
    passed since the owner started waiting; after that (or with no advisor) anyone may pick it up.
    """
    if conv.mode is not Mode.WAITING or conv.owner_id is None:
        return None
    owner = session.get(Owner, conv.owner_id)
    if owner is None or owner.advisor_id is None:
        return None
    advisor = session.get(Staff, owner.advisor_id)
    if advisor is None or not advisor.active:
        return None
    since = conv.waiting_since or now
    if now - since >= advisor_window or not is_online(session, advisor.id, now):
        return None
    return advisor.id


def take_over(session: Session, conv: Conversation, staff: Staff, *, now: datetime, force: bool = False) -> None:
    """Staff take the conversation: the bot goes silent at once; open pickup alerts are closed.

    Raises:
        ConsoleError: someone else holds it and ``force`` (a supervisor's decision) is not set.
    """
    if conv.mode is Mode.STAFF and conv.held_by_id not in (None, staff.id) and not force:
        raise ConsoleError("held by another colleague")
    conv.mode, conv.held_by_id, conv.waiting_since = Mode.STAFF, staff.id, None
    for alert in session.scalars(select(ConsoleAlert).where(ConsoleAlert.conversation_id == conv.id,
                                                             ConsoleAlert.acked_at.is_(None))):
        alert.acked_at, alert.acked_by_id = now, staff.id
    session.add(Message(conversation_id=conv.id, direction="note", author=f"staff:{staff.id}",
                        text=f"{staff.name} took over", kind="event", payload={"event": "takeover"},
                        created_at=now))


def _require_holder(conv: Conversation, staff: Staff) -> None:
    if conv.mode is not Mode.STAFF or conv.held_by_id != staff.id:
        raise ConsoleError("take the conversation over first")


def _send(session: Session, conv: Conversation, author: str, text: str, *, now: datetime, route: Route,
          staff_id: int | None = None, choices: list[dict[str, str]] | None = None) -> tuple[Message, Outbox]:
    identity = session.get(ChannelIdentity, conv.identity_id)
    assert identity is not None
    extra: dict[str, Any] = {}
    if route.via == "template":
        extra = {"template_id": route.template_id, "template_kind": "service_notice",
                 "template_data": template_data("service_notice", {"title": text, "date": f"{now:%Y-%m-%d %H:%M}"})}
    row = enqueue(session, channel=route.channel, recipient=route.recipient, text=text, now=now,
                  owner_id=identity.owner_id, staff_id=staff_id, quick_replies=choices or None, **extra)
    msg = Message(conversation_id=conv.id, direction="out", author=author, text=text, outbox_id=row.id,
                  payload={"via": route.via, **({"choices": choices} if choices else {})}, created_at=now)
    session.add(msg)
    conv.last_message_at = now
    session.flush()
    return msg, row


def staff_reply(session: Session, conv: Conversation, staff: Staff, text: str, *, now: datetime,
                template_id: str | None = None, sms_enabled: bool = False) -> Message:
    """Send ``text`` to the owner on their channel through the outbox (see :func:`reply_route`)."""
    _require_holder(conv, staff)
    text = text.strip()
    if not text:
        raise ConsoleError("empty reply")
    identity = session.get(ChannelIdentity, conv.identity_id)
    assert identity is not None
    owner = session.get(Owner, conv.owner_id) if conv.owner_id else None
    route = reply_route(identity, owner, now=now, template_id=template_id, sms_enabled=sms_enabled)
    msg, _row = _send(session, conv, f"staff:{staff.id}", text[:2000], now=now, route=route, staff_id=staff.id)
    return msg


def add_note(session: Session, conv: Conversation, staff: Staff, text: str, *, now: datetime) -> Message:
    """An internal note on the thread; it never reaches the owner (no outbox row)."""
    text = text.strip()
    if not text:
        raise ConsoleError("empty note")
    msg = Message(conversation_id=conv.id, direction="note", author=f"staff:{staff.id}", text=text[:4000],
                  created_at=now)
    session.add(msg)
    session.flush()
    return msg


Resume = Callable[[Session, Conversation], list[Message]]


def hand_back(session: Session, conv: Conversation, staff: Staff, *, now: datetime, render: Render,
              force: bool = False, template_id: str | None = None, sms_enabled: bool = False,
              resume: Resume | None = None) -> list[Message]:
    """Give the conversation back to the bot and let it resume where the conversation stands.

    In order: a dialog flow in progress has its pending question asked again; otherwise a repair
    awaiting the owner's confirmation is put to them; otherwise a due callback survey is started.
    ``resume`` (the app passes ``bot.conversation.resume_dialog``) does this through the dialogs' entry
    functions and the one effect interpreter; without it the fallback below is used.
    Returns the bot messages queued (possibly none).
    """
    if conv.mode is Mode.STAFF and conv.held_by_id != staff.id and not force:
        raise ConsoleError("held by another colleague")
    conv.mode, conv.held_by_id, conv.waiting_since = Mode.BOT, None, None
    session.add(Message(conversation_id=conv.id, direction="note", author=f"staff:{staff.id}",
                        text=f"{staff.name} handed back to the bot", kind="event",
                        payload={"event": "hand_back"}, created_at=now))
    if resume is not None:
        return resume(session, conv)
    identity = session.get(ChannelIdentity, conv.identity_id)
    assert identity is not None
    owner = session.get(Owner, conv.owner_id) if conv.owner_id else None
    route = reply_route(identity, owner, now=now, template_id=template_id, sms_enabled=sms_enabled)
    state = dict(conv.state or {})
    lang = state.get("lang") or identity.language or (owner.language if owner else "zh")
    sent: list[Message] = []
    if state.get("flow"):
        last = _last_bot_message(session, conv.id)
        if last is not None:
            msg, _ = _send(session, conv, "bot", last.text, now=now, route=route,
                           choices=(last.payload or {}).get("choices"))
            sent.append(msg)
    elif owner is not None and (ticket := _awaiting_confirmation(session, owner.id)) is not None:
        choices = [{"label": render("confirm_ok", lang), "payload": "confirm:yes"},
                   {"label": render("confirm_not_ok", lang), "payload": "confirm:no"}]
        msg, _ = _send(session, conv, "bot", render("confirm_repair_prompt", lang, ticket=ticket.number), now=now,
                       route=route, choices=choices)
        state.update(flow="confirm", step=None, ticket_id=ticket.id, choices=[c["payload"] for c in choices])
        sent.append(msg)
    elif owner is not None and (survey := _due_survey(session, owner.id)) is not None:
        ticket = session.get(Ticket, survey.ticket_id)
        choices = [{"label": str(i), "payload": f"score:{i}"} for i in range(1, 6)]
        msg, _ = _send(session, conv, "bot", render("survey_prompt", lang, ticket=ticket.number if ticket else ""),
                       now=now, route=route, choices=choices)
        state.update(flow="survey", step=None, survey_id=survey.id, ticket_id=survey.ticket_id,
                     choices=[c["payload"] for c in choices])
        survey.status, survey.attempts = SurveyStatus.SENT, survey.attempts + 1
        sent.append(msg)
    conv.state = state
    return sent


def _last_bot_message(session: Session, conversation_id: int) -> Message | None:
    stmt = (select(Message).where(Message.conversation_id == conversation_id, Message.direction == "out",
                                  Message.author == "bot").order_by(Message.id.desc()).limit(1))
    return session.scalars(stmt).first()


def _awaiting_confirmation(session: Session, owner_id: int) -> Ticket | None:
    stmt = (select(Ticket).where(Ticket.owner_id == owner_id, Ticket.status == Status.PENDING_OWNER_CONFIRM)
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(1))
    return session.scalars(stmt).first()


def _due_survey(session: Session, owner_id: int) -> Survey | None:
    """The owner's oldest callback survey not yet asked (asked now, even before its ``due_at``: they are here)."""
    stmt = (select(Survey).where(Survey.owner_id == owner_id, Survey.status == "due", Survey.method == "chat")
            .order_by(Survey.due_at, Survey.id).limit(1))
    return session.scalars(stmt).first()


def raise_pickup_alerts(session: Session, *, now: datetime, pickup: timedelta) -> list[ConsoleAlert]:
    """Sweep: one alert per waiting period that nobody picked up within ``pickup``."""
    stmt = select(Conversation).where(Conversation.mode == Mode.WAITING, Conversation.waiting_since.is_not(None),
                                      Conversation.waiting_since <= now - pickup)
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    alerts = []
    for conv in session.scalars(stmt).all():
        exists = select(ConsoleAlert.id).where(ConsoleAlert.conversation_id == conv.id,
                                               ConsoleAlert.kind == PICKUP_ALERT,
                                               ConsoleAlert.since == conv.waiting_since)
        if session.scalar(exists) is None:
            alert = ConsoleAlert(kind=PICKUP_ALERT, conversation_id=conv.id, since=conv.waiting_since, created_at=now)
            session.add(alert)
            alerts.append(alert)
    session.flush()
    return alerts


def open_alerts(session: Session, limit: int = 50) -> list[ConsoleAlert]:
    """Unacknowledged console alerts, newest first."""
    stmt = select(ConsoleAlert).where(ConsoleAlert.acked_at.is_(None)).order_by(ConsoleAlert.created_at.desc())
    return list(session.scalars(stmt.limit(limit)))
