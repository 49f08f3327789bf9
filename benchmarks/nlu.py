"""NLU benchmark: builtin engine vs a keyword baseline (vs Rasa with --rasa-url) on the held-out test split.

    .venv/bin/python benchmarks/nlu.py [--split test] [--rasa-url http://127.0.0.1:5005 --rasa-token T]

Prints a markdown table (intent macro-F1, emergency recall/precision, repair category accuracy, per language;
parse latency median/p99 in-process; training time, load time, RSS delta). Save the output in
benchmarks/results/nlu.md.
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
from nlu.data_io import load_examples, split_paths  # noqa: E402
from nlu.evaluate import evaluate  # noqa: E402
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


def run(args: argparse.Namespace) -> str:
    """Run the benchmark and return the markdown report."""
    examples = load_examples(split_paths(args.split))
    texts = [e.text for e in examples]
    rows: list[tuple[str, dict[str, Any], dict[str, str]]] = []

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
        report = evaluate(engine, examples)
        med, p99, cpu99 = latency(engine, texts)
        rows.append(("builtin", report, {"train": f"{train_s:.1f} s", "load": f"{load_s * 1000:.0f} ms",
                                         "rss": f"+{rss:.0f} MiB", "median": f"{med:.2f} ms", "p99": f"{p99:.2f} ms",
                                         "cpu99": f"{cpu99:.2f} ms"}))
        raw = BuiltinEngine(Path(tmp), use_rules=False)
        rows.append(("builtin (no rules)", evaluate(raw, examples), {"note": "model only, same artifact"}))

    kw = KeywordEngine()
    med, p99, cpu99 = latency(kw, texts)
    rows.append(("keywords", evaluate(kw, examples), {"train": "-", "load": "-", "rss": "-", "median": f"{med:.3f} ms",
                                                      "p99": f"{p99:.3f} ms", "cpu99": f"{cpu99:.3f} ms"}))
    if args.rasa_url:
        try:
            from nlu.rasa_engine import RasaEngine

            rasa: Any = RasaEngine(url=args.rasa_url, token=args.rasa_token, fallback=None, use_rules=True)
        except ImportError:
            rasa = PlainRasa(args.rasa_url, args.rasa_token)
        rasa.warm_up()
        med, p99, _ = latency(rasa, texts, rounds=1)
        rows.append(("rasa", evaluate(rasa, examples), {"train": "see DEPENDENCIES.md", "load": "-", "rss": "server",
                                                        "median": f"{med:.2f} ms", "p99": f"{p99:.2f} ms",
                                                        "cpu99": "n/a (HTTP)"}))
    return render(rows, args.split, len(examples))


def render(rows: list[tuple[str, dict[str, Any], dict[str, str]]], split: str, n: int) -> str:
    """Markdown tables for the benchmark rows."""
    out = [f"# NLU benchmark ({split} split, {n} messages)", "",
           f"{datetime.now().isoformat(timespec='seconds')}, Python {platform.python_version()}, "
           f"{platform.machine()}", "",
           "| engine | lang | n | intent macro-F1 | emergency recall | emergency precision | category acc. (repairs) |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for name, rep, _ in rows:
        for lang in ("zh", "en", "all"):
            if lang in rep:
                r = rep[lang]
                out.append(f"| {name} | {lang} | {r['n']} | {r['intent_macro_f1']:.3f} | "
                           f"{r['emergency_recall']:.3f} | {r['emergency_precision']:.3f} | "
                           f"{r['category_accuracy']:.3f} |")
    out += ["", "| engine | train | load (warm-up) | RSS delta | parse median | parse p99 | parse p99 (CPU) |",
            "|---|---|---|---|---:|---:|---:|"]
    for name, _, perf in rows:
        if "median" in perf:
            out.append(f"| {name} | {perf['train']} | {perf['load']} | {perf['rss']} | {perf['median']} "
                       f"| {perf['p99']} | {perf['cpu99']} |")
    out += ["", f"Load average at the end of the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
            f"on {os.cpu_count()} CPUs (shared machine)."]
    return "\n".join(out) + "\n"


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="test", help="test, test_new, test_full (test + test_new), adversarial")
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
