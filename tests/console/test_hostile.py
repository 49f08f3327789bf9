"""Issue 14, console side: login throttling before argon2, Unicode digits and huge ids, PIPL erase that leaves
nothing behind, failed inbound events in view."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import String, Text, select
from sqlalchemy.types import JSON

from backend import pipl
from backend.db import transaction
from backend.models import AuditLog, Base, InboundEvent, Owner, Survey, Ticket
from bot.console import auth
from tests.bot.conftest import Estate
from tests.console.conftest import CSRF_RE, Console, post
from tests.console.test_conversations import OPENID, bind, conversation


def _form_token(client: Any) -> str:
    found = CSRF_RE.search(client.get("/console/login").text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts argon2 verifications."""
    calls: list[str] = []
    real = auth._verify

    def counting(hashed: str, password: str) -> bool:
        calls.append(password)
        return real(hashed, password)

    monkeypatch.setattr(auth, "_verify", counting)
    return calls


def _small_limits(console: Console, per_ip: int, per_account: int) -> None:
    """The same throttle with small limits (each attempt costs a real argon2 check)."""
    console.app.state.login_throttle = auth.LoginThrottle(per_ip, per_account, 1,
                                                          clock=lambda: console.bot.now.timestamp())


def test_per_account_limit_refuses_before_hashing(console: Console, hashes: list[str]) -> None:
    client = console.client()
    token = _form_token(client)
    limit = 3
    _small_limits(console, per_ip=50, per_account=limit)
    codes = [client.post("/console/login", data={"username": "sup", "password": f"wrong{i}", "csrf": token}
                         ).status_code for i in range(limit + 3)]
    assert codes[:limit] == [303] * limit and codes[limit:] == [429] * 3
    assert len(hashes) == limit  # the refused attempts cost no argon2
    resp = client.post("/console/login", data={"username": "sup", "password": "x", "csrf": token})
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) >= 1
    console.bot.advance(minutes=1, seconds=1)  # the window slides: allowed again
    assert client.post("/console/login", data={"username": "sup", "password": "y", "csrf": token}
                       ).status_code == 303


def test_defaults_leave_room_for_the_lockout_and_an_office_behind_one_address() -> None:
    cfg = auth.config()
    assert cfg.login_per_account_per_minute > cfg.max_failed_logins and cfg.login_per_ip_per_minute >= 20
    assert cfg.login_hash_concurrency == 1


def test_per_ip_limit_covers_unknown_names_too(console: Console, hashes: list[str]) -> None:
    client = console.client()
    token = _form_token(client)
    limit = 4
    _small_limits(console, per_ip=limit, per_account=50)
    codes = [client.post("/console/login", data={"username": f"nobody{i}", "password": "p", "csrf": token}
                         ).status_code for i in range(limit + 2)]
    assert codes.count(429) == 2 and len(hashes) == limit


def test_the_window_slides() -> None:
    now = [0.0]
    throttle = auth.LoginThrottle(per_ip=100, per_account=2, concurrency=1, clock=lambda: now[0])
    assert throttle.check("1.2.3.4", "sup") is None and throttle.check("1.2.3.4", "SUP ") is None
    assert throttle.check("1.2.3.4", "sup") is not None
    now[0] = 61.0
    assert throttle.check("1.2.3.4", "sup") is None


def test_a_password_typed_as_username_is_not_in_the_audit_log(console: Console) -> None:
    client = console.client()
    client.post("/console/login", data={"username": "Tr0ub4dor&3-secret", "password": "x",
                                        "csrf": _form_token(client)})
    with console.bot.svc.sessions() as s:
        entries = list(s.scalars(select(AuditLog).where(AuditLog.action == "login_failed")))
    assert entries and all("Tr0ub4dor" not in e.actor and "Tr0ub4dor" not in str(e.data) for e in entries)


# --- odd input: 4xx, never 500 ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "①", "٣", "9" * 40])
def test_unicode_digits_and_huge_numbers_in_console_fields(console: Console, estate: Estate, value: str) -> None:
    bind(console, estate)
    console.bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    sup = console.login("sup")
    resp = post(sup, f"/console/conversations/{conv.id}/tickets", kind="repair", urgency="normal",
                description="x", unit_id=value)
    assert resp.status_code == 303
    number = resp.headers["location"].rsplit("/", 1)[1]
    assert post(sup, f"/console/tickets/{number}/assign", staff_id=value).status_code == 400
    for params in ({"offset": value}, {"project": value}, {"advisor": value}):
        assert sup.get("/console/tickets", params=params).status_code == 200


@pytest.mark.parametrize("path", ["/console/conversations/{big}", "/console/owners/{big}",
                                  "/console/conversations/{big}/thread"])
def test_huge_ids_in_routes_are_404(console: Console, path: str) -> None:
    sup = console.login("sup")
    assert sup.get(path.format(big=2**70)).status_code in (404, 422)
    assert sup.get(path.format(big=2**62)).status_code == 404


# --- PIPL erase leaves nothing --------------------------------------------------------------------


def _everything(console: Console) -> list[tuple[str, str, str]]:
    """Every text or JSON value in every table, as (table, column, text)."""
    found = []
    with console.bot.svc.sessions() as s:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not cols:
                continue
            for row in s.execute(select(*cols)):
                for col, value in zip(cols, row, strict=True):
                    if value is not None:
                        found.append((table.name, col.name, str(value)))
    return found


def test_erase_removes_the_owner_from_every_table(console: Console, estate: Estate) -> None:
    bot = console.bot
    phone = estate.owner_phone
    with bot.svc.sessions() as s:
        owner = s.get(Owner, estate.owner_id)
        assert owner is not None
        name = owner.name
    # pre-binding: an OTP SMS to the phone and replies to the chat id
    bot.say("telegram", "4242", "我要报修")
    bot.say("telegram", "4242", phone)
    bot.say("telegram", "4242", "000000")
    # bound: an emergency paged to the engineer (name, phone, address, words), a staff note on a status change
    bind(console, estate)
    words = "厨房水管爆了 水漫出来了"
    bot.say("wechat", OPENID, "救命 " + words)
    sup = console.login("sup")
    with bot.svc.sessions() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.owner_id == estate.owner_id)).first()
        assert ticket is not None
    post(sup, f"/console/tickets/{ticket.number}/status", status="contacted", note=f"{name}说{words}")
    post(sup, f"/console/tickets/{ticket.number}/pages/1/ack", note=f"已电话{phone}")
    with transaction(bot.svc.sessions) as s:  # a failed message whose error quotes the text
        s.add(InboundEvent(channel="wechat", provider_message_id="bad1", external_user_id=OPENID,
                           payload={"text": words}, status="failed", error=f"ValueError: {words}",
                           received_at=bot.now))
        s.add(Survey(ticket_id=ticket.id, owner_id=estate.owner_id, due_at=bot.now, status="answered", score=1,
                     comment=f"太差了{words}"))
    bot.run()
    before = [t for t in _everything(console) if phone in t[2] or words in t[2]]
    assert {t[0] for t in before} >= {"outbox", "messages", "ticket_events"}

    post(sup, "/console/privacy/erase", owner_id=str(estate.owner_id), confirm=str(estate.owner_id))
    left = [t for t in _everything(console) if phone in t[2] or name in t[2] or words in t[2]
            or phone[-8:] in t[2]]
    assert left == []


def test_compact_is_harmless_when_the_checkpoint_cannot_run(console: Console) -> None:
    assert pipl.compact(console.bot.svc.engine) in (True, False)


def test_failed_inbound_events_are_visible_and_can_be_retried(console: Console, estate: Estate) -> None:
    bind(console, estate)
    console.bot.say("wechat", OPENID, "你好")
    with transaction(console.bot.svc.sessions) as s:
        s.add(InboundEvent(channel="wechat", provider_message_id="dead1", external_user_id=OPENID,
                           payload={}, status="failed", attempts=5, error="ValueError: boom",
                           received_at=console.bot.now))
    sup = console.login("sup")
    assert 'id="failed-count"' in sup.get("/console").text
    page = sup.get("/console/failed").text
    assert "ValueError: boom" in page and f"/console/conversations/{conversation(console).id}" in page
    assert console.login("advisor").get("/console/failed").status_code == 403
    with console.bot.svc.sessions() as s:
        event_id = s.scalars(select(InboundEvent.id).where(InboundEvent.provider_message_id == "dead1")).one()
    post(sup, f"/console/failed/{event_id}/retry")
    with console.bot.svc.sessions() as s:
        assert s.get(InboundEvent, event_id).status == "pending"  # type: ignore[union-attr]


def test_nul_in_console_input_is_a_400(console: Console, estate: Estate) -> None:
    bind(console, estate)
    console.bot.say("wechat", OPENID, "转人工")
    conv = conversation(console)
    sup = console.login("sup")
    post(sup, f"/console/conversations/{conv.id}/takeover")
    assert post(sup, f"/console/conversations/{conv.id}/reply", text="你好\x00").status_code == 400
    assert post(sup, f"/console/conversations/{conv.id}/note", text="a\x00b").status_code == 400
    assert sup.get("/console/tickets/AJ-1%00").status_code == 400
    assert sup.get("/console/search", params={"q": "张\x00"}).status_code == 400
    client = console.client()
    resp = client.post("/console/login", data={"username": "sup\x00", "password": "x\x00",
                                               "csrf": _form_token(client)})
    assert resp.status_code in (303, 400)


def test_an_attackers_lock_out_does_not_lock_out_the_owners_own_browser(console: Console) -> None:
    from tests.console.conftest import PASSWORD, login

    own = console.login("agent2")  # her usual browser: it gets the known-device cookie
    assert own.cookies.get(auth.DEVICE_COOKIE)
    attacker = console.client()
    for _ in range(auth.config().max_failed_logins):
        login(attacker, "agent2", "guess guess")
    assert "err=login_failed" in login(attacker, "agent2", PASSWORD).headers["location"]  # locked for strangers
    forged = console.client()
    forged.cookies.set(auth.DEVICE_COOKIE, f"{console.users['agent2']}.abc.{'0' * 32}", path="/console")
    assert "err=login_failed" in login(forged, "agent2", PASSWORD).headers["location"]
    assert login(own, "agent2", PASSWORD).headers["location"] == "/console"  # not for her (and it lifts the lock)
