"""The app and a worker in the test process, on a private database, sending to the fake platforms."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from backend.models import utcnow
from bot.app import create_app
from bot.channels.sms import SmsChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.wechat import WeChatChannel
from bot.services import Services, build_services
from bot.settings import Settings
from bot.worker import Worker
from tests.loadgen import driver, stack

BASE = "http://127.0.0.1:8000"


def settings_for(url: str, data_dir: Path, platforms: stack.PlatformUrls, **overrides: Any) -> Settings:
    """The settings the load processes get, as an object (log level INFO, like production)."""
    env = stack.anju_env(url, data_dir, 8000, platforms)
    values: dict[str, Any] = {
        "env": "dev", "database_url": url, "data_dir": data_dir, "public_url": BASE, "log_level": "INFO",
        "api_token": stack.API_TOKEN,
        "wechat": {"app_id": stack.WECHAT_APP_ID, "app_secret": stack.WECHAT_SECRET, "token": stack.WECHAT_TOKEN,
                   "encoding_aes_key": stack.WECHAT_AES_KEY, "api_base": platforms.wechat},
        "twilio": {"account_sid": stack.TWILIO_SID, "auth_token": stack.TWILIO_TOKEN,
                   "from_number": stack.TWILIO_NUMBER, "api_base": platforms.twilio},
        "telegram": {"bot_token": stack.TELEGRAM_TOKEN, "secret_token": stack.TELEGRAM_SECRET,
                     "api_base": platforms.telegram},
        "nlu": {"engine": "builtin"},
        "outbox": {"rate_limits": stack.UNLIMITED_RATES, "max_attempts": 4, "base_backoff_s": 2.0},
    }
    assert env["ANJU_DATABASE_URL"] == url
    values.update(overrides)
    return Settings(_env_file=None, **values)


def short_timeout_channels(settings: Settings, timeout_s: float = 1.0) -> dict[str, Any]:
    """The three channels with short send timeouts (for the 'platform hangs' cases)."""
    return {
        "wechat": WeChatChannel.from_settings(settings.wechat, timeout_s=timeout_s),
        "sms": SmsChannel.from_settings(settings.twilio, timeout_s=timeout_s,
                                        status_callback=f"{BASE}/hooks/sms/status"),
        "telegram": TelegramChannel.from_settings(settings.telegram, timeout_s=timeout_s),
    }


class InProcess:
    """App (no embedded worker), explicit worker, a movable clock."""

    def __init__(self, settings: Settings, **build: Any) -> None:
        """Build services, app and worker; the clock starts now and only moves when told."""
        self.settings = settings
        self.svc: Services = build_services(settings, **build)
        self.now: datetime = utcnow()
        self.svc.clock = lambda: self.now
        self.app = create_app(settings, services=self.svc, embedded_worker=False)
        self.client = TestClient(self.app, base_url=BASE)
        self.worker = Worker(self.svc)
        self.loop = asyncio.new_event_loop()

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)

    def post(self, item: driver.Planned) -> httpx.Response:
        """POST a planned webhook through the app."""
        if item.channel == "wechat":
            from tests.fakes.wechat import wechat_signed_post
            item.params, item.body = wechat_signed_post(stack.WECHAT_TOKEN, stack.WECHAT_AES_KEY, stack.WECHAT_APP_ID,
                                                        item.body.decode(), openid=item.user)
        return self.client.post(item.url.replace("http://127.0.0.1:8000", ""), params=item.params or None,
                                content=item.body, headers=item.headers)

    def process(self) -> int:
        """Process every processable event."""
        total = 0
        while n := self.worker.process_pending(50):
            total += n
        return total

    def deliver(self) -> int:
        """One delivery round."""
        return self.loop.run_until_complete(self.worker.deliver_due())

    def close(self) -> None:
        """Close channels, loop and engine."""
        for channel in self.svc.channels.values():
            close = getattr(channel, "close", None)
            if close is not None:
                self.loop.run_until_complete(close())
        self.loop.close()
        self.svc.engine.dispose()
