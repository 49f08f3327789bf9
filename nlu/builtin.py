"""The builtin engine: normalisation, TF-IDF linear models, safety rules, entities."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from nlu import entities, safety
from nlu.context import apply_context
from nlu.fast import FastModel
from nlu.features import clean_for_model, init_jieba
from nlu.lang import detect_lang
from nlu.model import Model, ensure_trained, load
from nlu.normalize import normalize
from nlu.types import LOW_CONFIDENCE, OwnerContext, Parse

RULE_CONFIDENCE = 0.95
# The model alone may call an emergency only when fairly sure; the rule layer carries recall. Chosen by
# grouped cross-validation on the training data (not on the test split).
MODEL_EMERGENCY_MIN = 0.6
# The model and the rules read at most this many characters: the head and the tail of a longer message (the
# owner's opening and closing usually carry the request). Storage always keeps the full text.
MAX_MODEL_CHARS = 1200
_TAIL_CHARS = 300
def bounded(text: str, limit: int = MAX_MODEL_CHARS) -> tuple[str, bool]:
    """``text`` cut to its head and tail when longer than ``limit`` characters; and whether it was cut."""
    if len(text) <= limit:
        return text, False
    return text[: limit - _TAIL_CHARS] + " " + text[-_TAIL_CHARS:], True


class BuiltinEngine:
    """TF-IDF (jieba words + character n-grams) logistic regressions plus the safety rule layer.

    The artifact is loaded lazily on the first :meth:`parse` or by :meth:`warm_up`; when ``model_dir`` holds
    none, one is trained there first (a few seconds).
    """

    name = "builtin"

    def __init__(self, model_dir: Path, data_dir: Path | None = None, use_rules: bool = True) -> None:
        """Create an engine.

        Args:
            model_dir: Folder of versioned artifacts (``builtin-*.pkl`` and ``latest``).
            data_dir: Training data folder used if an artifact has to be trained (default ``nlu/data``).
            use_rules: Apply the safety rule layer (False only to measure the raw model).
        """
        self.model_dir = Path(model_dir)
        self.data_dir = data_dir
        self.use_rules = use_rules
        self._model: Model | None = None
        self._fast: FastModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Model:
        """The loaded scikit-learn model (trained and/or loaded on first access)."""
        self._ensure_loaded()
        assert self._model is not None
        return self._model

    def _ensure_loaded(self) -> FastModel:
        if self._fast is None:
            with self._lock:
                if self._fast is None:
                    model = load(ensure_trained(self.model_dir, self.data_dir))
                    self._model, self._fast = model, FastModel(model)
        return self._fast

    @property
    def loaded(self) -> bool:
        """Whether the artifact has been loaded yet."""
        return self._fast is not None

    def warm_up(self) -> None:
        """Load the artifact and the jieba dictionary, and run one parse, so the first request is fast."""
        init_jieba()
        self._ensure_loaded()
        self.parse("你好")

    def raw_labels(self, text: str) -> tuple[str, str, str | None, dict[str, float]]:
        """Model-only labels for normalised, cleaned ``text``: intent, urgency, category, intent probabilities."""
        return self._labels(*self._ensure_loaded().predict(text))

    @staticmethod
    def _labels(intent_p: dict[str, float], urgency_p: dict[str, float],
                category_p: dict[str, float]) -> tuple[str, str, str | None, dict[str, float]]:
        intent = max(intent_p, key=intent_p.__getitem__)
        urgency = max(urgency_p, key=urgency_p.__getitem__)
        if urgency == "emergency" and urgency_p["emergency"] < MODEL_EMERGENCY_MIN:
            urgency = "high"
        return intent, urgency, max(category_p, key=category_p.__getitem__), intent_p

    def parse(self, text: str, now: datetime | None = None, context: OwnerContext | None = None) -> Parse:
        """Label one message.

        Args:
            text: Raw message text (any length; only :data:`MAX_MODEL_CHARS` of it are read by the model).
            now: Reference time for appointment resolution (default: current time in Asia/Shanghai).
            context: Optional owner context (open/recent tickets). With a matching ticket a "又/还是/至今没修好"
                message is a repeat: a complaint, with ``entities["repeat_of"]``. Without it the text decides.

        Returns:
            The :class:`~nlu.types.Parse`; ``confidence`` is the intent model's calibrated probability of the final
            intent, at least 0.95 when a safety rule decided it; ``low_confidence`` when below
            :data:`nlu.types.LOW_CONFIDENCE`; ``needs_safety_check`` when a danger is possible but not settled.
        """
        short, truncated = bounded(text or "")
        norm = normalize(short)
        lang = detect_lang(norm)
        if not norm:
            return Parse("other", "normal", None, lang, 1.0, {}, self.name)
        cleaned = clean_for_model(norm)
        intent_p, urgency_p, category_p = self._ensure_loaded().predict(cleaned)
        intent, urgency, category, probs = self._labels(intent_p, urgency_p, category_p)
        dangers: list[safety.Danger] = []
        if self.use_rules:
            found = safety.find_dangers(norm)
            d = safety.apply_rules(norm, intent, urgency, category, found)
            dangers = found[0]
        else:
            d = safety.Decision(intent, urgency, category if intent == "repair" else None)
        confidence = probs.get(d.intent, 0.0)
        if d.danger or (d.rule and d.rule not in safety.SOFT_RULES):
            confidence = max(confidence, RULE_CONFIDENCE)
        ents = entities.extract(short, now)
        final_intent, final_urgency, final_cat, earlier = apply_context(
            context, norm, d.intent, d.urgency, d.category if d.intent == "repair" else None, category)
        if earlier is not None:
            confidence = max(confidence, probs.get("complaint", 0.0), RULE_CONFIDENCE - 0.1)
            if earlier.number:
                ents["repeat_of"] = earlier.number
        check = (self.use_rules and final_urgency != "emergency" and final_intent in ("repair", "complaint", "enquiry")
                 and safety.needs_safety_check(norm, urgency_p, dangers))
        return Parse(
            intent=final_intent,
            urgency=final_urgency,
            category=final_cat,
            lang=lang,
            confidence=round(confidence, 4),
            entities=ents,
            engine=self.name,
            low_confidence=confidence < LOW_CONFIDENCE,
            needs_safety_check=check,
            truncated=truncated,
        )
