"""Adding a channel is its module, its settings section and one registry line (README "Adding a channel").

A minimal extra channel is registered and a message goes through it end to end: its declared webhook
route, verification, parsing, the dialogs, routing by its declared traits, and delivery.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from backend.db import transaction
from backend.models import ChannelIdentity, Outbox, utcnow
from backend.notify import ChannelTraits, Notice, send_one
from bot.app import create_app
from bot.channels import registry
from bot.channels.base import (
    BadPayload,
    DeliveryResult,
    InboundMessage,
    OutboundMessage,
    SignatureError,
    WebRequest,
    WebResponse,
)
from bot.proactive_sweeps import policy
from bot.services import build_services
from bot.settings import Settings
from bot.worker import Worker
from nlu import ensure_trained
from tests.db import truncate_all
from tests.factories import make_owner, make_unit

SECRET = "echo-secret"


class EchoChannel:
    """A made-up platform: JSON webhooks signed with a shared secret header, sends kept in a list."""

    name: ClassVar[str] = "echo"
    settings_section: ClassVar[str] = "echo"
    routes: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (("/echo", ("POST",)),)
    traits: ClassVar[ChannelTraits] = ChannelTraits(buttons=False, max_text=500)
    outbox: ClassVar[list[OutboundMessage]] = []

    @classmethod
    def from_settings(cls, section: Any, **wiring: Any) -> EchoChannel:
        return cls()

    def verify(self, request: WebRequest) -> None:
        if not hmac.compare_digest((request.header("X-Echo-Secret") or "").encode(), SECRET.encode()):
            raise SignatureError("bad secret")

    def parse_inbound(self, request: WebRequest) -> list[InboundMessage]:
        try:
            data = json.loads(request.body)
            return [InboundMessage(channel=self.name, external_user_id=str(data["user"]),
                                   provider_message_id=str(data["id"]), text=str(data["text"]), raw=data)]
        except (ValueError, KeyError, TypeError) as exc:
            raise BadPayload(str(exc)) from exc

    def ack(self, request: WebRequest) -> WebResponse:
        return WebResponse(body="ok")

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        self.outbox.append(message)
        return DeliveryResult(ok=True, provider_message_id=f"echo-{len(self.outbox)}")


@pytest.fixture(scope="session")
def nlu_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("echo-data")
    ensure_trained(data_dir / "nlu")
    return data_dir


@pytest.fixture
def echo_app(db_url: str, engine: Engine, nlu_data_dir: Path) -> Iterator[tuple[TestClient, Worker, Any]]:
    tmp_path = nlu_data_dir
    truncate_all(engine)
    registry.register(EchoChannel)
    EchoChannel.outbox.clear()
    settings = Settings(_env_file=None, env="dev", database_url=db_url, data_dir=tmp_path,
                        public_url="http://testserver", nlu={"engine": "builtin"})
    channels = registry.build_channels(settings, sections={"echo": SimpleNamespace(enabled=True)})
    svc = build_services(settings, channels=channels)
    app = create_app(settings, services=svc, embedded_worker=False)
    try:
        with TestClient(app) as client:
            yield client, Worker(svc), svc
    finally:
        registry.unregister(EchoChannel)
        truncate_all(engine)


def test_an_extra_channel_routes_a_message_end_to_end(echo_app: tuple[TestClient, Worker, Any]) -> None:
    client, worker, svc = echo_app
    assert "echo" in svc.channels and set(svc.channels) == {"echo"}
    assert client.post("/hooks/echo", content=b'{"user": "u1", "id": "1", "text": "hi"}').status_code == 403
    answer = client.post("/hooks/echo", content=json.dumps({"user": "u1", "id": "2", "text": "卫生间漏水了"}),
                         headers={"X-Echo-Secret": SECRET})
    assert (answer.status_code, answer.text) == (200, "ok")
    assert client.get("/hooks/echo").status_code == 405  # only the declared methods
    while worker.process_pending(20):
        pass
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(worker.deliver_due())
        assert EchoChannel.outbox and all(m.external_user_id == "u1" for m in EchoChannel.outbox)  # the bot answered

        with transaction(svc.sessions) as s:  # a bound owner is reached on it by routing, from its traits
            owner = make_owner(s, make_unit(s, room="0808"), phone="13900000808")
            s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == "u1")).one().owner_id = owner.id
            route = send_one(s, owner.id, Notice(text="停水通知"), kind="service", ref_id=1, now=utcnow(),
                             policy=policy(svc))
        assert (route.channel, route.recipient, route.route) == ("echo", "u1", "echo")
        with svc.sessions() as s:
            row = s.scalars(select(Outbox).where(Outbox.purpose == "notice")).one()
            row_time = row.next_attempt_at
        assert row.channel == "echo" and row_time <= utcnow() + timedelta(days=1)
    finally:
        loop.close()
