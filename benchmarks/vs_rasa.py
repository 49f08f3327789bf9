"""Anju against a Rasa REST-channel server: the same messages, on the same machine, in the same run.

Rasa side: a minimal Rasa 3.6 assistant (4 intents: repair, complaint, enquiry, emergency, drawn from
``nlu/data/train_*.yml``; one text response per intent through rules; a DIET model) served by ``rasa run``
with the REST channel (``POST /webhooks/rest/webhook``, the reply comes back in the answer) and a tracker store
on SQLite (``--tracker memory`` adds an in-memory run). It classifies and answers; it stores no tickets, has no
outbox and sends nothing to any platform. Anju side: :func:`benchmarks.cpu_per_message.run_setup` (real
``anju serve --no-worker`` + ``anju worker``, delivering everything to the fake platforms).

Both get the messages of ``driver.plan(seed=7)`` (same texts, same senders, same order), after a warm-up,
offered open loop at ``--rate`` per second. CPU per message = ``utime + stime`` of the server's own processes
(``/proc``) over the batch / messages; throughput = messages / (first send to last reply, or to the last event
processed and delivered for Anju).

The Rasa venv is the project's (``nlu.rasa_setup.ensure_venv``, ``~/.cache/anju/rasa-venv``); the model is
trained once and cached under ``~/.cache/anju/rasa-models/vs-rasa/`` by a hash of its files. When the venv
cannot be had (no Python 3.10, no registry) the Rasa columns are skipped with the reason, and Anju still runs.

    .venv/bin/python -m benchmarks.vs_rasa --anju sqlite pg1 --tracker sql memory --messages 600 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import yaml

from benchmarks import cpu_per_message as cpm
from nlu import ensure_trained
from nlu.rasa_engine import labels_from_rasa
from tests.loadgen import stack

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path.home() / ".cache" / "anju" / "rasa-models" / "vs-rasa"
INTENTS = ("repair", "complaint", "enquiry", "emergency")
EXAMPLES_PER_INTENT = 80
EPOCHS = 30
REPLIES = {
    "repair": "收到您的报修，我们会尽快安排维修师傅。",
    "complaint": "非常抱歉给您带来不便，您的投诉我们已记录。",
    "enquiry": "您好，关于您的问题，客服会尽快答复您。",
    "emergency": "已收到紧急情况，值班工程师马上处理，请注意安全！",
}


# ------------------------------------------------------------------------------------------ project
def project_files() -> dict[str, str]:
    """The Rasa project (config, domain, rules, NLU data) as ``{relative path: text}``."""
    from nlu.rasa_setup import DATA_DIR, load_examples, training_files

    by_label = load_examples(training_files(DATA_DIR))
    pools: dict[str, list[str]] = {i: [] for i in INTENTS}
    for name, texts in sorted(by_label.items()):
        intent, _category, urgency = labels_from_rasa(name)
        target = "emergency" if urgency == "emergency" else intent
        if target in pools:
            pools[target].extend(texts)
    nlu = {"version": "3.1", "nlu": [
        {"intent": i, "examples": "".join(f"- {t}\n" for t in pools[i][:: max(1, len(pools[i]) // EXAMPLES_PER_INTENT)]
                                          [:EXAMPLES_PER_INTENT])}
        for i in INTENTS]}
    rules = {"version": "3.1", "rules": [{"rule": f"answer {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]}
                                         for i in INTENTS]}
    domain = {"version": "3.1", "intents": list(INTENTS),
              "responses": {f"utter_{i}": [{"text": REPLIES[i]}] for i in INTENTS},
              "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}
    config = {"recipe": "default.v1", "assistant_id": "anju-vs-rasa", "language": "zh", "pipeline": [
        {"name": "JiebaTokenizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "word"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": EPOCHS, "entity_recognition": False, "random_seed": 42},
    ], "policies": [{"name": "RulePolicy"}]}
    dump = lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False)  # noqa: E731
    return {"config.yml": dump(config), "domain.yml": dump(domain), "data/nlu.yml": dump(nlu),
            "data/rules.yml": dump(rules), "credentials.yml": "rest:\n"}


def rasa_venv() -> tuple[Path | None, str]:
    """The project's Rasa venv (installing it when missing), or (None, why not)."""
    from nlu.rasa_setup import RasaSetupError, ensure_venv

    try:
        return ensure_venv(), ""
    except (RasaSetupError, OSError) as exc:
        return None, str(exc)


def trained_model(venv: Path, work: Path) -> Path:
    """The model for :func:`project_files`, trained into :data:`CACHE` unless already there."""
    from nlu.rasa_setup import rasa_env

    files = project_files()
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    model = CACHE / f"anju-vs-rasa-{digest}.tar.gz"
    project = CACHE / f"project-{digest}"
    for rel, text in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    if model.exists():
        return model
    print(f"training the Rasa model ({EPOCHS} epochs, {EXAMPLES_PER_INTENT} examples per intent)...", flush=True)
    started = time.monotonic()
    subprocess.run([str(venv / "bin" / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
                    "--data", "data", "--out", str(CACHE), "--fixed-model-name", model.name.removesuffix(".tar.gz")],
                   cwd=project, env=rasa_env(work), check=True, stdout=subprocess.DEVNULL)
    print(f"trained {model.name} in {time.monotonic() - started:.0f} s", flush=True)
    return model


@dataclass
class RasaServer:
    """One ``rasa run`` process with the REST channel and the chosen tracker store."""

    venv: Path
    model: Path
    tracker: str  # "sql" (SQLite file) or "memory"
    work: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300.0) -> RasaServer:
        """Start it and wait until the REST channel answers a message."""
        from nlu.rasa_setup import rasa_env

        self.port = stack.free_port()
        self.work.mkdir(parents=True, exist_ok=True)
        endpoints = "lock_store:\n  type: in_memory\n"
        if self.tracker == "sql":
            endpoints += f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.work / 'tracker.db'}\n"
        (self.work / "endpoints.yml").write_text(endpoints)
        (self.work / "credentials.yml").write_text("rest:\n")
        log = (self.work / "rasa.log").open("ab")
        self.proc = subprocess.Popen(
            [str(self.venv / "bin" / "rasa"), "run", "-m", str(self.model), "-i", "127.0.0.1", "-p", str(self.port),
             "--endpoints", str(self.work / "endpoints.yml"), "--credentials", str(self.work / "credentials.yml")],
            cwd=self.work, env=rasa_env(self.work), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        stack.wait_for(self._answers, f"rasa run on {self.port} (log {self.work / 'rasa.log'})", timeout, 1.0)
        return self

    def _answers(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"rasa run exited with {self.proc.returncode}; see {self.work / 'rasa.log'}")
        try:
            r = httpx.post(self.url, json={"sender": "warmup", "message": "你好"}, timeout=5.0)
            return r.status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def url(self) -> str:
        """The REST channel's webhook."""
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


async def _rasa_load(url: str, messages: list[tuple[str, str]], rate: float) -> tuple[float, int, int]:
    """Open loop at ``rate``: (seconds from first send to last answer, answered with a reply, errors)."""
    replied = errors = 0

    async def one(session: aiohttp.ClientSession, sender: str, text: str) -> None:
        nonlocal replied, errors
        try:
            async with session.post(url, json={"sender": sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=120)) as resp:
                body = await resp.json()
                replied += bool(resp.status == 200 and body)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            errors += 1

    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.05
        tasks = []
        for i, (sender, text) in enumerate(messages):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, sender, text)))
        await asyncio.gather(*tasks)
        return loop.time() - start, replied, errors


@dataclass
class RasaRun:
    """One batch through Rasa."""

    tracker: str
    messages: int
    replied: int
    errors: int
    cpu_ms: float
    throughput: float
    load: float
    notes: list[str] = field(default_factory=list)


def run_rasa(server: RasaServer, messages: list[tuple[str, str]], warmup: list[tuple[str, str]],
             rate: float) -> RasaRun:
    """Warm up, then one measured batch; CPU of the ``rasa run`` process tree."""
    assert server.proc is not None
    asyncio.run(_rasa_load(server.url, warmup, 20.0))
    load = os.getloadavg()[0]
    cpu0 = cpm.tree_cpu(server.proc.pid)
    wall, replied, errors = asyncio.run(_rasa_load(server.url, messages, rate))
    cpu = cpm.tree_cpu(server.proc.pid) - cpu0
    return RasaRun(server.tracker, len(messages), replied, errors, cpu * 1000 / len(messages),
                   len(messages) / wall, load)


# ------------------------------------------------------------------------------------------ report
def table(anju: dict[str, list[cpm.Run]], rasa: dict[str, list[RasaRun]], skipped: str) -> str:
    """Medians side by side, with Anju's CPU as a fraction of each Rasa variant's."""
    rows = ["| server | runs | CPU ms/msg | msg/s | persists + delivers | load |", "|---|---|---|---|---|---|"]
    for setup, runs in anju.items():
        rows.append(f"| Anju {setup} | {len(runs)} | {cpm.median_of(runs, lambda r: r.cpu_ms['total']):.1f} | "
                    f"{cpm.median_of(runs, lambda r: r.throughput):.0f} | tickets, outbox, "
                    f"{cpm.median_of(runs, lambda r: r.deliveries_per_message):.2f} sends/msg | "
                    f"{cpm.median_of(runs, lambda r: r.load):.1f} |")
    for tracker, rruns in rasa.items():
        rows.append(f"| Rasa 3.6 REST, {tracker} tracker | {len(rruns)} | "
                    f"{statistics.median(r.cpu_ms for r in rruns):.1f} | "
                    f"{statistics.median(r.throughput for r in rruns):.0f} | tracker only, reply in the answer | "
                    f"{statistics.median(r.load for r in rruns):.1f} |")
    if skipped:
        rows.append(f"\nRasa skipped: {skipped}")
    ratios = []
    for setup, runs in anju.items():
        a_cpu = cpm.median_of(runs, lambda r: r.cpu_ms["total"])
        a_tp = cpm.median_of(runs, lambda r: r.throughput)
        for tracker, rruns in rasa.items():
            r_cpu = statistics.median(r.cpu_ms for r in rruns)
            r_tp = statistics.median(r.throughput for r in rruns)
            ratios.append(f"- Anju {setup} / Rasa {tracker}: CPU per message {a_cpu / r_cpu:.2f}x "
                          f"(Rasa costs {r_cpu / a_cpu:.1f}x Anju), throughput {a_tp / r_tp:.2f}x")
    return "\n".join(rows + ([""] + ratios if ratios else []))


def main(argv: list[str] | None = None) -> int:
    """Run Anju's setups and Rasa's trackers alternately ``--repeat`` times; print and save the medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--anju", nargs="*", default=["sqlite"], choices=sorted(cpm.SETUPS))
    parser.add_argument("--tracker", nargs="*", default=["sql"], choices=["sql", "memory"])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=50.0, help="offered messages per second, both servers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-rasa", action="store_true", help="skip Rasa (as when its venv is missing)")
    parser.add_argument("--out", type=Path, default=RESULTS / "vs_rasa")
    args = parser.parse_args(argv)
    anju: dict[str, list[cpm.Run]] = {s: [] for s in args.anju}
    rasa: dict[str, list[RasaRun]] = {}
    skipped = "--no-rasa" if args.no_rasa else ""
    venv = None
    if not args.no_rasa and args.tracker:
        venv, skipped = rasa_venv()
        if venv is None:
            print(f"Rasa skipped: its venv is not available ({skipped}); measuring Anju only", flush=True)
    with tempfile.TemporaryDirectory(prefix="anju-vs-rasa-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        ensure_trained(data_dir / "nlu")
        model = None
        if venv is not None:
            try:
                model = trained_model(venv, tmp / "rasa-train")
            except (subprocess.CalledProcessError, OSError) as exc:
                skipped = f"training the Rasa model failed: {exc}"
                print(f"Rasa skipped: {skipped}", flush=True)
        fakes = stack.FakesProcess()
        try:
            for round_ in range(args.repeat):
                batch: list[tuple[str, str]] = []
                for setup in args.anju:
                    run = cpm.run_setup(setup, args.messages, args.rate, tmp, data_dir, fakes)
                    anju[setup].append(run)
                    batch = run.sent
                    print(f"[{round_ + 1}/{args.repeat}] Anju {setup}: {run.cpu_ms['total']:.1f} ms/msg, "
                          f"{run.throughput:.0f} msg/s, load {run.load:.1f}", flush=True)
                if model is None or venv is None:
                    continue
                if not batch:  # no Anju setup chosen: the same plan, from a throwaway population
                    batch = cpm.planned_messages(args.messages, tmp)
                for tracker in args.tracker:
                    server = RasaServer(venv, model, tracker, tmp / f"rasa-{tracker}-{round_}").start()
                    try:
                        warm = [(f"warm{i}", t) for i, (_, t) in enumerate(batch[:30])]
                        rrun = run_rasa(server, batch, warm, args.rate)
                    finally:
                        server.stop()
                    rasa.setdefault(tracker, []).append(rrun)
                    print(f"[{round_ + 1}/{args.repeat}] Rasa {tracker}: {rrun.cpu_ms:.1f} ms/msg, "
                          f"{rrun.throughput:.0f} msg/s, replied {rrun.replied}/{rrun.messages}, "
                          f"load {rrun.load:.1f}", flush=True)
        finally:
            fakes.stop()
    text = table(anju, rasa, skipped)
    print(text)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    json_path = args.out.with_suffix(".json")
    previous = json.loads(json_path.read_text()) if json_path.exists() else []
    previous.append({"at": stamp, "rate": args.rate, "messages": args.messages, "skipped": skipped,
                     "anju": {k: [r.as_dict() for r in v] for k, v in anju.items()},
                     "rasa": {k: [r.__dict__ for r in v] for k, v in rasa.items()}})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(previous, indent=1, ensure_ascii=False))
    args.out.with_suffix(".md").write_text(
        f"# Anju vs Rasa (benchmarks/vs_rasa.py)\n\nMeasured {stamp}: {args.messages} messages of the load mix "
        f"per batch, offered at {args.rate:.0f}/s to each server, medians of {args.repeat} alternating rounds; "
        f"load = 1-min load average at the start of each batch.\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
