"""Language detection, in one place for the whole product: ``zh``, ``en`` or unknown.

:func:`language_of` is what the bot should call to decide whether an owner switched language: it returns None
for text that carries no language (digits, phone numbers, unit numbers, ticket or verification codes, emoji,
punctuation), so the caller keeps the owner's sticky language. :func:`detect_lang` always answers (``zh``
when unknown) for labelling and metrics.
"""

from __future__ import annotations

import re

# Latin words made only of letters (a token with a digit, such as "3B", "A1502" or "SR-1234", is a code).
_WORD = re.compile(r"(?<![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])[A-Za-z\uff21-\uff3a\uff41-\uff5a']+"
                   r"(?![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])")
_MIN_LATIN = 2  # letters in pure words before a CJK-free text counts as English ("ok" does, "B" does not)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def language_of(text: str) -> str | None:
    """The language a message is written in, or None when it carries no language.

    A Chinese character carries roughly the content of a short English word, so each CJK character counts
    three times against single Latin letters. Only letters in pure-letter words count: digits, phone numbers
    and codes ("1502", "138****5678", "A3-1502", "SR1234") never decide the language.

    Args:
        text: Raw or normalised message.

    Returns:
        ``"zh"``, ``"en"`` or None (no CJK character and fewer than two letters in real words).
    """
    cjk = sum(1 for ch in text if _is_cjk(ch))
    latin = sum(len(w.replace("'", "")) for w in _WORD.findall(text))
    if cjk == 0 and latin < _MIN_LATIN:
        return None
    return "en" if latin > 3 * cjk else "zh"


def detect_lang(text: str, default: str = "zh") -> str:
    """Like :func:`language_of`, but answers ``default`` (``zh``, the main audience) when it would be None."""
    return language_of(text) or default
