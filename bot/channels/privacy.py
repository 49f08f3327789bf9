"""Keep personal data out of logs: phone numbers are masked before they are written anywhere."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")


def _mask_cn_mobile(digits: str) -> str:
    return f"{digits[:3]}****{digits[-4:]}"


def _mask_nanp(digits: str) -> str:
    return f"+1 *** ***-**{digits[-2:]}"


def mask_phone(phone: str | None) -> str:
    """Mask a phone number for logs, keeping only enough to tell numbers apart.

    Chinese mobiles keep the 3-digit prefix and the last 4 digits (``138****5678``), North-American
    numbers the last 2 (``+1 *** ***-**67``), anything else only its last 2 digits.

    Args:
        phone: The number in any common notation (``+86 138 0013 8000``, ``+14155550100``...).

    Returns:
        The masked form; ``""`` for an empty input.
    """
    if not phone:
        return ""
    digits = _NON_DIGITS.sub("", phone)
    if len(digits) == 13 and digits.startswith("86"):
        return _mask_cn_mobile(digits[2:])
    if len(digits) == 11 and digits.startswith("1") and phone.strip().startswith("+"):
        return _mask_nanp(digits)
    if len(digits) == 11 and digits.startswith("1"):
        return _mask_cn_mobile(digits)
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


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
