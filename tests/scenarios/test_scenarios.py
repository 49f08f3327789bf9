"""The multi-turn scenario suite (``scenarios.yml``) over the real webhooks against the fakes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.live import World
from tests.scenarios.runner import load, play

SCENARIOS = load()


def test_the_suite_is_big_and_varied() -> None:
    assert len(SCENARIOS) >= 100
    assert {s["channel"] for s in SCENARIOS} == {"telegram", "wechat", "sms"}
    assert {s.get("as", "stranger") for s in SCENARIOS} == {"stranger", "owner"}
    assert len({s["id"] for s in SCENARIOS}) == len(SCENARIOS)
    assert sum(1 for s in SCENARIOS if s.get("lang") == "en") >= 15


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(world: World, sc: dict[str, Any]) -> None:
    play(world, sc)
