"""Language detection: ``zh`` or ``en`` by the majority of CJK characters vs Latin letters."""

from __future__ import annotations


def detect_lang(text: str) -> str:
    """Return ``"en"`` when Latin letters outnumber CJK characters, else ``"zh"``.

    A Chinese character carries roughly the content of a short English word, so each CJK character counts
    three times against single Latin letters. Empty or symbol-only text is ``zh`` (the default audience).
    """
    cjk = latin = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            cjk += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
        elif "\uff21" <= ch <= "\uff5a":
            latin += 1
    return "en" if latin > 3 * cjk else "zh"
