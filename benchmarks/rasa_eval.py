"""Evaluate the Rasa engine over HTTP on a held-out split: ``python -m benchmarks.rasa_eval``.

Prints (and with ``--json`` writes) intent macro-F1, urgency accuracy, emergency recall/precision, category
accuracy on repairs and per-message latency through :class:`nlu.rasa_engine.RasaEngine`.

    python -m benchmarks.rasa_eval --url http://127.0.0.1:5005 --token anju-dev-token \
        --split nlu/data/test.yml --split nlu/data/adversarial.yml --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from nlu.rasa_engine import RasaEngine, labels_from_rasa
from nlu.rasa_setup import load_examples
from nlu.types import INTENTS


def _f1(gold: list[str], pred: list[str], label: str) -> tuple[float, float, float]:
    tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
    fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
    fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(engine: RasaEngine, path: Path, repeat: int = 1) -> dict[str, Any]:
    """Score ``engine`` on one Rasa NLU YAML split and time every call.

    Args:
        engine: A warmed-up engine.
        path: The split (``intent+category+urgency`` names).
        repeat: Parse the split this many times for the latency figures (labels come from the first pass).
    """
    examples = [(text, labels_from_rasa(name)) for name, texts in load_examples([path]).items() for text in texts]
    preds = []
    latencies: list[float] = []
    errors: list[dict[str, Any]] = []
    for round_ in range(repeat):
        for text, gold in examples:
            t0 = time.perf_counter()
            p = engine.parse(text)
            latencies.append((time.perf_counter() - t0) * 1000)
            if p.engine != "rasa":
                raise SystemExit(f"Rasa unavailable during the benchmark (got {p.engine})")
            if round_ == 0:
                preds.append(p)
                if (p.intent, p.category, p.urgency) != gold:
                    errors.append({"text": text, "gold": gold, "pred": (p.intent, p.category, p.urgency)})
    gold_i = [g[0] for _, g in examples]
    pred_i = [p.intent for p in preds]
    per_intent = {i: _f1(gold_i, pred_i, i) for i in INTENTS if i in gold_i}
    gold_u = [g[2] for _, g in examples]
    pred_u = [p.urgency for p in preds]
    em_p, em_r, em_f = _f1(gold_u, pred_u, "emergency")
    repairs = [(g, p) for (_, g), p in zip(examples, preds, strict=True) if g[0] == "repair"]
    latencies.sort()
    return {
        "split": path.name,
        "n": len(examples),
        "intent_accuracy": sum(g == p for g, p in zip(gold_i, pred_i, strict=True)) / len(examples),
        "intent_macro_f1": statistics.fmean(f for _, _, f in per_intent.values()),
        "intent_f1": {k: round(v[2], 4) for k, v in per_intent.items()},
        "urgency_accuracy": sum(g == p for g, p in zip(gold_u, pred_u, strict=True)) / len(examples),
        "emergency_precision": em_p,
        "emergency_recall": em_r,
        "emergency_support": gold_u.count("emergency"),
        "repair_category_accuracy": (sum(g[1] == p.category for g, p in repairs) / len(repairs)) if repairs else 0,
        "repairs": len(repairs),
        "exact_match": 1 - len(errors) / len(examples),
        "latency_ms_median": statistics.median(latencies),
        "latency_ms_p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "latency_ms_max": latencies[-1],
        "calls": len(latencies),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("ANJU_TEST_RASA_URL", "http://127.0.0.1:5005"))
    ap.add_argument("--token", default=os.environ.get("ANJU_TEST_RASA_TOKEN"))
    ap.add_argument("--split", type=Path, action="append", help="YAML split (default nlu/data/test.yml)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="write the full results (with errors) here")
    ap.add_argument("--raw", action="store_true", help="Rasa's labels only, without the safety rule layer")
    args = ap.parse_args(argv)
    splits = args.split or [Path("nlu/data/test.yml")]
    with RasaEngine(args.url, args.token, timeout_s=10.0, use_rules=not args.raw) as engine:
        if not engine.warm_up():
            print("Rasa is not reachable", file=sys.stderr)  # noqa: T201
            return 1
        results = [evaluate(engine, s, args.repeat) for s in splits]
    for r in results:
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items() if k != "errors"}
        print(json.dumps(shown, ensure_ascii=False))  # noqa: T201
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
