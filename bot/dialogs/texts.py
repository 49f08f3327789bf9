"""Owner-facing texts in zh and en, from ``config/messages.yml``."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REF = "§"
_REF_RE = re.compile(r"§([a-z][a-z_]*)")
CONFIG = Path(__file__).resolve().parents[2] / "config"
MESSAGES = CONFIG / "messages.yml"
FAQ = CONFIG / "faq.yml"


class _Defaults(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=2)
def load_faq(path: Path = FAQ) -> list[dict[str, Any]]:
    """The FAQ entries (id, keywords, zh, en)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or []


@lru_cache(maxsize=2)
def load(path: Path = MESSAGES) -> dict[str, dict[str, str]]:
    """All templates keyed by name then language; FAQ answers are ``faq_<id>``."""
    with path.open(encoding="utf-8") as fh:
        table: dict[str, dict[str, str]] = yaml.safe_load(fh)
    table.update({f"faq_{e['id']}": {"zh": e["zh"], "en": e["en"]} for e in load_faq()})
    return table


def render(key: str, lang: str, **params: Any) -> str:
    """The template ``key`` in ``lang`` (falling back to zh), with ``params`` filled; a missing param is blank.

    A key that is not a template is returned as literal text (labels built from data).
    """
    table = load()
    params = {k: _resolve(v, lang, table) for k, v in params.items()}
    if key not in table:
        return key.format_map(_Defaults(params)) if params else key
    entry = table[key]
    text = entry.get(lang) or entry["zh"]
    return text.format_map(_Defaults(params))


def _resolve(value: Any, lang: str, table: dict[str, dict[str, str]]) -> Any:
    """``§key`` inside a parameter names another template (a location or status label)."""
    if not isinstance(value, str) or REF not in value:
        return value

    def sub(m: re.Match[str]) -> str:
        entry = table.get(m.group(1))
        if entry:
            return entry.get(lang) or entry["zh"]
        return m.group(1).removeprefix("loc_").replace("_", " ")

    return _REF_RE.sub(sub, value)
