"""The rule layer catches emergencies the model misses, and negations do not fire it."""

import pytest

from nlu.builtin import BuiltinEngine
from nlu.normalize import normalize
from nlu.safety import apply_rules, find_dangers

DANGER = [
    ("闻着有股怪味像煤气", "gas"),
    ("插座啪一声冒火花", "electrical"),
    ("电梯卡住了里面有人", "lift"),
    ("楼上往下灌水", None),
    ("水哗哗往外冒", None),
    ("卫生间地漏反水", None),
    ("热水器漏电", "electrical"),
    ("阀门关了还是有燃气味", "gas"),
    ("there's a smell of gas in the hallway", "gas"),
    ("sparks from the socket", "electrical"),
    ("my son is trapped in the lift", "lift"),
    ("burst pipe in the bathroom", None),
    ("家里地板上一层水 淹了", None),
    ("门锁坏了锁不上 现在是晚上", None),
    ("阳台窗户框子晃得厉害 随时会掉下去", None),
    ("the window frame is loose and could fall out", None),
    ("楼上的水往我家灌", None),
    ("the gas alarm keeps beeping", "gas"),
]

NEGATED = [
    "没有漏水了，就想问保修期",
    "已经不漏了 问下保修",
    "不是燃气味 是油漆味",
    "没有闻到煤气味",
    "没有冒烟 就是有点焦味",
    "电梯停了 没有人被困",
    "no smell of gas, the hob just won't light",
    "there's no smoke",
    "nobody is trapped, the lift just stopped",
    "灶打不着火 也没闻到什么味",
    "窗户有点松 但不会掉",
    "窗户没事 不会掉的",
    "the smoke has gone now, just wondering if that's normal",
    "燃气报警器需要自己买吗",
    "do i need to buy a gas alarm",
]


@pytest.mark.parametrize(("text", "category"), DANGER)
def test_danger_fires(engine: BuiltinEngine, text: str, category: str | None) -> None:
    p = engine.parse(text)
    assert (p.intent, p.urgency) == ("repair", "emergency"), p
    if category:
        assert p.category == category
    assert p.confidence >= 0.95


@pytest.mark.parametrize("text", NEGATED)
def test_negation_does_not_fire(engine: BuiltinEngine, text: str) -> None:
    pos, _ = find_dangers(normalize(text))
    assert pos == []
    assert engine.parse(text).urgency != "emergency"


def test_rules_fix_what_the_model_misses(engine: BuiltinEngine, raw_engine: BuiltinEngine) -> None:
    missed = [t for t, _ in DANGER if raw_engine.parse(t).urgency != "emergency"]
    assert missed, "expected the model alone to miss at least one emergency"
    for text in missed:
        assert engine.parse(text).urgency == "emergency"


def test_hob_without_smell_is_gas_high(engine: BuiltinEngine) -> None:
    for text in ("燃气灶打不着火 没有闻到煤气味", "the hob won't light but there is no smell of gas"):
        p = engine.parse(text)
        assert (p.intent, p.category, p.urgency) == ("repair", "gas", "high"), p
    assert engine.parse("燃气灶打不着火 而且有点煤气味").urgency == "emergency"


def test_door_day_vs_night(engine: BuiltinEngine) -> None:
    assert engine.parse("入户门锁不上了 现在晚上十一点").urgency == "emergency"
    assert engine.parse("入户门锁不上了 现在白天 家里有人").urgency != "emergency"


def test_complaint_and_enquiry_never_emergency() -> None:
    d = apply_rules("你们处理太慢了 我要投诉", "complaint", "emergency", None)
    assert (d.intent, d.urgency, d.category) == ("complaint", "high", None)
    d = apply_rules("如果闻到煤气味应该怎么办", "enquiry", "normal", None)
    assert (d.intent, d.urgency) == ("enquiry", "normal")
    d = apply_rules("不用派人了 修好了 之前水管爆了", "other", "normal", None)
    assert d.intent == "other"


def test_danger_now_in_a_complaint_becomes_repair() -> None:
    d = apply_rules("你们什么物业 水管又爆了 地上全是水 赶紧来", "complaint", "normal", None)
    assert (d.intent, d.urgency) == ("repair", "emergency")
