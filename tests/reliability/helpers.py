"""Shared checks of the reliability tests: 'nothing lost, nothing doubled'."""

from __future__ import annotations

from collections import Counter

from tests.loadgen import stack
from tests.loadgen.driver import Planned


def assert_nothing_lost_nothing_doubled(items: list[Planned], url: str, deliveries: list[tuple[str, str, float]],
                                        in_doubt: Counter[tuple[str, str]] | None = None) -> stack.DbCounts:
    """Every webhook stored exactly once and processed; every outbox row delivered; none delivered twice.

    ``in_doubt`` counts, per recipient, rows that were mid-send when a worker was killed: the platform
    may have accepted them without the worker recording it, so they may arrive once more (at-least-once).
    """
    counts = stack.db_counts(url)
    expected_ids = {(i.channel, i.provider_id) for i in items}
    assert counts.accepted_ids == expected_ids, "stored events differ from the webhooks sent"
    assert counts.inbound == {"done": len(items)}, counts.inbound
    # "rerouted": WeChat refused it (a re-send after kill -9 used up the owner's 5-message quota, 45047) and a
    # copy went out on the owner's next route; the copy is one of the sent rows
    assert set(counts.outbox) <= {"sent", "delivered", "rerouted"}, f"undelivered outbox rows: {counts.outbox}"
    received = Counter((c, r) for c, r, _t in deliveries)
    expected = Counter(counts.sent_per_recipient)
    missing = {k: (expected[k], received.get(k, 0)) for k in expected if received.get(k, 0) < expected[k]}
    assert not missing, f"lost: recipient -> (outbox sent, platform received) {missing}"
    allowed = in_doubt or Counter()
    doubled = {k: (expected.get(k, 0), n) for k, n in received.items() if n > expected.get(k, 0) + allowed.get(k, 0)}
    assert not doubled, f"answered twice: recipient -> (outbox sent, platform received) {doubled}"
    replied_to = {(i.channel, i.user) for i in items}
    assert replied_to <= set(received), "an owner who wrote got no reply"
    return counts
