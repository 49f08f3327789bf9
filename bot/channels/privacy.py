"""Keep personal data out of logs: phone numbers are masked before they are written anywhere."""

from __future__ import annotations

import re

from backend.phones import mask_phone

__all__ = ["mask_phone", "redact_secrets_in_logs"]  # the one phone mask lives in backend/phones.py

# --- secrets ------------------------------------------------------------------------------------
# Third-party clients log request URLs (httpx at INFO: Telegram's ``/bot<token>/sendMessage``; urllib3 at
# DEBUG: WeChat's ``?access_token=...`` and ``/cgi-bin/token?...&secret=...``). A log-record factory
# scrubs every registered secret, and any ``access_token``/``secret`` query value, from every record of
# every logger before any handler or formatter sees it.
_SECRETS: set[str] = set()
_QUERY_SECRET = re.compile(r"((?:access_token|secret|appsecret)=)[^&\s\"'<>]+", re.IGNORECASE)
_installed: list[object] = []


def _scrub(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "<secret>")
    return _QUERY_SECRET.sub(r"\1<secret>", text)


def redact_secrets_in_logs(*secrets: str | None) -> None:
    """Never let these values (bot tokens, app secrets, auth tokens...) reach a log line."""
    import logging

    _SECRETS.update(s for s in secrets if s and len(s) >= 6)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is the logging module's business
            return record
        scrubbed = _scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return record

    logging.setLogRecordFactory(factory)
    _installed.append(factory)
