"""Owner context: history turns "again / still not fixed" into a complaint; without history the text decides."""

from nlu.builtin import BuiltinEngine
from nlu.context import apply_context
from nlu.normalize import normalize
from nlu.types import OwnerContext, TicketRef

LEAK = OwnerContext(tickets=(TicketRef(category="water", unit="3-2-1502", status="open", number="T-0042"),),
                    unit="3-2-1502")


def test_repeat_with_matching_ticket_is_a_complaint(engine: BuiltinEngine) -> None:
    text = "水槽下面的管子又滴水了"
    assert "repeat_of" not in engine.parse(text).entities  # no history: the text alone decides
    p = engine.parse(text, context=LEAK)
    assert (p.intent, p.category) == ("complaint", None)
    assert p.entities["repeat_of"] == "T-0042"
    p = engine.parse("the pipe under the sink is still leaking", context=LEAK)
    assert p.intent == "complaint" and p.entities["repeat_of"] == "T-0042"


def test_history_in_another_category_or_without_repeat_words_changes_nothing(engine: BuiltinEngine) -> None:
    text = "水槽下面的管子又滴水了"
    alone = engine.parse(text)
    lift = OwnerContext(tickets=(TicketRef(category="lift", number="T-7"),))
    assert engine.parse(text, context=lift) == alone
    assert engine.parse("客厅的灯不亮了", context=LEAK).intent == "repair"
    other_unit = OwnerContext(tickets=(TicketRef(category="water", unit="9-1-101", number="T-9"),), unit="3-2-1502")
    assert engine.parse(text, context=other_unit) == alone


def test_danger_now_stays_an_emergency_repair_with_history(engine: BuiltinEngine) -> None:
    p = engine.parse("厨房的水管又爆了 水喷得到处都是", context=LEAK)
    assert (p.intent, p.urgency) == ("repair", "emergency")
    assert "repeat_of" not in p.entities


def test_context_is_optional_and_positional_calls_still_work(engine: BuiltinEngine) -> None:
    assert engine.parse("厨房水龙头滴水", None).intent == "repair"
    assert engine.parse("厨房水龙头滴水", None, None).intent == "repair"


def test_apply_context_rules() -> None:
    text = normalize("水槽下面的管子又滴水了")
    assert apply_context(None, text, "repair", "normal", "water")[:3] == ("repair", "normal", "water")
    assert apply_context(LEAK, text, "repair", "high", "fixtures")[:3] == ("complaint", "high", None)
    assert apply_context(LEAK, text, "repair", "emergency", "water")[:3] == ("repair", "emergency", "water")
    assert apply_context(LEAK, normalize("水槽下面的管子滴水"), "repair", "normal", "water")[3] is None
    assert apply_context(LEAK, text, "enquiry", "normal", None)[0] == "enquiry"
