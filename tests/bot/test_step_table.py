"""Table-driven tests of the pure dialog step: one row = (state, turn, parse, context) -> replies and effects.

Each row names the rule it guards; the expected replies are template keys (never wording) and the effects
are compared by type and the fields that matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.dialogs import types as d
from bot.dialogs.engine import step
from nlu.types import Parse

NOW = datetime(2026, 11, 24, 2, tzinfo=UTC)
UNIT = d.UnitView(1, "3栋2单元1502", "安居", "3", "2", "1502", date(2024, 1, 1), date(2025, 6, 30))
UNIT2 = d.UnitView(2, "5栋1单元802", "安居", "5", "1", "802", date(2024, 1, 1), date(2025, 6, 30))
OWNER = d.OwnerView(7, "陈", "13912345678", "zh", (UNIT,))
OWNER2 = d.OwnerView(8, "李", "13912340000", "zh", (UNIT, UNIT2))


def P(intent: str = "other", urgency: str = "normal", category: str | None = None, lang: str = "zh",
      conf: float = 0.95, **entities: Any) -> Parse:
    """A parse."""
    return Parse(intent, urgency, category, lang, conf, entities)


def T(number: str = "AJ-1", *, id: int = 11, status: str = "triaged", urgency: str = "normal", page: str | None = None,
      engineer: str | None = None, appointment: bool = False, kind: str = "repair") -> d.TicketView:
    """A ticket the owner has."""
    return d.TicketView(id, number, kind, status, "water", "bathroom", 1, NOW - timedelta(hours=id), urgency=urgency,
                        page=page, engineer=engineer,
                        appointment_start=NOW + timedelta(days=1) if appointment else None)


INTAKE_AT_APPOINTMENT = {"lang": "zh", "noticed": True, "flow": "intake", "step": "appointment", "misses": 0,
                         "slots": {"category": "other", "urgency": "normal", "description": "次卧空调不制冷",
                                   "location": "second_bedroom", "unit_id": 1, "appointment": None, "photos": []}}
INTAKE_AT_CONFIRM = {**INTAKE_AT_APPOINTMENT, "step": "confirm",
                     "slots": {**INTAKE_AT_APPOINTMENT["slots"], "appointment": {"text": "明天下午"}}}
SEEN = {"lang": "zh", "noticed": True}


def emergency_known(hazard: str) -> list[str]:
    """The replies to an emergency from an owner whose unit is known."""
    return [f"safety_{hazard}", "emergency_dispatched", "emergency_ask_details"]
SEEN_EN = {"lang": "en", "noticed": True}


@dataclass
class Row:
    """One case of the table."""

    name: str
    state: dict[str, Any]
    turn: d.Turn
    parse: Parse | None
    replies: list[str]  # template keys, in order (a prefix match: "safety_" matches "safety_gas")
    effects: list[type] = field(default_factory=list)  # effect types other than Reply, in order
    owner: d.OwnerView | None = OWNER
    tickets: tuple[d.TicketView, ...] = ()
    mode: str = "bot"
    flow: Any = "any"  # the flow after the step ("any": not checked)
    check: Any = None  # extra check on the result
    ctx: dict[str, Any] = field(default_factory=dict)


def slots(r: d.StepResult) -> dict[str, Any]:
    return r.state.get("slots") or {}


ROWS = [
    # P1 emergencies override every mode, safety first
    Row("emergency while waiting: safety, page, no notice before", {"noticed": True}, d.Turn("煤气味很重"),
        P("repair", "emergency", "gas"), ["safety_gas", "emergency_dispatched", "emergency_ask_details"],
        [d.CreateTicket, d.PageOnCall], mode="waiting"),
    Row("emergency while held by staff", SEEN, d.Turn("电梯困人"), P("repair", "emergency", "lift"),
        ["safety_lift", "emergency_dispatched", "emergency_ask_details"], [d.CreateTicket, d.PageOnCall], mode="staff"),
    Row("stranger's first message: safety steps before the privacy notice", {}, d.Turn("水管爆了"),
        P("repair", "emergency", "water"),
        ["safety_water", "emergency_dispatched", "emergency_ask_address", "privacy_notice"],
        [d.CreateTicket, d.PageOnCall], owner=None),
    Row("emergency mid-intake replaces the flow", INTAKE_AT_APPOINTMENT, d.Turn("厨房有煤气味"),
        P("repair", "emergency", "gas"), emergency_known("gas"), [d.CreateTicket, d.PageOnCall]),
    Row("emergency in the second clause of a message", SEEN,
        d.Turn("你好，另外厨房有煤气味", parts=(("你好", P()), ("厨房有煤气味", P("repair", "emergency", "gas")))),
        P("enquiry"), emergency_known("gas"), [d.CreateTicket, d.PageOnCall]),
    Row("held by staff: an ordinary message gets no bot reply", SEEN, d.Turn("卫生间漏水"),
        P("repair", "normal", "water"), [], [], mode="staff"),
    Row("waiting: details for the emergency still reach the ticket and the engineer",
        {**SEEN, "flow": "emergency", "step": "details", "ticket_id": 5, "need": ["address"]},
        d.Turn("翠湖湾5栋1单元802"), P(unit={"building": "5", "entrance": "1", "room": "802", "raw": "5栋1单元802"}),
        ["details_added"], [d.AddDetails], owner=None, mode="waiting",
        check=lambda r: r.effects[0].update_page and r.effects[0].address),
    # P2 what the page carries
    Row("single-unit owner: the emergency ticket has the unit", SEEN, d.Turn("水管爆了"),
        P("repair", "emergency", "water"), emergency_known("water"), [d.CreateTicket, d.PageOnCall],
        check=lambda r: r.effects[0].unit_id == 1),
    Row("SMS stranger: the sender's number is the callback", {}, d.Turn("电梯困人"), P("repair", "emergency", "lift"),
        ["safety_lift", "emergency_dispatched", "emergency_ask_address", "privacy_notice"],
        [d.CreateTicket, d.PageOnCall], owner=None, ctx={"proven_phone": "13700000001"},
        check=lambda r: r.effects[0].callback == "13700000001"),
    Row("a phone typed later becomes the callback and updates the page",
        {**SEEN, "flow": "emergency", "step": "details", "ticket_id": 5, "need": ["phone"]},
        d.Turn("电话13800001111"), P(phones=["13800001111"]), ["details_added"], [d.AddDetails], owner=None,
        check=lambda r: r.effects[0].callback == "13800001111" and r.effects[0].update_page),
    Row("a shared contact is the callback", {**SEEN, "flow": "emergency", "step": "details", "ticket_id": 5},
        d.Turn("", contact_phone="13600005555"), None, ["details_added"], [d.AddDetails], owner=None,
        check=lambda r: r.effects[0].callback == "13600005555"),
    # P3 slots by understanding
    Row("a correction at the time question fixes the room, not the time", INTAKE_AT_APPOINTMENT,
        d.Turn("不对，是主卧不是次卧"), P("repair", conf=0.53, location="master_bedroom"), ["ask_appointment"], [],
        flow="intake", check=lambda r: slots(r)["location"] == "master_bedroom" and not slots(r)["appointment"]),
    Row("a cancellation at the time question cancels", INTAKE_AT_APPOINTMENT, d.Turn("算了，不用了"), P(),
        ["cancelled"], [], flow=None),
    Row("a time fills the visit window", INTAKE_AT_APPOINTMENT, d.Turn("明天下午"),
        P(appointment={"start": "2026-11-25T14:00:00+08:00", "end": "2026-11-25T18:00:00+08:00", "text": "明天下午"}),
        ["confirm_summary"], [], flow="intake", check=lambda r: slots(r)["appointment"]["start"]),
    Row("a non-time is asked again differently", INTAKE_AT_APPOINTMENT, d.Turn("嗯嗯"), P(),
        ["ask_appointment_again"], [], flow="intake"),
    Row("the second miss hands over", {**INTAKE_AT_APPOINTMENT, "misses": 1}, d.Turn("哦"), P(), ["handoff"],
        [d.Handoff], flow=None),
    Row("a question mid-flow is answered and the pending question repeated", INTAKE_AT_APPOINTMENT,
        d.Turn("物业费怎么交"), P("enquiry"), ["enquiry_unknown", "ask_appointment"], [], flow="intake"),
    Row("a complaint mid-flow interrupts", INTAKE_AT_APPOINTMENT, d.Turn("我要投诉你们物业服务太差"), P("complaint"),
        ["complaint_ack", "offer_agent"], [d.CreateTicket], check=lambda r: r.effects[0].kind == "complaint"),
    Row("a correction at the summary updates and shows it again", INTAKE_AT_CONFIRM, d.Turn("不对，是厨房"),
        P(location="kitchen"), ["confirm_summary"], [], flow="intake",
        check=lambda r: slots(r)["location"] == "kitchen"),
    Row("yes at the summary creates the ticket", INTAKE_AT_CONFIRM, d.Turn("", button="yes"), None,
        ["repair_created"], [d.CreateTicket], flow=None),
    # P4 cancel means cancel
    Row("fixed it myself: the one open ticket is withdrawn", SEEN, d.Turn("不用来了，已经自己修好了"), P(),
        ["ticket_cancelled"], [d.CancelTicket], tickets=(T(),), check=lambda r: r.effects[0].ticket_id == 11),
    Row("several open: ask which", SEEN, d.Turn("算了，不用了"), P(), ["cancel_which"], [],
        tickets=(T(id=11), T("AJ-2", id=12)), flow="cancel"),
    Row("the pick withdraws that one", {**SEEN, "flow": "cancel", "step": "which", "reason": "算了"},
        d.Turn("", button="cancel:12"), None, ["ticket_cancelled"], [d.CancelTicket],
        tickets=(T(id=11), T("AJ-2", id=12)), check=lambda r: r.effects[0].ticket_id == 12),
    Row("cancel during the emergency flow withdraws that ticket",
        {**SEEN, "flow": "emergency", "step": "details", "ticket_id": 12}, d.Turn("不用派人了，没事了"), P(),
        ["ticket_cancelled"], [d.CancelTicket], tickets=(T(id=11), T("AJ-2", id=12, urgency="emergency")),
        check=lambda r: r.effects[0].ticket_id == 12),
    Row("a ticket awaiting confirmation is not cancelled", SEEN, d.Turn("算了，不用了"), P(), ["cancelled"], [],
        tickets=(T(status="pending_owner_confirm"),)),
    # P5 one message, every intent
    Row("repair + question: answer and intake", SEEN,
        d.Turn("水龙头漏水，另外想问车位", parts=(("水龙头漏水", P("repair", category="fixtures")),
                                            ("想问车位", P("enquiry")))),
        P("enquiry"), ["enquiry_unknown", "ask_location"], [], flow="intake"),
    Row("a warranty question inside a fault report", SEEN, d.Turn("空调不制冷，还在保修期吗"),
        P("repair", category="other"), ["enquiry_unknown", "ask_location"], [], flow="intake"),
    # P6 status from data
    Row("nobody accepted yet: told the truth", SEEN, d.Turn("工程师什么时候到？"), P("enquiry"), ["status_paging"], [],
        tickets=(T(urgency="emergency", page="sent"),)),
    Row("accepted with a visit time", SEEN, d.Turn("谁来修"), P(), ["status_engineer_when"], [],
        tickets=(T(engineer="王工", page="acked", appointment=True),)),
    Row("en: is anyone coming", SEEN_EN, d.Turn("is anyone coming?"), P("enquiry", lang="en", conf=0.4),
        ["status_plain"], [], tickets=(T(),)),
    # P7 confirmation
    Row("still leaking reopens the same ticket", {**SEEN, "flow": "confirm", "ticket_id": 11}, d.Turn("还是漏，没修好"),
        P("complaint"), ["confirm_reopened"], [d.OwnerConfirmation], check=lambda r: not r.effects[0].satisfied),
    Row("fixed closes", {**SEEN, "flow": "confirm", "ticket_id": 11}, d.Turn("修好了"), P(), ["confirm_thanks"],
        [d.OwnerConfirmation], check=lambda r: r.effects[0].satisfied),
    Row("broke again without the question, while one awaits confirmation", SEEN, d.Turn("又坏了"), P("complaint"),
        ["confirm_reopened"], [d.OwnerConfirmation], tickets=(T(status="pending_owner_confirm"),)),
    Row("a bare 2 answering another menu does not reopen a ticket awaiting confirmation", SEEN,
        d.Turn("2", button="menu:tickets"), None, ["tickets_list"], [], tickets=(T(status="pending_owner_confirm"),)),
    # P8 sticky language
    Row("a phone number does not switch an English conversation", {**SEEN_EN, "flow": "binding", "step": "phone",
                                                                  "tries": 0},
        d.Turn("13912345678"), P(phones=["13912345678"]), ["otp_sent_if_registered"], [d.SendOtp], owner=None,
        ctx={"can_send_otp": True, "find_owner_by_phone": lambda p: OWNER}, check=lambda r: r.lang == "en"),
    Row("a code does not switch either", {**SEEN_EN}, d.Turn("123456"), P(), ["ack_reply"], [],
        check=lambda r: r.lang == "en"),
    # P9 commands
    Row("indirect request for a person", SEEN, d.Turn("叫你们客服来跟我说"), P(), ["handoff"], [d.Handoff]),
    Row("indirect opt-out", SEEN, d.Turn("以后不要再给我发这些广告了"), P("repair", conf=0.43), ["opt_out"],
        [d.SetMarketingConsent]),
    Row("greeting Hi there", SEEN_EN, d.Turn("Hi there"), P(lang="en"), ["greeting"], []),
    Row("help", SEEN, d.Turn("帮助"), P(), ["help"], []),
    Row("a video gets a polite reply", SEEN, d.Turn("", kind="video"), None, ["unsupported_message"], []),
    # P10 binding must not enumerate
    Row("unknown phone: same reply, no code sent", {**SEEN, "flow": "binding", "step": "phone", "tries": 0},
        d.Turn("13700009999"), P(phones=["13700009999"]), ["otp_sent_if_registered"], [], owner=None,
        ctx={"can_send_otp": True}),
    Row("known phone over the throttle: same reply, no code", {**SEEN, "flow": "binding", "step": "phone", "tries": 0},
        d.Turn("13912345678"), P(phones=["13912345678"]), ["otp_sent_if_registered"], [], owner=None,
        ctx={"can_send_otp": True, "find_owner_by_phone": lambda p: OWNER, "can_send_otp_to": lambda p: False}),
    Row("no SMS: the unit is asked for any number, no unit list shown",
        {**SEEN, "flow": "binding", "step": "phone", "tries": 0}, d.Turn("13912340000"), P(phones=["13912340000"]),
        ["ask_unit"], [], owner=None, ctx={"find_owner_by_phone": lambda p: OWNER2}),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_step(row: Row) -> None:
    ctx = d.Context(now=NOW, owner=row.owner, tickets=row.tickets, mode=row.mode, **row.ctx)
    result = step(row.state, row.turn, row.parse, ctx)
    keys = [e.key for e in result.effects if isinstance(e, d.Reply)]
    assert len(keys) == len(row.replies), keys
    for got, want in zip(keys, row.replies, strict=True):
        assert got == want or (want.endswith("_") and got.startswith(want)), keys
    others = [type(e) for e in result.effects if not isinstance(e, d.Reply)]
    assert others == row.effects
    if row.flow != "any":
        assert result.state.get("flow") == row.flow, result.state
    if row.check is not None:
        assert row.check(result), result
    assert row.state is not result.state  # pure: the input state is never changed in place
