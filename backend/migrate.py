"""Alembic migrations, applied by one process at a time.

- :func:`upgrade` holds a lock while it migrates: a PostgreSQL advisory lock (every process on every
  host sees it) or, for SQLite, an exclusive ``flock`` on ``<database>.migrate.lock``. Processes that
  start together queue on the lock; the first migrates, the others then find nothing to do.
- :func:`state` tells what a database is: ``current``, ``pending`` (ours, behind), ``empty`` (no tables),
  ``foreign`` (tables but not ours, or a revision we do not know: a newer release or another app),
  or ``missing`` (a SQLite file that does not exist).
- :func:`ensure_ready` is what ``serve``/``worker``/admin commands call: in ``prod`` they refuse anything
  but ``current``; in ``dev`` they migrate a ``pending`` database; nobody creates a new SQLite file or
  migrates a foreign database by accident.

Downgrades are not run by the application: restore the backup taken before the upgrade (docs/deploy.md).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, NullPool, inspect, text
from sqlalchemy.engine import make_url

from backend.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ADVISORY_KEY = 0x616E6A75  # "anju"
STATES = ("current", "pending", "empty", "foreign", "missing")


class DatabaseNotReady(RuntimeError):
    """The database cannot be used as it is; the message says what to run."""


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision this release ships."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision this release ships."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def state(url: str) -> tuple[str, str | None]:
    """``(state, revision)`` of the database at ``url`` (see the module docstring); never creates a file."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return "missing", None
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables:
                return ("empty" if not tables else "foreign"), None
            rev = _revision(conn)
    finally:
        engine.dispose()
    if rev is None:
        return ("empty" if tables == {"alembic_version"} else "foreign"), None
    if rev not in known_revisions():
        return "foreign", rev
    return ("current" if rev == head_revision() else "pending"), rev


def current(url: str) -> str | None:
    """The revision the database is at (None when unmigrated or missing)."""
    return state(url)[1]


@contextmanager
def _sqlite_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.migrate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``, holding the migration lock.

    Creates the SQLite file if needed: callers decide whether that is wanted (:func:`ensure_ready`).
    """
    path = sqlite_path(url)
    if path is not None:
        with _sqlite_lock(path):
            command.upgrade(alembic_config(url), revision)
        return
    if not make_url(url).drivername.startswith("postgresql"):
        command.upgrade(alembic_config(url), revision)  # in-memory SQLite and the like: nobody to race
        return
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            conn.commit()
            try:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                conn.commit()
    finally:
        engine.dispose()


def describe(url: str) -> str:
    """A URL fit for messages: no password."""
    return make_url(url).render_as_string(hide_password=True)


def ensure_ready(url: str, *, env: str, create: bool = False, migrate: bool | None = None) -> str:
    """Make sure the database can be used; returns its state after any migration.

    Args:
        url: The database URL.
        env: ``dev`` or ``prod``.
        create: The caller may create/migrate an empty database (``serve --demo``, ``db upgrade``).
        migrate: Migrate a pending database of ours; default: in dev only.

    Raises:
        DatabaseNotReady: with a one-line explanation of what to run.
    """
    migrate = (env != "prod") if migrate is None else migrate
    st, rev = state(url)
    where = describe(url)
    if st == "current":
        return st
    if st == "foreign":
        detail = f"at unknown revision {rev}" if rev else "it has tables that are not Anju's"
        raise DatabaseNotReady(f"refusing to use {where}: {detail} (wrong ANJU_DATABASE_URL, or a newer release?)")
    if st in ("missing", "empty") and not create:
        what = "does not exist" if st == "missing" else "has no Anju tables"
        raise DatabaseNotReady(f"the database {where} {what}: check ANJU_DATABASE_URL (and the working "
                               "directory for a relative SQLite path), or create it with `anju db upgrade`")
    if st == "pending" and not (migrate or create):
        raise DatabaseNotReady(f"the database {where} is at revision {rev}, this release needs {head_revision()}: "
                               "run `anju db upgrade` (after a backup) before starting")
    upgrade(url)
    return "current"
