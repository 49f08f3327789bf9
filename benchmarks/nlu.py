"""NLU benchmark: builtin engine vs a keyword baseline (vs Rasa with --rasa-url) on every held-out split.

    .venv/bin/python benchmarks/nlu.py [--split all] [--rasa-url http://127.0.0.1:5005 --rasa-token T]

``--split all`` (default) scores test, test_new, test_registers, adversarial and, when the folder exists,
``../shared/eval-real/real.jsonl`` (read at run time, evaluation only: never copied into the repository),
reported per language with its "uncertain" rows separate. Prints markdown tables: intent macro-F1, emergency
recall/precision, repair category accuracy with 95% bootstrap intervals; expected calibration error and a
reliability table of the confidence; low-confidence and safety-check rates; parse latency median/p99 (short
messages and a 70,000-character one), training time, load time, RSS delta. Save it in benchmarks/results/nlu.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlu.builtin import BuiltinEngine  # noqa: E402
from nlu.data_io import Example, load_examples, split_paths  # noqa: E402
from nlu.evaluate import bootstrap, evaluate, reliability  # noqa: E402
from nlu.keyword_baseline import KeywordEngine  # noqa: E402
from nlu.model import train  # noqa: E402
from nlu.types import Parse  # noqa: E402


def rss_mb() -> float:
    """Current resident set size in MiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PlainRasa:
    """Minimal HTTP client for Rasa's /model/parse (used when nlu.rasa_engine is absent)."""

    name = "rasa"

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/") + "/model/parse" + (f"?token={token}" if token else "")

    def warm_up(self) -> None:
        self.parse("你好")

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        body = json.dumps({"text": text}).encode()
        req = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - configured local server
            name = json.load(resp)["intent"]["name"]
        intent, cat, urg = name.split("+")
        category = None if cat == "none" else "other" if cat == "misc" else cat
        return Parse(intent, urg, category if intent == "repair" else None, "zh", 1.0, engine="rasa")


def latency(engine: Any, texts: list[str], rounds: int = 3) -> tuple[float, float, float]:
    """Median and p99 wall-clock parse latency, and p99 thread CPU time, in milliseconds.

    On a shared, loaded machine the wall-clock tail includes time the thread spent descheduled; the CPU-time
    p99 shows the cost of the parse itself.
    """
    wall, cpu = [], []
    for _ in range(rounds):
        for t in texts:
            start, cstart = time.perf_counter(), time.thread_time()
            engine.parse(t)
            cpu.append((time.thread_time() - cstart) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    wall.sort()
    cpu.sort()
    k = min(len(wall) - 1, int(len(wall) * 0.99))
    return statistics.median(wall), wall[k], cpu[k]


_ROOT = Path(__file__).resolve().parents[1]
# ``../shared/eval-real`` next to the checkout (also two levels up, for worktrees under wt/), or $ANJU_EVAL_REAL.
REAL_CANDIDATES = [Path(os.environ["ANJU_EVAL_REAL"])] if os.environ.get("ANJU_EVAL_REAL") else [
    _ROOT.parent / "shared" / "eval-real" / "real.jsonl", _ROOT.parent.parent / "shared" / "eval-real" / "real.jsonl"]
REAL = next((p for p in REAL_CANDIDATES if p.exists()), REAL_CANDIDATES[0])
OWN_SPLITS = ("test", "test_new", "test_registers", "adversarial")


def load_real(path: Path = REAL) -> tuple[list[Example], list[bool]] | None:
    """The real evaluation set (examples and their "uncertain" flags), or None when it is absent."""
    if not path.exists():
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = [Example(r["text"], r["intent"], r["urgency"], r.get("category") or None, r.get("lang")) for r in rows]
    return examples, [bool(r.get("uncertain")) for r in rows]


def splits(name: str) -> list[tuple[str, list[Example], list[bool] | None]]:
    """``(split name, examples, uncertain flags or None)`` for ``name`` (``all`` = every split)."""
    out: list[tuple[str, list[Example], list[bool] | None]] = []
    for sp in (OWN_SPLITS if name == "all" else (name,)):
        if sp != "real":
            out.append((sp, load_examples(split_paths(sp)), None))
    if name in ("all", "real"):
        real = load_real()
        if real is not None:
            out.append(("real", real[0], real[1]))
    return out


def _slices(ex: list[Example], flags: list[bool] | None) -> list[tuple[str, list[int]]]:
    idx = list(range(len(ex)))
    out = [(lang, [i for i in idx if ex[i].lang == lang]) for lang in ("zh", "en")]
    out.append(("all", idx))
    if flags is not None:
        out.append(("certain", [i for i in idx if not flags[i]]))
        out.append(("uncertain", [i for i in idx if flags[i]]))
    return [(n, ids) for n, ids in out if ids]


def score_rows(engine: Any, name: str, ex: list[Example], flags: list[bool] | None,
               with_ci: bool) -> tuple[list[str], list[Parse]]:
    """Markdown rows for one engine on one split (per slice), and its parses."""
    parses = [engine.parse(e.text) for e in ex]
    rows = []
    for sl, ids in _slices(ex, flags):
        sub_e, sub_p = [ex[i] for i in ids], [parses[i] for i in ids]
        r = evaluate(_Replay(sub_e, sub_p), sub_e)["all"]
        ci = bootstrap(sub_e, sub_p, rounds=1000) if with_ci and sl in ("all", "certain") else {}

        def fmt(key: str, value: float, ci: dict[str, tuple[float, float]] = ci) -> str:
            lo_hi = ci.get(key)
            return f"{value:.3f}" + (f" [{lo_hi[0]:.2f}, {lo_hi[1]:.2f}]" if lo_hi else "")

        em = f"{fmt('emergency_recall', r['emergency_recall'])} (n={r['emergency_support']})"
        rows.append(f"| {name} | {sl} | {len(ids)} | {fmt('intent_macro_f1', r['intent_macro_f1'])} | {em} | "
                    f"{fmt('emergency_precision', r['emergency_precision'])} | "
                    f"{fmt('category_accuracy', r['category_accuracy'])} |")
    return rows, parses


class _Replay:
    """An engine that answers with parses already made (to score slices without parsing twice)."""

    def __init__(self, examples: list[Example], parses: list[Parse]) -> None:
        self._order = iter(parses)

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        return next(self._order)


def calibration_rows(name: str, ex: list[Example], parses: list[Parse]) -> tuple[list[str], str]:
    """ECE, low-confidence and safety-check figures, and the reliability table for one split."""
    conf = [p.confidence for p in parses]
    ok = [p.intent == e.intent for e, p in zip(ex, parses, strict=True)]
    r = reliability(conf, ok)
    low = [i for i, p in enumerate(parses) if p.low_confidence]
    low_acc = sum(ok[i] for i in low) / len(low) if low else float("nan")
    high_acc = sum(ok[i] for i in range(len(ok)) if i not in set(low)) / max(1, len(ok) - len(low))
    wrong = [c for c, k in zip(conf, ok, strict=True) if not k]
    check = sum(1 for p in parses if p.needs_safety_check)
    out = [f"| {name} | {len(ex)} | {r['ece']:.3f} | {r['mean_confidence']:.3f} | {r['accuracy']:.3f} | "
           f"{(sum(wrong) / len(wrong)) if wrong else float('nan'):.3f} | {len(low)} ({low_acc:.2f} right) | "
           f"{high_acc:.3f} | {check} |"]
    table = " ".join(f"{t['lo']:.1f}-{t['hi']:.1f}: n={t['n']} conf {t['confidence']:.2f} acc {t['accuracy']:.2f};"
                     for t in r["table"])
    return out, f"- {name}: {table}"


def long_text_cost(engine: Any) -> str:
    """Parse time of a 70,000-character repeated message (bounded: only the head and tail are read)."""
    unit = "3栋2单元1502 厨房水管爆了 水哗哗往外冒 电话13912345678 明天下午3点来 "
    text = (unit * (70_000 // len(unit) + 1))[:70_000]
    start = time.perf_counter()
    p = engine.parse(text)
    return f"{(time.perf_counter() - start) * 1000:.1f} ms (truncated={p.truncated})"


def run(args: argparse.Namespace) -> str:
    """Run the benchmark and return the markdown report."""
    data = splits(args.split)
    lat_texts = [e.text for e in load_examples(split_paths("test"))]
    score: list[str] = []
    cal: list[str] = []
    rel: list[str] = []
    perf: list[str] = []

    def add(engine_name: str, engine: Any, with_ci: bool, with_cal: bool) -> None:
        for name, ex, flags in data:
            rows, parses = score_rows(engine, name, ex, flags, with_ci)
            score.extend(r.replace(f"| {name} |", f"| {engine_name} | {name} |", 1) for r in rows)
            if with_cal:
                c, t = calibration_rows(name, ex, parses)
                cal.extend(c)
                rel.append(t)

    with tempfile.TemporaryDirectory() as tmp:
        gc.collect()
        rss0 = rss_mb()
        t0 = time.perf_counter()
        train(None, Path(tmp))
        train_s = time.perf_counter() - t0
        engine = BuiltinEngine(Path(tmp))
        t0 = time.perf_counter()
        engine.warm_up()
        load_s = time.perf_counter() - t0
        rss = rss_mb() - rss0
        add("builtin", engine, True, True)
        med, p99, cpu99 = latency(engine, lat_texts)
        perf.append(f"| builtin | {train_s:.1f} s | {load_s * 1000:.0f} ms | +{rss:.0f} MiB | {med:.2f} ms | "
                    f"{p99:.2f} ms | {cpu99:.2f} ms | {long_text_cost(engine)} |")
        add("builtin (no rules)", BuiltinEngine(Path(tmp), use_rules=False), False, False)

    kw = KeywordEngine()
    add("keywords", kw, False, False)
    med, p99, cpu99 = latency(kw, lat_texts)
    perf.append(f"| keywords | - | - | - | {med:.3f} ms | {p99:.3f} ms | {cpu99:.3f} ms | - |")
    if args.rasa_url:
        try:
            from nlu.rasa_engine import RasaEngine

            rasa: Any = RasaEngine(url=args.rasa_url, token=args.rasa_token, fallback=None, use_rules=True)
        except ImportError:
            rasa = PlainRasa(args.rasa_url, args.rasa_token)
        rasa.warm_up()
        add("rasa", rasa, True, False)
        med, p99, _ = latency(rasa, lat_texts, rounds=1)
        perf.append(f"| rasa | see DEPENDENCIES.md | - | server | {med:.2f} ms | {p99:.2f} ms | n/a (HTTP) | - |")
    return render(score, cal, rel, perf, [f"{n} ({len(e)})" for n, e, _ in data])


def render(score: list[str], cal: list[str], rel: list[str], perf: list[str], names: list[str]) -> str:
    """Markdown tables for the benchmark."""
    out = [f"# NLU benchmark ({', '.join(names)})", "",
           f"{datetime.now().isoformat(timespec='seconds')}, Python {platform.python_version()}, "
           f"{platform.machine()}. Brackets: 95% bootstrap intervals (1000 resamples of messages).", "",
           "| engine | split | slice | n | intent macro-F1 | emergency recall | emergency precision | "
           "category acc. (gold repairs) |",
           "|---|---|---|---:|---:|---:|---:|---:|", *score, "",
           "Calibration of the builtin engine's confidence (its probability of the intent it chose):", "",
           "| split | n | ECE | mean confidence | intent accuracy | mean confidence when wrong | low_confidence "
           "| accuracy when not low | needs_safety_check |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|", *cal, "",
           "Reliability table (confidence bin: messages, mean confidence, accuracy):", "", *rel, "",
           "| engine | train | load (warm-up) | RSS delta | parse median | parse p99 | parse p99 (CPU) | "
           "70,000-char message |",
           "|---|---|---|---|---:|---:|---:|---:|", *perf, "",
           f"Load average at the end of the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
           f"on {os.cpu_count()} CPUs (shared machine)."]
    return "\n".join(out) + "\n"


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="all",
                    help="all (default), test, test_new, test_registers, test_full, adversarial, real")
    ap.add_argument("--rasa-url", default=None)
    ap.add_argument("--rasa-token", default=None)
    ap.add_argument("--out", type=Path, default=None, help="also write the markdown here")
    args = ap.parse_args()
    text = run(args)
    print(text)  # noqa: T201
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
