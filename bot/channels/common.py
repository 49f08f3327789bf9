"""Small helpers shared by the channel modules: secrets, and the numbered-text fallback for buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.channels.base import QuickReply


def secret_value(value: Any) -> str:
    """Return the plain string of a pydantic ``SecretStr`` (duck-typed), a plain string or ``None``.

    Args:
        value: A ``SecretStr``-like object with ``get_secret_value()``, a ``str`` or ``None``.

    Returns:
        The secret as a string, ``""`` when unset.
    """
    if value is None:
        return ""
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if callable(getter) else value)


def with_numbered_choices(text: str, choices: Sequence[QuickReply]) -> str:
    """Render quick replies as numbered lines for channels without buttons (SMS, WeChat).

    The owner may answer with the number; :func:`match_numbered_choice` maps it back.

    Args:
        text: The message text.
        choices: The quick replies offered.

    Returns:
        ``text`` followed by ``"1. label"`` lines, or ``text`` unchanged when there are no choices.
    """
    if not choices:
        return text
    lines = [f"{index}. {choice.label}" for index, choice in enumerate(choices, start=1)]
    return "\n".join([text, *lines]) if text else "\n".join(lines)


def match_numbered_choice(answer: str, choices: Sequence[QuickReply]) -> QuickReply | None:
    """Map an owner's answer (``"2"``, ``"２"``, ``"2."`` or the exact label) to the offered choice.

    Args:
        answer: What the owner typed.
        choices: The quick replies that were offered, in the order they were numbered.

    Returns:
        The chosen :class:`QuickReply`, or ``None`` if the answer is not one of them.
    """
    cleaned = answer.strip().rstrip(".、").strip()
    if cleaned.isdigit():  # also accepts full-width digits
        index = int(cleaned) - 1
        return choices[index] if 0 <= index < len(choices) else None
    by_label = {choice.label.strip(): choice for choice in choices}
    return by_label.get(cleaned)


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Cut a text the platform would refuse as too long into parts that each fit ``limit``.

    Cuts prefer a paragraph break, then a line break, then the end of a sentence (。！？.!?), then any
    character; parts keep their order and, joined, give back the text (less the whitespace at the cuts).

    Args:
        text: The text to send.
        limit: The most one message may carry, in the unit ``measure`` counts.
        measure: ``len`` (characters) or e.g. UTF-8 bytes for WeChat.

    Returns:
        ``[text]`` when it fits, else the parts.
    """
    if measure(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while measure(rest) > limit:
        end = _longest_prefix(rest, limit, measure)
        cut = end
        for marks in (("\n\n",), ("\n",), ("。", "！", "？", ". ", "! ", "? ")):
            found = max(rest.rfind(mark, 0, end) for mark in marks)
            if found > end // 2:
                cut = found + len(next(m for m in marks if rest.startswith(m, found)))
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _longest_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    low, high = 1, len(text)
    while low < high:  # the longest prefix that fits (binary search: measure may count bytes)
        mid = (low + high + 1) // 2
        if measure(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def utf8_bytes(text: str) -> int:
    """Length in UTF-8 bytes (WeChat's text limits)."""
    return len(text.encode())
