"""Evaluation of an engine on labelled examples, split by language (zh, en, all)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nlu.data_io import Example, load_examples
from nlu.lang import detect_lang
from nlu.types import CATEGORIES, INTENTS, URGENCIES, Parse

__all__ = ["evaluate", "format_report", "load_examples", "score"]


def _prf(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    per: dict[str, dict[str, float]] = {}
    for lb in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lb and p == lb)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lb and p == lb)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lb and p != lb)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lb] = {"precision": prec, "recall": rec, "f1": f1, "support": tp + fn}
    present = [lb for lb in labels if per[lb]["support"]]
    macro = sum(per[lb]["f1"] for lb in present) / len(present) if present else 0.0
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        if g in confusion and p in confusion[g]:
            confusion[g][p] += 1
    return {"per_label": per, "macro_f1": macro, "accuracy": acc, "confusion": confusion, "n": len(gold)}


def score(examples: Sequence[Example], parses: Sequence[Parse]) -> dict[str, Any]:
    """Metrics for parses against gold examples (one language slice)."""
    intent = _prf([e.intent for e in examples], [p.intent for p in parses], INTENTS)
    urgency = _prf([e.urgency for e in examples], [p.urgency for p in parses], URGENCIES)
    rep = [(e, p) for e, p in zip(examples, parses, strict=True) if e.intent == "repair"]
    cat_labels = (*CATEGORIES, "none")
    category = _prf([e.category or "none" for e, _ in rep], [p.category or "none" for _, p in rep], cat_labels)
    em = urgency["per_label"]["emergency"]
    return {
        "n": len(examples),
        "intent": intent,
        "urgency": urgency,
        "category": category,
        "intent_macro_f1": intent["macro_f1"],
        "emergency_recall": em["recall"],
        "emergency_precision": em["precision"],
        "emergency_support": em["support"],
        "category_accuracy": category["accuracy"],
        "lang_accuracy": sum(1 for e, p in zip(examples, parses, strict=True) if e.lang == p.lang) / len(examples)
        if examples else 0.0,
    }


def evaluate(engine: Any, examples: Sequence[Example],
             on_parse: Callable[[Example, Parse], None] | None = None) -> dict[str, Any]:
    """Parse every example and score the results by language.

    Args:
        engine: Any object with ``parse(text) -> Parse``.
        examples: Gold examples (``lang`` detected when missing).
        on_parse: Optional callback per (example, parse), e.g. to collect errors.

    Returns:
        ``{"zh": metrics, "en": metrics, "all": metrics, "errors": [...]}``; metrics hold per-label
        precision/recall/F1 and confusion matrices for intent, urgency and category (gold repairs only),
        intent macro-F1, emergency recall/precision and category accuracy.
    """
    parses = []
    errors = []
    for ex in examples:
        p = engine.parse(ex.text)
        parses.append(p)
        if on_parse:
            on_parse(ex, p)
        if (p.intent, p.urgency, p.category) != (ex.intent, ex.urgency, ex.category):
            errors.append({"text": ex.text, "gold": [ex.intent, ex.urgency, ex.category],
                           "pred": [p.intent, p.urgency, p.category]})
    langs = [ex.lang or detect_lang(ex.text) for ex in examples]
    report: dict[str, Any] = {}
    for lang in ("zh", "en"):
        idx = [i for i, lg in enumerate(langs) if lg == lang]
        if idx:
            report[lang] = score([examples[i] for i in idx], [parses[i] for i in idx])
    report["all"] = score(list(examples), parses)
    report["errors"] = errors
    return report


def _matrix(conf: dict[str, dict[str, int]]) -> list[str]:
    labels = [lb for lb in conf if any(conf[lb].values()) or any(conf[g][lb] for g in conf)]
    short = {lb: lb[:6] for lb in labels}
    lines = ["    gold\\pred " + " ".join(f"{short[lb]:>6}" for lb in labels)]
    for g in labels:
        lines.append(f"    {g[:10]:<10} " + " ".join(f"{conf[g][p]:>6}" for p in labels))
    return lines


def format_report(report: dict[str, Any], show_errors: int = 20) -> str:
    """Render an :func:`evaluate` report as plain text."""
    out: list[str] = []
    head = f"{'':<6}{'n':>5}{'intentF1':>10}{'em.rec':>8}{'em.prec':>8}{'em.n':>6}{'cat.acc':>9}{'urg.F1':>8}"
    out.append(head)
    for lang in ("zh", "en", "all"):
        if lang in report:
            r = report[lang]
            out.append(f"{lang:<6}{r['n']:>5}{r['intent_macro_f1']:>10.3f}{r['emergency_recall']:>8.3f}"
                       f"{r['emergency_precision']:>8.3f}{r['emergency_support']:>6}{r['category_accuracy']:>9.3f}"
                       f"{r['urgency']['macro_f1']:>8.3f}")
    r = report["all"]
    for key in ("intent", "urgency", "category"):
        out.append(f"\n{key} (all):")
        for lb, m in r[key]["per_label"].items():
            if m["support"] or m["precision"]:
                out.append(f"  {lb:<20} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} n={m['support']}")
        out.extend(_matrix(r[key]["confusion"]))
    errs = report.get("errors", [])
    if errs and show_errors:
        out.append(f"\nerrors ({len(errs)}, first {min(show_errors, len(errs))}):")
        for e in errs[:show_errors]:
            out.append(f"  {e['text']}\n      gold={e['gold']} pred={e['pred']}")
    return "\n".join(out)


def reliability(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict[str, Any]:
    """Expected calibration error and a reliability table of a confidence score.

    Args:
        confidences: The engine's confidence per message (its probability of the intent it chose).
        correct: Whether that intent was right.
        bins: Number of equal-width confidence bins over [0, 1].

    Returns:
        ``{"ece", "mean_confidence", "accuracy", "table": [{"lo", "hi", "n", "confidence", "accuracy"}]}``;
        ECE is the support-weighted mean gap between confidence and accuracy per bin.
    """
    n = len(confidences)
    table = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not idx:
            continue
        conf = sum(confidences[i] for i in idx) / len(idx)
        acc = sum(1 for i in idx if correct[i]) / len(idx)
        ece += len(idx) / n * abs(conf - acc)
        table.append({"lo": lo, "hi": hi, "n": len(idx), "confidence": conf, "accuracy": acc})
    return {"ece": ece if n else 0.0, "mean_confidence": sum(confidences) / n if n else 0.0,
            "accuracy": sum(correct) / n if n else 0.0, "table": table}


def bootstrap(examples: Sequence[Example], parses: Sequence[Parse], rounds: int = 1000,
              seed: int = 7) -> dict[str, tuple[float, float]]:
    """95% bootstrap intervals (resampling messages) of intent macro-F1, emergency recall and precision and
    repair category accuracy.

    Args:
        examples: Gold examples.
        parses: The engine's parses, in the same order.
        rounds: Bootstrap resamples.
        seed: Random seed (fixed: reproducible reports).

    Returns:
        ``{metric: (low, high)}`` for the metrics that were defined in enough resamples.
    """
    import random

    rnd = random.Random(seed)
    n = len(examples)
    keys = ("intent_macro_f1", "emergency_recall", "emergency_precision", "category_accuracy")
    samples: dict[str, list[float]] = {k: [] for k in keys}
    for _ in range(rounds):
        pick = [rnd.randrange(n) for _ in range(n)]
        ex = [examples[i] for i in pick]
        pa = [parses[i] for i in pick]
        samples["intent_macro_f1"].append(_prf([e.intent for e in ex], [p.intent for p in pa], INTENTS)["macro_f1"])
        gold_em = [i for i, e in enumerate(ex) if e.urgency == "emergency"]
        pred_em = [i for i, p in enumerate(pa) if p.urgency == "emergency"]
        if gold_em:
            samples["emergency_recall"].append(sum(1 for i in gold_em if pa[i].urgency == "emergency") / len(gold_em))
        if pred_em:
            samples["emergency_precision"].append(sum(1 for i in pred_em if ex[i].urgency == "emergency")
                                                  / len(pred_em))
        rep = [i for i, e in enumerate(ex) if e.intent == "repair"]
        if rep:
            samples["category_accuracy"].append(sum(1 for i in rep if pa[i].category == ex[i].category) / len(rep))
    out: dict[str, tuple[float, float]] = {}
    for k, vals in samples.items():
        if len(vals) >= rounds // 2:
            vals.sort()
            out[k] = (vals[int(0.025 * len(vals))], vals[min(len(vals) - 1, int(0.975 * len(vals)))])
    return out
