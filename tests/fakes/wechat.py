"""A fake WeChat API (token, customer-service and template messages) and a signed-push builder."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import secrets
import time
from collections import deque
from typing import Any

from wechatpy.crypto import PrpCrypto, WeChatCrypto

from tests.fakes.server import FakeServer, RecordedRequest, Reply

INVALID_TOKEN = {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
WINDOW_CLOSED = {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
QUOTA_USED = {"errcode": 45047, "errmsg": "out of response count limit"}
NOT_FOLLOWING = {"errcode": 43004, "errmsg": "require subscribe"}
# What a user action grants: (seconds, customer-service messages). PROTOCOLS.md 1.5 and its corrections.
WINDOWS: dict[str, tuple[float, int]] = {"message": (48 * 3600, 5), "event": (60, 3)}
TEXT_LIMIT_BYTES = 2048  # customer-service text: 45002 beyond (the documented limit is not exact; [U])
MEDIA_LIFETIME_S = 3 * 24 * 3600
# Category-template field types (the key's prefix) -> (max characters, allowed pattern)
FIELD_RULES: dict[str, tuple[int, str]] = {
    "thing": (20, r".*"),
    "character_string": (32, r"[\x21-\x7e]*"),  # letters, digits and symbols; no Chinese
    "number": (32, r"[0-9.]*"),
    "letter": (32, r"[A-Za-z]*"),
    "phrase": (5, r"[\u4e00-\u9fff]*"),
    "time": (40, r".*"),
    "date": (40, r".*"),
    "amount": (32, r".*"),
    "phone_number": (17, r"[0-9+\- ]*"),
    "car_number": (8, r".*"),
    "name": (10, r".*"),
    "const": (20, r".*"),
}

# Pushes built by :func:`wechat_signed_post` in this process, as the platform saw the user act:
# openid -> (kind, unix time). Every FakeWeChat consults it (the fake cannot see the app's webhook).
USER_ACTIONS: dict[str, tuple[str, float]] = {}


def _user_action_of(xml: str) -> tuple[str, str] | None:
    """(openid, action kind) of a push: ``message`` for owner messages, ``event`` for follow/menu/scan."""
    sender = re.search(r"<FromUserName>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</FromUserName>", xml, re.S)
    msg_type = re.search(r"<MsgType>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</MsgType>", xml, re.S)
    if not sender or not msg_type:
        return None
    if msg_type.group(1) != "event":
        return sender.group(1), "message"
    event = re.search(r"<Event>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</Event>", xml, re.S)
    name = event.group(1) if event else ""
    if name == "unsubscribe":
        return sender.group(1), "unsubscribe"
    if name in ("subscribe", "CLICK", "SCAN"):
        return sender.group(1), "event"
    return None


def _field_error(key: str, value: str) -> str | None:
    prefix = re.sub(r"\d+$", "", key)
    rule = FIELD_RULES.get(prefix)
    if rule is None:
        return f"data.{key} is not a field of this template"
    limit, pattern = rule
    if len(value) > limit or not re.fullmatch(pattern, value):
        return f"data.{key}.value invalid"
    return None


class FakeWeChat(FakeServer):
    """The WeChat API as the platform enforces it.

    - ``/cgi-bin/token`` issues a new token and invalidates every earlier one (40001 afterwards), up to
      ``token_quota`` fetches a day (45009); ``/cgi-bin/stable_token`` returns the current stable token
      without invalidating it.
    - ``/cgi-bin/message/custom/send`` only inside the customer-service window a user action opened
      (owner message: 48 h and 5 messages; follow/menu click/QR scan: 1 min and 3 messages; after an
      unsubscribe 43004), else 45015/45047; texts over :data:`TEXT_LIMIT_BYTES` are 45002.
    - ``/cgi-bin/message/template/send`` checks each field against its type prefix (``thing`` <= 20
      characters, ``character_string`` <= 32 and no Chinese...; 47003), deduplicates ``client_msg_id``.
    - ``/cgi-bin/media/get`` serves media registered with :meth:`add_media` for 3 days (then 40007).

    Attributes:
        sent: JSON bodies of accepted messages, each with ``"_endpoint"`` (``custom``/``template``).
        token_requests: The recorded ``/cgi-bin/token`` calls.
        enforce_window: Set False only in a test about something else that needs no window.
        clock: The fake platform's Unix time.
    """

    def __init__(self, app_id: str = "wx_fake_app", app_secret: str = "fake-secret", expires_in: int = 7200) -> None:
        super().__init__()
        self.app_id, self.app_secret, self._default_expires_in = app_id, app_secret, expires_in
        self.reset_state()

    def reset_state(self) -> None:
        """Forget tokens, sent messages, windows, media and queued errcodes; restore the token lifetime."""
        self.expires_in = self._default_expires_in
        self.sent: list[dict[str, Any]] = []
        self.valid_tokens: set[str] = set()
        self.stable_token: str | None = None
        self.token_quota = 2000
        self.enforce_window = True
        self.clock = time.time
        self.refusals: list[dict[str, Any]] = []
        self._token_numbers = itertools.count(1)
        self._msgids = itertools.count(1000)
        self._errcodes: deque[dict[str, Any]] = deque()
        self._window_sent: dict[tuple[str, float], int] = {}  # (openid, action time) -> sent in that window
        self._client_msg_ids: dict[str, int] = {}
        self.media: dict[str, tuple[bytes, str, float]] = {}
        USER_ACTIONS.clear()

    @property
    def token_requests(self) -> list[RecordedRequest]:
        """The token fetches received so far."""
        return [r for r in self.requests if r.path in ("/cgi-bin/token", "/cgi-bin/stable_token")]

    def expire_tokens(self) -> None:
        """Invalidate every issued token: the next API call answers errcode 40001."""
        self.valid_tokens.clear()
        self.stable_token = None

    def errcode_next(self, errcode: int, errmsg: str = "injected", count: int = 1) -> None:
        """Answer the next ``count`` message sends with HTTP 200 and this errcode (45015, 45047, -1...)."""
        self._errcodes.extend({"errcode": errcode, "errmsg": errmsg} for _ in range(count))

    def user_action(self, openid: str, kind: str = "message", at: float | None = None) -> None:
        """The user acts (``message``, ``event`` = follow/menu/scan, ``unsubscribe``) at ``at`` (now)."""
        USER_ACTIONS[openid] = (kind, self.clock() if at is None else at)

    def add_media(self, media_id: str, content: bytes, content_type: str = "image/jpeg",
                  at: float | None = None) -> None:
        """A temporary medium (image, voice) uploaded by a user at ``at`` (now); it expires after 3 days."""
        self.media[media_id] = (content, content_type, self.clock() if at is None else at)

    def decode(self, request: RecordedRequest) -> None:
        """wechatpy posts JSON bodies without a JSON content type."""
        try:
            request.data = json.loads(request.body) if request.body else {}
        except ValueError:
            request.data = {}

    def handle(self, request: RecordedRequest) -> Reply:
        """Serve the token, stable token, media and message endpoints."""
        if request.path == "/cgi-bin/token":
            return self._token(request)
        if request.path == "/cgi-bin/stable_token":
            return self._stable_token(request)
        endpoint = {
            "/cgi-bin/message/custom/send": "custom",
            "/cgi-bin/message/template/send": "template",
            "/cgi-bin/media/get": "media",
        }.get(request.path)
        if endpoint is None:
            return Reply(404, {"errcode": 404, "errmsg": "not found"})
        token = request.query.get("access_token")
        if token not in self.valid_tokens and token != self.stable_token:
            return Reply(200, INVALID_TOKEN)
        if endpoint == "media":
            return self._media(request)
        if self._errcodes:
            return Reply(200, self._errcodes.popleft())
        user = request.data.get("touser")
        if not user:  # the API's answer; also a request cut short by a killed sender
            return Reply(200, {"errcode": 40003, "errmsg": "invalid openid"})
        refusal = self._custom_refusal(request.data) if endpoint == "custom" else self._template_refusal(request.data)
        if refusal is not None:
            self.refusals.append({"_endpoint": endpoint, **request.data, "_errcode": refusal["errcode"]})
            return Reply(200, refusal)
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if endpoint == "template":
            client_msg_id = request.data.get("client_msg_id")
            if client_msg_id and client_msg_id in self._client_msg_ids:  # deduplicated, not sent again
                return Reply(200, {**answer, "msgid": self._client_msg_ids[client_msg_id]})
            answer["msgid"] = next(self._msgids)
            if client_msg_id:
                self._client_msg_ids[client_msg_id] = answer["msgid"]
        elif user in USER_ACTIONS:
            opened = (user, USER_ACTIONS[user][1])
            self._window_sent[opened] = self._window_sent.get(opened, 0) + 1
        self.sent.append({"_endpoint": endpoint, **request.data})
        return Reply(200, answer)

    def _custom_refusal(self, data: dict[str, Any]) -> dict[str, Any] | None:
        text = ((data.get("text") or {}).get("content") or "") if data.get("msgtype") == "text" else ""
        if len(text.encode()) > TEXT_LIMIT_BYTES:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        if not self.enforce_window:
            return None
        user = data["touser"]
        action = USER_ACTIONS.get(user)
        if action is None:
            return WINDOW_CLOSED
        kind, at = action
        if kind == "unsubscribe":
            return NOT_FOLLOWING
        seconds, quota = WINDOWS[kind]
        if self.clock() - at > seconds:
            return WINDOW_CLOSED
        if self._window_sent.get((user, at), 0) >= quota:
            return QUOTA_USED
        return None

    def _template_refusal(self, data: dict[str, Any]) -> dict[str, Any] | None:
        action = USER_ACTIONS.get(data["touser"])
        if action is not None and action[0] == "unsubscribe":
            return NOT_FOLLOWING
        if not data.get("template_id"):
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        fields = data.get("data") or {}
        if not isinstance(fields, dict) or not fields:
            return {"errcode": 47003, "errmsg": "argument invalid! data is empty"}
        for key, item in fields.items():
            value = item.get("value") if isinstance(item, dict) else None
            error = _field_error(key, value) if isinstance(value, str) else f"data.{key}.value missing"
            if error:
                return {"errcode": 47003, "errmsg": f"argument invalid! {error}"}
        return None

    def _media(self, request: RecordedRequest) -> Reply:
        found = self.media.get(request.query.get("media_id", ""))
        if found is None or self.clock() - found[2] > MEDIA_LIFETIME_S:
            return Reply(200, {"errcode": 40007, "errmsg": "invalid media_id"})
        content, content_type, _at = found
        return Reply(200, content, {"Content-Type": content_type})

    def _credentials_error(self, appid: Any, secret: Any) -> Reply | None:
        if appid != self.app_id:
            return Reply(200, {"errcode": 40013, "errmsg": "invalid appid"})
        if secret != self.app_secret:
            return Reply(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
        if len(self.token_requests) > self.token_quota:
            return Reply(200, {"errcode": 45009, "errmsg": "reach max api daily quota limit"})
        return None

    def _token(self, request: RecordedRequest) -> Reply:
        query = request.query
        if query.get("grant_type") != "client_credential":
            return Reply(200, {"errcode": 40002, "errmsg": "invalid grant_type"})
        error = self._credentials_error(query.get("appid"), query.get("secret"))
        if error is not None:
            return error
        token = f"ACCESS_TOKEN_{next(self._token_numbers)}"
        self.valid_tokens = {token}  # a new /cgi-bin/token kills the previous one
        return Reply(200, {"access_token": token, "expires_in": self.expires_in})

    def _stable_token(self, request: RecordedRequest) -> Reply:
        data = request.data
        error = self._credentials_error(data.get("appid"), data.get("secret"))
        if error is not None:
            return error
        if self.stable_token is None or data.get("force_refresh"):
            self.stable_token = f"STABLE_TOKEN_{next(self._token_numbers)}"
        return Reply(200, {"access_token": self.stable_token, "expires_in": self.expires_in})


def _sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def wechat_signed_get(
    token: str, echostr: str, timestamp: str | None = None, nonce: str = "1514711492"
) -> dict[str, str]:
    """Query parameters of WeChat's URL-verification ``GET``."""
    timestamp = timestamp or str(int(time.time()))
    return {
        "signature": _sha1_sorted(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": echostr,
    }


def wechat_signed_post(
    token: str,
    aes_key: str | None,
    app_id: str,
    xml: str,
    mode: str | None = None,
    timestamp: str | None = None,
    nonce: str | None = None,
    openid: str = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY",
) -> tuple[dict[str, str], bytes]:
    """Build a push the way the WeChat server does.

    Args:
        token: The webhook Token.
        aes_key: The EncodingAESKey (safe mode only).
        app_id: The account's AppID (appended to the plaintext in safe mode).
        xml: The plaintext message XML.
        mode: ``"plain"`` or ``"safe"`` (AES, ``encrypt_type=aes`` + ``msg_signature``); by default safe
            when an ``aes_key`` is given (an account with a key configured pushes in safe mode), else plain.
        timestamp: Unix time string; now by default.
        nonce: The nonce; a fresh random one by default, as WeChat sends.
        openid: The ``openid`` query parameter.

    Returns:
        ``(query parameters, body bytes)``.
    """
    mode = mode or ("safe" if aes_key else "plain")
    if aes_key and "<Encrypt>" in xml and "<MsgType>" not in xml:  # a push signed before: sign it again
        envelope = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", xml, re.S)
        if envelope:
            xml = PrpCrypto(WeChatCrypto(token, aes_key, app_id).key).decrypt(envelope.group(1), app_id)
            xml = xml.decode() if isinstance(xml, bytes) else xml
    action = _user_action_of(xml)
    if action is not None:  # the platform saw the user act: it opens (or closes) the service window
        USER_ACTIONS[action[0]] = (action[1], time.time() if timestamp is None else float(timestamp))
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    query = {
        "signature": _sha1_sorted(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid,
    }
    if mode == "plain":
        return query, xml.encode()
    if mode != "safe" or not aes_key:
        raise ValueError("safe mode needs an aes_key; mode is 'plain' or 'safe'")
    key = WeChatCrypto(token, aes_key, app_id).key
    encrypt = PrpCrypto(key).encrypt(xml, app_id).decode()
    query.update(encrypt_type="aes", msg_signature=_sha1_sorted(token, timestamp, nonce, encrypt))
    body = f"<xml><ToUserName><![CDATA[gh_fake]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return query, body.encode()
