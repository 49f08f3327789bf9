"""Callback surveys: the chat prompt, its retry, the manual call, low-score escalation, quiet hours, coverage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from backend import reports
from backend.db import transaction
from backend.models import (
    ChannelIdentity,
    Conversation,
    Kind,
    Role,
    Status,
    Survey,
    SurveyStatus,
    Ticket,
    TicketEvent,
    Urgency,
)
from backend.tickets import ServiceRules, confirm_by_owner, create_ticket, transition
from bot import conversation
from bot.channels.base import InboundMessage
from tests.factories import make_owner, make_staff, make_unit
from tests.fakes.recording import RecordingChannel
from tests.proactive.conftest import NOW, SH
from tests.proactive.harness import World

OPENID = "o_owner_1"


@dataclass
class Case:
    """A closed repair with its survey."""

    survey_id: int
    ticket_id: int
    owner_id: int


def closed_repair(sessions, at: datetime, *, identity: bool = True) -> Case:  # noqa: ANN001
    """An owner (bound on WeChat if ``identity``), a supervisor on Telegram, and a repair closed at ``at``."""
    rules = ServiceRules()
    with transaction(sessions) as s:
        make_staff(s, Role.SUPERVISOR, telegram_chat_id="9003")
        owner = make_owner(s, make_unit(s), handover_on=date(2024, 1, 1), phone="13912345678")
        conv_id = None
        if identity:
            ident = ChannelIdentity(channel="wechat", external_id=OPENID, owner_id=owner.id, last_inbound_at=at)
            s.add(ident)
            s.flush()
            conv = Conversation(identity_id=ident.id, owner_id=owner.id, state={"lang": "zh", "noticed": True},
                                last_message_at=at - timedelta(hours=3))
            s.add(conv)
            s.flush()
            conv_id = conv.id
        t = create_ticket(s, kind=Kind.REPAIR, urgency=Urgency.NORMAL, now=at - timedelta(days=2), rules=rules,
                          category="water", location="bathroom", owner_id=owner.id,
                          unit_id=owner.ownerships[0].unit_id, conversation_id=conv_id, description="卫生间渗水")
        transition(s, t, Status.PENDING_OWNER_CONFIRM, now=at - timedelta(hours=1))
        confirm_by_owner(s, t, satisfied=True, now=at, rules=rules)
        survey = s.scalars(select(Survey).where(Survey.ticket_id == t.id)).one()
        return Case(survey.id, t.id, owner.id)


def world(engine, now: datetime) -> World:  # noqa: ANN001
    return World(engine, now, {name: RecordingChannel(name) for name in ("wechat", "sms", "telegram")})


def owner_says(w: World, text: str = "", button: str | None = None) -> list[str]:
    """An owner message through the real processing pipeline."""
    before = len(w.channels["wechat"].sent)
    msg = InboundMessage(channel="wechat", external_user_id=OPENID, provider_message_id=f"m{w.now.timestamp()}{text}",
                         text=text, kind="button" if button else "text", event=button, received_at=w.now)
    with transaction(w.svc.sessions) as s:
        conversation.process(s, msg, w.svc, w.now)
    w.deliver_all()
    return [m.text for m in w.channels["wechat"].sent[before:]]


def test_chat_survey_low_score_reopens_as_complaint_and_alerts_supervisor(sessions, clean) -> None:
    case = closed_repair(sessions, NOW)
    w = world(clean, NOW)
    w.advance(hours=23)
    assert w.sweep()["surveys_due"] == 0
    w.advance(hours=1)
    assert w.sweep()["surveys_due"] == 1
    w.deliver_all()
    prompt = w.channels["wechat"].sent[-1]
    assert "打分" in prompt.text and [q.payload for q in prompt.quick_replies] == [f"score:{i}" for i in range(1, 6)]
    with w.svc.sessions() as s:
        state = s.scalars(select(Conversation.state)).one()
        assert state["flow"] == "survey" and state["step"] == "score" and state["survey_id"] == case.survey_id
        assert state["ticket_id"] == case.ticket_id
    assert owner_says(w, button="score:2")[-1].startswith("谢谢")
    assert "主管" in owner_says(w, "师傅态度不好")[-1]
    with w.svc.sessions() as s:
        survey = s.get(Survey, case.survey_id)
        assert survey.status == "answered" and survey.score == 2 and survey.comment == "师傅态度不好"
        follow = s.scalars(select(Ticket).where(Ticket.related_ticket_id == case.ticket_id)).one()
        assert follow.kind is Kind.COMPLAINT
        assert s.get(Ticket, case.ticket_id).status is Status.CALLBACK_DONE
    w.sweep()
    w.sweep()
    w.deliver_all()
    alerts = w.channels["telegram"].to("9003")
    assert len(alerts) == 1 and follow.number in alerts[0] and "2/5" in alerts[0]


def test_no_answer_one_retry_then_manual_call_then_coverage(sessions, clean) -> None:
    case = closed_repair(sessions, NOW)
    w = world(clean, NOW + timedelta(hours=24))
    w.sweep()
    w.advance(hours=47)
    w.sweep()
    w.advance(hours=1)  # 48 h without an answer: the one retry
    w.sweep()
    w.deliver_all()
    assert len([t for t in w.channels["wechat"].to(OPENID) if "打分" in t]) == 1
    # outside the 48 h WeChat window and no template configured: the retry falls back to SMS
    assert len([t for t in w.channels["sms"].to("+8613912345678") if "打分" in t]) == 1
    w.advance(hours=48)
    w.sweep()
    w.deliver_all()
    with w.svc.sessions() as s:
        survey = s.get(Survey, case.survey_id)
        assert survey.status == "manual" and survey.attempts == 2
        kinds = s.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == case.ticket_id)).all()
        assert kinds.count("survey_sent") == 2 and "survey_manual_call" in kinds
        rows = reports.survey_coverage(s, start=date(2026, 11, 1), end=date(2026, 11, 30), tz=SH)
        assert rows[0]["awaiting_manual_call"] == 1 and rows[0]["coverage"] == 0.0
    assert len(w.channels["telegram"].to("9003")) == 1  # the supervisor is told to call
    w.sweep()
    prompts = [m for ch in ("wechat", "sms") for m in w.channels[ch].sent if "打分" in m.text]
    assert len(prompts) == 2  # no third prompt
    with transaction(w.svc.sessions) as s:
        survey = s.get(Survey, case.survey_id)
        survey.status, survey.answered_at = "manual_done", w.now
    with w.svc.sessions() as s:
        rows = reports.survey_coverage(s, start=date(2026, 11, 1), end=date(2026, 11, 30), tz=SH)
        assert rows[0]["coverage"] == 1.0


def test_survey_waits_for_quiet_hours_to_end(sessions, clean) -> None:
    at = datetime(2026, 11, 24, 22, 0, tzinfo=SH)
    case = closed_repair(sessions, at - timedelta(hours=24))
    w = world(clean, at)
    w.sweep()
    w.deliver_all()
    assert w.channels["wechat"].sent == []
    w.at(datetime(2026, 11, 25, 8, 0, tzinfo=SH))
    w.sweep()
    w.deliver_all()
    assert len(w.channels["wechat"].sent) == 1
    with w.svc.sessions() as s:
        assert s.get(Survey, case.survey_id).status == "sent"


def test_owner_without_identity_gets_the_survey_by_sms(sessions, clean) -> None:
    case = closed_repair(sessions, NOW, identity=False)
    w = world(clean, NOW + timedelta(days=1))
    w.sweep()
    w.deliver_all()
    assert "打分" in w.channels["sms"].to("+8613912345678")[0]
    with w.svc.sessions() as s:
        ident = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == "sms")).one()
        assert ident.owner_id == case.owner_id


def test_a_late_chat_answer_does_not_overwrite_a_manual_callback(sessions, clean) -> None:
    case = closed_repair(sessions, NOW)
    w = world(clean, NOW + timedelta(hours=24))
    assert w.sweep()["surveys_due"] == 1  # the chat prompt is out
    with transaction(w.svc.sessions) as s:  # meanwhile staff phoned the owner and recorded it
        survey = s.get(Survey, case.survey_id)
        survey.status, survey.comment, survey.answered_at = SurveyStatus.MANUAL_DONE, "called, fine", w.now
    owner_says(w, button="score:1")
    owner_says(w, "没有")
    with w.svc.sessions() as s:
        survey = s.get(Survey, case.survey_id)
        assert survey.status is SurveyStatus.MANUAL_DONE and survey.score is None
        assert s.scalars(select(Ticket).where(Ticket.related_ticket_id == case.ticket_id)).first() is None
