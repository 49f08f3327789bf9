"""Logging set-up: every line passes through a formatter that masks phone numbers and bot tokens.

``ANJU_LOG_FORMAT=json`` writes one JSON object per line (``ts``, ``level``, ``logger``, ``msg`` and any
``extra`` fields) for log shippers; the SDK loggers (twilio, httpx, telegram) are held at WARNING.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from backend.phones import mask_phone

PHONE = re.compile(r"(?<!\d)(\+?\d{1,3}[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)|(?<![\w+])\+\d{6,}(\d{2})(?!\d)")


def mask_phones(text: str) -> str:
    """Replace every phone number in ``text`` by its :func:`backend.phones.mask_phone` form."""

    def sub(m: re.Match[str]) -> str:
        if m.group(2):
            return mask_phone(m.group(2) + m.group(3) + m.group(4))
        return mask_phone(m.group(0))

    return PHONE.sub(sub, text)


# A Telegram bot token in a URL (api.telegram.org/bot<id>:<secret>/sendMessage) or anywhere else.
BOT_TOKEN = re.compile(r"(?<!\d)(\d{6,12}):[A-Za-z0-9_-]{20,}")
# Secrets passed in a query string (?token=..., &access_token=..., &key=...).
QUERY_SECRET = re.compile(r"(?i)([?&](?:token|access_token|api_token|secret|key|password|signature|msg_signature)=)"
                          r"[^&\s\"']+")
QUIET_LOGGERS = ("twilio", "twilio.http_client", "httpx", "httpcore", "telegram", "urllib3", "apscheduler",
                 "multipart")
STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Mask phone numbers, Telegram bot tokens and secrets in query strings."""
    text = BOT_TOKEN.sub(lambda m: f"{m.group(1)}:***", text)
    text = QUERY_SECRET.sub(lambda m: f"{m.group(1)}***", text)
    return mask_phones(text)


class MaskingFormatter(logging.Formatter):
    """A formatter that never lets a full phone number or a bot token reach the log."""

    def format(self, record: logging.LogRecord) -> str:
        """Format, then mask."""
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, masked like the text format."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as ``{"ts", "level", "logger", "msg", ...extra}``."""
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRS and not key.startswith("_"):
                doc[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            doc["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Root logging to stderr with masking (uvicorn's loggers included); ``fmt`` is ``text`` or ``json``."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler", "anju.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for name in QUIET_LOGGERS:  # eleven Twilio lines per SMS, and httpx logs every URL (the bot token)
        logging.getLogger(name).setLevel(logging.WARNING)
