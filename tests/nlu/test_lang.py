"""One language detector: digits, phone numbers and codes never decide the language."""

import pytest

from nlu.lang import detect_lang, language_of


@pytest.mark.parametrize("text", ["13912345678", "138****5678", "3-2-1502", "1502", "A3-1502", "SR1234", "😀👍",
                                  "?", "", "B", "+86 139 1234 5678"])
def test_no_language_in_numbers_and_codes(text: str) -> None:
    assert language_of(text) is None
    assert detect_lang(text) == "zh" and detect_lang(text, default="en") == "en"


@pytest.mark.parametrize(("text", "lang"), [
    ("厨房漏水", "zh"), ("the sink leaks", "en"), ("ok", "en"), ("ok 收到", "zh"),
    ("主卧master bathroom的镜前灯坏了", "zh"), ("my 电梯 is broken again today", "en"),
    ("Block 3 Unit 1502 no hot water", "en"), ("3栋2单元1502 没热水 13912345678", "zh"),
])
def test_language_of_words(text: str, lang: str) -> None:
    assert language_of(text) == lang
