"""Webhook routes: verify the platform's signature first, parse, store, acknowledge fast.

Processing happens off the request path (the worker). A duplicate (platform retry) is acknowledged
and not stored again; a database outage answers 503 so the platform retries instead of losing it.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy.exc import OperationalError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from backend import inbound, notify, outbox, replay
from backend.db import transaction
from backend.notify import CHAT, ChannelTraits
from backend.phones import mask_phone
from bot.channels.base import (
    AfterAccept,
    ChannelError,
    InboundMessage,
    ReplayGuarded,
    SignatureError,
    StatusCallbacks,
    UnsupportedEvent,
    UrlVerifying,
    WebRequest,
    WebResponse,
)
from bot.channels.sanitize import clean_message
from bot.envelope import to_payload
from bot.ratelimit import TokenBuckets
from bot.services import Services

log = logging.getLogger(__name__)
RETRY_LATER = {"Retry-After": "5"}  # a database that is down or locked: the platforms retry
router = APIRouter(prefix="/hooks", tags=["webhooks"], include_in_schema=False)


def _services(request: Request) -> Services:
    return request.app.state.services


async def web_request(request: Request, svc: Services) -> WebRequest:
    """Read the body (refusing oversize ones with 413) into a framework-free request."""
    limit = svc.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body larger than {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"body larger than {limit} bytes")
    form: dict[str, str] = {}
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    raw_query = request.url.query
    public = svc.settings.public_url.rstrip("/") + request.url.path + (f"?{raw_query}" if raw_query else "")
    query = dict(parse_qsl(raw_query.replace("+", "%2B"), keep_blank_values=True))
    return WebRequest(method=request.method, url=public, headers=dict(request.headers), query=query, body=body,
                      form=form)


def _answer(resp: WebResponse) -> Response:
    return Response(resp.body, status_code=resp.status_code, media_type=resp.media_type)


class SenderThrottle:
    """A token bucket per (channel, sender): ``burst`` messages at once, then ``rate`` per second.

    Excess messages are *not* refused: a 429 makes WeChat retry three times and then drop the message,
    and Twilio does not retry inbound SMS at all, so refusing would lose an owner's words. They are stored
    as ``throttled`` instead, and the worker takes every other sender's pending events first. A flood
    costs the flooder latency, not the other owners. Per web process (a few processes behind a balancer
    each grant the burst: still bounded).
    """

    MAX_SENDERS = 50_000

    def __init__(self, burst: float = 20.0, rate: float = 1.0, clock: Any = time.monotonic) -> None:
        """``burst`` tokens per sender, refilled at ``rate`` per second."""
        self.burst, self.rate = burst, rate
        self._buckets = TokenBuckets(clock)

    def allow(self, channel: str, sender: str) -> bool:
        """Take a token for this sender; False when its bucket is empty (the message is throttled)."""
        allowed = self._buckets.take((channel, sender), rate=self.rate, burst=self.burst) == 0
        if len(self._buckets) > self.MAX_SENDERS:
            self._buckets.forget_idle(self.burst / self.rate)
        return allowed


def throttle_for(svc: Services) -> SenderThrottle:
    """The process's throttle for these services (created on first use)."""
    found = getattr(svc, "_sender_throttle", None)
    if found is None:
        found = SenderThrottle()
        svc._sender_throttle = found  # type: ignore[attr-defined]
    return found


class Replayed(Exception):
    """A signed request whose nonce was already used with another body."""


EDGE_ONLY = frozenset({"consent", "state", "receipt"})  # applied here, never handed to the dialogs


def _store(svc: Services, messages: list[InboundMessage], nonce: tuple[str, str, str, float] | None = None,
           traits: ChannelTraits = CHAT) -> int:
    """Store the messages; with ``nonce`` (channel, key, digest, window s) refuse a replay in the same transaction.

    Platform-level opt-outs (``consent``: SMS STOP/START) and reachability changes (``state``: a
    Telegram user blocking the bot) are applied to the sender's identity and not stored as events; every
    stored message also records what it means for reaching the sender (:func:`notify.note_inbound`).
    """
    now = svc.clock()
    stored = 0
    throttle = throttle_for(svc)
    with transaction(svc.sessions) as session:
        if nonce is not None:
            channel, key, digest, window_s = nonce
            if not replay.remember(session, channel=channel, nonce=key, digest=digest, now=now,
                                   window=timedelta(seconds=window_s)):
                raise Replayed(f"{channel}: nonce {key!r} already used with another body")
        for msg in messages:
            if msg.kind in EDGE_ONLY:
                _apply_edge_event(session, msg, traits, now)
                continue
            throttled = not throttle.allow(msg.channel, msg.external_user_id)
            new_id = inbound.store(session, channel=msg.channel, provider_message_id=msg.provider_message_id,
                                   external_user_id=msg.external_user_id, payload=to_payload(msg), now=now,
                                   throttled=throttled)
            if new_id is not None and throttled:
                log.info("%s: sender over its rate; event %s stored as throttled", msg.channel, new_id)
            if new_id is not None:
                notify.note_inbound(session, channel=msg.channel, external_id=msg.external_user_id, kind=msg.kind,
                                    event=msg.event, now=now, traits=traits)
            stored += new_id is not None
    return stored


def _apply_edge_event(session: Any, msg: InboundMessage, traits: ChannelTraits, now: Any) -> None:
    if msg.kind == "consent" and msg.event in ("stop", "start"):
        owner_id = notify.platform_consent(session, channel=msg.channel, external_id=msg.external_user_id,
                                           action=msg.event, keyword=msg.text, now=now,
                                           proves_phone=traits.proves_phone)
        log.info("%s: platform opt-%s from %s (owner %s)", msg.channel, "out" if msg.event == "stop" else "in",
                 mask_phone(msg.external_user_id), owner_id)
    elif msg.kind == "receipt":  # WeChat TEMPLATESENDJOBFINISH: the template message's delivery
        status = str(msg.raw.get("Status", msg.event or ""))
        outbox.mark_delivery(session, msg.text, msg.event or "", None if msg.event == "delivered" else status)
    elif msg.kind == "state":
        notify.note_inbound(session, channel=msg.channel, external_id=msg.external_user_id, kind=msg.kind,
                            event=msg.event, now=now, traits=traits)


async def accept(channel_name: str, request: Request) -> Response:
    """The common path of every inbound webhook."""
    svc = _services(request)
    channel: Any = svc.channels.get(channel_name)
    if channel is None:
        raise HTTPException(404, f"channel {channel_name} is not configured")
    req = await web_request(request, svc)
    try:
        if request.method == "GET":
            if not isinstance(channel, UrlVerifying):
                raise HTTPException(405, "this channel has no URL verification")
            return Response(channel.verify_url(req), media_type="text/plain")
        channel.verify(req)
        messages = [clean_message(msg) for msg in channel.parse_inbound(req)]
        key = channel.replay_key(req) if isinstance(channel, ReplayGuarded) else None
        nonce = (channel_name, *key, float(channel.replay_window_s)) if key else None
    except UnsupportedEvent as exc:
        log.info("%s: ignored event: %s", channel_name, exc)
        return _answer(channel.ack(req))
    except ChannelError as exc:
        log.warning("%s webhook refused (%d): %s", channel_name, exc.status_code, exc)
        raise HTTPException(exc.status_code, str(exc) or type(exc).__name__) from None
    try:
        traits = getattr(type(channel), "traits", CHAT)
        stored = await run_in_threadpool(_store, svc, messages, nonce, traits)
    except Replayed as exc:
        log.warning("%s webhook refused (403): %s", channel_name, exc)
        raise HTTPException(SignatureError.status_code, "replayed request") from None
    except OperationalError as exc:
        log.error("%s webhook: database unavailable: %s", channel_name, exc.orig)
        raise HTTPException(503, "temporarily unavailable, retry later", headers=RETRY_LATER) from None
    if stored and request.app.state.worker is not None:
        request.app.state.worker.wake_inbound()
    response = _answer(channel.ack(req))
    if isinstance(channel, AfterAccept) and stored:  # e.g. Telegram: answer button presses, after the 200
        response.background = BackgroundTask(channel.after_accept, messages)
    return response


def _allowed(channel: Any, path: str, method: str) -> bool:
    """Whether the channel class declares ``path`` (under ``/hooks``) for ``method`` in its ``routes``."""
    return any(route == path and method in methods for route, methods in getattr(type(channel), "routes", ()))


@router.api_route("/{channel_name}", methods=["GET", "POST"])
async def hook(channel_name: str, request: Request) -> Response:
    """Any registered channel's webhook (WeChat, Twilio SMS, Telegram...), as its class declares in ``routes``."""
    channel = _services(request).channels.get(channel_name)
    if channel is not None and not _allowed(channel, f"/{channel_name}", request.method):
        raise HTTPException(405, "method not allowed")
    return await accept(channel_name, request)


@router.post("/{channel_name}/status")
async def delivery_status(channel_name: str, request: Request) -> Response:
    """Delivery receipts of a channel whose platform posts them apart (Twilio status callbacks)."""
    svc = _services(request)
    channel: Any = svc.channels.get(channel_name)
    if not isinstance(channel, StatusCallbacks) or not _allowed(channel, f"/{channel_name}/status", "POST"):
        raise HTTPException(404, f"channel {channel_name} has no status callbacks")
    req = await web_request(request, svc)
    try:
        svc.channels[channel_name].verify(req)
        status = channel.parse_status(req)
    except ChannelError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None

    def apply() -> None:
        with transaction(svc.sessions) as session:
            outbox.mark_delivery(session, status.provider_message_id, status.status, status.error)

    try:
        await run_in_threadpool(apply)
    except OperationalError:
        raise HTTPException(503, "temporarily unavailable, retry later", headers=RETRY_LATER) from None
    svc.broker.publish({"type": "delivery", "provider_message_id": status.provider_message_id,
                        "status": status.status})
    return Response(status_code=204)
