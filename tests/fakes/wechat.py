"""A fake WeChat API (token, customer-service and template messages) and a signed-push builder."""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
from collections import deque
from typing import Any

from wechatpy.crypto import PrpCrypto, WeChatCrypto

from tests.fakes.server import FakeServer, RecordedRequest, Reply

INVALID_TOKEN = {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}


class FakeWeChat(FakeServer):
    """``/cgi-bin/token``, ``/cgi-bin/message/custom/send`` and ``/cgi-bin/message/template/send``.

    Attributes:
        sent: JSON bodies of accepted messages, each with ``"_endpoint"`` (``custom``/``template``).
        token_requests: The recorded ``/cgi-bin/token`` calls.
    """

    def __init__(self, app_id: str = "wx_fake_app", app_secret: str = "fake-secret", expires_in: int = 7200) -> None:
        super().__init__()
        self.app_id, self.app_secret, self._default_expires_in = app_id, app_secret, expires_in
        self.reset_state()

    def reset_state(self) -> None:
        """Forget tokens, sent messages and queued errcodes; restore the token lifetime."""
        self.expires_in = self._default_expires_in
        self.sent: list[dict[str, Any]] = []
        self.valid_tokens: set[str] = set()
        self._token_numbers = itertools.count(1)
        self._msgids = itertools.count(1000)
        self._errcodes: deque[dict[str, Any]] = deque()

    @property
    def token_requests(self) -> list[RecordedRequest]:
        """The token fetches received so far."""
        return [r for r in self.requests if r.path == "/cgi-bin/token"]

    def expire_tokens(self) -> None:
        """Invalidate every issued token: the next API call answers errcode 40001."""
        self.valid_tokens.clear()

    def errcode_next(self, errcode: int, errmsg: str = "injected", count: int = 1) -> None:
        """Answer the next ``count`` message sends with HTTP 200 and this errcode (45015, 45047, -1...)."""
        self._errcodes.extend({"errcode": errcode, "errmsg": errmsg} for _ in range(count))

    def decode(self, request: RecordedRequest) -> None:
        """wechatpy posts JSON bodies without a JSON content type."""
        try:
            request.data = json.loads(request.body) if request.body else {}
        except ValueError:
            request.data = {}

    def handle(self, request: RecordedRequest) -> Reply:
        """Serve the token and message endpoints."""
        if request.path == "/cgi-bin/token":
            return self._token(request)
        endpoint = {
            "/cgi-bin/message/custom/send": "custom",
            "/cgi-bin/message/template/send": "template",
        }.get(request.path)
        if endpoint is None:
            return Reply(404, {"errcode": 404, "errmsg": "not found"})
        if request.query.get("access_token") not in self.valid_tokens:
            return Reply(200, INVALID_TOKEN)
        if self._errcodes:
            return Reply(200, self._errcodes.popleft())
        if not request.data.get("touser"):  # the API's answer; also a request cut short by a killed sender
            return Reply(200, {"errcode": 40003, "errmsg": "invalid openid"})
        self.sent.append({"_endpoint": endpoint, **request.data})
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if endpoint == "template":
            answer["msgid"] = next(self._msgids)
        return Reply(200, answer)

    def _token(self, request: RecordedRequest) -> Reply:
        query = request.query
        if query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id:
            return Reply(200, {"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != self.app_secret:
            return Reply(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"ACCESS_TOKEN_{next(self._token_numbers)}"
        self.valid_tokens.add(token)
        return Reply(200, {"access_token": token, "expires_in": self.expires_in})


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
