"""The real Anju app under uvicorn on 127.0.0.1, wired to the fake platforms, plus webhook senders.

Shared by the end-to-end tests (``tests/e2e``) and the emergency-latency benchmark. Inbound payloads
are built from the stored fixtures in ``tests/fixtures/<channel>/`` and signed exactly as each platform
signs them; what the bot sends is read back from the fakes' recorded requests.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import transaction
from backend.models import Base, ChannelIdentity, InboundEvent, OnCallShift, Outbox, Role, utcnow
from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from tests.db import truncate_all
from tests.factories import make_owner, make_staff, make_unit
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio, twilio_signed_form
from tests.fakes.wechat import FakeWeChat, wechat_signed_get, wechat_signed_post

T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Credentials: the app is configured with these and the fakes accept them (their defaults).
WECHAT_TOKEN = "anju-e2e-token"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECHAT_APP_ID = "wx_fake_app"
WECHAT_SECRET = "fake-secret"
TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "fake-auth-token"
TWILIO_NUMBER = "+15005550006"
TELEGRAM_TOKEN = "123456:FAKE-token"
TELEGRAM_SECRET = "e2e_Secret-token-42"

DEFAULT_TIMEOUT_S = 15.0
_ids = itertools.count(int(time.time() * 1000) % 10**9)


def next_id() -> int:
    """A process-unique number for provider message ids (MsgId, MessageSid, update_id)."""
    return next(_ids)


def wait_for(probe: Callable[[], T], what: str, timeout: float = DEFAULT_TIMEOUT_S, interval: float = 0.02) -> T:
    """Poll ``probe`` until it returns something truthy and return that.

    Args:
        probe: Called repeatedly; exceptions are not caught.
        what: Describes the awaited condition in the failure message.
        timeout: Liveness bound in seconds (not a latency assertion).
        interval: Pause between polls.

    Raises:
        AssertionError: ``probe`` stayed falsy for ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# ----------------------------------------------------------------------------------------- settings
def build_settings(
    *,
    database_url: str,
    data_dir: Path,
    port: int,
    wechat_api: str,
    twilio_api: str,
    telegram_api: str,
    **overrides: Any,
) -> Settings:
    """Settings with all three channels on, each pointed at its fake platform server."""
    values: dict[str, Any] = {
        "env": "dev",
        "database_url": database_url,
        "data_dir": data_dir,
        "public_url": f"http://127.0.0.1:{port}",
        "host": "127.0.0.1",
        "port": port,
        "log_level": "WARNING",
        "wechat": {"app_id": WECHAT_APP_ID, "app_secret": WECHAT_SECRET, "token": WECHAT_TOKEN,
                   "encoding_aes_key": WECHAT_AES_KEY, "api_base": wechat_api},
        "twilio": {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN, "from_number": TWILIO_NUMBER,
                   "api_base": twilio_api},
        "telegram": {"bot_token": TELEGRAM_TOKEN, "secret_token": TELEGRAM_SECRET, "api_base": telegram_api},
        "nlu": {"engine": "builtin"},
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def free_socket() -> socket.socket:
    """A listening TCP socket on a free port of 127.0.0.1 (handed to uvicorn: no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


# ------------------------------------------------------------------------------------------ server
class LiveServer:
    """``create_app(settings)`` served by uvicorn in a background thread (embedded worker on)."""

    def __init__(self, settings_for_port: Callable[[int], Settings]) -> None:
        """Bind a free port, then build the settings for it and the app."""
        self._sock = free_socket()
        self.port: int = self._sock.getsockname()[1]
        self.settings = settings_for_port(self.port)
        self.app: FastAPI = create_app(self.settings)
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on", loop="asyncio", ws="none",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name="anju-e2e-uvicorn", daemon=True)
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> LiveServer:
        """Start serving and wait until the lifespan (NLU warm-up, worker start) has completed."""
        self._thread.start()
        wait_for(lambda: self._server.started or not self._thread.is_alive(), "uvicorn to start", timeout)
        if not self._server.started:
            raise RuntimeError("the Anju app failed to start (see the log above)")
        return self

    def stop(self) -> None:
        """Shut uvicorn down (the lifespan stops the worker) and close the socket."""
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()

    @property
    def services(self) -> Services:
        """The app's services (database sessions, channels, clock...)."""
        return self.app.state.services

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The app's session factory."""
        return self.services.sessions

    def url(self, path: str) -> str:
        """The public URL of ``path`` (what Twilio signs)."""
        return self.settings.public_url.rstrip("/") + path

    def pending_work(self) -> int:
        """Inbound events not yet processed plus outbox rows being sent or due (retries later are not counted)."""
        now = self.services.clock()
        with self.sessions() as s:
            inbound = s.scalar(select(func.count()).select_from(InboundEvent).where(InboundEvent.status == "pending"))
            in_flight = or_(Outbox.status == "sending",  # leased: next_attempt_at is the lease expiry
                            and_(Outbox.status == "queued", Outbox.next_attempt_at <= now + timedelta(seconds=1)))
            outbox = s.scalar(select(func.count()).select_from(Outbox).where(in_flight))
        return (inbound or 0) + (outbox or 0)

    def settle(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until every stored event is processed and every due outbox row has been attempted."""
        wait_for(lambda: self.pending_work() == 0, "the worker to go idle", timeout)

    def wait_processed(self, channel: str, provider_message_id: str) -> InboundEvent:
        """Wait until the inbound event is processed (done) and its replies are delivered."""
        def probe() -> InboundEvent | None:
            with self.sessions() as s:
                stmt = select(InboundEvent).where(InboundEvent.channel == channel,
                                                  InboundEvent.provider_message_id == provider_message_id)
                event = s.scalars(stmt).first()
                return event if event is not None and event.status != "pending" else None

        event = wait_for(probe, f"{channel} event {provider_message_id} to be processed")
        self.settle()
        return event


# ------------------------------------------------------------------------------------------- estate
def clear_tables(engine: Engine) -> None:
    """Delete every row, children first, in one transaction.

    Between tests this replaces ``tests.db.truncate_all``: on PostgreSQL a ``TRUNCATE`` of every table
    costs most of a second, a ``DELETE`` of a few rows each a few milliseconds.
    """
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@dataclass(frozen=True)
class Estate:
    """The small estate every e2e test starts from."""

    owner_id: int
    owner_name: str
    owner_phone: str
    unit_id: int
    unit_text: str
    handover_on: date
    engineer1_id: int
    engineer1_chat: str
    engineer1_phone: str
    engineer2_chat: str
    supervisor_chat: str


def seed_estate(sessions: sessionmaker[Session], now: datetime | None = None) -> Estate:
    """One owner in 3栋2单元1502, an advisor and a three-layer on-call rota covering ``now``.

    Layer 1 (engineer 1) is reachable on Telegram and SMS, layer 2 (engineer 2) and 3 (supervisor) on
    Telegram only.
    """
    now = now or utcnow()
    handover = date(2025, 6, 30)
    with transaction(sessions) as s:
        advisor = make_staff(s, Role.AGENT)
        e1 = make_staff(s, Role.ENGINEER, telegram_chat_id="9001", phone="13800000001")
        e2 = make_staff(s, Role.ENGINEER, telegram_chat_id="9002")
        sup = make_staff(s, Role.SUPERVISOR, telegram_chat_id="9003")
        unit = make_unit(s, room="1502")
        owner = make_owner(s, unit, advisor=advisor, phone="13912345678", handover_on=handover)
        for layer, staff in ((1, e1), (2, e2), (3, sup)):
            s.add(OnCallShift(layer=layer, staff_id=staff.id, starts_at=now - timedelta(hours=12),
                              ends_at=now + timedelta(days=2)))
        return Estate(owner.id, owner.name, owner.phone, unit.id, "3栋2单元1502", handover, e1.id, "9001",
                      "13800000001", "9002", "9003")


def bind_identity(sessions: sessionmaker[Session], channel: str, external_id: str, owner_id: int) -> None:
    """Record an already verified channel identity of an owner (skips the binding dialog)."""
    with transaction(sessions) as s:
        s.add(ChannelIdentity(channel=channel, external_id=external_id, owner_id=owner_id, verified_at=utcnow(),
                              created_at=utcnow()))


# ---------------------------------------------------------------------------------------- payloads
def _fixture(channel: str, name: str) -> str:
    return next((FIXTURES / channel).glob(f"{name}.*")).read_text(encoding="utf-8")


def _set_xml(xml: str, tag: str, value: str, cdata: bool = True) -> str:
    inner = f"<![CDATA[{value}]]>" if cdata else value
    return re.sub(rf"<{tag}>.*?</{tag}>", lambda _m: f"<{tag}>{inner}</{tag}>", xml, count=1, flags=re.S)


def wechat_text_xml(openid: str, text: str, msg_id: str, create_time: int | None = None) -> str:
    """A WeChat text push (``tests/fixtures/wechat/text_zh.xml`` with our fields)."""
    xml = _fixture("wechat", "text_zh")
    xml = _set_xml(xml, "FromUserName", openid)
    xml = _set_xml(xml, "Content", text)
    xml = _set_xml(xml, "MsgId", msg_id, cdata=False)
    return _set_xml(xml, "CreateTime", str(create_time or int(time.time())), cdata=False)


def sms_form(sender: str, body: str, sid: str) -> dict[str, str]:
    """A Twilio inbound-SMS form (``tests/fixtures/sms/inbound_sms.txt`` with our fields)."""
    form = dict(parse_qsl(_fixture("sms", "inbound_sms").strip(), keep_blank_values=True))
    form.update(From=sender, Body=body, MessageSid=sid, SmsMessageSid=sid, SmsSid=sid, To=TWILIO_NUMBER,
                AccountSid=TWILIO_SID)
    return form


def _telegram_user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "业主", "last_name": str(user_id), "language_code": "zh-hans"}


def telegram_update(fixture: str, chat_id: int, update_id: int, **fields: Any) -> dict[str, Any]:
    """A Telegram update from ``tests/fixtures/telegram/<fixture>.json`` for ``chat_id``.

    ``fields`` replace keys of the ``message`` (or of the ``callback_query``).
    """
    update = json.loads(_fixture("telegram", fixture))
    update["update_id"] = update_id
    user = _telegram_user(chat_id)
    if "callback_query" in update:
        query = update["callback_query"]
        query["from"] = user
        query["id"] = f"cbq{update_id}"
        query["message"]["chat"] = {"id": chat_id, "type": "private"}
        query.update(fields)
        return update
    message = update["message"]
    message.update(message_id=update_id, date=int(time.time()), chat={"id": chat_id, "type": "private"})
    message["from"] = user
    message.update(fields)
    return update


# ------------------------------------------------------------------------------------------ senders
@dataclass
class Sent:
    """A webhook we posted: the HTTP response and the provider message id used."""

    response: httpx.Response
    provider_id: str


class Hooks:
    """Posts signed webhooks to the live server as WeChat, Twilio and Telegram do."""

    def __init__(self, live: LiveServer, client: httpx.Client) -> None:
        """Send to ``live`` through ``client``."""
        self.live = live
        self.client = client

    # WeChat ---------------------------------------------------------------------------------------
    def wechat_raw(self, xml: str, *, mode: str = "safe", timestamp: str | None = None, token: str = WECHAT_TOKEN,
                   query_override: dict[str, str] | None = None, openid: str = "o") -> httpx.Response:
        """POST a push (plain or safe mode), signed with ``token`` at ``timestamp``."""
        query, body = wechat_signed_post(token, WECHAT_AES_KEY, WECHAT_APP_ID, xml, mode=mode, timestamp=timestamp,
                                         openid=openid)
        query.update(query_override or {})
        return self.client.post(self.live.url("/hooks/wechat"), params=query, content=body,
                                headers={"Content-Type": "text/xml"})

    def wechat(self, openid: str, text: str, *, mode: str = "safe", msg_id: str | None = None) -> Sent:
        """Send a text message from ``openid``."""
        msg_id = msg_id or str(next_id())
        xml = wechat_text_xml(openid, text, msg_id)
        return Sent(self.wechat_raw(xml, mode=mode, openid=openid), msg_id)

    def wechat_get(self, echostr: str, *, token: str = WECHAT_TOKEN, timestamp: str | None = None) -> httpx.Response:
        """The console's URL verification ``GET``."""
        return self.client.get(self.live.url("/hooks/wechat"), params=wechat_signed_get(token, echostr, timestamp))

    # Twilio ---------------------------------------------------------------------------------------
    def twilio_raw(self, path: str, form: dict[str, str], *, sign_url: str | None = None,
                   auth_token: str = TWILIO_TOKEN, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a form to ``path`` signed for ``sign_url`` (default: the public URL of ``path``)."""
        signed = twilio_signed_form(auth_token, sign_url or self.live.url(path), form)
        signed.update(headers or {})
        return self.client.post(self.live.url(path), content=urlencode(form).encode(), headers=signed)

    def sms(self, sender: str, text: str, *, sid: str | None = None) -> Sent:
        """An inbound SMS from ``sender``."""
        sid = sid or f"SM{next_id():032d}"
        return Sent(self.twilio_raw("/hooks/sms", sms_form(sender, text, sid)), sid)

    # Telegram -------------------------------------------------------------------------------------
    def telegram_raw(self, body: bytes, *, secret: str | None = TELEGRAM_SECRET) -> httpx.Response:
        """POST an update body with the secret-token header (none when ``secret`` is None)."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return self.client.post(self.live.url("/hooks/telegram"), content=body, headers=headers)

    def telegram_update(self, fixture: str, chat_id: int, *, update_id: int | None = None, **fields: Any) -> Sent:
        """Send an update built from a fixture (see :func:`telegram_update`)."""
        update_id = update_id or next_id()
        body = json.dumps(telegram_update(fixture, chat_id, update_id, **fields), ensure_ascii=False).encode()
        return Sent(self.telegram_raw(body), str(update_id))

    def telegram(self, chat_id: int, text: str, *, update_id: int | None = None) -> Sent:
        """A text message in the private chat ``chat_id``."""
        return self.telegram_update("text_message", chat_id, update_id=update_id, text=text)

    def telegram_contact(self, chat_id: int, phone: str) -> Sent:
        """The user shares their own contact (``contact.user_id == from.id``)."""
        contact = {"phone_number": phone, "first_name": "业主", "user_id": chat_id}
        return self.telegram_update("contact_own", chat_id, contact=contact)

    def telegram_button(self, chat_id: int, data: str) -> Sent:
        """The user presses an inline button whose ``callback_data`` is ``data``."""
        return self.telegram_update("callback_query", chat_id, data=data)

    # generic --------------------------------------------------------------------------------------
    def send(self, channel: str, user: str, text: str, *, mode: str = "safe") -> Sent:
        """A text message on any channel (``user``: openid, E.164 sender, or Telegram chat id)."""
        if channel == "wechat":
            return self.wechat(user, text, mode=mode)
        if channel == "sms":
            return self.sms(user, text)
        return self.telegram(int(user), text)


# ---------------------------------------------------------------------------------- platform reads
@dataclass
class Platforms:
    """The three fake platforms, read as 'what did each recipient receive'."""

    wechat: FakeWeChat
    twilio: FakeTwilio
    telegram: FakeTelegram

    def messages(self, channel: str, recipient: str) -> list[dict[str, Any]]:
        """Sends to ``recipient``, oldest first, as ``{"text", "received_at", "data"}``.

        ``received_at`` is the fake's receive time (``None`` for WeChat, read from the accepted sends).
        """
        out = []
        if channel == "wechat":
            # accepted sends only: after a reset the fake refuses the cached token (40001) and the SDK resends
            for sent in list(self.wechat.sent):
                if sent.get("_endpoint") == "custom" and sent.get("touser") == recipient:
                    out.append({"text": sent.get("text", {}).get("content", ""), "received_at": None, "data": sent})
        elif channel == "sms":
            for req in list(self.twilio.requests):
                if req.path.endswith("/Messages.json") and req.data.get("To") == recipient:
                    out.append({"text": req.data.get("Body", ""), "received_at": req.received_at, "data": req.data})
        else:
            for req in list(self.telegram.requests):
                if req.path.endswith("/sendMessage") and str(req.data.get("chat_id")) == str(recipient):
                    out.append({"text": req.data.get("text", ""), "received_at": req.received_at, "data": req.data})
        return out

    def texts(self, channel: str, recipient: str) -> list[str]:
        """The texts ``recipient`` received on ``channel``, oldest first."""
        return [m["text"] for m in self.messages(channel, recipient)]

    def total(self) -> int:
        """How many messages all platforms accepted (for 'nothing was sent' checks)."""
        return len(self.wechat.sent) + len(self.twilio.sent) + len(self.telegram.calls("sendMessage"))

    def reset(self) -> None:
        """Forget everything recorded."""
        for fake in (self.wechat, self.twilio, self.telegram):
            fake.reset()


class Chat:
    """One homeowner (or engineer) talking to the live bot on one channel."""

    def __init__(self, hooks: Hooks, platforms: Platforms, channel: str, user: str, *, mode: str = "safe") -> None:
        """``user`` is the openid, the E.164 sender number, or the Telegram chat id."""
        self.hooks, self.platforms, self.channel, self.user, self.mode = hooks, platforms, channel, user, mode
        self._seen = 0

    def received(self) -> list[str]:
        """Everything this user has received so far."""
        return self.platforms.texts(self.channel, self.user)

    def _new(self) -> list[str]:
        return self.received()[self._seen:]

    def say(self, text: str, expect: str) -> list[str]:
        """Send ``text``, wait for a reply containing ``expect``, and return all new replies."""
        sent = self.hooks.send(self.channel, self.user, text, mode=self.mode)
        assert sent.response.status_code == 200, sent.response.text
        return self.expect(expect, sent)

    def expect(self, expect: str, sent: Sent | None = None) -> list[str]:
        """Wait for a new reply containing ``expect``; return all new replies (and mark them seen)."""
        wait_for(lambda: any(expect in t for t in self._new()), f"a {self.channel} reply containing {expect!r}")
        if sent is not None:
            self.hooks.live.wait_processed(self.channel, sent.provider_id)
        else:
            self.hooks.live.settle()
        replies = self._new()
        self._seen += len(replies)
        return replies

    def skip(self) -> None:
        """Mark everything received so far as seen."""
        self._seen = len(self.received())


@dataclass
class World:
    """Everything one e2e test needs: the server, the webhook senders, the fakes, the seeded estate."""

    live: LiveServer
    hooks: Hooks
    platforms: Platforms
    estate: Estate

    def chat(self, channel: str, user: str, *, mode: str = "safe") -> Chat:
        """A conversation as ``user`` on ``channel``."""
        return Chat(self.hooks, self.platforms, channel, user, mode=mode)


@contextmanager
def running_app(engine: Engine, db_url: str, data_dir: Path, fakes: tuple[FakeWeChat, FakeTwilio, FakeTelegram],
                *, graceful_shutdown_s: float | None = None, **settings: Any) -> Iterator[LiveServer]:
    """The real app under uvicorn against the fake platforms, on an emptied database (emptied again after)."""
    wechat, twilio, telegram = fakes
    truncate_all(engine)  # leftovers of other suites must not reach our worker
    server = LiveServer(lambda port: build_settings(
        database_url=db_url, data_dir=data_dir, port=port, wechat_api=wechat.base_url, twilio_api=twilio.base_url,
        telegram_api=telegram.base_url, **settings))
    if graceful_shutdown_s is not None:  # open event streams must not hold up the shutdown
        server._server.config.timeout_graceful_shutdown = graceful_shutdown_s
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.services.engine.dispose()
        truncate_all(engine)
