"""Proactive sweeps (docs/domain.md §5): progress updates, warranty grants and reminders, maintenance campaigns,
callback surveys (chat or voice, one retry, then a manual call), low-score alerts, and the monthly
"no progress update yet" reminder to staff.

Every sweep works on due rows in one transaction (claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL)
and writes outbox rows with dedupe keys, so a restart or a second worker never loses or doubles a message.
The worker runs them from the list in :mod:`bot.sweeps`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import progress, reminders, staff_notify, tickets
from backend.db import is_postgres, transaction
from backend.models import (
    ChannelIdentity,
    Conversation,
    Kind,
    Message,
    Mode,
    Staff,
    Status,
    Survey,
    SurveyStatus,
    Ticket,
    TicketEvent,
)
from backend.notify import (
    Policy,
    Reach,
    choose,
    load_reach,
    proactive_config,
    template_data,
)
from backend.outbox import Priority, enqueue
from backend.phones import e164
from backend.staff_notify import staff_channels
from bot import effects as fx
from bot.channels.registry import traits_of
from bot.conversation import get_conversation, get_identity
from bot.dialogs import aftercare
from bot.dialogs.state import normalise
from bot.dialogs.texts import render
from bot.dialogs.types import Reply
from bot.services import Services

log = logging.getLogger(__name__)
SCORE_CHOICES = tuple((str(i), f"score:{i}") for i in range(1, 6))
BUSY_DELAY = timedelta(minutes=30)


def policy(svc: Services) -> Policy:
    """What this deployment can send (enabled channels, configured WeChat templates, the 48 h window)."""
    ids = {k: v for k, v in svc.settings.wechat.template_ids.items() if v}
    hours = float(proactive_config().get("wechat_window_hours", 48))
    return Policy(frozenset(svc.channels), ids, timedelta(hours=hours), traits_of(svc.channels))


def survey_config() -> dict[str, Any]:
    """The ``surveys`` section of ``config/proactive.yml``."""
    return proactive_config().get("surveys") or {}


def publish_progress(svc: Services, now: datetime) -> int:
    """Fan out progress updates whose publish time has come."""
    with transaction(svc.sessions) as session:
        ids = progress.publish_due(session, now=now, tz=svc.tz, policy=policy(svc))
    for update_id in ids:
        svc.broker.publish({"type": "progress_published", "update_id": update_id})
    return len(ids)


def grant_warranty(svc: Services, now: datetime) -> int:
    """Safety net: grant warranty items to handed-over units that have none (any handover path)."""
    with transaction(svc.sessions) as session:
        return reminders.grant_all_missing(session, tz=svc.tz, limit=5000)


def warranty_reminders(svc: Services, now: datetime) -> int:
    """Send warranty-expiry reminders that are due."""
    with transaction(svc.sessions) as session:
        return reminders.remind_due(session, now=now, tz=svc.tz, policy=policy(svc))


def maintenance_campaigns(svc: Services, now: datetime) -> int:
    """Announce maintenance campaigns whose notification time has come."""
    with transaction(svc.sessions) as session:
        return reminders.notify_campaigns(session, now=now, tz=svc.tz, policy=policy(svc))


def progress_missing(svc: Services, now: datetime) -> int:
    """Remind staff about projects under construction with no update this month."""
    with transaction(svc.sessions) as session:
        return progress.remind_staff_missing(session, now=now, tz=svc.tz, enabled=frozenset(svc.channels))


# --- surveys --------------------------------------------------------------------------------------


def notify_staff(session: Session, svc: Services, staff: list[Staff], key: str, now: datetime,
                 **params: Any) -> int:
    """Queue message ``key`` once to each staff member (dedupe ``<key>:<params id>:<staff>``); returns new rows."""
    return len(staff_notify.notify_staff(
        session, staff, now=now, enabled=svc.channels, priority=Priority.NOTICE, ticket_id=params.get("ticket_id"),
        text=lambda m: render(key, m.language, **params), dedupe=f"{key}:{params.get('ref')}:{{staff}}"))


def _staff_with_roles(session: Session, roles: list[str]) -> list[Staff]:
    return list(session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role.in_(roles)).order_by(Staff.id)))


def alert_low_score(session: Session, svc: Services, survey: Survey, now: datetime) -> int:
    """Alert supervisors once about a low score (1-2) and its complaint follow-up; returns rows queued."""
    ticket = session.get(Ticket, survey.ticket_id)
    assert ticket is not None
    follow = session.scalars(select(Ticket).where(Ticket.related_ticket_id == ticket.id, Ticket.kind == Kind.COMPLAINT)
                             .order_by(Ticket.id.desc()).limit(1)).first()
    staff = _staff_with_roles(session, survey_config().get("alert_roles") or ["supervisor"])
    n = notify_staff(session, svc, staff, "staff_survey_low", now, ref=survey.id, ticket=ticket.number,
                     score=survey.score, follow_up=follow.number if follow else "-", comment=survey.comment or "-",
                     ticket_id=(follow or ticket).id)
    if n:
        svc.broker.publish({"type": "alert", "kind": "survey_low", "ticket": ticket.number, "score": survey.score})
    return n


def survey_alerts(svc: Services, now: datetime) -> int:
    """Supervisor alerts for recent low scores (chat, voice or manual), each sent once."""
    since = now - timedelta(days=float(survey_config().get("low_score_alert_days", 3)))
    with transaction(svc.sessions) as session:
        stmt = select(Survey).where(Survey.score <= 2, Survey.answered_at >= since)
        return sum(alert_low_score(session, svc, s, now) for s in session.scalars(stmt).all())


def _to_manual(session: Session, svc: Services, survey: Survey, ticket: Ticket, now: datetime, reason: str) -> None:
    survey.status, survey.method = SurveyStatus.MANUAL, "manual"
    tickets.add_event(session, ticket, "survey_manual_call", at=now, reason=reason, attempts=survey.attempts)
    staff = [s for s in (session.get(Staff, i) for i in (ticket.advisor_id, ticket.first_contact_owner_id) if i) if s]
    staff = [s for s in {s.id: s for s in staff}.values() if staff_notify.staff_channels(s, svc.channels)]
    staff = staff or _staff_with_roles(session, survey_config().get("alert_roles") or ["supervisor"])
    notify_staff(session, svc, staff, "staff_survey_manual", now, ref=survey.id, ticket=ticket.number,
                 ticket_id=ticket.id)
    svc.broker.publish({"type": "alert", "kind": "survey_manual", "ticket": ticket.number})


def _voice_channel(svc: Services) -> Any:
    channel = svc.channels.get("sms")
    return channel if hasattr(channel, "place_call") else None


def _chat(session: Session, svc: Services, survey: Survey, ticket: Ticket, reach: Reach, now: datetime) -> str:
    """Send the chat prompt and put the conversation into the survey flow: ``sent``, ``busy`` or ``no_route``."""
    prefer = session.scalar(select(Conversation.identity_id).where(Conversation.id == ticket.conversation_id)) \
        if ticket.conversation_id else None
    pol = policy(svc)
    route = choose(reach, now=now, policy=pol, template="survey", prefer_identity=prefer)
    if route.channel is None or route.recipient is None:
        return "no_route"
    identity = session.get(ChannelIdentity, route.identity_id) if route.identity_id else None
    if identity is None:  # SMS to the registered phone: the number itself proves the owner
        identity = get_identity(session, route.channel, route.recipient, now)
        identity.owner_id = identity.owner_id or reach.owner_id
    conv = get_conversation(session, identity, now)
    conv.owner_id = conv.owner_id or reach.owner_id
    if conv.mode is not Mode.BOT or (conv.state.get("flow") not in (None, "survey")
                                     and conv.last_message_at > now - BUSY_DELAY):
        survey.due_at = now + BUSY_DELAY
        return "busy"
    lang = identity.language or reach.language
    # the flow is entered by the dialogs' entry; the send itself is routed here (template or SMS outside
    # WeChat's window) with a dedupe key per attempt
    entry = aftercare.enter_survey(conv.state, lang=lang, survey_id=survey.id, ticket_id=ticket.id,
                                   ticket=ticket.number)
    prompt = entry.effects[0]
    assert isinstance(prompt, Reply)
    text = render(prompt.key, lang, **prompt.params)
    choices = [{"label": label, "payload": payload} for label, payload in prompt.choices]
    extra: dict[str, Any] = {}
    if route.route == "template":
        params = {"ticket": ticket.number, "title": render("survey_template_title", lang)}
        extra = {"template_id": pol.template_for("survey"), "template_data": template_data("survey", params)}
    row = enqueue(session, channel=route.channel, recipient=route.recipient, text=text, now=now, purpose="survey",
                  priority=Priority.FOLLOW_UP, owner_id=reach.owner_id, ticket_id=ticket.id, quick_replies=choices,
                  dedupe_key=f"survey:{survey.id}:{survey.attempts + 1}", **extra)
    session.add(Message(conversation_id=conv.id, direction="out", author="bot", text=text, outbox_id=row.id,
                        payload={"choices": choices}, created_at=now))
    conv.state = normalise({**entry.state, "choices": [c["payload"] for c in choices]})
    survey.method, survey.status, survey.attempts = "chat", SurveyStatus.SENT, survey.attempts + 1
    survey.due_at = now + timedelta(hours=float(survey_config().get("answer_window_hours", 48)))
    tickets.add_event(session, ticket, "survey_sent", at=now, method="chat", channel=route.channel,
                      attempt=survey.attempts)
    return "sent"


def surveys_due(svc: Services, now: datetime) -> int:
    """Send due survey prompts (chat) or place survey calls (voice); no answer: one retry, then manual."""
    cfg = survey_config()
    max_attempts = int(cfg.get("max_attempts", 2))
    voice = _voice_channel(svc)
    calls: list[tuple[int, str]] = []
    quiet_until = svc.quiet.next_allowed(now)
    with transaction(svc.sessions) as session:
        stmt = (select(Survey).where(Survey.status.in_(("due", "sent")), Survey.due_at <= now)
                .order_by(Survey.due_at, Survey.id).limit(100))
        if is_postgres(session):
            stmt = stmt.with_for_update(skip_locked=True)
        due = session.scalars(stmt).all()
        reach = load_reach(session, {s.owner_id for s in due if s.owner_id})
        for survey in due:
            ticket = session.get(Ticket, survey.ticket_id)
            assert ticket is not None
            who = reach.get(survey.owner_id or 0)
            if survey.attempts >= max_attempts or who is None or who.deleted:
                _to_manual(session, svc, survey, ticket, now, "no_answer" if who else "no_owner")
                continue
            if quiet_until is not None:
                survey.due_at = quiet_until
                continue
            can_call = voice is not None and bool(who.phone)
            if not (can_call and (survey.method == "voice" or cfg.get("default_method") == "voice")):
                outcome = _chat(session, svc, survey, ticket, who, now)
                if outcome != "no_route":
                    continue
                if not can_call:
                    _to_manual(session, svc, survey, ticket, now, "no_channel")
                    continue
            if len(calls) >= int(cfg.get("voice_calls_per_sweep", 5)):
                continue  # stays due for the next run (Twilio's calls-per-second limit)
            survey.method, survey.status, survey.attempts = "voice", SurveyStatus.SENT, survey.attempts + 1
            survey.due_at = now + timedelta(minutes=float(cfg.get("voice_answer_window_minutes", 30)))
            tickets.add_event(session, ticket, "survey_sent", at=now, method="voice", attempt=survey.attempts)
            calls.append((survey.id, e164(who.phone)))
        handled = len(due)
    base = svc.settings.public_url.rstrip("/")
    for survey_id, phone in calls:
        result = _run(voice.place_call(phone, twiml_url=f"{base}/hooks/voice/survey/{survey_id}",
                                       status_callback=f"{base}/hooks/voice/status/{survey_id}"))
        if not result.ok:
            log.warning("survey call %s failed: %s", survey_id, result.error)
            with transaction(svc.sessions) as session:
                failed = session.get(Survey, survey_id)
                if failed is not None and failed.status == "sent":
                    failed.due_at = now  # counts as no answer: retried or handed to a person next run
    return handled


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine from sync code, also when called on a thread that has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


# --- repair confirmation --------------------------------------------------------------------------


def confirm_config() -> dict[str, Any]:
    """The ``confirm`` section of ``config/proactive.yml``."""
    return proactive_config().get("confirm") or {}


def _owner_conversation(session: Session, ticket: Ticket) -> tuple[Conversation, ChannelIdentity] | None:
    """The conversation the ticket came from, else the owner's most recently active one."""
    conv = session.get(Conversation, ticket.conversation_id) if ticket.conversation_id else None
    if conv is None and ticket.owner_id:
        conv = session.scalars(select(Conversation).where(Conversation.owner_id == ticket.owner_id)
                               .order_by(Conversation.last_message_at.desc()).limit(1)).first()
    if conv is None:
        return None
    identity = session.get(ChannelIdentity, conv.identity_id)
    return (conv, identity) if identity is not None else None


def ask_confirmation(session: Session, svc: Services, ticket: Ticket, now: datetime, *, reminder: bool = False) -> bool:
    """Put "is it fixed?" to the owner in chat (buttons) through the one effect interpreter; False if busy."""
    found = _owner_conversation(session, ticket)
    if found is None:
        return False
    conv, identity = found
    state = conv.state or {}
    if conv.mode is not Mode.BOT or (state.get("flow") not in (None, "confirm")
                                     and conv.last_message_at > now - BUSY_DELAY):
        return False  # staff hold it (hand-back asks), or the owner is in the middle of something else
    lang = state.get("lang") or identity.language or "zh"
    result = aftercare.enter_confirm(state, lang=lang, ticket_id=ticket.id, ticket=ticket.number, reminder=reminder)
    applied = fx.Applied(conversation_id=conv.id)
    fx.apply(session, conv, identity, result, svc, now, applied)
    tickets.add_event(session, ticket, "confirm_asked", at=now, channel=identity.channel, reminder=reminder)
    for event in applied.console_events:
        svc.broker.publish(event)
    return True


def confirmations_due(svc: Services, now: datetime) -> int:
    """Ask owners to confirm finished repairs; no answer: one reminder, then a staff follow-up task."""
    cfg = confirm_config()
    reminder_after = timedelta(hours=float(cfg.get("reminder_hours", 24)))
    task_after = timedelta(hours=float(cfg.get("staff_task_hours", 24)))
    done = 0
    with transaction(svc.sessions) as session:
        stmt = (select(Ticket).where(Ticket.status == Status.PENDING_OWNER_CONFIRM, Ticket.owner_id.is_not(None))
                .order_by(Ticket.id).limit(200))
        if is_postgres(session):
            stmt = stmt.with_for_update(skip_locked=True)
        for ticket in session.scalars(stmt).all():
            events = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                          .order_by(TicketEvent.id)))
            start = max((i for i, e in enumerate(events) if e.kind == "status"
                         and (e.data or {}).get("to") == Status.PENDING_OWNER_CONFIRM.value), default=-1)
            recent = events[start + 1:]
            asked = [e for e in recent if e.kind == "confirm_asked"]
            if any(e.kind == "confirm_staff_task" for e in recent):
                continue
            if not asked:
                done += ask_confirmation(session, svc, ticket, now)
            elif len(asked) == 1 and now - asked[-1].at >= reminder_after:
                done += ask_confirmation(session, svc, ticket, now, reminder=True)
            elif len(asked) >= 2 and now - asked[-1].at >= task_after:
                staff = [s for s in (session.get(Staff, i) for i in (ticket.assignee_id, ticket.advisor_id) if i)
                         if s is not None and staff_channels(s, svc.channels)]
                staff = staff or _staff_with_roles(session, ["supervisor"])
                notify_staff(session, svc, staff, "staff_confirm_overdue", now, ref=ticket.id, ticket=ticket.number,
                             ticket_id=ticket.id)
                tickets.add_event(session, ticket, "confirm_staff_task", at=now, reminders=len(asked) - 1,
                                  staff=[s.id for s in staff])
                svc.broker.publish({"type": "alert", "kind": "confirm_overdue", "ticket": ticket.number})
                done += 1
    return done

