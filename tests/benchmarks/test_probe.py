"""The CPU-per-message benchmark's counters: /proc parsing, the process tree, the in-process probe."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from benchmarks import cpu_per_message as cpm
from benchmarks.probe import hooks


def test_parse_stat_counts_own_and_waited_children_cpu_with_odd_command_names() -> None:
    tick = cpm.CLK_TCK
    # pid (comm) state ppid ... fields 14-17 are utime stime cutime cstime (in clock ticks)
    rest = ["S", "41"] + ["0"] * 9 + [str(3 * tick), str(tick), str(2 * tick), str(tick)] + ["0"] * 30
    raw = f"4242 (anju worker) x) {' '.join(rest)}"
    assert cpm.parse_stat(raw) == (41, 7.0)


def test_tree_cpu_includes_a_child_that_burned_cpu_and_exited() -> None:
    burn = "import time\nwhile time.process_time() < 0.3: pass"
    # the shell waits for python, then becomes `sleep`: python's CPU is now only in the shell's cutime
    parent = subprocess.Popen(["sh", "-c", f"{sys.executable} -c '{burn}'; exec sleep 30"])
    comm = Path(f"/proc/{parent.pid}/comm")
    try:
        for _ in range(600):  # a liveness bound (60 s), not a timing assertion
            if comm.read_text().strip() == "sleep":
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert comm.read_text().strip() == "sleep"
        assert cpm.tree_cpu(parent.pid) >= 0.29
    finally:
        parent.kill()
        parent.wait()


@pytest.fixture
def probe() -> Iterator[None]:
    hooks.counters.clear()
    hooks._patch_sqlalchemy()
    yield
    hooks._unpatch_sqlalchemy()
    hooks.counters.clear()


def test_statements_inside_processing_count_as_process_the_rest_as_other(probe: None) -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))

        def work() -> None:
            conn.execute(text("SELECT 2"))
            inner()  # nested: still one phase, counted once

        inner = hooks._in_phase("process", lambda: conn.execute(text("SELECT 3")))
        hooks._in_phase("process", work)()
        conn.execute(text("SELECT 4"))
        conn.commit()
    assert hooks.counters["sql.process"] == 2
    assert hooks.counters["sql.process.SELECT"] == 2
    assert hooks.counters["sql.other"] == 2
    assert hooks.counters["commit.other"] == 1
    assert "cpu.process" in hooks.counters
    assert hooks.phase() == "other"


def test_worker_patch_times_processing_and_counts_delivery_attempts_by_channel(probe: None) -> None:
    calls: list[str] = []

    class Worker:
        def process_pending(self) -> int:
            calls.append(hooks.phase())
            return self.process_one(1)

        def process_one(self, event_id: int) -> int:
            calls.append(hooks.phase())
            return event_id

        async def _deliver(self, row: object) -> None:
            calls.append(hooks.phase())

    module = types.SimpleNamespace(Worker=Worker)
    hooks._patch_worker(module)
    worker = Worker()
    assert worker.process_pending() == 1
    asyncio.run(worker._deliver(types.SimpleNamespace(channel="telegram")))
    asyncio.run(worker._deliver(types.SimpleNamespace(channel="sms")))
    assert calls == ["process", "process", "other", "other"]
    assert hooks.counters["send.telegram"] == 1 and hooks.counters["send.sms"] == 1
    assert hooks.counters["cpu.process"] >= 0
