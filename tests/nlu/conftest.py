"""Shared fixtures: one builtin model trained per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.builtin import BuiltinEngine
from nlu.model import train


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a freshly trained artifact."""
    out = tmp_path_factory.mktemp("nlu-model")
    train(None, out)
    return out


@pytest.fixture(scope="session")
def engine(model_dir: Path) -> BuiltinEngine:
    """The builtin engine with rules, warmed up."""
    eng = BuiltinEngine(model_dir)
    eng.warm_up()
    return eng


@pytest.fixture(scope="session")
def raw_engine(model_dir: Path) -> BuiltinEngine:
    """The same model without the safety rule layer."""
    return BuiltinEngine(model_dir, use_rules=False)
