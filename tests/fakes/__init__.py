"""Fake platform servers (WeChat, Twilio, Telegram) speaking the real wire formats on 127.0.0.1."""

from tests.fakes.server import FakeServer, RecordedRequest, Reply
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio, twilio_signed_form
from tests.fakes.wechat import FakeWeChat, wechat_signed_get, wechat_signed_post

__all__ = [
    "FakeServer",
    "FakeTelegram",
    "FakeTwilio",
    "FakeWeChat",
    "RecordedRequest",
    "Reply",
    "twilio_signed_form",
    "wechat_signed_get",
    "wechat_signed_post",
]
