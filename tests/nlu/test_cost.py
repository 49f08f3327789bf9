"""Bounded cost: the model and rules read a bounded slice of any message; the caller keeps the full text."""

from nlu.builtin import MAX_MODEL_CHARS, BuiltinEngine, bounded


def test_long_messages_are_cut_to_head_and_tail() -> None:
    text = "头" * 5000 + "尾" * 5000
    cut, truncated = bounded(text)
    assert truncated and len(cut) <= MAX_MODEL_CHARS + 1
    assert cut.startswith("头") and cut.endswith("尾")
    assert bounded("短消息") == ("短消息", False)


def test_parse_of_a_huge_message_reads_a_bounded_text(engine: BuiltinEngine, monkeypatch) -> None:  # noqa: ANN001
    seen: list[int] = []
    fast = engine._ensure_loaded()
    original = fast.predict
    monkeypatch.setattr(fast, "predict", lambda t: seen.append(len(t)) or original(t))
    text = "3栋2单元1502 厨房水管爆了 水哗哗往外冒 " * 3000  # ~75,000 characters
    p = engine.parse(text)
    assert p.truncated and (p.intent, p.urgency) == ("repair", "emergency")
    assert seen and max(seen) <= MAX_MODEL_CHARS + 1
    assert not engine.parse("厨房水管爆了").truncated
