"""Logs of a whole flow (webhooks on every channel, processing, delivery, a platform error, a forged
request) never hold an owner's full phone number or any configured secret."""

from __future__ import annotations

import logging

import pytest

from bot.logs import MaskingFormatter
from tests.loadgen import driver, stack
from tests.reliability.conftest import Fakes
from tests.reliability.inproc import BASE, InProcess
from tests.reliability.test_hostile import owner_writes, user_on

SECRETS = [stack.WECHAT_TOKEN, stack.WECHAT_AES_KEY, stack.WECHAT_SECRET, stack.TWILIO_TOKEN, stack.TELEGRAM_TOKEN,
           stack.TELEGRAM_SECRET, stack.API_TOKEN]


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_no_full_phone_and_no_secret_in_any_log_line(inproc: InProcess, fakes: Fakes, level: int,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    formatter = MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    with caplog.at_level(level):
        for channel in ("wechat", "sms", "telegram"):
            owner_writes(inproc, channel, "家里有很重的煤气味，电话13912345678")  # pages engineers with the phone
        forged = driver.build(9, "sms", user_on(inproc, "sms"), "test", "hi", BASE)
        forged.headers["X-Twilio-Signature"] = "forged"
        assert inproc.post(forged).status_code == 403
        inproc.process()
        fakes.telegram.fail_next(1, 500)
        fakes.twilio.rate_limit_next(1)
        inproc.deliver()
        inproc.advance(60)
        while inproc.deliver():
            inproc.advance(60)
        inproc.client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {stack.API_TOKEN}"})
    lines = [formatter.format(r) for r in caplog.records]
    assert lines, "nothing was logged: the test would prove nothing"
    text = "\n".join(lines)
    sms_user = user_on(inproc, "sms")
    phones = ["13912345678", *inproc.population.owner_phones]  # type: ignore[attr-defined]
    leaked = [p for p in {*phones, sms_user, sms_user.lstrip("+")} if p in text]
    assert not leaked, f"full phone numbers in the log: {leaked}\n" + "\n".join(
        line for line in lines if any(p in line for p in leaked))[:3000]
    secrets = [s for s in SECRETS if s in text]
    assert not secrets, "secrets in the log:\n" + "\n".join(line for line in lines if any(s in line for s in secrets))
