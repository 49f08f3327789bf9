"""Logging set-up: every line passes through a formatter that masks phone numbers."""

from __future__ import annotations

import logging
import re

from backend.phones import mask_phone

PHONE = re.compile(r"(?<!\d)(\+?\d{1,3}[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)|(?<![\w+])\+\d{6,}(\d{2})(?!\d)")


def mask_phones(text: str) -> str:
    """Replace every phone number in ``text`` by its :func:`backend.phones.mask_phone` form."""

    def sub(m: re.Match[str]) -> str:
        if m.group(2):
            return mask_phone(m.group(2) + m.group(3) + m.group(4))
        return mask_phone(m.group(0))

    return PHONE.sub(sub, text)


class MaskingFormatter(logging.Formatter):
    """A formatter that never lets a full phone number reach the log."""

    def format(self, record: logging.LogRecord) -> str:
        """Format, then mask."""
        return mask_phones(super().format(record))


def configure(level: str = "INFO") -> None:
    """Root logging to stderr with masking (uvicorn's loggers included)."""
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
