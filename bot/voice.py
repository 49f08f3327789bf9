"""Twilio voice survey webhooks (``/hooks/voice/...``; docs/protocols.md, "Voice surveys").

- ``POST /hooks/voice/survey/{id}``: Twilio fetches the call's TwiML: a ``<Gather>`` (keypad, one digit)
  around a Mandarin ``<Say language="cmn-CN">`` prompt, posting to ``.../answer``.
- ``POST /hooks/voice/survey/{id}/answer``: the digit 1-5 is recorded; 1-2 opens a complaint follow-up and
  alerts the supervisor; anything else is asked once more.
- ``POST /hooks/voice/status/{id}``: call status; no-answer/busy/failed makes the survey due for its retry.

Every request's ``X-Twilio-Signature`` is checked against the public URL (``ANJU_PUBLIC_URL``) first.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from twilio.twiml.voice_response import Gather, VoiceResponse

from backend.db import transaction
from backend.models import Owner, Survey, Ticket
from backend.tickets import add_event
from bot import proactive_sweeps
from bot.channels.base import SignatureError
from bot.dialogs.texts import render
from bot.services import Services
from bot.webhooks import web_request

log = logging.getLogger(__name__)
router = APIRouter(prefix="/hooks/voice", tags=["webhooks"], include_in_schema=False)
NO_ANSWER = frozenset({"no-answer", "busy", "failed", "canceled"})
OPEN = ("due", "sent", "manual")


def _svc(request: Request) -> Services:
    return request.app.state.services


async def _verified_form(request: Request) -> tuple[Services, dict[str, str]]:
    svc = _svc(request)
    channel = svc.channels.get("sms")
    if channel is None or not hasattr(channel, "verify"):
        raise HTTPException(503, "Twilio is not configured")
    req = await web_request(request, svc)
    try:
        channel.verify(req)
    except SignatureError as exc:
        raise HTTPException(403, str(exc)) from exc
    return svc, dict(req.form)


def _say(resp: VoiceResponse | Gather, text: str, lang: str) -> None:
    voice = str(proactive_sweeps.survey_config().get("voice") or "Polly.Zhiyu")
    if lang == "en":
        resp.say(text, language="en-US")
    else:
        resp.say(text, language="cmn-CN", voice=voice)


def gather_twiml(svc: Services, survey_id: int, lang: str, *, again: bool = False) -> str:
    """The survey prompt: ``<Gather input="dtmf" numDigits="1">`` posting to the answer URL."""
    base = svc.settings.public_url.rstrip("/")
    resp = VoiceResponse()
    if again:
        _say(resp, render("survey_voice_invalid", lang), lang)
    timeout = int(proactive_sweeps.survey_config().get("gather_timeout_s", 8))
    action = f"{base}/hooks/voice/survey/{survey_id}/answer" + ("?again=1" if again else "")
    gather = resp.gather(input="dtmf", num_digits=1, timeout=timeout, action=action, method="POST")
    _say(gather, render("survey_voice_prompt", lang), lang)
    _say(resp, render("survey_voice_goodbye", lang), lang)
    return str(resp)


def _say_only(text: str, lang: str) -> str:
    resp = VoiceResponse()
    _say(resp, text, lang)
    resp.hangup()
    return str(resp)


def _xml(body: str) -> Response:
    return Response(body, media_type="text/xml")


def _lang(svc: Services, survey_id: int) -> tuple[Survey | None, str]:
    with svc.sessions() as session:
        survey = session.get(Survey, survey_id)
        owner = session.get(Owner, survey.owner_id) if survey and survey.owner_id else None
        return survey, (owner.language if owner else "zh")


@router.post("/survey/{survey_id}")
async def survey_prompt(survey_id: int, request: Request) -> Response:
    """TwiML for an answered survey call."""
    svc, _form = await _verified_form(request)
    survey, lang = await run_in_threadpool(_lang, svc, survey_id)
    if survey is None or survey.status not in OPEN:
        return _xml(_say_only(render("survey_voice_thanks", lang), lang))
    return _xml(gather_twiml(svc, survey_id, lang))


def record_digit(svc: Services, survey_id: int, score: int) -> bool:
    """Store the keyed score (1-5); True when it was low (1-2) and a follow-up and alert were made."""
    now = svc.clock()
    with transaction(svc.sessions) as session:
        survey = session.get(Survey, survey_id)
        if survey is None or survey.status not in OPEN:
            return False
        survey.method = "voice"
        follow_up = svc.surveys.record_answer(session, survey, score=score, comment=None, now=now)
        if follow_up is not None:
            session.flush()
            proactive_sweeps.alert_low_score(session, svc, survey, now)
        return follow_up is not None


@router.post("/survey/{survey_id}/answer")
async def survey_answer(survey_id: int, request: Request) -> Response:
    """The keyed answer (``Digits``): record 1-5, or ask once more."""
    svc, form = await _verified_form(request)
    survey, lang = await run_in_threadpool(_lang, svc, survey_id)
    digits = (form.get("Digits") or "").strip()
    if survey is None:
        return _xml(_say_only(render("survey_voice_thanks", lang), lang))
    if not (len(digits) == 1 and digits in "12345"):
        if request.query_params.get("again"):
            return _xml(_say_only(render("survey_voice_goodbye", lang), lang))
        return _xml(gather_twiml(svc, survey_id, lang, again=True))
    low = await run_in_threadpool(record_digit, svc, survey_id, int(digits))
    if low:
        log.info("voice survey %s: low score %s", survey_id, digits)
    return _xml(_say_only(render("survey_voice_low" if low else "survey_voice_thanks", lang), lang))


def _no_answer(svc: Services, survey_id: int) -> None:
    with transaction(svc.sessions) as session:
        survey = session.get(Survey, survey_id)
        if survey is not None and survey.status == "sent" and survey.method == "voice":
            survey.due_at = svc.clock()
            ticket = session.get(Ticket, survey.ticket_id)
            if ticket is not None:
                add_event(session, ticket, "survey_no_answer", at=svc.clock(), attempt=survey.attempts)


@router.post("/status/{survey_id}")
async def call_status(survey_id: int, request: Request) -> Response:
    """Call status callback: a call nobody answered makes the survey due for its retry (or manual call)."""
    svc, form = await _verified_form(request)
    if form.get("CallStatus") in NO_ANSWER:
        await run_in_threadpool(_no_answer, svc, survey_id)
    return Response(status_code=204)
