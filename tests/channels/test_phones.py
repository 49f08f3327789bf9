"""Phone numbers as the platforms give them: mainland numbers stored as 11 digits, others keep their code."""

from __future__ import annotations

import pytest

from backend.phones import e164, normalise_phone


@pytest.mark.parametrize(("raw", "stored", "wire"), [
    ("+86 139-1234-5678", "13912345678", "+8613912345678"),
    ("13912345678", "13912345678", "+8613912345678"),
    ("１３９１２３４５６７８", "13912345678", "+8613912345678"),
    ("+1 415 555 0100", "+14155550100", "+14155550100"),  # was taken for a mainland 1415... number
    ("+852 9123 4567", "+85291234567", "+85291234567"),  # lost its +
    ("0085291234567", "+85291234567", "+85291234567"),
    ("+853 6612 3456", "+85366123456", "+85366123456"),
    ("+886 912 345 678", "+886912345678", "+886912345678"),
])
def test_numbers_keep_their_country(raw: str, stored: str, wire: str) -> None:
    assert normalise_phone(raw) == stored
    assert e164(normalise_phone(raw)) == wire
