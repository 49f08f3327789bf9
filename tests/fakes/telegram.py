"""A fake Telegram Bot API: getMe, sendMessage, sendPhoto, answerCallbackQuery, setWebhook."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.server import FakeServer, RecordedRequest, Reply

TEXT_FIELDS = frozenset({"text", "caption", "photo", "url", "secret_token", "callback_query_id", "file_id"})
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "HomeHelpBot", "username": "home_help_bot"}
TEXT_LIMIT, CAPTION_LIMIT, CALLBACK_DATA_BYTES = 4096, 1024, 64


def _decode_value(key: str, value: str) -> Any:
    """PTB sends non-string values JSON-encoded in form fields; texts stay strings."""
    if key in TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeTelegram(FakeServer):
    """``/bot{token}/{method}`` for the methods Anju uses, with the Bot API's limits.

    A chat in :attr:`blocked` (the user blocked the bot) answers 403; texts over 4,096 characters,
    captions over 1,024 and ``callback_data`` over 64 bytes are 400; files added with :meth:`add_file`
    are served by ``getFile`` and ``/file/bot{token}/{path}``.

    Attributes:
        sent: ``{"method": ..., **decoded parameters}`` for every accepted ``send*`` /
            ``answerCallbackQuery`` / ``setWebhook`` call.
    """

    def __init__(self, token: str = "123456:FAKE-token") -> None:
        super().__init__()
        self.token = token
        self.reset_state()

    def reset_state(self) -> None:
        """Forget sent messages."""
        self.sent: list[dict[str, Any]] = []
        self.refusals: list[dict[str, Any]] = []
        self.blocked: set[str] = set()
        self.files: dict[str, tuple[str, bytes]] = {}
        self._message_ids = itertools.count(1)

    def block(self, chat_id: int | str) -> None:
        """The user blocks the bot: every later send to the chat is 403."""
        self.blocked.add(str(chat_id))

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> None:
        """A file a user sent (voice, document, photo), downloadable through ``getFile``."""
        self.files[file_id] = (file_path or f"files/{file_id}", content)

    def rate_limit_next(self, count: int = 1, retry_after: int = 5) -> None:
        """Answer the next ``count`` calls with the Bot API's 429 flood-control error."""
        body = {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        }
        self.fail_next(count, 429, body)

    def reject_next(self, status: int = 400, description: str = "Bad Request: chat not found") -> None:
        """Answer the next call with a Bot API error (400 BadRequest, 403 Forbidden...)."""
        self.fail_next(1, status, {"ok": False, "error_code": status, "description": description})

    def decode(self, request: RecordedRequest) -> None:
        """Decode JSON bodies, or form bodies whose non-string values are JSON-encoded."""
        super().decode(request)
        if "json" not in (request.header("Content-Type") or ""):
            request.data = {key: _decode_value(key, value) for key, value in request.data.items()}

    def calls(self, method: str) -> list[dict[str, Any]]:
        """The accepted calls of one Bot API method."""
        return [call for call in self.sent if call["method"] == method]

    def _refusal(self, method: str, data: dict[str, Any]) -> Reply | None:
        if method not in ("sendMessage", "sendPhoto"):
            return None
        if str(data.get("chat_id")) in self.blocked:
            return Reply(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
        if len(data.get("text") or "") > TEXT_LIMIT:
            return Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"})
        if len(data.get("caption") or "") > CAPTION_LIMIT:
            return Reply(400, {"ok": False, "error_code": 400,
                               "description": "Bad Request: message caption is too long"})
        markup = data.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        for row in rows:
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > CALLBACK_DATA_BYTES:
                    return Reply(400, {"ok": False, "error_code": 400,
                                       "description": "Bad Request: BUTTON_DATA_INVALID"})
        return None

    def handle(self, request: RecordedRequest) -> Reply:
        """Route ``/bot{token}/{method}`` (and ``/file/bot{token}/{path}`` downloads)."""
        if request.path.startswith(f"/file/bot{self.token}/"):
            path = request.path.removeprefix(f"/file/bot{self.token}/")
            found = next((content for p, content in self.files.values() if p == path), None)
            return Reply(200, found) if found is not None else Reply(404, {"ok": False, "error_code": 404})
        prefix, _, method = request.path.rpartition("/")
        if prefix != f"/bot{self.token}":
            return Reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        handler = self._methods().get(method)
        if handler is None:
            return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if method in ("sendMessage", "sendPhoto") and not request.data.get("chat_id"):
            # as the Bot API does; also what a request cut short by a killed sender looks like
            return Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"})
        refusal = self._refusal(method, request.data)
        if refusal is not None:
            self.refusals.append({"method": method, **request.data, "_status": refusal.status})
            return refusal
        if method == "getFile":
            found = self.files.get(str(request.data.get("file_id")))
            if found is None:
                return Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"})
            file_id = str(request.data.get("file_id"))
            return Reply(200, {"ok": True, "result": {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                                      "file_size": len(found[1]), "file_path": found[0]}})
        if method != "getMe":
            self.sent.append({"method": method, **request.data})
        return Reply(200, {"ok": True, "result": handler(request.data)})

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "getMe": lambda data: {
                **BOT_USER,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            },
            "sendMessage": lambda data: self._message(data, text=data.get("text", "")),
            "sendPhoto": lambda data: self._message(
                data,
                caption=data.get("caption"),
                photo=[{"file_id": "AgACFakePhoto", "file_unique_id": "AQADFake", "width": 800, "height": 600}],
            ),
            "answerCallbackQuery": lambda data: True,
            "setWebhook": lambda data: True,
            "deleteWebhook": lambda data: True,
        }

    def _message(self, data: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": data.get("chat_id"), "type": "private"},
        }
        message.update({key: value for key, value in content.items() if value is not None})
        return message
