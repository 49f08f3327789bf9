"""Inbound text made safe at the edge, before anything stores or parses it.

- Control characters (U+0000 and the other C0/C1 controls except tab and newline) are removed from the
  owner's words and names: PostgreSQL refuses U+0000 in text and JSON, and no platform lets a person type
  them. Lone surrogates (a JSON ``"\\ud800"``) become U+FFFD, since they cannot be encoded as UTF-8.
- Non-ASCII digit characters whose compatibility form is an ASCII digit ("①", "²", full-width "３") are
  written as that digit, so every later ``isdigit()``/``int()`` pair agrees.
- A run of more than :data:`MAX_DIGIT_RUN` digits is cut to that length (no phone, code or ticket number
  is longer; Python refuses ``int()`` of 4,300+ digits).
- The platform's raw payload is kept for audit with the removed characters escaped (``\\u0000``).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from bot.channels.base import Attachment, InboundMessage

MAX_DIGIT_RUN = 64
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_KEEP_CR = re.compile(r"\r\n?")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DIGIT_RUN = re.compile(rf"\d{{{MAX_DIGIT_RUN + 1},}}")
_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _ascii_digit(char: str) -> str:
    if char.isascii() or not char.isdigit():
        return char
    folded = unicodedata.normalize("NFKC", char)
    return folded if folded.isascii() and folded.isdigit() else char


def clean_text(value: str | None) -> str | None:
    """The owner's words without control characters, with ASCII digits, and digit runs bounded.

    Args:
        value: Text from a webhook (message text, caption, display name, button payload...).

    Returns:
        The cleaned text (``None`` stays ``None``).
    """
    if value is None:
        return None
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", _CONTROL_KEEP_CR.sub("\n", value)))
    if not text.isascii():
        text = "".join(_ascii_digit(char) for char in text)
    return _DIGIT_RUN.sub(lambda m: m.group(0)[:MAX_DIGIT_RUN], text)


def escape_raw(value: Any) -> Any:
    """The raw payload with control characters and lone surrogates written as ``\\uXXXX`` (kept for audit)."""
    if isinstance(value, str):
        return _ESCAPE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", value)
    if isinstance(value, dict):
        return {escape_raw(key): escape_raw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [escape_raw(item) for item in value]
    return value


def _clean_attachment(item: Attachment) -> Attachment:
    return dataclasses.replace(item, url=clean_text(item.url), media_id=clean_text(item.media_id),
                               content_type=clean_text(item.content_type), label=clean_text(item.label),
                               phone=clean_text(item.phone))


def clean_message(msg: InboundMessage) -> InboundMessage:
    """Apply :func:`clean_text` to every text of a parsed message and :func:`escape_raw` to its raw payload."""
    return dataclasses.replace(
        msg,
        external_user_id=clean_text(msg.external_user_id) or "",
        provider_message_id=clean_text(msg.provider_message_id) or "",
        text=clean_text(msg.text) or "",
        event=clean_text(msg.event),
        display_name=clean_text(msg.display_name),
        attachments=tuple(_clean_attachment(a) for a in msg.attachments),
        raw=escape_raw(msg.raw),
    )
