"""Feature extraction: jieba word tokens + character n-grams, TF-IDF weighted."""

from __future__ import annotations

import logging
import re
import threading

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from nlu.lexicon import DOMAIN, INTENT_CUES

_DIGITS = re.compile(r"\d+")
_LATIN_WORD = re.compile(r"[a-z]+")
_init_lock = threading.Lock()
_initialised = False


def init_jieba() -> None:
    """Load jieba's dictionary once, with its logging silenced."""
    global _initialised
    with _init_lock:
        if not _initialised:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _initialised = True


_UNIT = re.compile(
    r"\d{1,3}\s*(?:号楼|栋|幢|座|#|号)\s*(?:\d{1,2}\s*(?:单元|门|#))?\s*-?\s*\d{3,4}\s*(?:室|号|房)?|"
    r"(?<![\d-])\d{1,3}-\d{1,2}-\d{3,4}(?![\d-])|"
    r"\b(?:block|blk|bldg|building|tower)\.?\s*#?\d{1,3}[\s,]*(?:unit|rm|room|flat|apt|#)\.?\s*#?\d{3,4}\b"
)
_PHONE = re.compile(r"(?:电话|手机|tel|call me on)?\s*(?:\+?86[\s-]?)?1[3-9]\d[\s*-]?[\d*]{4}[\s-]?\d{4}|尾号\d{4}")
_GREETING = re.compile(
    r"^(?:(?:你好|您好|hi|hello|hey|喂|在吗|亲|物业你好|物业|客服你好|师傅|打扰了|打扰一下|不好意思|麻烦一下|劳驾|"
    r"早上好|下午好|晚上好|早|good (?:morning|afternoon|evening)|嗯那个|就是说|那个|然后呢|嗯|就是)[\s,，:：!！.。]*)+"
)


def clean_for_model(text: str) -> str:
    """Drop what carries no label signal before classification: unit numbers, phone numbers, a leading
    greeting or voice-to-text filler. Falls back to the input when nothing would be left."""
    out = _PHONE.sub(" ", _UNIT.sub(" ", text)).strip()
    stripped = _GREETING.sub("", out).strip(" ,，:：")
    out = stripped or out
    return out or text


def mask_digits(text: str) -> str:
    """Replace digit runs with ``0`` so unit and phone numbers do not become features."""
    return _DIGITS.sub("0", text)


def word_tokens(text: str) -> list[str]:
    """Jieba tokens of normalised text, without whitespace and punctuation-only tokens."""
    if not _initialised:
        init_jieba()
    return [t for t in jieba.lcut(text) if t.strip() and any(ch.isalnum() for ch in t)]


def cue_tokens(text: str) -> list[str]:
    """Intent cue features from :data:`nlu.lexicon.INTENT_CUES` plus a short-message marker."""
    out = [name for name, rx in INTENT_CUES.items() if rx.search(text)]
    if not DOMAIN.search(text):
        out.append("cue_offtopic")
    size = len(text.replace(" ", ""))
    out.append("len_short" if size <= 4 else "len_mid" if size <= 12 else "len_long")
    # A letter: over 60 units, counting a CJK character or a Latin word as one unit.
    units = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") + len(_LATIN_WORD.findall(text))
    if units > 60:
        out.append("len_letter")
    return out


def build_vectorizer() -> FeatureUnion:
    """A fresh (unfitted) union of word uni/bi-grams and character 1-3-grams."""
    words = TfidfVectorizer(
        tokenizer=word_tokens,
        preprocessor=mask_digits,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
    )
    chars = TfidfVectorizer(
        analyzer="char",
        preprocessor=mask_digits,
        lowercase=False,
        ngram_range=(1, 3),
        sublinear_tf=True,
        min_df=2,
    )
    cues = TfidfVectorizer(analyzer=cue_tokens, lowercase=False, use_idf=False, norm="l2")
    return FeatureUnion([("words", words), ("chars", chars), ("cues", cues)],
                        transformer_weights={"words": 1.0, "chars": 1.0, "cues": 1.5})
