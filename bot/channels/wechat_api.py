"""wechatpy's WeChatClient pointed at a configurable API base, and WeChat errcode -> delivery outcome."""

from __future__ import annotations

import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.channels.base import DeliveryResult

TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# errcode -> (retryable, explanation); codes not listed are permanent failures.
ERRCODE_OUTCOMES: dict[int, tuple[bool, str]] = {
    -1: (True, "WeChat system busy"),
    45009: (True, "API call quota (api freq out of limit) reached"),
    45015: (False, "outside the 48 h customer-service window or unsubscribed: send a template message"),
    45047: (False, "customer-service message quota for this user is used up: send a template message"),
    43004: (False, "recipient has not followed the account"),
    40003: (False, "invalid OpenID"),
}


class TimeoutAdapter(HTTPAdapter):
    """Gives every request of the session a timeout (wechatpy's token fetch sets none)."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(max_retries=0)
        self._timeout_s = timeout_s

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout_s
        return super().send(request, **kwargs)


class ApiBaseClient(WeChatClient):
    """A WeChatClient whose relative endpoints *and* token URL live under ``api_base``."""

    def __init__(self, app_id: str, app_secret: str, api_base: str, timeout_s: float) -> None:
        super().__init__(app_id, app_secret, timeout=timeout_s, auto_retry=False)
        self.API_BASE_URL = f"{api_base}/cgi-bin/"
        self._token_url = f"{api_base}/cgi-bin/token"
        self._token_lock = threading.RLock()
        adapter = TimeoutAdapter(timeout_s)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch a token from ``{api_base}/cgi-bin/token`` (wechatpy hard-codes api.weixin.qq.com)."""
        with self._token_lock:
            return self._fetch_access_token(
                url=self._token_url,
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    @property
    def access_token(self) -> str:
        """The cached token, fetched once by one thread when missing or about to expire."""
        with self._token_lock:
            return super().access_token


def client_error(exc: WeChatClientException) -> DeliveryResult:
    """Map a wechatpy client error (HTTP failure or non-zero errcode) to a failed :class:`DeliveryResult`.

    Args:
        exc: The exception raised by wechatpy.

    Returns:
        A failure, retryable for HTTP 5xx/429, errcode -1 and 45009; permanent otherwise.
    """
    response = getattr(exc, "response", None)
    if exc.errcode is None:  # HTTP-level failure
        status = getattr(response, "status_code", 0) or 0
        retryable = status >= 500 or status == 429
        return DeliveryResult(ok=False, status="failed", retryable=retryable, error=f"HTTP {status}")
    retryable, reason = ERRCODE_OUTCOMES.get(int(exc.errcode), (False, "rejected by WeChat"))
    error = f"errcode {exc.errcode} ({exc.errmsg}): {reason}"
    return DeliveryResult(ok=False, status="failed", retryable=retryable, error=error)
