"""The one token bucket behind the outbox send rate and the per-sender webhook throttle."""

from __future__ import annotations

from bot.ratelimit import TokenBuckets
from bot.webhooks import SenderThrottle


def test_burst_then_refill_at_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    assert [buckets.take("k", rate=2.0, burst=3.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k", rate=2.0, burst=3.0) == 0.5  # empty: a token in 1/rate s, nothing taken
    now[0] = 0.5
    assert buckets.take("k", rate=2.0, burst=3.0) == 0.0
    assert buckets.take("other", rate=2.0, burst=3.0) == 0.0  # buckets are per key
    now[0] = 100.0
    assert [buckets.take("k", rate=2.0, burst=3.0) for _ in range(4)][-1] > 0  # refill is capped at burst


def test_forget_idle_keeps_recent_buckets() -> None:
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    buckets.take("old", rate=1.0, burst=1.0)
    now[0] = 5.0
    buckets.take("new", rate=1.0, burst=1.0)
    buckets.forget_idle(3.0)
    assert len(buckets) == 1 and buckets.take("new", rate=1.0, burst=1.0) > 0


def test_sender_throttle_uses_the_bucket_per_channel_and_sender() -> None:
    now = [0.0]
    throttle = SenderThrottle(burst=2, rate=1.0, clock=lambda: now[0])
    assert [throttle.allow("sms", "+1") for _ in range(3)] == [True, True, False]
    assert throttle.allow("telegram", "+1") is True
    now[0] = 1.0
    assert throttle.allow("sms", "+1") is True
