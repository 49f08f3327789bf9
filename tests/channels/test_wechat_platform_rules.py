"""WeChat's platform rules as the fake enforces them, and the channel living with them.

The customer-service window and quota, token invalidation on refetch (one token shared by every
process), template field limits and ``client_msg_id``, text length and media expiry.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import sessionmaker

from backend.db import make_engine
from backend.models import SharedToken
from backend.tokens import DbTokenStore
from bot.channels.base import OutboundMessage
from bot.channels.wechat import WeChatChannel
from bot.channels.wechat_api import MemoryTokenStore
from tests.channels.helpers import NOW, WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_SECRET, WECHAT_TOKEN
from tests.fakes.wechat import FakeWeChat

USER = "oOwner0001"


def channel(fake: FakeWeChat, **kwargs: object) -> WeChatChannel:
    options: dict[str, object] = {"app_secret": WECHAT_SECRET, "aes_key": WECHAT_AES_KEY,
                                  "api_base": fake.base_url, "clock": lambda: NOW, "timeout_s": 2.0}
    options.update(kwargs)
    return WeChatChannel(WECHAT_APP_ID, WECHAT_TOKEN, **options)  # type: ignore[arg-type]


def text(body: str = "您好", user: str = USER) -> OutboundMessage:
    return OutboundMessage(channel="wechat", external_user_id=user, text=body)


def errcode(result: object) -> str:
    return str(getattr(result, "error", "") or "")


# ------------------------------------------------------------------------ customer-service window
async def test_no_window_without_a_user_action(fake_wechat: FakeWeChat) -> None:
    result = await channel(fake_wechat).send(text())
    assert not result.ok and "45015" in errcode(result) and not result.retryable


async def test_an_owner_message_allows_five_then_45047(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action(USER, "message")
    ch = channel(fake_wechat)
    results = [await ch.send(text(str(i))) for i in range(6)]
    assert [r.ok for r in results] == [True] * 5 + [False]
    assert "45047" in errcode(results[-1])
    fake_wechat.user_action(USER, "message")  # the owner writes again: a new allowance
    assert (await ch.send(text())).ok


async def test_a_follow_or_menu_click_allows_three_within_a_minute(fake_wechat: FakeWeChat) -> None:
    now = [1_000_000.0]
    fake_wechat.clock = lambda: now[0]
    fake_wechat.user_action(USER, "event")
    ch = channel(fake_wechat)
    assert [(await ch.send(text())).ok for _ in range(4)] == [True, True, True, False]
    fake_wechat.user_action(USER, "event")
    now[0] += 61
    result = await ch.send(text())
    assert not result.ok and "45015" in errcode(result)


async def test_a_message_window_closes_after_48_hours(fake_wechat: FakeWeChat) -> None:
    now = [1_000_000.0]
    fake_wechat.clock = lambda: now[0]
    fake_wechat.user_action(USER, "message")
    now[0] += 48 * 3600 + 1
    assert "45015" in errcode(await channel(fake_wechat).send(text()))


async def test_unsubscribe_closes_everything(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action(USER, "unsubscribe")
    ch = channel(fake_wechat, template_ids={"service_notice": "TPL"})
    assert "43004" in errcode(await ch.send(text()))
    tpl = OutboundMessage("wechat", USER, "", template_id="service_notice", template_data={"thing1": "x"})
    assert "43004" in errcode(await ch.send(tpl))


async def test_long_text_is_split_below_the_45002_limit(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action(USER)
    body = "卫生间漏水。" * 200  # 3,600 bytes
    assert (await channel(fake_wechat).send(text(body))).ok
    parts = [m["text"]["content"] for m in fake_wechat.sent if "卫生间" in m["text"]["content"]]
    assert len(parts) == 2 and all(len(p.encode()) <= 2048 for p in parts) and "".join(parts) == body
    fake_wechat.enforce_window = False
    async with httpx.AsyncClient() as client:
        raw = await client.post(f"{fake_wechat.base_url}/cgi-bin/message/custom/send",
                                params={"access_token": next(iter(fake_wechat.valid_tokens))},
                                content=json.dumps({"touser": USER, "msgtype": "text", "text": {"content": body}}))
    assert raw.json()["errcode"] == 45002  # what the platform does with an unsplit text


async def test_template_send_carries_client_msg_id_and_a_retry_is_not_sent_twice(fake_wechat: FakeWeChat) -> None:
    ch = channel(fake_wechat, template_ids={"service_notice": "TPL"})
    message = OutboundMessage("wechat", USER, "", template_id="service_notice", template_data={"thing1": "停水"},
                              client_msg_id="anju-42")
    first, again = await ch.send(message), await ch.send(message)
    assert first.ok and again.ok and first.provider_message_id == again.provider_message_id
    assert [m.get("client_msg_id") for m in fake_wechat.sent] == ["anju-42"]


# -------------------------------------------------------------------------------------- templates
@pytest.mark.parametrize(("data", "ok"), [
    ({"thing1": "二十个字以内的事项说明", "time2": "2026-12-01 10:00"}, True),
    ({"thing1": "这是一个超过二十个字的事项说明文字，平台会拒绝它"}, False),
    ({"character_string1": "维修单号"}, False),  # no Chinese in a character_string
    ({"character_string1": "R-2026-0001"}, True),
    ({"content": "a free-text body does not fit a category template"}, False),
])
async def test_template_fields_are_checked_against_their_type(fake_wechat: FakeWeChat, data: dict[str, str],
                                                              ok: bool) -> None:
    ch = channel(fake_wechat, template_ids={"service_notice": "TPL"})
    result = await ch.send(OutboundMessage("wechat", USER, "", template_id="service_notice", template_data=data))
    assert result.ok is ok
    if not ok:
        assert "47003" in errcode(result)


# ---------------------------------------------------------------------------------------- tokens
async def test_fake_invalidates_the_previous_token_on_refetch(fake_wechat: FakeWeChat) -> None:
    """Two processes with their own token each kill the other's (the platform's rule)."""
    fake_wechat.user_action(USER)
    a, b = channel(fake_wechat), channel(fake_wechat)
    for ch in (a, b, a, b):
        assert (await ch.send(text())).ok
    assert len(fake_wechat.token_requests) == 4  # every switch costs a fetch


@pytest.fixture
def second_engine(db_url: str, engine: Engine) -> Iterator[Engine]:
    """A second engine on the same database: another worker process's connection pool."""
    other = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(delete(SharedToken))
    yield other
    other.dispose()
    with engine.begin() as conn:
        conn.execute(delete(SharedToken))


async def test_two_workers_share_one_token_through_the_database(fake_wechat: FakeWeChat, engine: Engine,
                                                                second_engine: Engine) -> None:
    user = "oTokenShare"  # not USER: a request another test left hanging may still land on USER's window
    a = channel(fake_wechat, token_store=DbTokenStore(sessionmaker(engine)))
    b = channel(fake_wechat, token_store=DbTokenStore(sessionmaker(second_engine)))
    results = []
    for i in range(10):
        if i % 5 == 0:
            fake_wechat.user_action(user)  # each owner message allows five
        results.append(await (a if i % 2 else b).send(text(str(i), user=user)))
    assert all(r.ok for r in results)
    assert len(fake_wechat.token_requests) == 1


async def test_a_rejected_token_is_refreshed_once_for_everyone(fake_wechat: FakeWeChat, engine: Engine,
                                                               second_engine: Engine) -> None:
    fake_wechat.user_action(USER)
    a = channel(fake_wechat, token_store=DbTokenStore(sessionmaker(engine)))
    b = channel(fake_wechat, token_store=DbTokenStore(sessionmaker(second_engine)))
    assert (await a.send(text())).ok
    fake_wechat.expire_tokens()  # e.g. someone fetched one from the console's debugger
    results = await asyncio.gather(a.send(text()), b.send(text()))
    assert all(r.ok for r in results)
    assert len(fake_wechat.token_requests) == 2


async def test_daily_token_quota_is_45009(fake_wechat: FakeWeChat) -> None:
    fake_wechat.user_action(USER)
    fake_wechat.token_quota = 0
    result = await channel(fake_wechat, token_store=MemoryTokenStore()).send(text())
    assert not result.ok and "45009" in errcode(result)


def test_media_expire_after_three_days(fake_wechat: FakeWeChat) -> None:


    now = [1_000_000.0]
    fake_wechat.clock = lambda: now[0]
    fake_wechat.add_media("MEDIA1", b"\xff\xd8jpeg")
    ch = channel(fake_wechat)
    token = ch._client.access_token  # noqa: SLF001 - the fake needs a valid token
    url = f"{fake_wechat.base_url}/cgi-bin/media/get"
    assert httpx.get(url, params={"access_token": token, "media_id": "MEDIA1"}).content == b"\xff\xd8jpeg"
    now[0] += 3 * 24 * 3600 + 1
    assert httpx.get(url, params={"access_token": token, "media_id": "MEDIA1"}).json()["errcode"] == 40007
