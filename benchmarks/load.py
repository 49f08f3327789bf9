"""Load benchmark: signed WeChat/Twilio/Telegram webhooks against real ``anju`` processes on 127.0.0.1.

Configurations (``--setup``):
  sqlite      one ``anju serve`` process (web + embedded worker) on a SQLite file
  pg1         ``anju serve --no-worker`` + one ``anju worker`` on PostgreSQL
  pg2         ``anju serve --no-worker`` + two ``anju worker`` processes on PostgreSQL

For each: seed owners with verified identities, send ``--rate`` messages/s for ``--seconds`` (open loop),
wait until every event is processed and every reply delivered, then report throughput, p50/p99 time to
the HTTP answer, p50/p99 time from sending to the reply arriving at the fake platform, and the
nothing-lost / nothing-doubled checks. Results go to ``benchmarks/results/load.json`` and a table to stdout.

    .venv/bin/python -m benchmarks.load --setup sqlite pg1 pg2 --rate 300 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from nlu import ensure_trained
from tests.loadgen import driver, stack

PG_URL = os.environ.get("ANJU_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RESULTS = Path(__file__).resolve().parent / "results"


def run_setup(setup: str, rate: float, seconds: float, owners: int, data_dir: Path, tmp: Path,
              fakes: stack.FakesProcess, drain_timeout: float) -> driver.Report:
    """One configuration, start to finish."""
    kind = "sqlite" if setup == "sqlite" else "pg"
    workers = {"sqlite": 0, "pg1": 1, "pg2": 2}[setup]
    fakes.reset()
    log_dir = tmp / setup
    log_dir.mkdir(parents=True, exist_ok=True)
    with stack.fresh_database(kind, tmp, PG_URL) as url:
        population = stack.seed(url, owners)
        port = stack.free_port()
        env = stack.anju_env(url, data_dir, port, fakes.urls)
        procs = [stack.serve_process(env, log_dir, port, worker=workers == 0)]
        procs += [stack.worker_process(env, log_dir, f"worker{n}", sweeps=n == 1) for n in range(1, workers + 1)]
        try:
            for proc in procs:
                proc.start()
            for proc in procs[1:]:
                proc.wait_ready_log("", timeout=5)
            time.sleep(3 if workers else 0.5)  # workers: migrations + NLU warm-up before traffic
            items = driver.plan(population, int(rate * seconds), f"http://127.0.0.1:{port}")
            lag = driver.run_load(items, rate)
            stack.wait_for(lambda: stack.unfinished(url) == 0, "the backlog to drain", drain_timeout, 0.2)
            drained = time.time()
            counts = stack.db_counts(url)
            report = driver.analyse(items, fakes.deliveries(), counts, drained, lag)
        finally:
            for proc in procs:
                proc.stop()
    return report


def table(results: dict[str, driver.Report]) -> str:
    """A Markdown table of the runs."""
    rows = ["| setup | offered/s | accepted/s | answer p50 / p99 (ms) | inbound→delivered p50 / p99 (ms) "
            "| processed/s | drain after load (s) | lost | answered twice | refused |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        rows.append(f"| {name} | {r.offered_rate:.0f} | {r.accepted_rate:.0f} | {r.answer_p50_ms:.1f} / "
                    f"{r.answer_p99_ms:.1f} | {r.reply_p50_ms:.0f} / {r.reply_p99_ms:.0f} | {r.processed_rate:.0f} "
                    f"| {r.drain_s:.1f} | {r.lost} | {r.doubled_recipients} | {sum(r.refused.values())} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen configurations and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", nargs="+", default=["sqlite", "pg1", "pg2"], choices=["sqlite", "pg1", "pg2"])
    parser.add_argument("--rate", type=float, default=300.0, help="offered webhooks per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--owners", type=int, default=0, help="owners (default: rate x 20, so ~3 messages each)")
    parser.add_argument("--drain-timeout", type=float, default=900.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args(argv)
    owners = args.owners or int(args.rate * 20)
    results: dict[str, driver.Report] = {}
    with tempfile.TemporaryDirectory(prefix="anju-load-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        ensure_trained(data_dir / "nlu")
        fakes = stack.FakesProcess()
        try:
            for setup in args.setup:
                print(f"== {setup}: {args.rate:.0f}/s for {args.seconds:.0f} s, {owners} owners", flush=True)
                report = run_setup(setup, args.rate, args.seconds, owners, data_dir, tmp, fakes, args.drain_timeout)
                results[setup] = report
                print(driver.summary(report), flush=True)
        finally:
            fakes.stop()
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    previous.update({f"{k}@{args.rate:.0f}x{args.seconds:.0f}": v.as_dict() for k, v in results.items()})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(previous, indent=1, ensure_ascii=False, default=str))
    print(table(results))
    return 0 if all(r.ok() for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
