"""A fake Twilio REST API (Messages.json, Calls.json) and a webhook-signing helper."""

from __future__ import annotations

import base64
import itertools
import re
from typing import Any

from twilio.request_validator import RequestValidator

from tests.fakes.server import FakeServer, RecordedRequest, Reply

RESOURCE = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/(?P<resource>Messages|Calls)\.json$")
# Twilio's default keywords (PROTOCOLS.md 3.4): the whole body, case-insensitive.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO"})
MAX_BODY = 1600
# (owner number, our sender number) pairs blocked by an inbound STOP signed in this process.
OPTED_OUT: set[tuple[str, str]] = set()
AUTO_REPLIES: list[dict[str, str]] = []  # what Twilio itself answered (STOP/START/HELP), not Anju


def observe_inbound(params: dict[str, str]) -> None:
    """Apply Twilio's own opt-out handling to an inbound SMS about to be delivered to the app."""
    sender, ours = params.get("From", ""), params.get("To", "")
    word = (params.get("Body") or "").strip().upper()
    if not sender or not ours or "MessageSid" not in params:
        return
    if word in STOP_WORDS:
        OPTED_OUT.add((sender, ours))
        AUTO_REPLIES.append({"To": sender, "From": ours, "kind": "stop"})
    elif word in START_WORDS:
        OPTED_OUT.discard((sender, ours))
        AUTO_REPLIES.append({"To": sender, "From": ours, "kind": "start"})
    elif word in HELP_WORDS:
        AUTO_REPLIES.append({"To": sender, "From": ours, "kind": "help"})


class FakeTwilio(FakeServer):
    """``POST /2010-04-01/Accounts/{sid}/Messages.json`` and ``Calls.json`` with Basic auth.

    As Twilio does: after an owner texts STOP (any default opt-out keyword) every later message from
    that sender to that number is refused with 400/21610 until START; bodies over 1,600 characters are
    refused with 21617. Inbound SMS signed with :func:`twilio_signed_form` in this process are seen.

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
        self.refusals: list[dict[str, Any]] = []
        self._numbers = itertools.count(1)
        OPTED_OUT.clear()
        AUTO_REPLIES.clear()

    def opt_out(self, number: str, sender: str | None = None) -> None:
        """The owner at ``number`` texted STOP to ``sender`` (any of our numbers when None)."""
        OPTED_OUT.add((number, sender or "*"))

    @property
    def auto_replies(self) -> list[dict[str, str]]:
        """Replies Twilio itself sent to STOP/START/HELP."""
        return list(AUTO_REPLIES)

    def _blocked(self, to: str, sender: str) -> bool:
        return (to, sender) in OPTED_OUT or (to, "*") in OPTED_OUT

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

    def _message_refusal(self, form: dict[str, Any]) -> Reply | None:
        if self._blocked(form["To"], form["From"]):
            return Reply(400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400,
                               "more_info": "https://www.twilio.com/docs/errors/21610"})
        if len(form.get("Body") or "") > MAX_BODY:
            return Reply(400, {"code": 21617, "message": "The concatenated message body exceeds the 1600 character "
                               "limit", "status": 400, "more_info": "https://www.twilio.com/docs/errors/21617"})
        return None

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
            refusal = self._message_refusal(form)
            if refusal is not None:
                self.refusals.append({**form, "_code": refusal.body["code"]})
                return refusal
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
    """Headers of a webhook Twilio would send to ``url`` with these form ``params``.

    An inbound STOP/START signed here is also applied to the fake's opt-out list, as Twilio applies
    it before delivering the webhook.
    """
    observe_inbound(params)
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
