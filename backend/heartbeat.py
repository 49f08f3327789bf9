"""Process heartbeats: every web and worker process rewrites its row every few seconds.

``/readyz`` and ``/metrics`` read them (is any worker alive? how old is its last beat?), and a worker
that starts releases the outbox leases of processes on the same host that died without a clean stop
(``kill -9``), so their claimed sends go out at once instead of after the lease.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.models import WorkerHeartbeat
from backend.outbox import release_leases


def process_name() -> str:
    """This process's heartbeat name: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(session: Session, name: str, *, role: str, now: datetime, info: dict[str, Any] | None = None) -> None:
    """Insert or refresh this process's heartbeat row."""
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        session.add(WorkerHeartbeat(name=name, role=role, started_at=now, beat_at=now, info=info or {}))
    else:
        row.role, row.beat_at = role, now
        if info is not None:
            row.info = info
    session.flush()


def forget(session: Session, name: str) -> None:
    """Remove this process's row on a clean stop."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


def alive(session: Session, *, now: datetime, within: timedelta, role: str | None = None) -> list[WorkerHeartbeat]:
    """Processes whose last beat is at most ``within`` old."""
    stmt = select(WorkerHeartbeat).where(WorkerHeartbeat.beat_at >= now - within)
    if role is not None:
        stmt = stmt.where(WorkerHeartbeat.role == role)
    return list(session.scalars(stmt.order_by(WorkerHeartbeat.name)))


def all_beats(session: Session) -> list[WorkerHeartbeat]:
    """Every heartbeat row, live or stale."""
    return list(session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.name)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def reap_dead(session: Session, *, now: datetime, stale_after: timedelta, self_name: str,
              missed_after: timedelta = timedelta(seconds=8)) -> tuple[list[str], int]:
    """Forget dead processes and release their outbox leases; returns (names reaped, rows released).

    Dead means: on this host, its pid no longer exists and it has missed a beat (``missed_after``, so a
    live process on another machine that happens to share the host name is never taken for dead); or,
    on any host, silent for ``stale_after``.
    """
    host = self_name.rsplit(":", 1)[0]
    dead = []
    for row in all_beats(session):
        if row.name == self_name:
            continue
        row_host, _, pid = row.name.rpartition(":")
        gone_here = (row_host == host and pid.isdigit() and row.beat_at < now - missed_after
                     and not _pid_alive(int(pid)))
        if gone_here or row.beat_at < now - stale_after:
            dead.append(row.name)
    released = release_leases(session, dead, now=now)
    if dead:
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name.in_(dead)))
    return dead, released
