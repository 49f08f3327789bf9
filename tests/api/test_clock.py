"""The API runs on the application's clock and service rules, not on its own."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.api.deps import NowDep, RulesDep
from bot.services import rules_from_settings
from bot.settings import Settings

PINNED = datetime(2030, 1, 2, 3, 4, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_api_uses_the_services_clock_and_rules() -> None:
    settings = Settings(_env_file=None)
    rules = rules_from_settings(settings)
    app = FastAPI()

    @app.get("/probe")
    def probe(now: NowDep, got: RulesDep) -> dict[str, object]:
        return {"now": now.isoformat(), "same_rules": got is rules}

    app.state.settings = settings
    app.state.clock = lambda: datetime(1999, 1, 1, tzinfo=ZoneInfo("UTC"))  # ignored: the services win
    app.state.services = SimpleNamespace(clock=lambda: PINNED, rules=rules)
    assert TestClient(app).get("/probe").json() == {"now": PINNED.isoformat(), "same_rules": True}
