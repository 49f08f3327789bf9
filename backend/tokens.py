"""Platform access tokens shared by every process through the database.

WeChat's ``/cgi-bin/token`` invalidates the previous token: two processes each fetching their own keep
killing each other's (and spend the daily fetch quota). One row per token holds the current value and
its expiry; a process that finds it missing, expiring or rejected refreshes it under a row lock, and
every other process waiting on the lock then reads the fresh value instead of fetching again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from backend.db import is_postgres, transaction
from backend.models import SharedToken

REFRESH_MARGIN_S = 60.0
Fetch = Callable[[], tuple[str, float]]  # -> (token, expires at, Unix time)


class DbTokenStore:
    """A token store (see ``bot.channels.wechat_api.TokenStore``) backed by ``shared_tokens``."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        """Use ``sessions`` for short transactions of their own."""
        self._sessions = sessions

    def get(self, name: str) -> tuple[str, float] | None:
        """The stored ``(token, expires at)``, or None."""
        with self._sessions() as session:
            row = session.get(SharedToken, name)
            return (row.value, row.expires_at.timestamp()) if row is not None else None

    def refresh(self, name: str, fetch: Fetch, stale: str | None) -> str:
        """Return a usable token, fetching a new one only if the stored one is ``stale`` or expiring.

        The row is locked for the whole check-fetch-store (``UPDATE`` first: a row lock on PostgreSQL,
        the write lock on SQLite), so concurrent refreshers fetch once between them.
        """
        with transaction(self._sessions) as session:
            dialect = postgresql if is_postgres(session) else sqlite
            epoch = datetime.fromtimestamp(0, tz=UTC)
            session.execute(dialect.insert(SharedToken).values(name=name, value="", expires_at=epoch, fetches=0)
                            .on_conflict_do_nothing())
            session.execute(update(SharedToken).where(SharedToken.name == name)
                            .values(fetches=SharedToken.fetches))  # take the lock
            row = session.scalars(select(SharedToken).where(SharedToken.name == name)).one()
            fresh = row.value and row.value != stale and row.expires_at.timestamp() - time.time() > REFRESH_MARGIN_S
            if fresh:
                return row.value
            token, expires_at = fetch()
            row.value, row.expires_at = token, datetime.fromtimestamp(expires_at, tz=UTC)
            row.fetched_at, row.fetches = datetime.now(UTC), row.fetches + 1
            return token
