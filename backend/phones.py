"""Phone numbers: the E.164 form platforms need, and the masked form logs and screens show."""

from __future__ import annotations

import unicodedata


def e164(phone: str) -> str:
    """A mainland mobile number (11 digits starting with 1) as ``+86...``; anything else unchanged."""
    return f"+86{phone}" if len(phone) == 11 and phone.isdigit() and phone.startswith("1") else phone


def mask_phone(phone: str | None) -> str:
    """Mask a phone number for logs and screens, keeping only enough to tell numbers apart.

    The one phone mask: the API, the console, the dialogs, the channels and the log formatter use it.
    Chinese mobiles keep the 3-digit prefix and the last 4 digits (``138****5678``), North-American
    numbers the last 2 (``+1 *** ***-**67``), anything else only its last 2 digits.

    Args:
        phone: The number in any common notation (``+86 138 0013 8000``, ``+14155550100``...).

    Returns:
        The masked form; ``""`` for an empty input.
    """
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("1") and phone.strip().startswith("+"):
        return f"+1 *** ***-**{digits[-2:]}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def normalise_phone(raw: str) -> str:
    """A phone as platforms and owners give it, in our stored form.

    Mainland numbers become 11 digits (``+86 139-1234-5678`` -> ``13912345678``); a number given with its
    country code (``+`` or ``00``) keeps it, whatever its length: ``+1 415 555 0100`` -> ``+14155550100``
    (not a mainland ``1415...``), ``+852 9123 4567`` -> ``+85291234567``.
    """
    folded = unicodedata.normalize("NFKC", raw)  # full-width digits and plus as typed on phones
    digits = "".join(ch for ch in folded if ch.isascii() and ch.isdigit())
    stripped = folded.strip()
    international = stripped.startswith("+") or (stripped.startswith("00") and len(digits) > 11)
    if international and digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    if international:
        return "+" + digits
    return digits
