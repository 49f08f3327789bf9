"""Plays one scenario of ``scenarios.yml`` over the real signed webhooks and checks what it must change.

Each scenario: who talks (``channel``, ``as``: ``stranger`` or ``owner``), optional ``given`` (tickets the
owner already has), ``steps`` (what the owner, the engineer or the back office does, each with optional
``expect``), and ``check`` (tickets, pages, timeline events, conversation mode, console alerts, OTP SMS).
Wording is not checked, except that replies exist (or not), are in the expected language, and carry the
ticket number where the owner must be given it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from backend import tickets as rules
from backend.db import transaction
from backend.models import (
    ChannelIdentity,
    ConsoleAlert,
    Conversation,
    DispatchPage,
    Kind,
    Mode,
    Outbox,
    Staff,
    Status,
    Survey,
    Ticket,
    TicketEvent,
    Urgency,
    utcnow,
)
from nlu.lang import detect_lang
from tests.e2e.live import Sent, World, bind_identity, wait_for

SCENARIOS = Path(__file__).with_name("scenarios.yml")
_users = itertools.count(1)


def load() -> list[dict[str, Any]]:
    """All scenarios, in file order."""
    return yaml.safe_load(SCENARIOS.read_text(encoding="utf-8"))


@dataclass
class Player:
    """One scenario's owner (or stranger) on one channel, plus the engineer on call."""

    world: World
    channel: str
    user: str
    seen: int = 0
    log: list[str] = field(default_factory=list)

    # --- sending ---------------------------------------------------------------------------------
    def _wait(self, sent: Sent, channel: str | None = None) -> None:
        assert sent.response.status_code == 200, sent.response.text
        self.world.live.wait_processed(channel or self.channel, sent.provider_id)

    def say(self, text: str) -> None:
        """The owner writes ``text``."""
        self._wait(self.world.hooks.send(self.channel, self.user, text))

    def button(self, payload: str) -> None:
        """The owner presses a button (Telegram, WeChat menu click) or types its number (SMS)."""
        hooks = self.world.hooks
        if self.channel == "telegram":
            self._wait(hooks.telegram_button(int(self.user), payload))
        else:
            choices = self._choices()
            assert payload in choices, f"{payload!r} not offered: {choices}"
            self.say(str(choices.index(payload) + 1))

    def contact(self, phone: str, own: bool = True) -> None:
        """The owner shares a contact card (Telegram)."""
        assert self.channel == "telegram"
        contact = {"phone_number": phone, "first_name": "业主", "user_id": int(self.user) if own else 4242}
        self._wait(self.world.hooks.telegram_update("contact_own", int(self.user), contact=contact))

    def location(self, lat: float, lon: float) -> None:
        """The owner shares a location (Telegram)."""
        assert self.channel == "telegram"
        sent = self.world.hooks.telegram_update("location_message", int(self.user),
                                                location={"latitude": lat, "longitude": lon})
        self._wait(sent)

    def engineer(self, text: str) -> None:
        """The layer-1 engineer answers on Telegram ("1", "收到 20分钟")."""
        self._wait(self.world.hooks.telegram(int(self.world.estate.engineer1_chat), text), "telegram")

    def _choices(self) -> list[str]:
        with self.world.live.sessions() as s:
            conv = self.conversation(s)
            return list((conv.state or {}).get("choices") or []) if conv else []

    def otp_code(self) -> str:
        """The code the owner's phone received by SMS."""
        import re

        texts = wait_for(lambda: self.world.platforms.texts("sms", "+86" + self.world.estate.owner_phone),
                         "the OTP SMS")
        m = re.search(r"(\d{6})", texts[-1])
        assert m, texts
        return m.group(1)

    # --- back office -------------------------------------------------------------------------------
    def mark_done(self) -> None:
        """Staff mark the owner's latest repair done (pending_owner_confirm); the confirm sweep runs."""
        svc = self.world.live.services
        with transaction(svc.sessions) as s:
            ticket = s.scalars(select(Ticket).where(Ticket.kind == Kind.REPAIR).order_by(Ticket.id.desc())).first()
            assert ticket is not None, "no repair to mark done"
            rules.transition(s, ticket, Status.PENDING_OWNER_CONFIRM, now=utcnow(), actor="staff")
        self.confirm_sweep(0)

    def confirm_sweep(self, hours: float) -> None:
        """Run the confirmation sweep ``hours`` from now (reminder, then staff task)."""
        from bot.proactive_sweeps import confirmations_due

        scheduler = getattr(self.world.live.app.state.worker, "_scheduler", None)
        if scheduler is not None and scheduler.running:
            scheduler.pause()  # the test drives this sweep itself; the world fixture resumes it
        confirmations_due(self.world.live.services, utcnow() + timedelta(hours=hours))
        self.world.live.settle()

    def escalate(self, minutes: float) -> None:
        """Nobody acknowledged: the escalation sweep runs ``minutes`` from now (pages the next layer)."""
        from backend import dispatch

        svc = self.world.live.services
        with transaction(svc.sessions) as s:
            dispatch.escalate_unacked(s, now=utcnow() + timedelta(minutes=minutes), ack_after=svc.ack_after,
                                      text=svc.page_text, enabled_channels=svc.channels)

    def take_over(self) -> None:
        """A supervisor takes the conversation (the bot must stay quiet except for emergencies)."""
        svc = self.world.live.services
        with transaction(svc.sessions) as s:
            conv = self.conversation(s)
            assert conv is not None
            sup = s.scalars(select(Staff).where(Staff.telegram_chat_id == self.world.estate.supervisor_chat)).one()
            conv.mode, conv.held_by_id, conv.waiting_since = Mode.STAFF, sup.id, None

    # --- reading -----------------------------------------------------------------------------------
    def conversation(self, s: Any) -> Conversation | None:
        """This player's conversation row."""
        ident = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == self.channel,
                                                        ChannelIdentity.external_id == self.user)).first()
        if ident is None:
            return None
        return s.scalars(select(Conversation).where(Conversation.identity_id == ident.id)).first()

    def new_replies(self) -> list[str]:
        """Replies received since the last call."""
        texts = self.world.platforms.texts(self.channel, self.user)
        new, self.seen = texts[self.seen:], len(texts)
        return new


def seed_tickets(world: World, given: list[dict[str, Any]], conversation_user: Player | None) -> None:
    """Tickets the owner already has (status, page state, engineer, appointment)."""
    svc = world.live.services
    now = utcnow()
    with transaction(svc.sessions) as s:
        for spec in given:
            ticket = rules.create_ticket(
                s, kind=Kind(spec.get("kind", "repair")), urgency=Urgency(spec.get("urgency", "normal")), now=now,
                rules=svc.rules, category=spec.get("category", "water"), location=spec.get("location", "bathroom"),
                description=spec.get("description", "卫生间漏水"), owner_id=world.estate.owner_id,
                unit_id=world.estate.unit_id, actor="bot")
            status = spec.get("status")
            if status and status != "received":
                rules.transition(s, ticket, Status(status), now=now, actor="staff")
            engineer = s.get(Staff, world.estate.engineer1_id)
            if spec.get("paged"):
                page = DispatchPage(ticket_id=ticket.id, layer=1, staff_id=engineer.id, sent_at=now,
                                    ack_due_at=now + timedelta(minutes=5))
                s.add(page)
                if spec.get("acked"):
                    page.status, page.acked_at = "acked", now
                    ticket.assignee_id = engineer.id
            if spec.get("assigned"):
                ticket.assignee_id = engineer.id
            if spec.get("appointment"):
                ticket.appointment_start = now + timedelta(days=1)
                ticket.appointment_end = now + timedelta(days=1, hours=3)


def play(world: World, sc: dict[str, Any]) -> None:
    """Play scenario ``sc`` and assert its checks."""
    n = next(_users)
    channel = sc["channel"]
    who = sc.get("as", "stranger")
    estate = world.estate
    if channel == "telegram":
        user = str(880000 + n * 7)
    elif channel == "wechat":
        user = f"oSCN{n:05d}"
    elif who == "owner" or sc.get("sms_owner_number"):
        user = "+86" + estate.owner_phone
    else:
        user = f"+86137{n:08d}"
    if who == "owner":
        bind_identity(world.live.sessions, channel, user, estate.owner_id)
    player = Player(world, channel, user)
    if sc.get("given"):
        seed_tickets(world, sc["given"], player)
    for i, raw in enumerate(sc["steps"]):
        step = dict(raw) if isinstance(raw, dict) else {"say": raw}
        expect = step.pop("expect", {}) or {}
        _do(player, step)
        replies = player.new_replies()
        _expect(world, player, f"step {i + 1} {step}", expect, replies)
    _check(world, player, sc.get("check") or {})


def _do(player: Player, step: dict[str, Any]) -> None:
    if "say" in step:
        player.say(str(step["say"]))
    elif "button" in step:
        player.button(step["button"])
    elif "contact" in step:
        player.contact(step["contact"], own=step.get("own", True))
    elif "location" in step:
        player.location(*step["location"])
    elif "choice" in step:
        choices = player._choices()
        assert len(choices) >= int(step["choice"]), f"only {choices} offered"
        player.button(choices[int(step["choice"]) - 1])
    elif "otp" in step:
        player.say(player.otp_code())
    elif "engineer" in step:
        player.engineer(str(step["engineer"]))
    elif "done" in step:
        player.mark_done()
    elif "sweep_confirm_after_hours" in step:
        player.confirm_sweep(float(step["sweep_confirm_after_hours"]))
    elif "escalate_after_minutes" in step:
        player.escalate(float(step["escalate_after_minutes"]))
    elif "take_over" in step:
        player.take_over()
    else:
        raise AssertionError(f"unknown step {step}")


def _latest_ticket(world: World) -> Ticket | None:
    with world.live.sessions() as s:
        return s.scalars(select(Ticket).order_by(Ticket.id.desc())).first()


def _expect(world: World, player: Player, where: str, expect: dict[str, Any], replies: list[str]) -> None:
    if "reply" in expect:
        if expect["reply"]:
            assert replies, f"{where}: expected a reply, got none"
        else:
            assert not replies, f"{where}: expected silence, got {replies}"
    if "lang" in expect:
        assert replies, f"{where}: expected {expect['lang']} replies, got none"
        wrong = [r for r in replies if detect_lang(r) != expect["lang"]]
        assert not wrong, f"{where}: replies not in {expect['lang']}: {wrong}"
    if expect.get("ticket_number"):
        ticket = _latest_ticket(world)
        assert ticket is not None and any(ticket.number in r for r in replies), \
            f"{where}: the owner was not given the ticket number: {replies}"
    if "first_is_safety" in expect:
        assert replies and _is_safety(replies[0]), f"{where}: safety steps must come first: {replies}"
    for text in expect.get("contains", []):
        assert any(text in r for r in replies), f"{where}: no reply contains {text!r}: {replies}"
    for text in expect.get("not_contains", []):
        assert not any(text in r for r in replies), f"{where}: a reply contains {text!r}: {replies}"


def _safety_texts() -> list[str]:
    """Every language's safety steps, without the warning sign (SMS drops emoji from plain-ASCII texts)."""
    messages = yaml.safe_load((Path(__file__).resolve().parents[2] / "config" / "messages.yml").read_text("utf-8"))
    return [text.replace("⚠️", "").strip() for key, texts in messages.items() if key.startswith("safety_")
            for text in texts.values()]


def _is_safety(reply: str) -> bool:
    return reply.replace("⚠️", "").strip() in SAFETY_TEXTS


SAFETY_TEXTS = _safety_texts()


def _check(world: World, player: Player, check: dict[str, Any]) -> None:
    estate = world.estate
    with world.live.sessions() as s:
        rows = list(s.scalars(select(Ticket).order_by(Ticket.id)))
        if "ticket_count" in check:
            assert len(rows) == check["ticket_count"], [(t.kind.value, t.status.value) for t in rows]
        for i, spec in enumerate(check.get("tickets", [])):
            assert i < len(rows), f"ticket {i + 1} missing: {[(t.kind.value, t.status.value) for t in rows]}"
            t = rows[i]
            for key, want in spec.items():
                got: Any
                if key == "unit":
                    got = t.unit_id is not None
                elif key == "appointment":
                    got = t.appointment_start is not None
                elif key == "owner":
                    got = t.owner_id is not None
                elif key in ("kind", "status", "urgency", "level"):
                    got = getattr(t, key).value
                else:
                    got = getattr(t, key)
                assert got == want, f"ticket {i + 1} {key}: {got!r} != {want!r}"
        events = [e for e in s.scalars(select(TicketEvent).order_by(TicketEvent.id))]
        kinds = [e.kind for e in events]
        for kind in check.get("events", []):
            assert kind in kinds, f"no {kind!r} event in {kinds}"
        for kind, count in (check.get("event_counts") or {}).items():
            assert kinds.count(kind) == count, f"{kind}: {kinds.count(kind)} != {count}"
        for kind in check.get("no_events", []):
            assert kind not in kinds, f"unexpected {kind!r} event"
        if "mode" in check:
            conv = player.conversation(s)
            assert conv is not None and conv.mode.value == check["mode"], conv and conv.mode
        if "flow" in check:
            conv = player.conversation(s)
            assert conv is not None and (conv.state or {}).get("flow") == check["flow"], conv and conv.state
        if "bound" in check:
            ident = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == player.channel,
                                                            ChannelIdentity.external_id == player.user)).one()
            assert (ident.owner_id is not None) == check["bound"]
        for kind in check.get("alerts", []):
            assert s.scalars(select(ConsoleAlert).where(ConsoleAlert.kind == kind)).first() is not None, \
                f"no {kind} console alert"
        if "otp_sms" in check:
            otp = s.scalars(select(Outbox).where(Outbox.purpose == "otp")).all()
            assert len(otp) == check["otp_sms"], len(otp)
        if "otp_lang" in check:
            otp = s.scalars(select(Outbox).where(Outbox.purpose == "otp")).all()
            assert otp and all(detect_lang(o.payload.get("text", "")) == check["otp_lang"] for o in otp)
        page_rows = [o.payload.get("text", "") for o in s.scalars(select(Outbox).where(Outbox.purpose == "page")
                                                                  .order_by(Outbox.id))]
        if check.get("page_rows_contain"):  # one page (e.g. the escalated one) carrying all of these
            want = check["page_rows_contain"]
            assert any(all(w in t for w in want) for t in page_rows), f"no page row has all of {want}: {page_rows}"
        if "opted_out" in check:
            ident = s.scalars(select(ChannelIdentity).where(ChannelIdentity.channel == player.channel,
                                                            ChannelIdentity.external_id == player.user)).one()
            assert (ident.marketing_opt_out_at is not None) == check["opted_out"]
        if "surveys" in check:
            assert len(s.scalars(select(Survey)).all()) == check["surveys"]
        if "repair_attempts" in check:
            assert rows and rows[0].repair_attempts == check["repair_attempts"], rows and rows[0].repair_attempts
    pages = check.get("pages")
    if pages is not None:
        engineer_texts = world.platforms.texts("telegram", estate.engineer1_chat)
        if "min" in pages:
            wait_for(lambda: len(world.platforms.texts("telegram", estate.engineer1_chat)) >= pages["min"],
                     "pages to the engineer", timeout=5)
            engineer_texts = world.platforms.texts("telegram", estate.engineer1_chat)
        if "count" in pages:
            assert len(engineer_texts) == pages["count"], engineer_texts
        page_texts = [t for t in engineer_texts if "L1" in t or "派单" in t or "PAGE" in t or "EMERGENCY" in t]
        for text in pages.get("contains", []):
            text = text.replace("{owner_phone}", estate.owner_phone)
            text = text.replace("{sender}", player.user.removeprefix("+86"))
            assert any(text in t for t in page_texts), f"no page contains {text!r}: {page_texts}"
        for text in pages.get("not_contains", []):
            first = page_texts[0] if page_texts else ""
            assert text not in first, f"the first page contains {text!r}: {first}"
