"""CPU per message: the load mix through real ``anju serve --no-worker`` + ``anju worker`` processes.

Counts the CPU seconds of Anju's own processes only (``utime + stime`` from ``/proc/<pid>/stat``, children
included, live or exited; the fake platforms and this load generator are other processes and are not counted)
and divides by the messages processed. Per phase:

  accept   the web process (``anju serve --no-worker``): verify, parse, store, answer the webhook
  process  inbound processing in the workers (thread CPU of ``Worker.process_pending``/``process_one``,
           measured inside the process by the probe, :mod:`benchmarks.probe`)
  deliver  the rest of the workers' CPU: outbox claim, platform sends, recording the results

and "busy": the total less what the idle polling loops cost over the batch's wall time (measured for 2 s
before it), since that grows with the machine's load rather than with the messages; plus SQL statements and
commits per message per phase (SQLAlchemy engine events, counted by the probe which
``PYTHONPATH`` loads into the real processes when ``ANJU_BENCH_PROBE_DIR`` is set), and platform HTTP requests
per message (as the fake platforms saw them) against deliveries (messages the platforms accepted).

Each run: fresh database, seed owners (about three messages each), start the processes, send a warm-up batch
and wait for it to drain (imports, NLU load, first connections), then snapshot, send ``--messages`` at
``--rate`` per second (open loop), wait until everything is processed and delivered, snapshot again.
Workers run with ``--no-sweeps`` (sweeps cost time, not messages).

    .venv/bin/python -m benchmarks.cpu_per_message --setup sqlite pg1 pg2 --messages 600 --repeat 3

Writes ``benchmarks/results/cpu_per_message.json`` (every run) and ``cpu_per_message.md`` (the medians).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu import ensure_trained
from tests.loadgen import driver, stack

PG_URL = os.environ.get("ANJU_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RESULTS = Path(__file__).resolve().parent / "results"
PROBE = Path(__file__).resolve().parent / "probe"
CLK_TCK = os.sysconf("SC_CLK_TCK")
SETUPS = {"sqlite": ("sqlite", 1), "pg1": ("pg", 1), "pg2": ("pg", 2)}
SEND_PATHS = ("send", "Messages.json", "sendMessage", "sendPhoto")  # last path segments that deliver a message


# ------------------------------------------------------------------------------------------- /proc
def parse_stat(raw: str) -> tuple[int, float]:
    """(parent pid, CPU seconds) from the text of ``/proc/<pid>/stat``.

    CPU = utime + stime of the process (all its threads) + cutime + cstime (its children that have exited and
    been waited for), so the CPU of short-lived children is not lost when they exit.
    """
    fields = raw[raw.rindex(")") + 2:].split()  # the command name may contain spaces and parentheses
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / CLK_TCK


def _stat(pid: int) -> tuple[int, float] | None:
    """:func:`parse_stat` of ``pid``, None when it is gone."""
    try:
        return parse_stat(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return None


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and of its live descendants."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            got = _stat(int(entry.name))
            if got is not None:
                parents[int(entry.name)], cpu[int(entry.name)] = got
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += cpu.get(current, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return total


def probe_counters(probe_dir: Path, pid: int) -> dict[str, float]:
    """The probe's counters of process ``pid`` (empty before its first dump)."""
    path = probe_dir / f"{pid}.json"
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def _delta(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    keys = set(after) | set(before)
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)}


# ------------------------------------------------------------------------------------------- runs
def owners_for(messages: int, warmup: int) -> int:
    """How many owners to seed: about three messages each."""
    return max(50, (messages + warmup) // 3)


def planned_messages(messages: int, tmp: Path, warmup: int = 30) -> list[tuple[str, str]]:
    """The (sender, text) pairs :func:`run_setup` sends, without running Anju (a throwaway SQLite population)."""
    where = tmp / f"plan-{time.time_ns()}"
    where.mkdir(parents=True)
    with stack.fresh_database("sqlite", where) as url:
        population = stack.seed(url, owners_for(messages, warmup))
    return [(i.user, i.text) for i in driver.plan(population, messages, "http://127.0.0.1:1", seed=7)]


@dataclass
class Run:
    """The figures of one measured batch (all per message unless named otherwise)."""

    setup: str
    messages: int
    processed: int
    deliveries: int
    wall_s: float
    throughput: float  # messages processed per second, first send to drained
    cpu_ms: dict[str, float]  # accept / process / deliver / total
    sql: dict[str, float]  # statements per message by phase
    commits: dict[str, float]
    requests: dict[str, float]  # platform HTTP requests per message, by "platform path"
    sends_per_message: float  # requests that deliver a message
    deliveries_per_message: float
    attempts: dict[str, int]  # Worker._deliver calls by channel
    idle_ms_per_s: float  # all Anju processes together, while idle
    lost: int
    doubled: int
    missing: int
    load: float
    notes: list[str] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (sender, text) of the batch

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (without the batch's texts)."""
        return {k: v for k, v in self.__dict__.items() if k != "sent"}


def _send_count(counts: dict[str, float]) -> float:
    return sum(n for key, n in counts.items() if key.split(" ", 1)[1] in SEND_PATHS)


def run_setup(setup: str, messages: int, rate: float, tmp: Path, data_dir: Path, fakes: stack.FakesProcess,
              *, warmup: int = 30, drain_timeout: float = 600.0) -> Run:
    """One measured batch on ``setup`` (``sqlite``, ``pg1``, ``pg2``): the messages of ``driver.plan(seed=7)``."""
    kind, workers = SETUPS[setup]
    fakes.reset()
    log_dir = tmp / f"{setup}-{time.time():.0f}"
    probe_dir = log_dir / "probe"
    log_dir.mkdir(parents=True)
    with stack.fresh_database(kind, log_dir, PG_URL) as url:
        population = stack.seed(url, owners_for(messages, warmup))
        port = stack.free_port()
        extra = {"ANJU_BENCH_PROBE_DIR": str(probe_dir),
                 "PYTHONPATH": os.pathsep.join([str(PROBE), str(stack.ROOT), os.environ.get("PYTHONPATH", "")])}
        env = stack.anju_env(url, data_dir, port, fakes.urls, extra)
        web = stack.serve_process(env, log_dir, port, worker=False)
        procs = [web] + [stack.worker_process(env, log_dir, f"worker{n}", sweeps=False) for n in range(workers)]
        base = f"http://127.0.0.1:{port}"
        try:
            for proc in procs:
                proc.start()
            warm = driver.plan(population, warmup, base, seed=1)
            driver.run_load(warm, 20.0)
            stack.wait_for(lambda: stack.unfinished(url) == 0, "the warm-up to drain", drain_timeout, 0.2)
            time.sleep(1.0)
            idle0, t_idle = sum(tree_cpu(p.pid) for p in procs), time.monotonic()
            time.sleep(2.0)
            idle_ms_per_s = (sum(tree_cpu(p.pid) for p in procs) - idle0) * 1000 / (time.monotonic() - t_idle)

            items = driver.plan(population, messages, base, seed=7)
            done0 = stack.db_counts(url).inbound.get("done", 0)
            cpu0 = {p.pid: tree_cpu(p.pid) for p in procs}
            probe0 = {p.pid: probe_counters(probe_dir, p.pid) for p in procs}
            req0 = fakes.request_counts()
            delivered0 = len(fakes.deliveries())
            load = os.getloadavg()[0]
            started = time.time()
            lag = driver.run_load(items, rate)
            stack.wait_for(lambda: stack.unfinished(url) == 0, "the backlog to drain", drain_timeout, 0.05)
            drained = time.time()
            cpu1 = {p.pid: tree_cpu(p.pid) for p in procs}
            time.sleep(0.6)  # one more probe dump
            probe1 = {p.pid: probe_counters(probe_dir, p.pid) for p in procs}
            req = _delta(fakes.request_counts(), req0)
            all_deliveries = fakes.deliveries()
            counts = stack.db_counts(url)
            report = driver.analyse(warm + items, all_deliveries, counts, drained, lag)
        finally:
            for proc in procs:
                proc.stop()
    processed = counts.inbound.get("done", 0) - done0
    n = max(processed, 1)
    deltas = {pid: _delta(probe1[pid], probe0[pid]) for pid in probe0}
    worker_pids = [p.pid for p in procs[1:]]
    accept_cpu = cpu1[web.pid] - cpu0[web.pid]
    worker_cpu = sum(cpu1[pid] - cpu0[pid] for pid in worker_pids)
    process_cpu = sum(deltas[pid].get("cpu.process", 0.0) for pid in worker_pids)
    phase_of = {"accept": [web.pid], "process": worker_pids, "deliver": worker_pids}
    key_of = {"accept": "other", "process": "process", "deliver": "other"}
    sql = {ph: sum(deltas[pid].get(f"sql.{key_of[ph]}", 0) for pid in pids) / n for ph, pids in phase_of.items()}
    commits = {ph: sum(deltas[pid].get(f"commit.{key_of[ph]}", 0) for pid in pids) / n
               for ph, pids in phase_of.items()}
    for table in (sql, commits):
        table["total"] = sum(table.values())
    pool = {f"{what}.{ph}": round(sum(deltas[pid].get(f"{what}.{key_of[ph]}", 0) for pid in pids) / n, 2)
            for what in ("connect", "checkout") for ph, pids in phase_of.items()}
    verbs = {ph: {k.split(".", 2)[2]: round(sum(deltas[pid].get(k, 0) for pid in pids) / n, 2)
                  for k in {k for pid in pids for k in deltas[pid] if k.startswith(f"sql.{key_of[ph]}.")}}
             for ph, pids in phase_of.items()}
    attempts: dict[str, int] = {}
    for pid in worker_pids:
        for key, value in deltas[pid].items():
            if key.startswith("send."):
                attempts[key[5:]] = attempts.get(key[5:], 0) + int(value)
    deliveries = len(all_deliveries) - delivered0
    cpu_ms = {"accept": accept_cpu * 1000 / n, "process": process_cpu * 1000 / n,
              "deliver": (worker_cpu - process_cpu) * 1000 / n, "total": (accept_cpu + worker_cpu) * 1000 / n}
    # The idle loops (inbound and outbox polls every 0.25 s) cost the same per second whatever the traffic: on a
    # loaded machine a batch takes longer and they weigh more per message. "busy" takes them out.
    cpu_ms["busy"] = cpu_ms["total"] - idle_ms_per_s * (drained - started) / n
    run = Run(setup=setup, messages=len(items), processed=processed, deliveries=deliveries,
              wall_s=drained - started, throughput=processed / max(drained - started, 1e-9), cpu_ms=cpu_ms,
              sql=sql, commits=commits, requests={k: v / n for k, v in sorted(req.items())},
              sends_per_message=_send_count(req) / n, deliveries_per_message=deliveries / n, attempts=attempts,
              idle_ms_per_s=idle_ms_per_s, lost=report.lost, doubled=report.doubled_recipients,
              missing=report.missing_recipients, load=load,
              notes=[f"statements by verb: {json.dumps(verbs)}",
                     f"pool per message: {json.dumps(pool)}", f"generator lag {lag:.2f} s"],
              sent=[(item.user, item.text) for item in items])
    if processed != len(items):
        run.notes.append(f"processed {processed} of {len(items)} sent (refused {report.refused})")
    return run


# ------------------------------------------------------------------------------------------- report
def median_of(runs: list[Run], get: Any) -> float:
    """The median of ``get(run)`` over ``runs``."""
    return statistics.median(get(r) for r in runs)


def table(by_setup: dict[str, list[Run]]) -> str:
    """A Markdown table of the medians per setup."""
    rows = ["| setup | runs | CPU ms/msg: accept / process / deliver / **total** (busy) "
            "| SQL stmts/msg: accept / process / deliver | commits/msg | platform requests/msg | deliveries/msg "
            "| processed/s | lost / doubled | load |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for setup, runs in by_setup.items():
        c = {k: median_of(runs, lambda r, k=k: r.cpu_ms[k]) for k in ("accept", "process", "deliver", "total", "busy")}
        s = {k: median_of(runs, lambda r, k=k: r.sql[k]) for k in ("accept", "process", "deliver")}
        rows.append(
            f"| {setup} | {len(runs)} | {c['accept']:.1f} / {c['process']:.1f} / {c['deliver']:.1f} / "
            f"**{c['total']:.1f}** ({c['busy']:.1f}) | {s['accept']:.1f} / {s['process']:.1f} / {s['deliver']:.1f} | "
            f"{median_of(runs, lambda r: r.commits['total']):.1f} | "
            f"{median_of(runs, lambda r: r.sends_per_message):.2f} "
            f"| {median_of(runs, lambda r: r.deliveries_per_message):.2f} | "
            f"{median_of(runs, lambda r: r.throughput):.0f} | {sum(r.lost for r in runs)} / "
            f"{sum(r.doubled for r in runs)} | {median_of(runs, lambda r: r.load):.1f} |")
    return "\n".join(rows)


def save(runs: list[Run], by_setup: dict[str, list[Run]], out: Path, title: str) -> None:
    """Append the runs to ``<out>.json`` and write the medians table to ``<out>.md``."""
    json_path = out.with_suffix(".json")
    previous = json.loads(json_path.read_text()) if json_path.exists() else []
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    previous.extend({"at": stamp, **r.as_dict()} for r in runs)
    out.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(previous, indent=1, ensure_ascii=False))
    detail = "\n".join(
        f"- {r.setup}: {r.cpu_ms['total']:.1f} ms/msg, "
        f"requests {json.dumps({k: round(v, 2) for k, v in r.requests.items()})}"
        f", attempts {r.attempts}, idle {r.idle_ms_per_s:.1f} ms/s; {'; '.join(r.notes)}" for r in runs)
    out.with_suffix(".md").write_text(f"# {title}\n\nMeasured {stamp} (medians; load = 1-min load average at the "
                                      f"start of each run).\n\n{table(by_setup)}\n\n## Runs\n{detail}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen setups ``--repeat`` times, print the medians table, save the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", nargs="+", default=["sqlite", "pg1"], choices=sorted(SETUPS))
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=50.0, help="offered webhooks per second")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "cpu_per_message")
    args = parser.parse_args(argv)
    by_setup: dict[str, list[Run]] = {s: [] for s in args.setup}
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="anju-cpu-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        ensure_trained(data_dir / "nlu")
        fakes = stack.FakesProcess()
        try:
            for round_ in range(args.repeat):
                for setup in args.setup:
                    run = run_setup(setup, args.messages, args.rate, tmp, data_dir, fakes)
                    runs.append(run)
                    by_setup[setup].append(run)
                    print(f"[{round_ + 1}/{args.repeat}] {setup}: {run.cpu_ms['total']:.1f} ms/msg "
                          f"(accept {run.cpu_ms['accept']:.1f}, process {run.cpu_ms['process']:.1f}, deliver "
                          f"{run.cpu_ms['deliver']:.1f}); SQL {run.sql['total']:.1f}/msg; sends "
                          f"{run.sends_per_message:.2f}/msg; {run.throughput:.0f} msg/s; load {run.load:.1f}; "
                          f"lost {run.lost} doubled {run.doubled}", flush=True)
        finally:
            fakes.stop()
    print(table(by_setup))
    save(runs, by_setup, args.out, "CPU per message (benchmarks/cpu_per_message.py)")
    return 0 if all(r.lost == 0 and r.doubled == 0 and r.missing == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
