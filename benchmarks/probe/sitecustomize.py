"""Benchmark probe, loaded into real ``anju`` processes through ``PYTHONPATH`` (Python imports ``sitecustomize``).

Active only when ``ANJU_BENCH_PROBE_DIR`` is set (``benchmarks.cpu_per_message`` sets both). It counts, per
phase, SQL statements and commits (SQLAlchemy engine events) and the thread CPU spent processing inbound
events (``Worker.process_pending`` / ``Worker.process_one``); everything else a worker does is delivery,
everything a web-only process does is accepting. The counters are written every 0.25 s to
``$ANJU_BENCH_PROBE_DIR/<pid>.json``. Nothing in Anju imports this; production never loads it.
"""

from __future__ import annotations

import os

if os.environ.get("ANJU_BENCH_PROBE_DIR"):
    from benchmarks.probe import hooks

    hooks.install(os.environ["ANJU_BENCH_PROBE_DIR"])
