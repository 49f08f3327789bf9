"""A fake Twilio REST API (Messages.json, Calls.json) and a webhook-signing helper."""

from __future__ import annotations

import base64
import itertools
import re
from typing import Any

from twilio.request_validator import RequestValidator

from tests.fakes.server import FakeServer, RecordedRequest, Reply

RESOURCE = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/(?P<resource>Messages|Calls)\.json$")


class FakeTwilio(FakeServer):
    """``POST /2010-04-01/Accounts/{sid}/Messages.json`` and ``Calls.json`` with Basic auth.

    Attributes:
        sent: Form fields of accepted messages (``To``, ``From``, ``Body``, ``StatusCallback``...).
        calls: Form fields of accepted calls (``To``, ``From``, ``Url`` or ``Twiml``...).
    """

    def __init__(
        self, account_sid: str = "AC00000000000000000000000000000001", auth_token: str = "fake-auth-token"
    ) -> None:
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token
        self.reset_state()

    def reset_state(self) -> None:
        """Forget sent messages and calls."""
        self.sent: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self._numbers = itertools.count(1)

    def rate_limit_next(self, count: int = 1, retry_after: int = 3) -> None:
        """Answer the next ``count`` requests with HTTP 429 and a ``Retry-After`` header."""
        body = {"code": 20429, "message": "Too Many Requests", "status": 429}
        self.fail_next(count, 429, body, {"Retry-After": str(retry_after)})

    def reject_next(
        self, code: int = 21610, message: str = "Attempt to send to unsubscribed recipient", status: int = 400
    ) -> None:
        """Answer the next request with a Twilio REST error body (default: 21610 unsubscribed)."""
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        self.fail_next(1, status, body)

    def _authorised(self, request: RecordedRequest, sid: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return sid == self.account_sid and request.header("Authorization") == f"Basic {expected}"

    def handle(self, request: RecordedRequest) -> Reply:
        """Accept a message or a call."""
        match = RESOURCE.match(request.path)
        if request.method != "POST" or match is None:
            return Reply(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
        if not self._authorised(request, match["sid"]):
            return Reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
        form = request.data
        if not form.get("To") or not form.get("From"):
            return Reply(400, {"code": 21604, "message": "A 'To' and 'From' phone number is required.", "status": 400})
        if match["resource"] == "Messages":
            sid, status = f"SM{next(self._numbers):032d}", "queued"
            self.sent.append({**form, "MediaUrl": request.form_lists.get("MediaUrl", [])})
        else:
            if not (form.get("Url") or form.get("Twiml")):
                return Reply(400, {"code": 21205, "message": "Url or Twiml is required", "status": 400})
            sid, status = f"CA{next(self._numbers):032d}", "queued"
            self.calls.append(dict(form))
        answer = {
            "sid": sid,
            "status": status,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form["From"],
            "body": form.get("Body"),
            "api_version": "2010-04-01",
        }
        return Reply(201, answer)


def twilio_signed_form(auth_token: str, url: str, params: dict[str, str]) -> dict[str, str]:
    """Headers of a webhook Twilio would send to ``url`` with these form ``params``."""
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
