"""Signed-webhook nonces remembered in the database, so a replay is refused by every process.

A platform signature proves who sent a push, not that it is the first time we see it: the plain WeChat
``signature/timestamp/nonce`` of one push (say from a proxy's access log) would otherwise sign any body
for the whole timestamp skew window. Each nonce is stored with a digest of the body it came with. The
same nonce with the same body is the platform retrying (deduplicated on the message id later); the same
nonce with another body is a replay. The row is written in the transaction that stores the message, so
a push refused with 503 (database trouble) leaves no nonce behind and its retry is accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.db import is_postgres
from backend.models import WebhookNonce

PRUNE_EVERY = 200
_calls = {"n": 0}


def remember(session: Session, *, channel: str, nonce: str, digest: str, now: datetime, window: timedelta) -> bool:
    """Record ``nonce`` for ``channel``; False when it was already seen with a different body.

    Args:
        session: The transaction that will also store the accepted message.
        channel: The channel name (nonces are per channel).
        nonce: The platform's replay key (WeChat: ``timestamp:nonce``), at most 160 characters.
        digest: A hex digest of the body the nonce came with.
        now: The current time.
        window: The signature's validity window; older nonces are forgotten (their timestamp is stale).

    Returns:
        True for a fresh nonce or a platform retry of the same body, False for a replay.
    """
    nonce = nonce[:160]
    dialect = postgresql if is_postgres(session) else sqlite
    stmt = dialect.insert(WebhookNonce).values(channel=channel, nonce=nonce, digest=digest, seen_at=now)
    inserted = session.execute(stmt.on_conflict_do_nothing().returning(WebhookNonce.id)).scalar_one_or_none()
    _calls["n"] += 1
    if _calls["n"] % PRUNE_EVERY == 0:
        session.execute(delete(WebhookNonce).where(WebhookNonce.seen_at < now - 2 * window))
    if inserted is not None:
        return True
    seen = session.scalar(select(WebhookNonce.digest).where(WebhookNonce.channel == channel,
                                                            WebhookNonce.nonce == nonce))
    return seen == digest
