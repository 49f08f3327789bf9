"""Small helpers shared by the channel modules: secrets, and the numbered-text fallback for buttons."""

from __future__ import annotations

from collections.abc import Sequence
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
