"""``ANJU_NLU_ENGINE=rasa`` with the Rasa server down: the builtin engine answers, the outage is logged
once, and every conversation goes on (events done, replies delivered)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.models import InboundEvent, Message, Outbox
from tests.loadgen import stack
from tests.reliability.inproc import InProcess, settings_for, short_timeout_channels
from tests.reliability.test_hostile import owner_writes


def test_rasa_down_falls_back_to_builtin_logged_once(private_db: str, trained_data_dir: Path,
                                                     platforms: stack.PlatformUrls,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(private_db, trained_data_dir, platforms,
                            nlu={"engine": "rasa", "rasa_url": f"http://127.0.0.1:{stack.free_port()}",
                                 "rasa_timeout_s": 0.5})
    app = InProcess(settings, channels=short_timeout_channels(settings))
    try:
        with caplog.at_level(logging.DEBUG):
            said = (("wechat", "家里有很重的煤气味"), ("sms", "厨房水龙头坏了"), ("telegram", "物业费怎么交？"))
            for channel, text in said:
                owner_writes(app, channel, text)
            assert app.process() == 3
            while app.deliver():
                pass
        with app.svc.sessions() as s:
            assert s.scalar(select(func.count()).select_from(InboundEvent).where(InboundEvent.status != "done")) == 0
            labels = [m for m in s.scalars(select(Message.nlu).where(Message.direction == "in"))]
            assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status != "sent")) == 0
            assert s.scalar(select(func.count()).select_from(Outbox)) >= 3
        assert all(lbl and lbl.get("engine") == "builtin-fallback" for lbl in labels), labels
        outage = [r for r in caplog.records if r.levelno >= logging.WARNING and "Rasa" in r.getMessage()]
        assert len(outage) == 1, [r.getMessage() for r in outage]
        # The only ERROR allowed is the dispatch alarm: this estate has no on-call rota, so the gas-smell page
        # reaches nobody (issue 18: that must be an ERROR line). Nothing about the Rasa outage is an error.
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name != "backend.dispatch"]
    finally:
        app.close()
