"""Database fixtures: SQLite by default, PostgreSQL when ``ANJU_TEST_DATABASE_URL`` is set.

The schema is built once per session through the Alembic migration (so the migration is tested
too); each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from backend.db import make_engine
from backend.migrate import upgrade
from backend.models import Base


def database_url_for(tmp_dir: Path) -> str:
    """The database the suite runs on."""
    return os.environ.get("ANJU_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def reset_schema(engine: Engine) -> None:
    """Drop everything (tables and Alembic's version table) so the migration runs from scratch."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for the whole test session."""
    url = database_url_for(tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    reset_schema(engine)
    engine.dispose()
    upgrade(url)
    return url


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
