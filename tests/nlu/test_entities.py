from datetime import datetime

import pytest

from nlu.entities import TZ, extract, extract_location, extract_phones, extract_unit, resolve_appointment

# Wednesday 2026-11-25, 10:30 in Shanghai.
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "building", "entrance", "room"),
    [
        ("3栋2单元1502 漏水", "3", "2", "1502"),
        ("我是3号楼2单元1502室的", "3", "2", "1502"),
        ("5-1-802 水管爆了", "5", "1", "802"),
        ("12#1203", "12", None, "1203"),
        ("12幢1203 电梯坏了", "12", None, "1203"),
        ("３栋２单元１５０２", "3", "2", "1502"),
        ("Block 3 Unit 1502, gas smell", "3", None, "1502"),
        ("Bldg 5 Rm 802", "5", None, "802"),
    ],
)
def test_units(text: str, building: str, entrance: str | None, room: str) -> None:
    unit = extract_unit(text)
    assert unit is not None
    assert (unit["building"], unit["entrance"], unit["room"]) == (building, entrance, room)
    assert unit["raw"] in text


def test_no_unit_in_phone_number() -> None:
    assert extract_unit("电话13912345678") is None


def test_phones() -> None:
    assert extract_phones("电话139 1234 5678，或者+86 136-0000-1234") == ["13912345678", "13600001234"]
    assert extract_phones("13812345678 13812345678") == ["13812345678"]
    assert extract_phones("138****5678 或 12345678901") == []


@pytest.mark.parametrize(
    ("text", "key"),
    [("卫生间漏水", "bathroom"), ("厕所堵了", "bathroom"), ("洗手间", "bathroom"), ("厨房", "kitchen"),
     ("主卧的灯", "master_bedroom"), ("次卧", "second_bedroom"), ("客厅", "living_room"), ("阳台", "balcony"),
     ("餐厅", "dining_room"), ("书房", "study"), ("入户门", "entrance"), ("门口", "entrance"),
     ("地下室", "garage"), ("车库", "garage"), ("楼道", "corridor"), ("走廊", "corridor"),
     ("the bathroom tap", "bathroom"), ("kitchen sink", "kitchen"), ("living room", "living_room"),
     ("衛生間", "bathroom")],
)
def test_locations(text: str, key: str) -> None:
    assert extract_location(text) == key


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("明天下午来吧", "2026-11-26T14:00", "2026-11-26T18:00"),
        ("周六上午可以", "2026-11-28T09:00", "2026-11-28T12:00"),
        ("今晚有人", "2026-11-25T18:00", "2026-11-25T21:00"),
        ("后天9点", "2026-11-27T09:00", "2026-11-27T10:00"),
        ("下周一", "2026-11-30T09:00", "2026-11-30T18:00"),
        ("after 6pm", "2026-11-25T18:00", "2026-11-25T21:00"),
        ("tomorrow morning please", "2026-11-26T09:00", "2026-11-26T12:00"),
        ("this afternoon", "2026-11-25T14:00", "2026-11-25T18:00"),
        ("明天", "2026-11-26T09:00", "2026-11-26T18:00"),
        ("下午3点", "2026-11-25T15:00", "2026-11-25T16:00"),
    ],
)
def test_appointments(text: str, start: str, end: str) -> None:
    appt = resolve_appointment(text, NOW)
    assert appt is not None
    assert appt["start"] == start + ":00+08:00"
    assert appt["end"] == end + ":00+08:00"


def test_part_of_day_already_past_rolls_to_tomorrow() -> None:
    late = datetime(2026, 11, 25, 19, 0, tzinfo=TZ)
    appt = resolve_appointment("上午来", late)
    assert appt is not None and appt["start"].startswith("2026-11-26T09:00")


def test_no_appointment_and_yidian_is_not_one_oclock() -> None:
    assert resolve_appointment("一点水都没有", NOW) is None
    assert resolve_appointment("水管爆了", NOW) is None


def test_extract_all() -> None:
    ents = extract("5-1-802 厨房水管漏了 电话13912345678 明天上午来", NOW)
    assert ents["unit"]["room"] == "802"
    assert ents["phones"] == ["13912345678"]
    assert ents["location"] == "kitchen"
    assert ents["appointment"]["start"] == "2026-11-26T09:00:00+08:00"
