"""Settings: environment over .env over config/anju.toml, nothing read at import time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def env_names(model: type[BaseModel] = Settings, prefix: str = "ANJU_") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names += env_names(ann, f"{prefix}{name.upper()}__")
        else:
            names.append(prefix + name.upper())
    return names


def test_every_setting_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^(ANJU_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert set(env_names()) <= documented


def test_defaults_come_from_the_toml_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANJU_DATABASE_URL", raising=False)
    s = Settings(_env_file=None)
    assert s.database_url == "sqlite:///anju.db"
    assert s.sla.page_ack_minutes == 5 and s.outbox.rate_limits["telegram"] == 30


def test_environment_overrides_with_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANJU_SLA__PAGE_ACK_MINUTES", "2")
    monkeypatch.setenv("ANJU_TELEGRAM__BOT_TOKEN", "123:abc")
    monkeypatch.setenv("ANJU_TELEGRAM__SECRET_TOKEN", "s3cr3t")
    s = Settings(_env_file=None)
    assert s.sla.page_ack_minutes == 2
    assert s.telegram.enabled and not s.wechat.enabled
    assert "123:abc" not in repr(s)  # secrets never print


def test_prod_refuses_placeholder_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANJU_ENV", "prod")
    monkeypatch.setenv("ANJU_API_TOKEN", "changethis")
    with pytest.raises(ValidationError, match="real secret"):
        Settings(_env_file=None)
