"""The shipped timers in config/anju.toml are the rules' values: changing one must fail a test."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

from bot.api.deps import rules_from_settings
from bot.settings import Settings

TOML = Path(__file__).resolve().parents[2] / "config" / "anju.toml"


def test_shipped_sla_values() -> None:
    sla = tomllib.loads(TOML.read_text(encoding="utf-8"))["sla"]
    assert sla["engineer_contact_hours"] == 24  # S4: 接到报修后24小时内
    assert sla["close_of_business"] == "18:00"  # S3 deadline for reports on a day off (DOMAIN.md §6)
    assert sla["repeat_window_days"] == 90  # 同类问题 window [R]
    assert sla["page_ack_minutes"] == 5  # S2 escalation to the backup engineer [R]
    assert sla["survey_delay_hours"] == 24  # S8 callback the day after closing [R]


def test_settings_reach_the_rules() -> None:
    rules = rules_from_settings(Settings(_env_file=None))
    assert rules.engineer_contact == timedelta(hours=24)
    assert rules.repeat_window == timedelta(days=90)
    assert rules.survey_delay == timedelta(hours=24)
    assert rules.calendar.close_of_business.strftime("%H:%M") == "18:00"


def test_new_rule_settings_reach_the_rules() -> None:
    sla = Settings(_env_file=None).sla.model_copy(update={"office_open": "09:00", "office_close": "17:30",
                                                           "complaint_resolution_workdays": 3,
                                                           "tier_contact_hours": {"gold": 2}})
    from backend.tickets import ServiceRules

    rules = ServiceRules.from_settings(sla, "Asia/Shanghai")
    assert (rules.office_open.strftime("%H:%M"), rules.office_close.strftime("%H:%M")) == ("09:00", "17:30")
    assert rules.complaint_resolution_workdays == 3 and rules.tier_contact_hours == {"gold": 2}
    shipped = rules_from_settings(Settings(_env_file=None))
    assert shipped.tier_contact_hours == {"vip": 4.0} and shipped.complaint_resolution_workdays == 5
