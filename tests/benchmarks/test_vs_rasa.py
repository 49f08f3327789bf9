"""benchmarks.vs_rasa without Rasa: the Rasa project it trains, and skipping Rasa when its venv is missing."""

from __future__ import annotations

import pytest
import yaml

from benchmarks import vs_rasa
from nlu import rasa_setup


def test_the_rasa_project_answers_each_of_the_four_intents_by_a_rule() -> None:
    files = vs_rasa.project_files()
    nlu = yaml.safe_load(files["data/nlu.yml"])["nlu"]
    assert [item["intent"] for item in nlu] == list(vs_rasa.INTENTS)
    assert all(len(item["examples"].splitlines()) == vs_rasa.EXAMPLES_PER_INTENT for item in nlu)
    rules = yaml.safe_load(files["data/rules.yml"])["rules"]
    assert {r["steps"][0]["intent"]: r["steps"][1]["action"] for r in rules} == {
        i: f"utter_{i}" for i in vs_rasa.INTENTS}
    domain = yaml.safe_load(files["domain.yml"])
    assert set(domain["responses"]) == {f"utter_{i}" for i in vs_rasa.INTENTS}
    assert "rest" in yaml.safe_load(files["credentials.yml"])


def test_a_missing_rasa_venv_is_skipped_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_python(venv: object = None) -> object:
        raise rasa_setup.RasaSetupError("Python 3.10.13 not found")

    monkeypatch.setattr(rasa_setup, "ensure_venv", no_python)
    venv, why = vs_rasa.rasa_venv()
    assert venv is None and "3.10.13" in why
    assert "Rasa skipped: Python 3.10.13 not found" in vs_rasa.table({}, {}, why)
