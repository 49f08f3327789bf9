"""The voice survey round-trips through signed TwiML callbacks (fake Twilio, X-Twilio-Signature checked)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.db import transaction
from backend.models import Kind, Survey, Ticket
from bot import voice
from bot.channels.sms import SmsChannel
from tests.fakes.recording import RecordingChannel
from tests.fakes.twilio import FakeTwilio, twilio_signed_form
from tests.proactive.conftest import NOW, PUBLIC, TWILIO_SID, TWILIO_TOKEN
from tests.proactive.harness import World
from tests.proactive.test_surveys import closed_repair

CALL = {"CallSid": "CA123", "AccountSid": TWILIO_SID, "From": "+10000000000", "To": "+8613912345678"}


def _setup(sessions, clean, fake_twilio: FakeTwilio) -> tuple[World, TestClient, int]:  # noqa: ANN001
    case = closed_repair(sessions, NOW, identity=False)
    with transaction(sessions) as s:
        s.get(Survey, case.survey_id).method = "voice"
    sms = SmsChannel(TWILIO_SID, TWILIO_TOKEN, "+10000000000", api_base=fake_twilio.base_url)
    w = World(clean, NOW + timedelta(days=1), {"sms": sms, "telegram": RecordingChannel("telegram")},
              {"public_url": PUBLIC})
    app = FastAPI()
    app.include_router(voice.router)
    app.state.services = w.svc
    return w, TestClient(app), case.survey_id


def _post(client: TestClient, url: str, form: dict[str, str], token: str = TWILIO_TOKEN) -> object:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.post(path, data=form, headers=twilio_signed_form(token, url, form))


def test_voice_survey_round_trip_low_score(sessions, clean, fake_twilio: FakeTwilio) -> None:
    w, client, survey_id = _setup(sessions, clean, fake_twilio)
    w.sweep()
    assert len(fake_twilio.calls) == 1
    call = fake_twilio.calls[0]
    assert call["To"] == "+8613912345678" and call["Url"] == f"{PUBLIC}/hooks/voice/survey/{survey_id}"
    assert call["StatusCallback"] == f"{PUBLIC}/hooks/voice/status/{survey_id}"

    twiml = _post(client, call["Url"], CALL)
    assert twiml.status_code == 200 and twiml.headers["content-type"].startswith("text/xml")
    body = twiml.text
    assert '<Gather' in body and 'input="dtmf"' in body and 'numDigits="1"' in body
    assert 'language="cmn-CN"' in body and "请按键评分" in body
    action = re.search(r'action="([^"]+)"', body).group(1)
    assert action == f"{PUBLIC}/hooks/voice/survey/{survey_id}/answer"

    forged = client.post(urlsplit(action).path, data={**CALL, "Digits": "5"},
                         headers=twilio_signed_form("wrong-token", action, {**CALL, "Digits": "5"}))
    assert forged.status_code == 403

    retry = _post(client, action, {**CALL, "Digits": "9"})
    again = re.search(r'action="([^"]+)"', retry.text).group(1).replace("&amp;", "&")
    assert again.endswith("?again=1")
    answer = _post(client, again, {**CALL, "Digits": "2"})
    assert answer.status_code == 200 and "主管" in answer.text
    with w.svc.sessions() as s:
        survey = s.get(Survey, survey_id)
        assert survey.status == "answered" and survey.score == 2 and survey.method == "voice"
        assert s.scalars(select(Ticket).where(Ticket.kind == Kind.COMPLAINT)).one().related_ticket_id == \
            survey.ticket_id
    w.deliver_all()
    assert len(w.channels["telegram"].to("9003")) == 1  # the supervisor is alerted
    w.sweep()
    w.deliver_all()
    assert len(w.channels["telegram"].to("9003")) == 1  # once


def test_unanswered_call_is_retried_once_then_manual(sessions, clean, fake_twilio: FakeTwilio) -> None:
    w, client, survey_id = _setup(sessions, clean, fake_twilio)
    w.sweep()
    status_url = fake_twilio.calls[0]["StatusCallback"]
    assert _post(client, status_url, {**CALL, "CallStatus": "no-answer"}).status_code == 204
    w.sweep()
    assert len(fake_twilio.calls) == 2
    assert _post(client, status_url, {**CALL, "CallStatus": "busy"}).status_code == 204
    w.sweep()
    assert len(fake_twilio.calls) == 2
    with w.svc.sessions() as s:
        assert s.get(Survey, survey_id).status == "manual"
    assert _post(client, status_url, {**CALL, "CallStatus": "completed"}, token="bad").status_code == 403
