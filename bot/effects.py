"""Applying a dialog step's effects: tickets, pages, bindings, consent, outbox rows, dialog state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import dispatch, pipl, tickets
from backend.models import (
    ChannelIdentity,
    ConsoleAlert,
    Conversation,
    DispatchPage,
    Kind,
    Level,
    Message,
    Mode,
    PageStatus,
    Staff,
    Status,
    Survey,
    SurveyStatus,
    Ticket,
    Urgency,
)
from backend.outbox import Priority, enqueue
from backend.phones import e164
from backend.staff_notify import staff_channels
from bot.dialogs import types as d
from bot.dialogs.emergency import CREATED
from bot.dialogs.state import normalise
from bot.dialogs.texts import render
from bot.services import Services

ESCALATED = (Level.DEV_DEPT, Level.HQ)
URGENCY_ORDER = ["normal", "high", "emergency"]
EMERGENCY_REPLY_PRIORITY = Priority.URGENT  # safety steps go out right after the pages, ahead of ordinary replies


@dataclass
class Applied:
    """What the step did that the rest of the system must hear about after commit."""

    conversation_id: int | None = None
    console_events: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    wake_outbox: bool = False
    messages: list[Message] = field(default_factory=list)  # the bot's replies queued by this step


@dataclass
class Run:
    """Everything an effect handler needs, plus the results earlier effects left for later ones."""

    session: Session
    conv: Conversation
    identity: ChannelIdentity
    svc: Services
    now: datetime
    lang: str
    applied: Applied
    results: dict[str, Any] = field(default_factory=dict)
    reply_priority: Priority = Priority.REPLY


def apply(
    session: Session,
    conv: Conversation,
    identity: ChannelIdentity,
    result: d.StepResult,
    svc: Services,
    now: datetime,
    applied: Applied,
) -> None:
    """Apply ``result.effects`` in order, then store the dialog state."""
    run = Run(session, conv, identity, svc, now, result.lang, applied)
    if any(isinstance(e, d.PageOnCall) for e in result.effects):  # the whole turn jumps ordinary replies
        run.reply_priority = EMERGENCY_REPLY_PRIORITY
    for effect in result.effects:
        HANDLERS[type(effect)](run, effect)
    state = {key: run.results.get("ticket_id") if value == CREATED else value for key, value in result.state.items()}
    if run.results.get("choices") is not None:
        state["choices"] = run.results["choices"]
    conv.state = normalise(state)
    applied.wake_outbox = True
    applied.console_events.append({"type": "message", "conversation_id": conv.id, "mode": conv.mode.value})


def _reply(a: Run, e: d.Reply) -> None:
    key = e.key
    if key == "emergency_dispatched" and not a.results.get("paged"):
        key = "emergency_no_engineer"
    params = {**a.results, **e.params}
    text = key if e.literal else render(key, a.lang, **params)
    choices = [{"label": label if e.literal else render(label, a.lang), "payload": payload}
               for label, payload in e.choices]
    row = enqueue(
        a.session,
        channel=a.identity.channel,
        recipient=a.identity.external_id,
        text=text,
        now=a.now,
        owner_id=a.identity.owner_id,
        ticket_id=a.results.get("ticket_id"),
        priority=a.reply_priority,
        quick_replies=choices,
        request_contact=e.request_contact or None,
    )
    msg = Message(
        conversation_id=a.conv.id,
        direction="out",
        author="bot",
        text=text,
        outbox_id=row.id,
        payload={"choices": choices} if choices else {},
        created_at=a.now,
    )
    a.session.add(msg)
    a.applied.messages.append(msg)
    a.results["choices"] = [c["payload"] for c in choices]


def _create_ticket(a: Run, e: d.CreateTicket) -> None:
    kind = Kind(e.kind)
    category, location = e.category, e.location
    if e.related_ticket_id and kind is Kind.COMPLAINT:
        related = a.session.get(Ticket, e.related_ticket_id)
        if related is not None and related.owner_id == a.identity.owner_id:
            category, location = related.category, related.location
    ticket = tickets.create_ticket(
        a.session,
        kind=kind,
        urgency=Urgency(e.urgency),
        now=a.now,
        rules=a.svc.rules,
        category=category,
        location=location,
        description=e.description,
        owner_id=a.identity.owner_id,
        unit_id=e.unit_id,
        conversation_id=a.conv.id,
        actor="bot",
    )
    if e.appointment:
        ticket.appointment_start = datetime.fromisoformat(e.appointment["start"])
        ticket.appointment_end = datetime.fromisoformat(e.appointment["end"])
    if e.photos or e.appointment or a.identity.owner_id is None or e.address or e.callback:
        tickets.add_event(
            a.session,
            ticket,
            "details",
            at=a.now,
            actor="bot",
            photos=list(e.photos),
            appointment=e.appointment,
            channel=a.identity.channel,
            contact=None if a.identity.owner_id else a.identity.external_id,
            **({"address": e.address} if e.address else {}),
            **({"callback": e.callback} if e.callback else {}),
        )
    a.results.update(
        ticket=ticket.number,
        ticket_id=ticket.id,
        deadline=a.svc.format_local(ticket.contact_due_at) if ticket.contact_due_at else "",
    )
    if URGENCY_ORDER.index(ticket.urgency.value) > URGENCY_ORDER.index(a.conv.urgency):
        a.conv.urgency = ticket.urgency.value
    a.applied.console_events.append(
        {"type": "ticket", "ticket": ticket.number, "kind": ticket.kind.value, "level": ticket.level.value}
    )
    if ticket.kind is Kind.COMPLAINT and ticket.level in ESCALATED:
        _reply(a, d.Reply("complaint_escalated", {"level": f"§level_{ticket.level.value}"}))
        _handoff(a, d.Handoff(f"complaint_{ticket.level.value}"))


def _page(a: Run, e: d.PageOnCall) -> None:
    ticket = a.session.get(Ticket, e.ticket_id or a.results["ticket_id"])
    assert ticket is not None
    page = dispatch.page(
        a.session, ticket, now=a.now, ack_after=a.svc.ack_after, text=a.svc.page_text, enabled_channels=a.svc.channels
    )
    a.results["paged"] = page is not None
    a.results["hotline"] = a.svc.settings.hotline
    a.results["engineer"] = (
        f" {page.staff.name}"
        if page and page.staff and a.lang == "zh"
        else (f" ({page.staff.name})" if page and page.staff else "")
    )
    a.conv.urgency = "emergency"
    a.applied.alerts.append({"kind": "emergency", "ticket": ticket.number, "paged": page is not None,
                             "conversation_id": a.conv.id, "mode": a.conv.mode.value})
    if a.conv.mode is not Mode.BOT:  # the holder (or the queue) must see it even though the bot spoke
        a.session.add(ConsoleAlert(kind="emergency", conversation_id=a.conv.id, ticket_id=ticket.id, since=a.now,
                                   created_at=a.now))
        a.session.add(Message(conversation_id=a.conv.id, direction="note", author="system", kind="event",
                              text=f"emergency {ticket.number}: safety steps sent, on-call paged",
                              payload={"event": "emergency", "ticket": ticket.number}, created_at=a.now))
        a.applied.console_events.append({"type": "alert", "kind": "emergency", "conversation_id": a.conv.id,
                                         "ticket": ticket.number, "held_by": a.conv.held_by_id})


def _add_details(a: Run, e: d.AddDetails) -> None:
    ticket = a.session.get(Ticket, e.ticket_id)
    if ticket is None:
        return
    if e.unit_id and ticket.unit_id is None:
        ticket.unit_id = e.unit_id
    extra = {k: v for k, v in (("address", e.address), ("callback", e.callback)) if v}
    tickets.add_event(a.session, ticket, "details", at=a.now, actor="owner", text=e.text, photos=list(e.photos),
                      **extra)
    a.results.update(ticket=ticket.number, ticket_id=ticket.id)
    if e.update_page:
        _page_update(a, ticket, e)


def _paged_staff(session: Session, ticket: Ticket) -> list[Staff]:
    """Everyone paged about ``ticket`` whose page is still live (not escalated past or cancelled), and the assignee."""
    pages = session.scalars(select(DispatchPage).where(DispatchPage.ticket_id == ticket.id,
                                                       DispatchPage.status.in_(("sent", "acked")))
                            .order_by(DispatchPage.id)).all()
    ids = [p.staff_id for p in pages] + ([ticket.assignee_id] if ticket.assignee_id else [])
    staff = [s for s in (session.get(Staff, i) for i in dict.fromkeys(ids)) if s is not None]
    return staff


def _tell_staff(a: Run, target: Ticket, key: str, **params: Any) -> int:
    sent = 0
    for member in _paged_staff(a.session, target):
        for channel, recipient in staff_channels(member, a.svc.channels):
            enqueue(a.session, channel=channel, recipient=recipient, text=render(key, member.language, **params),
                    now=a.now, purpose="page", priority=Priority.PAGE, staff_id=member.id, ticket_id=target.id)
            sent += 1
    return sent


def _page_update(a: Run, ticket: Ticket, e: d.AddDetails) -> None:
    """Details that arrive after the page go to the engineer too (full phone: they must call back)."""
    n = _tell_staff(a, ticket, "page_update", ticket=ticket.number, address=e.address or "-",
                    callback=e.callback or "-", text=(e.text or "").strip()[:200] or "-",
                    photos=len(e.photos))
    if n:
        tickets.add_event(a.session, ticket, "page_updated", at=a.now, recipients=n,
                          fields=[k for k, v in (("address", e.address), ("callback", e.callback),
                                                 ("photos", e.photos)) if v])


def _cancel_ticket(a: Run, e: d.CancelTicket) -> None:
    """Withdraw the ticket: cancelled with the owner's reason; live pages are stopped and the engineer told."""
    ticket = a.session.get(Ticket, e.ticket_id)
    if ticket is None or not (ticket.owner_id and ticket.owner_id == a.identity.owner_id
                              or ticket.conversation_id == a.conv.id):
        return
    if ticket.status not in tickets.OPEN_STATUSES:
        return
    told = _tell_staff(a, ticket, "page_cancelled", ticket=ticket.number, reason=e.reason)
    live = (PageStatus.SENT, PageStatus.ACKED)
    for pg in a.session.scalars(select(DispatchPage).where(DispatchPage.ticket_id == ticket.id,
                                                           DispatchPage.status.in_(live))):
        pg.status = PageStatus.CANCELLED
    tickets.transition(a.session, ticket, Status.CANCELLED, now=a.now, actor="owner", note=e.reason)
    tickets.add_event(a.session, ticket, "withdrawn", at=a.now, actor="owner", reason=e.reason, staff_told=told)
    a.results.update(ticket=ticket.number, ticket_id=ticket.id)
    a.applied.console_events.append({"type": "ticket", "ticket": ticket.number, "kind": ticket.kind.value,
                                     "status": Status.CANCELLED.value})


def _handoff(a: Run, e: d.Handoff) -> None:
    if a.conv.mode is Mode.BOT:
        a.conv.mode = Mode.WAITING
        a.conv.waiting_since = a.now
    a.applied.console_events.append({"type": "handoff", "conversation_id": a.conv.id, "reason": e.reason})


def _bind(a: Run, e: d.Bind) -> None:
    a.identity.owner_id = e.owner_id
    a.identity.verified_at = a.now
    a.conv.owner_id = e.owner_id


def _send_otp(a: Run, e: d.SendOtp) -> None:
    enqueue(
        a.session,
        channel="sms",
        recipient=e164(e.phone),
        text=render("otp_sms", a.lang, code=e.code),
        now=a.now,
        purpose="otp",
        priority=Priority.URGENT,
    )


def _consent(a: Run, e: d.SetMarketingConsent) -> None:
    a.identity.marketing_opt_out_at = None if e.granted else a.now
    a.session.add(
        Message(
            conversation_id=a.conv.id,
            direction="note",
            author="system",
            created_at=a.now,
            text=f"marketing {'opt-in' if e.granted else 'opt-out'} by keyword {e.keyword!r}",
        )
    )
    pipl.log(a.session, a.identity.owner_id, "grant" if e.granted else "withdraw", now=a.now, actor="owner",
             source="keyword", channel=a.identity.channel, keyword=e.keyword)


def _confirmation(a: Run, e: d.OwnerConfirmation) -> None:
    ticket = a.session.get(Ticket, e.ticket_id)
    if ticket is None or ticket.owner_id != a.identity.owner_id:
        return
    try:
        tickets.confirm_by_owner(
            a.session, ticket, satisfied=e.satisfied, now=a.now, rules=a.svc.rules, comment=e.comment
        )
    except tickets.RuleViolation:
        return
    a.results.update(ticket=ticket.number, ticket_id=ticket.id)


def _survey(a: Run, e: d.SurveyAnswer) -> None:
    survey = a.session.get(Survey, e.survey_id)
    if survey is None or survey.status in (SurveyStatus.ANSWERED, SurveyStatus.MANUAL_DONE):
        return
    a.svc.surveys.record_answer(a.session, survey, score=e.score, comment=e.comment, now=a.now)
    a.applied.console_events.append({"type": "survey", "survey_id": survey.id, "score": e.score})


HANDLERS: dict[type, Any] = {
    d.Reply: _reply,
    d.CreateTicket: _create_ticket,
    d.PageOnCall: _page,
    d.AddDetails: _add_details,
    d.Handoff: _handoff,
    d.Bind: _bind,
    d.SendOtp: _send_otp,
    d.SetMarketingConsent: _consent,
    d.OwnerConfirmation: _confirmation,
    d.SurveyAnswer: _survey,
    d.CancelTicket: _cancel_ticket,
}
