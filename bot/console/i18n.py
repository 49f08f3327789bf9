"""Console UI texts in zh and en (``config/console.yml``), console behaviour settings, canned replies."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CONFIG = Path(__file__).resolve().parents[2] / "config"
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class ConsoleConfig:
    """Behaviour settings of the console (``settings:`` in ``config/console.yml``)."""

    session_hours: float = 12
    max_failed_logins: int = 5
    lockout_minutes: float = 15
    advisor_first_minutes: float = 2
    live_hours: float = 24
    pickup_sweep_seconds: float = 30
    login_per_ip_per_minute: int = 30
    login_per_account_per_minute: int = 10
    login_hash_concurrency: int = 1


@lru_cache(maxsize=4)
def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def config(path: Path = CONFIG / "console.yml") -> ConsoleConfig:
    """The console's behaviour settings."""
    return ConsoleConfig(**(_load(path).get("settings") or {}))


def texts(path: Path = CONFIG / "console.yml") -> dict[str, dict[str, str]]:
    """All UI texts keyed by name then language."""
    return _load(path).get("texts") or {}


def translate(key: str, lang: str, **params: Any) -> str:
    """The UI text ``key`` in ``lang`` (falling back to zh, then to the key itself)."""
    entry = texts().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("zh") or key
    return text.format(**params) if params else text


def has(key: str) -> bool:
    """True when ``key`` is a known UI text (used to accept message keys from query strings)."""
    return key in texts()


class Translator:
    """``t(key)`` bound to one language, for templates."""

    def __init__(self, lang: str) -> None:
        """Bind to ``lang`` (unknown languages fall back to zh)."""
        self.lang = lang if lang in LANGUAGES else "zh"

    def __call__(self, key: str, **params: Any) -> str:
        """Translate ``key``."""
        return translate(key, self.lang, **params)


@lru_cache(maxsize=2)
def canned_replies(path: Path = CONFIG / "canned_replies.yml") -> list[dict[str, Any]]:
    """The canned replies: ``id``, ``title`` {zh, en}, ``zh``, ``en``."""
    return list(_load(path) or [])
