"""Hostile input through the real webhook path: XML bombs and external entities, oversize bodies,
forged and replayed signatures, SQL and HTML in message text, and one sender flooding the others.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.db import transaction
from backend.models import Conversation, InboundEvent, Message, Role, Staff, Ticket
from bot.webhooks import SenderThrottle
from tests.fakes.wechat import wechat_signed_post
from tests.loadgen import driver, stack
from tests.reliability.inproc import BASE, InProcess

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PASSWORD = "correct horse battery"
INJECTION = "卫生间漏水'); DROP TABLE tickets; -- <script>alert('x')</script><img src=x onerror=alert(1)>"


def _population(app: InProcess) -> stack.Population:
    found = getattr(app, "population", None)
    if found is None:
        found = stack.seed(app.settings.database_url, owners=6)
        app.population = found  # type: ignore[attr-defined]
    return found


def user_on(app: InProcess, channel: str) -> str:
    """A seeded owner's external id on ``channel``."""
    return next(u for c, u in _population(app).users if c == channel)


def owner_writes(app: InProcess, channel: str, text: str) -> driver.Planned:
    """A seeded owner sends ``text`` on ``channel`` (signed); asserts the webhook was accepted."""
    item = driver.build(0, channel, user_on(app, channel), "test", text, BASE)
    resp = app.post(item)
    assert resp.status_code == 200, resp.text
    return item


def console_thread(app: InProcess, channel: str) -> str:
    """The console's conversation page of the owner on ``channel``, as a logged-in supervisor sees it."""
    from bot.console.auth import hasher

    with transaction(app.svc.sessions) as s:
        if s.scalar(select(Staff).where(Staff.username == "sup-rel")) is None:
            s.add(Staff(name="主管", username="sup-rel", role=Role.SUPERVISOR, password_hash=hasher.hash(PASSWORD)))
    with app.svc.sessions() as s:
        conv_id = s.scalar(select(Conversation.id).order_by(Conversation.id.desc()))
    from tests.console.conftest import login

    client = app.client.__class__(app.app, base_url=BASE, follow_redirects=False, headers={"accept": "text/html"})
    assert login(client, "sup-rel", PASSWORD).status_code == 303
    page = client.get(f"/console/conversations/{conv_id}")
    assert page.status_code == 200, page.text[:500]
    return page.text


def _count(app: InProcess, model: type) -> int:
    with app.svc.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _wechat(app: InProcess, xml: str, **kw: str) -> int:
    query, body = wechat_signed_post(stack.WECHAT_TOKEN, stack.WECHAT_AES_KEY, stack.WECHAT_APP_ID, xml, **kw)
    return app.client.post("/hooks/wechat", params=query, content=body,
                           headers={"Content-Type": "text/xml"}).status_code


@pytest.mark.parametrize("fixture", ["xml_bomb.xml", "external_entity.xml"])
def test_xml_bombs_and_external_entities_are_refused(inproc: InProcess, fixture: str) -> None:
    xml = (FIXTURES / "wechat" / fixture).read_text("utf-8")
    assert _wechat(inproc, xml) == 400
    assert _count(inproc, InboundEvent) == 0


def test_oversize_bodies_are_answered_413_declared_or_streamed(inproc: InProcess) -> None:
    limit = inproc.settings.max_body_bytes
    big = b"<xml>" + b"a" * (limit + 1) + b"</xml>"
    assert inproc.client.post("/hooks/wechat", content=big).status_code == 413

    def chunks():  # no Content-Length: the limit must hold while streaming
        for _ in range(limit // 4096 + 2):
            yield b"x" * 4096

    assert inproc.client.post("/hooks/telegram", content=chunks()).status_code == 413
    assert _count(inproc, InboundEvent) == 0


def test_forged_and_stale_signatures_are_403_and_replays_are_stored_once(inproc: InProcess) -> None:
    user = user_on(inproc, "wechat")
    item = driver.build(0, "wechat", user, "test", "家里有很重的煤气味", BASE)
    xml = item.body.decode()
    stale = str(int(time.time()) - 3600)
    assert _wechat(inproc, xml, timestamp=stale, openid=user) == 403  # correctly signed, an hour old
    assert _wechat(inproc, xml.replace("gh_fake", "gh_other"), openid=user) == 200  # well signed, new body ok
    forged = wechat_signed_post("not-the-token", None, stack.WECHAT_APP_ID, xml, openid=user)
    assert inproc.client.post("/hooks/wechat", params=forged[0], content=forged[1]).status_code == 403
    sms = driver.build(1, "sms", user_on(inproc, "sms"), "test", "test", BASE)
    sms.headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    assert inproc.post(sms).status_code == 403
    tg = driver.build(2, "telegram", user_on(inproc, "telegram"), "test", "test", BASE)
    tg.headers["X-Telegram-Bot-Api-Secret-Token"] = "wrong"
    assert inproc.post(tg).status_code == 403
    assert _wechat(inproc, xml, openid=user) == 200  # the same MsgId again: a replay / platform retry
    assert _count(inproc, InboundEvent) == 1


@pytest.mark.parametrize("channel", ["wechat", "sms", "telegram"])
def test_sql_and_html_in_text_are_stored_verbatim_and_shown_inert(inproc: InProcess, channel: str) -> None:
    owner_writes(inproc, channel, INJECTION)
    assert inproc.process() == 1
    with inproc.svc.sessions() as s:
        texts = list(s.scalars(select(Message.text).where(Message.direction == "in")))
        assert texts == [INJECTION]  # parameters, not SQL
        tickets = list(s.scalars(select(Ticket.description)))
    assert all(INJECTION in d for d in tickets)
    assert _count(inproc, Ticket) == len(tickets)  # the table is still there
    page = console_thread(inproc, channel)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    api = inproc.client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {stack.API_TOKEN}"})
    assert api.status_code == 200 and api.headers["content-type"].startswith("application/json")


def test_a_flooding_sender_does_not_starve_the_others(inproc: InProcess) -> None:
    flooder = user_on(inproc, "telegram")
    others = [u for c, u in _population(inproc).users if c == "wechat"][:2]
    burst = int(SenderThrottle().burst)
    # a stopped clock: no token comes back while the flood is posted, however slow the machine is
    inproc.svc._sender_throttle = SenderThrottle(clock=lambda: 0.0)  # type: ignore[attr-defined]
    flood = [driver.build(n, "telegram", flooder, "test", f"第{n}条", BASE) for n in range(burst + 30)]
    for item in flood:
        assert inproc.post(item).status_code == 200  # accepted, never refused: nothing lost
    owner_writes(inproc, "wechat", "电梯困人了，快来人")  # others[0], after the whole flood
    assert inproc.post(driver.build(0, "wechat", others[1], "test", "厨房水龙头坏了", BASE)).status_code == 200
    with inproc.svc.sessions() as s:
        statuses = dict(s.execute(select(InboundEvent.status, func.count()).group_by(InboundEvent.status)).all())
    assert statuses == {"pending": burst + 2, "throttled": 30}
    # one claim round after the flood: the flooder's next event waits behind the others' pending ones
    while inproc.worker.process_pending(limit=3):
        with inproc.svc.sessions() as s:
            others_done = s.scalar(select(func.count()).select_from(InboundEvent).where(
                InboundEvent.channel == "wechat", InboundEvent.status == "done"))
            flood_done = s.scalar(select(func.count()).select_from(InboundEvent).where(
                InboundEvent.channel == "telegram", InboundEvent.status == "done"))
        if others_done == 2:
            break
    assert others_done == 2 and flood_done < len(flood), "the other owners were served behind the flood"
    inproc.process()
    with inproc.svc.sessions() as s:
        done = list(s.scalars(select(InboundEvent.provider_message_id).where(InboundEvent.channel == "telegram")
                              .order_by(InboundEvent.processed_at, InboundEvent.id)))
        assert s.scalar(select(func.count()).select_from(InboundEvent).where(InboundEvent.status != "done")) == 0
        texts = list(s.scalars(select(Message.text).join(Conversation).where(Message.direction == "in")
                               .order_by(Message.id)))
    assert len(done) == len(flood)
    flood_texts = [t for t in texts if t.startswith("第")]
    assert flood_texts == [f"第{n}条" for n in range(len(flood))]  # the flooder's own order kept


def test_throttle_refills_and_forgets_idle_senders() -> None:
    now = [0.0]
    throttle = SenderThrottle(burst=2, rate=1.0, clock=lambda: now[0])
    assert [throttle.allow("sms", "+1") for _ in range(3)] == [True, True, False]
    assert throttle.allow("sms", "+2")  # another sender has its own bucket
    now[0] += 1.0
    assert throttle.allow("sms", "+1") and not throttle.allow("sms", "+1")
