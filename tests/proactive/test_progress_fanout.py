"""A progress update to 1,000 buyers on mixed channels: exactly once each, quiet hours, rate limits, restart."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from itertools import product

from sqlalchemy import func, select

from backend import outbox, progress
from backend.db import transaction
from backend.models import Building, ChannelIdentity, Outbox, Owner, Ownership, Project, Unit
from bot.channels.sms import SmsChannel
from bot.channels.wechat import WeChatChannel
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat
from tests.proactive.conftest import SH, TWILIO_SID, TWILIO_TOKEN
from tests.proactive.harness import World, install_fake_time

BUYERS = 1000
RATES = {"wechat": 50.0, "sms": 10.0}


def _estate(sessions, now: datetime) -> tuple[int, dict[str, set[str]]]:  # noqa: ANN001
    """A project under construction with 1,000 buyers: 300 WeChat in window, 300 outside, 395 SMS, 5 unreachable;
    plus 20 owners already handed over (not in the audience)."""
    expect: dict[str, set[str]] = {"custom": set(), "template": set(), "sms": set()}
    with transaction(sessions) as s:
        project = Project(code="BJY", name="安居·滨江苑", name_en="Anju Riverside", stage="under_construction")
        building = Building(project=project, number="1")
        s.add_all([project, building])
        s.flush()
        units = [Unit(building_id=building.id, entrance="1", room=str(1000 + i), floor=1) for i in range(BUYERS + 20)]
        s.add_all(units)
        s.flush()
        owners = [Owner(name=f"业主{i}", phone="" if BUYERS - 5 <= i < BUYERS else f"139{i:08d}",
                        language="en" if i % 10 == 0 else "zh") for i in range(BUYERS + 20)]
        s.add_all(owners)
        s.flush()
        s.add_all([Ownership(owner_id=o.id, unit_id=u.id, signed_on=date(2026, 1, 1),
                             handover_on=date(2024, 1, 1) if i >= BUYERS else None)
                   for i, (o, u) in enumerate(zip(owners, units, strict=True))])
        for i, o in enumerate(owners[:600]):
            recent = i < 300
            s.add(ChannelIdentity(channel="wechat", external_id=f"openid{i}", owner_id=o.id,
                                  last_inbound_at=now - timedelta(hours=2 if recent else 100)))
            expect["custom" if recent else "template"].add(f"openid{i}")
        expect["sms"] = {f"+86139{i:08d}" for i in range(600, BUYERS - 5)}
    return project.id, expect


def test_fanout_exactly_once_quiet_hours_rate_limits_restart(sessions, clean, fake_wechat: FakeWeChat,
                                                              fake_twilio: FakeTwilio, monkeypatch) -> None:
    mono = install_fake_time(monkeypatch)
    evening = datetime(2026, 11, 24, 20, 50, tzinfo=SH)
    project_id, expect = _estate(sessions, evening)
    for openid in expect["custom"]:  # they wrote recently: the platform's customer-service window is open
        fake_wechat.user_action(openid)
    channels = {
        "wechat": WeChatChannel("wx_fake_app", "tok", app_secret="fake-secret", api_base=fake_wechat.base_url,
                                template_ids={"progress_update": "TPL_PROGRESS"}),
        "sms": SmsChannel(TWILIO_SID, TWILIO_TOKEN, "+10000000000", api_base=fake_twilio.base_url),
    }
    world = World(clean, evening, channels, {"outbox": {"rate_limits": RATES, "batch_size": 50},
                                             "wechat": {"template_ids": {"progress_update": "TPL_PROGRESS"}}}, mono)
    with transaction(sessions) as s:
        update = progress.create_update(s, project_id=project_id, title="主体结构封顶", title_en="Topped out",
                                        body="18栋已封顶。", stage="主体施工", percent=60, now=evening,
                                        publish_at=datetime(2026, 11, 24, 20, 55, tzinfo=SH))
    assert world.sweep()["publish_progress"] == 0  # not yet
    world.at(datetime(2026, 11, 24, 20, 55, tzinfo=SH))
    assert world.sweep()["publish_progress"] == 1
    assert world.sweep()["publish_progress"] == 0  # never twice
    with transaction(sessions) as s:
        assert progress.fan_out(s, s.get(type(update), update.id), now=world.now, tz=SH,
                                policy=__import__("bot.proactive_sweeps").proactive_sweeps.policy(world.svc)) \
            == {"queued": BUYERS - 5, "skipped": 5}  # a second fan-out inserts nothing new
        assert s.scalar(select(func.count()).select_from(Outbox)) == BUYERS - 5

    world.advance(minutes=3)  # 20:58: one batch goes out before quiet hours
    assert world.deliver(50) == 50
    with world.svc.sessions() as s:  # a worker claims a batch and dies before sending it
        crashed = outbox.claim_due(s, now=world.now, limit=50, quiet=world.svc.quiet)
    assert len(crashed) == 50
    world.start_worker()  # restart: new services and worker
    world.at(datetime(2026, 11, 24, 21, 0, 30, tzinfo=SH))
    assert world.deliver_all(50) == 0  # quiet hours: nothing is claimed
    world.at(datetime(2026, 11, 25, 7, 59, tzinfo=SH))
    assert world.deliver_all(50) == 0
    world.at(datetime(2026, 11, 25, 8, 0, tzinfo=SH))
    world.deliver_all(50)

    got = Counter([m["touser"] for m in fake_wechat.sent] + [m["To"] for m in fake_twilio.sent])
    assert set(got.values()) == {1}, "every buyer exactly once"
    assert set(got) == expect["custom"] | expect["template"] | expect["sms"]
    assert {m["touser"] for m in fake_wechat.sent if m["_endpoint"] == "template"} == expect["template"]
    assert all(m["template_id"] == "TPL_PROGRESS" for m in fake_wechat.sent if m["_endpoint"] == "template")
    assert {m["touser"] for m in fake_wechat.sent if m["_endpoint"] == "custom"} == expect["custom"]
    for sent in world.sent:  # never between 21:00 and 08:00
        local = sent.at.astimezone(SH).time()
        assert time(8) <= local < time(21), sent
    for (channel, rate), gen in product(RATES.items(), (1, 2)):  # per worker: n sends take (n - burst) / rate s
        times = sorted(x.mono for x in world.sent if x.channel == channel and x.worker == gen)
        for i in range(len(times)):
            for j in range(i + int(rate) + 1, len(times), 7):
                assert times[j] - times[i] >= (j - i + 1 - rate) / rate - 1e-6
        if gen == 2:  # the limiter really held the bulk back
            assert times[-1] - times[0] >= (len(times) - rate) / rate - 1e-6
    with world.svc.sessions() as s:
        report = progress.delivery_report(s, update.id)
    assert report["sent"] == BUYERS - 5 and report["skipped"] == 5 and report["queued"] == 0
    assert report["skipped_reasons"] == {"no_channel": 5}
    assert report["by_route"] == {"custom": 300, "template": 300, "sms": BUYERS - 605, "none": 5}


def test_staff_reminded_once_a_month_when_no_update(session) -> None:  # noqa: ANN001
    from backend.models import Role
    from tests.factories import make_owner, make_staff, make_unit

    make_staff(session, Role.SUPERVISOR, telegram_chat_id="9003")
    unit = make_unit(session, stage="under_construction")
    make_owner(session, unit, handover_on=None)
    enabled = frozenset({"telegram"})
    early = datetime(2026, 11, 10, 10, 0, tzinfo=SH)
    assert progress.remind_staff_missing(session, now=early, tz=SH, enabled=enabled) == 0  # before the 20th
    late = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    assert progress.remind_staff_missing(session, now=late, tz=SH, enabled=enabled) == 1
    assert progress.remind_staff_missing(session, now=late, tz=SH, enabled=enabled) == 0
    update = progress.create_update(session, project_id=unit.building.project_id, title="t", now=late)
    update.published_at = datetime(2026, 12, 2, 9, 0, tzinfo=SH)
    dec = datetime(2026, 12, 21, 10, 0, tzinfo=SH)
    assert progress.remind_staff_missing(session, now=dec, tz=SH, enabled=enabled) == 0
