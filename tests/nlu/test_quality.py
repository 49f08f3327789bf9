"""Quality gate on the held-out splits (builtin engine): the product targets, asserted as they are.

Targets: intent macro-F1 >= 0.92, emergency recall >= 0.99, emergency precision >= 0.85, repair category
accuracy >= 0.85, zh/en intent macro-F1 within 5 points. No test sentence is in training
(``tests/nlu/test_data.py``); the figures are reported in ``benchmarks/results/nlu.md``.
"""

from typing import Any

import pytest

from nlu.builtin import BuiltinEngine
from nlu.data_io import load_examples, split_path, split_paths
from nlu.evaluate import evaluate


def _assert_targets(report: dict[str, Any]) -> None:
    r = report["all"]
    assert r["intent_macro_f1"] >= 0.92, r["intent_macro_f1"]
    assert r["emergency_recall"] >= 0.99, r["emergency_recall"]
    assert r["emergency_precision"] >= 0.85, r["emergency_precision"]
    assert r["category_accuracy"] >= 0.85, r["category_accuracy"]
    assert abs(report["zh"]["intent_macro_f1"] - report["en"]["intent_macro_f1"]) <= 0.05


@pytest.mark.parametrize("split", ["test", "test_full"])
def test_quality_targets(engine: BuiltinEngine, split: str) -> None:
    examples = load_examples(split_paths(split))
    report = evaluate(engine, examples)
    assert report["en"]["n"] >= 120
    _assert_targets(report)


def test_adversarial_emergencies(engine: BuiltinEngine) -> None:
    r = evaluate(engine, load_examples([split_path("adversarial")]))["all"]
    assert r["emergency_recall"] >= 0.95 and r["emergency_precision"] >= 0.9
    assert r["intent_macro_f1"] >= 0.9
