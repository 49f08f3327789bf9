"""One phone mask: the API, console, dialogs, channels and the log formatter all show the same form."""

from __future__ import annotations

import pytest

from backend.phones import mask_phone
from bot.channels import privacy
from bot.console.views import _mask
from bot.logs import mask_phones


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("+86 138 1234 5678", "138****5678"), ("8613812345678", "138****5678"),
     ("+14155550167", "+1 *** ***-**67"), ("+442071838750", "**********50"), ("", ""), ("123", "***")],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_every_layer_uses_the_one_mask() -> None:
    assert privacy.mask_phone is mask_phone
    assert _mask("sms", "+8613912345678") == mask_phone("+8613912345678") == "139****5678"
    text = "owner +86 139-1234-5678 and +14155550167 wrote"
    assert mask_phones(text) == "owner 139****5678 and +1 *** ***-**67 wrote"
