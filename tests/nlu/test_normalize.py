from nlu.lang import detect_lang
from nlu.normalize import normalize, to_halfwidth, to_simplified, to_traditional


def test_fullwidth_to_halfwidth() -> None:
    assert to_halfwidth("３栋１５０２ ＡＢＣ！") == "3栋1502 ABC!"


def test_traditional_to_simplified() -> None:
    assert to_simplified("樓上漏水 電梯壞了 燃氣味 廚房") == "楼上漏水 电梯坏了 燃气味 厨房"
    assert to_simplified(to_traditional("卫生间的水管爆了")) == "卫生间的水管爆了"


def test_normalize_emoji_punctuation_case() -> None:
    assert normalize("水管爆了！！！😱😱[捂脸]  HELP") == "水管爆了! help"
    assert normalize("") == ""


def test_detect_lang() -> None:
    assert detect_lang("厨房水管爆了") == "zh"
    assert detect_lang("the kitchen pipe burst") == "en"
    assert detect_lang("水管burst了 地上全是水") == "zh"
    assert detect_lang("Block 3 Unit 1502, gas smell in kitchen!! 快来") == "en"
