"""Routing from the channels' declared traits (``backend.notify.choose``), one owner at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.notify import ChannelTraits, Identity, Policy, Reach, choose, window_open
from bot.channels.registry import CHANNELS

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
TRAITS = {cls.name: cls.traits for cls in CHANNELS}
POLICY = Policy(frozenset({"wechat", "sms", "telegram"}), {"service_notice": "TPL"}, traits=TRAITS)
NO_TEMPLATES = Policy(frozenset({"wechat", "sms", "telegram"}), traits=TRAITS)


def wechat(**kw: object) -> Identity:
    values: dict[str, object] = {"id": 1, "channel": "wechat", "external_id": "oW", "last_inbound_at": None,
                                 "opted_out": False}
    values.update(kw)
    return Identity(**values)  # type: ignore[arg-type]


def reach(*identities: Identity, phone_blocked: bool = False) -> Reach:
    return Reach(7, "13912345678", "zh", True, False, identities, phone_blocked=phone_blocked)


@pytest.mark.parametrize(("kind", "age", "sent", "route"), [
    ("message", timedelta(hours=47), 0, "custom"),
    ("message", timedelta(hours=49), 0, "template"),
    ("message", timedelta(hours=1), 5, "template"),  # the quota the platform reported used up
    ("event", timedelta(seconds=30), 0, "custom"),   # a follow/menu click: one minute, three messages
    ("event", timedelta(minutes=2), 0, "template"),
    ("event", timedelta(seconds=30), 3, "template"),
    (None, None, 0, "template"),                      # never wrote
])
def test_wechat_window_per_identity(kind: str | None, age: timedelta | None, sent: int, route: str) -> None:
    ident = wechat(window_kind=kind, window_opened_at=NOW - age if age else None, window_sent=sent)
    assert choose(reach(ident), now=NOW, policy=POLICY).route == route
    assert choose(reach(ident), now=NOW, policy=NO_TEMPLATES).route == ("custom" if route == "custom" else "sms")


def test_rows_from_before_windows_fall_back_to_the_last_inbound_time() -> None:
    assert window_open(wechat(last_inbound_at=NOW - timedelta(hours=2)), TRAITS["wechat"], NOW)
    assert not window_open(wechat(last_inbound_at=NOW - timedelta(hours=50)), TRAITS["wechat"], NOW)


def test_blocked_identities_and_a_stopped_phone_are_never_chosen() -> None:
    telegram = Identity(2, "telegram", "555", NOW, False, blocked=True)
    assert choose(reach(telegram), now=NOW, policy=NO_TEMPLATES).channel == "sms"
    gone = choose(reach(telegram, phone_blocked=True), now=NOW, policy=NO_TEMPLATES)
    assert (gone.channel, gone.reason) == (None, "unreachable")
    unsubscribed = wechat(blocked=True, window_kind="message", window_opened_at=NOW)
    assert choose(reach(unsubscribed), now=NOW, policy=POLICY).channel == "sms"  # not even a template


def test_refused_routes_are_excluded_on_reroute() -> None:
    ident = wechat(window_kind="message", window_opened_at=NOW)
    assert choose(reach(ident), now=NOW, policy=POLICY, exclude=frozenset({("wechat", "custom")})).route == "template"
    both = frozenset({("wechat", "custom"), ("wechat", "template")})
    assert choose(reach(ident), now=NOW, policy=POLICY, exclude=both).route == "sms"


def test_a_channel_without_a_window_is_chosen_from_its_traits_alone() -> None:
    policy = Policy(frozenset({"echo", "sms"}), traits={"echo": ChannelTraits(), **TRAITS})
    route = choose(reach(Identity(3, "echo", "u1", None, False)), now=NOW, policy=policy)
    assert (route.channel, route.route) == ("echo", "echo")


def test_what_each_inbound_does_to_the_window(session: object) -> None:
    from sqlalchemy import select

    from backend.models import ChannelIdentity
    from backend.notify import note_inbound

    def ident() -> ChannelIdentity:
        return session.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == "oNote")).one()  # type: ignore[attr-defined]

    def note(kind: str, event: str | None, at: datetime) -> None:
        note_inbound(session, channel="wechat", external_id="oNote", kind=kind, event=event, now=at,  # type: ignore[arg-type]
                     traits=TRAITS["wechat"])

    note("event", "subscribe", NOW)
    assert (ident().window_kind, ident().blocked_at) == ("event", None)
    note("text", None, NOW + timedelta(minutes=5))
    assert ident().window_kind == "message"
    note("button", "MENU_REPAIR", NOW + timedelta(minutes=6))  # a menu click does not shorten it
    assert (ident().window_kind, ident().window_opened_at) == ("message", NOW + timedelta(minutes=5))
    note("event", "unsubscribe", NOW + timedelta(minutes=7))
    assert ident().blocked_at is not None and not window_open(ident(), TRAITS["wechat"], NOW + timedelta(minutes=7))
    note("event", "subscribe", NOW + timedelta(minutes=8))
    assert ident().blocked_at is None and ident().window_kind == "event"
