"""wechatpy's WeChatClient pointed at a configurable API base, and WeChat errcode -> delivery outcome."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

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


# errcode -> why this recipient cannot be reached on this route (a routing signal, not a dead letter)
UNREACHABLE_ERRCODES: dict[int, str] = {45015: "window_closed", 45047: "quota_used", 43004: "unsubscribed"}


class TokenStore(Protocol):
    """Where the access token lives: one per process by default, or shared by all (``backend.tokens``)."""

    def get(self, name: str) -> tuple[str, float] | None:
        """The stored ``(token, expires at Unix time)``, or None."""

    def refresh(self, name: str, fetch: Callable[[], tuple[str, float]], stale: str | None) -> str:
        """A usable token: the stored one unless it is ``stale``/expiring, else ``fetch()``ed, under a lock."""


class MemoryTokenStore:
    """The token kept in this process (a single-process deployment, or tests)."""

    def __init__(self) -> None:
        """An empty store."""
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> tuple[str, float] | None:
        """The stored token, or None."""
        return self._tokens.get(name)

    def refresh(self, name: str, fetch: Callable[[], tuple[str, float]], stale: str | None) -> str:
        """Fetch once under the lock unless another thread already replaced ``stale``."""
        with self._lock:
            found = self._tokens.get(name)
            if found and found[0] != stale and found[1] - time.time() > REFRESH_MARGIN_S:
                return found[0]
            self._tokens[name] = fetch()
            return self._tokens[name][0]


REFRESH_MARGIN_S = 60.0


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

    def __init__(self, app_id: str, app_secret: str, api_base: str, timeout_s: float,
                 token_store: TokenStore | None = None) -> None:
        super().__init__(app_id, app_secret, timeout=timeout_s, auto_retry=False)
        self.API_BASE_URL = f"{api_base}/cgi-bin/"
        self._token_url = f"{api_base}/cgi-bin/token"
        self._token_lock = threading.RLock()
        self._store: TokenStore = token_store or MemoryTokenStore()
        self._store_key = f"wechat:{app_id}"
        self._used = threading.local()
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

    def _fetch(self) -> tuple[str, float]:
        result = self.fetch_access_token()
        return str(result["access_token"]), time.time() + float(result.get("expires_in", 7200))

    @property
    def access_token(self) -> str:
        """The shared token, fetched by one process (one thread) when missing or about to expire."""
        found = self._store.get(self._store_key)
        if found and found[0] and found[1] - time.time() > REFRESH_MARGIN_S:
            token = found[0]
        else:
            token = self._store.refresh(self._store_key, self._fetch, stale=found[0] if found else None)
        self._used.token = token
        return token

    def refresh_rejected_token(self) -> str:
        """The platform refused the token this thread used (40001/42001): replace it, once for everyone."""
        return self._store.refresh(self._store_key, self._fetch, stale=getattr(self._used, "token", None))


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
    return DeliveryResult(ok=False, status="failed", retryable=retryable, error=error,
                          unreachable=UNREACHABLE_ERRCODES.get(int(exc.errcode)))
