"""The probe's hooks: SQL statement/commit counters per phase and the CPU of inbound processing.

Installed by :func:`install` at interpreter start (from ``sitecustomize``) before Anju is imported, so the
patches use import hooks on ``sqlalchemy`` and ``bot.worker`` rather than importing them eagerly.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from functools import wraps
from pathlib import Path
from typing import Any

_local = threading.local()
_lock = threading.Lock()
counters: Counter[str] = Counter()


def phase() -> str:
    """The phase of the current thread: ``process`` inside inbound processing, else ``other``."""
    return getattr(_local, "phase", None) or "other"


def _count(key: str, n: float = 1) -> None:
    with _lock:
        counters[key] += n


def _on_execute(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    p = phase()
    _count(f"sql.{p}")
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
    _count(f"sql.{p}.{verb}")


def _on_commit(conn: Any) -> None:
    _count(f"commit.{phase()}")


def _in_phase(name: str, fn: Any) -> Any:
    """Wrap ``fn`` so its thread CPU and statements count as ``name`` (outermost call on a thread only)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if getattr(_local, "phase", None):
            return fn(*args, **kwargs)
        _local.phase = name
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _count(f"cpu.{name}", time.thread_time() - t0)
            _local.phase = None

    return wrapper


def _patch_sqlalchemy() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    for target, name, fn in _listeners(Engine, Pool):
        event.listen(target, name, fn)


def _unpatch_sqlalchemy() -> None:
    """Remove the listeners again (tests)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    for target, name, fn in _listeners(Engine, Pool):
        event.remove(target, name, fn)


def _on_connect(*_: Any) -> None:  # a new DBAPI connection
    _count(f"connect.{phase()}")


def _on_checkout(*_: Any) -> None:  # a connection taken from the pool (pre-pinged on PostgreSQL)
    _count(f"checkout.{phase()}")


def _listeners(engine: Any, pool: Any) -> list[tuple[Any, str, Any]]:
    return [(engine, "before_cursor_execute", _on_execute), (engine, "commit", _on_commit),
            (pool, "connect", _on_connect), (pool, "checkout", _on_checkout)]


def _patch_worker(module: Any) -> None:
    worker = module.Worker
    worker.process_pending = _in_phase("process", worker.process_pending)
    worker.process_one = _in_phase("process", worker.process_one)
    original = worker._deliver

    @wraps(original)
    async def deliver(self: Any, row: Any) -> None:
        _count(f"send.{row.channel}")
        await original(self, row)

    worker._deliver = deliver


class _AfterImport:
    """A meta-path finder that runs a callback once a given module has been imported."""

    def __init__(self, name: str, callback: Any) -> None:
        self.name, self.callback = name, callback

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def run(module: Any) -> None:
            exec_module(module)
            self.callback(module)

        loader.exec_module = run  # type: ignore[method-assign]
        return spec


def _dump_forever(path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    while True:
        with _lock:
            data = dict(counters)
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
        time.sleep(0.25)


def install(directory: str) -> None:
    """Hook SQLAlchemy and the worker, and start the thread that writes the counters."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    _patch_sqlalchemy()
    sys.meta_path.insert(0, _AfterImport("bot.worker", _patch_worker))
    threading.Thread(target=_dump_forever, args=(out / f"{os.getpid()}.json",), daemon=True,
                     name="bench-probe").start()
