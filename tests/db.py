"""Database fixtures: SQLite by default, PostgreSQL when ``ANJU_TEST_DATABASE_URL`` is set.

The schema is built once per session through the Alembic migration (so the migration is tested
too); each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, NullPool, text
from sqlalchemy.orm import Session

from backend.db import make_engine
from backend.migrate import upgrade
from backend.models import Base


def database_url_for(tmp_dir: Path) -> str:
    """The database the suite runs on: a file in ``tmp_dir``, or ``ANJU_TEST_DATABASE_URL``.

    On PostgreSQL each test session gets its own schema (``search_path``), so parallel runs on one
    database never see each other's tables.
    """
    url = os.environ.get("ANJU_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    schema = f"anju_test_{os.getpid()}"
    engine = make_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(url: str) -> None:
    """Remove the per-session PostgreSQL schema."""
    if "search_path%3D" not in url:
        return
    base, schema = url.split("options=-csearch_path%3D")
    engine = make_engine(base.rstrip("?&"), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated, empty database for the whole test session."""
    url = database_url_for(tmp_path_factory.mktemp("db"))
    upgrade(url)
    yield url
    drop_schema(url)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    """The session-wide engine."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    conn = engine.connect()
    trans = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        trans.rollback()
        conn.close()


def truncate_all(engine: Engine) -> None:
    """Empty every table (for tests that commit through a running server)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
