"""The load benchmark in short form: real processes, signed webhooks on all channels, nothing lost or doubled.

On SQLite one ``anju serve``; on PostgreSQL ``anju serve --no-worker`` plus two ``anju worker``
processes. The full form, with figures, is ``python -m benchmarks.load``.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.loadgen import driver, stack
from tests.reliability.conftest import Fakes
from tests.reliability.helpers import assert_nothing_lost_nothing_doubled


def test_short_load_loses_and_doubles_nothing(private_db: str, trained_data_dir: Path, platforms: stack.PlatformUrls,
                                              fakes: Fakes, procs: list[stack.AnjuProcess], tmp_path: Path) -> None:
    population = stack.seed(private_db, owners=40)
    port = stack.free_port()
    env = stack.anju_env(private_db, trained_data_dir, port, platforms)
    split = bool(os.environ.get("ANJU_TEST_DATABASE_URL"))
    procs.append(stack.serve_process(env, tmp_path, port, worker=not split).start())
    if split:
        for n in (1, 2):
            procs.append(stack.worker_process(env, tmp_path, f"worker{n}", sweeps=n == 1).start())
    items = driver.plan(population, 90, f"http://127.0.0.1:{port}")
    driver.run_load(items, rate=30)
    assert [i.status for i in items] == [200] * len(items), {i.error for i in items if i.status != 200}
    stack.wait_for(lambda: stack.unfinished(private_db) == 0, "every event processed and reply delivered", 120)
    assert_nothing_lost_nothing_doubled(items, private_db, fakes.deliveries())
    report = driver.analyse(items, fakes.deliveries(), stack.db_counts(private_db), 0.0, 0.0)
    assert report.ok(), driver.summary(report)
