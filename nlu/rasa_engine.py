"""The Rasa NLU engine: an HTTP adapter to a Rasa 3.6 server's ``/model/parse``.

The Rasa model is trained on the same ``nlu/data/train_*.yml`` as the builtin engine, with multi-intent label
names ``intent+category+urgency`` (``repair+water+emergency``; repair category ``other`` is spelled ``misc``
and "no category" ``none``). This module maps the predicted name back to a :class:`~nlu.types.Parse`.

When the server is down, slow or answers an error, the adapter logs one warning (again only after it has
recovered and failed anew) and answers with the fallback engine (normally the builtin), marked
``engine="builtin-fallback"``; without a fallback it raises :class:`RasaUnavailable`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import httpx

from nlu.types import CATEGORIES, INTENTS, URGENCIES, Parse

log = logging.getLogger("anju.nlu.rasa")

ENGINE_NAME = "rasa"
FALLBACK_ENGINE_NAME = "builtin-fallback"
# Rasa-side spellings that differ from ours (a category `other` would clash with intent `other`).
_CATEGORY_FROM_RASA = {"misc": "other", "none": None, "": None}

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]+")

# Where a builtin entity extractor may live, tried in order (the first callable found wins).
_ENTITY_EXTRACTORS = (
    ("nlu.entities", "extract_entities"),
    ("nlu.entities", "extract"),
    ("nlu.builtin", "extract_entities"),
)
_NORMALIZERS = (("nlu.normalize", "normalize"),)
_LANG_DETECTORS = (("nlu.lang", "detect_lang"),)
_SAFETY_RULES = (("nlu.safety", "apply_rules"),)
# As in the builtin engine: a safety rule that decided the labels makes the parse at least this confident.
RULE_CONFIDENCE = 0.95


@runtime_checkable
class Engine(Protocol):
    """What every NLU engine offers."""

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        """Label one message."""
        ...


class RasaUnavailable(RuntimeError):
    """The Rasa server could not answer (down, timed out, error status or bad body) and no fallback is set."""


class RasaLabelError(ValueError):
    """A Rasa intent name that is not ``intent+category+urgency`` in our label set."""


def labels_from_rasa(name: str) -> tuple[str, str | None, str]:
    """Map a Rasa multi-intent name back to ``(intent, category, urgency)``.

    ``misc`` becomes category ``other`` and ``none`` becomes ``None``. The LABELS.md invariants are enforced:
    only repairs carry a category, enquiries and ``other`` are always ``normal``, and a complaint is never an
    emergency (it becomes ``high``).

    Args:
        name: e.g. ``"repair+water+emergency"`` or ``"complaint+none+high"``.

    Returns:
        The three labels.

    Raises:
        RasaLabelError: when the name is not in that shape or holds an unknown label.
    """
    parts = [p.strip() for p in (name or "").split("+")]
    if len(parts) != 3:
        raise RasaLabelError(f"Rasa intent {name!r} is not intent+category+urgency")
    intent, raw_category, urgency = parts
    category = _CATEGORY_FROM_RASA.get(raw_category, raw_category)
    if intent not in INTENTS or urgency not in URGENCIES or (category is not None and category not in CATEGORIES):
        raise RasaLabelError(f"Rasa intent {name!r} holds an unknown label")
    if intent != "repair":
        category = None
    if intent in ("enquiry", "other"):
        urgency = "normal"
    elif intent == "complaint" and urgency == "emergency":
        urgency = "high"
    return intent, category, urgency


def rasa_label(intent: str, category: str | None, urgency: str) -> str:
    """The Rasa multi-intent name for our labels (inverse of :func:`labels_from_rasa`).

    Args:
        intent: One of :data:`nlu.types.INTENTS`.
        category: A repair category or None.
        urgency: One of :data:`nlu.types.URGENCIES`.
    """
    cat = "none" if category is None else ("misc" if category == "other" else category)
    return f"{intent}+{cat}+{urgency}"


def intent_confidence(data: dict[str, Any], intent: str) -> float:
    """The probability Rasa gives ``intent``: the sum over its ranked labels ``intent+*+*``.

    Labels are ``intent+category+urgency``, so the intent's probability is spread over several of them; the
    top label's own confidence is used when the answer has no ranking (or the top label is not ``intent``).

    Args:
        data: A ``/model/parse`` answer.
        intent: The intent whose confidence is wanted.
    """
    top = data.get("intent") or {}
    ranking = data.get("intent_ranking") or []
    total = sum(
        float(r.get("confidence") or 0.0)
        for r in ranking
        if isinstance(r, dict) and str(r.get("name") or "").split("+")[0] == intent
    )
    if total <= 0.0 and str(top.get("name") or "").split("+")[0] == intent:
        total = float(top.get("confidence") or 0.0)
    return min(max(total, 0.0), 1.0)


def detect_lang(text: str) -> str:
    """``zh`` or ``en`` by majority; the builtin engine's ``nlu.lang.detect_lang`` when it exists.

    The fallback rule counts each Chinese character against each Latin word, so a Chinese sentence with one
    English brand name stays ``zh`` and an English sentence with one Chinese place name stays ``en``; ties
    and text without letters are ``zh``.

    Args:
        text: The message.
    """
    shared = _lazy_callable(_LANG_DETECTORS)
    if shared is not None:
        return str(shared(text))
    cjk = len(_CJK_RE.findall(text))
    latin = len(_LATIN_WORD_RE.findall(text))
    return "en" if latin > cjk else "zh"


@functools.cache
def _lazy_callable(candidates: tuple[tuple[str, str], ...]) -> Callable[..., Any] | None:
    """The first importable ``module.attr`` callable among ``candidates`` (looked up once), or None."""
    for module_name, attr in candidates:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        func = getattr(module, attr, None)
        if callable(func):
            found: Callable[..., Any] = func
            return found
    return None


class RasaEngine:
    """NLU through a Rasa server's HTTP API, with a fallback engine for when it is unreachable.

    Thread-safe: one pooled ``httpx.Client`` is shared by all callers.
    """

    def __init__(
        self,
        url: str,
        token: str | None,
        timeout_s: float = 2.0,
        fallback: Engine | None = None,
        *,
        retry_after_s: float = 5.0,
        normalize: bool = True,
        use_rules: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Create the adapter; no request is made until :meth:`warm_up` or :meth:`parse`.

        Args:
            url: Base URL of the Rasa server, e.g. ``http://127.0.0.1:5005``.
            token: The server's ``--auth-token`` (sent as ``?token=``), or None when it runs without one.
            timeout_s: Timeout for connecting and for the whole answer, in seconds.
            fallback: The engine to answer with while Rasa is unavailable (normally the builtin).
            retry_after_s: After a failure, skip Rasa and go straight to the fallback for this many seconds,
                so an outage does not add ``timeout_s`` to every message. 0 tries Rasa every time.
            normalize: Apply ``nlu.normalize.normalize`` (when present) before sending, as the training
                export does.
            use_rules: Pass Rasa's labels through the builtin safety rule layer (``nlu.safety.apply_rules``,
                when present), so danger words such as 燃气味/冒烟/困在电梯 are never missed whichever engine
                runs. False measures the raw Rasa model.
            transport: An httpx transport (tests).
        """
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.fallback = fallback
        self.retry_after_s = retry_after_s
        self._params = {"token": token} if token else {}
        self._client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            transport=transport,
        )
        self._lock = threading.Lock()
        self._healthy = True  # what we last logged: a warning is logged only on the healthy -> down edge
        self._down_since: float | None = None
        self._skip_until = 0.0
        self._normalize: Callable[[str], str] | None = _lazy_callable(_NORMALIZERS) if normalize else None
        self._rules: Callable[..., Any] | None = _lazy_callable(_SAFETY_RULES) if use_rules else None
        self._extractor: Callable[..., Any] | None = None
        self._extractor_takes_now = False
        self._extractor_loaded = False

    # ----------------------------------------------------------------------------------------- public

    @property
    def available(self) -> bool:
        """False between a failure and the next successful call."""
        return self._healthy

    def parse(self, text: str, now: datetime | None = None, context: Any = None) -> Parse:
        """Label one message with Rasa, or with the fallback engine while Rasa is unavailable.

        Args:
            text: The message.
            now: The reference time for relative dates in entities (default: now).
            context: Optional :class:`nlu.types.OwnerContext`; a repeat of an earlier ticket becomes a complaint,
                as in the builtin engine.

        Returns:
            A Parse with ``engine="rasa"``, or the fallback's Parse with ``engine="builtin-fallback"``.

        Raises:
            RasaUnavailable: when Rasa cannot answer and there is no fallback.
        """
        payload = self._normalize(text) if self._normalize else text
        if not payload.strip():
            return Parse("other", "normal", None, detect_lang(text), 1.0, {}, ENGINE_NAME)
        if self.fallback is not None and time.monotonic() < self._skip_until:
            return self._fallback_parse(text, now, context)
        try:
            data = self._post_parse(payload)
        except RasaUnavailable as exc:
            self._mark_down(str(exc))
            if self.fallback is None:
                raise
            return self._fallback_parse(text, now, context)
        self._mark_up()
        return self._to_parse(text, payload, data, now, context)

    def warm_up(self) -> bool:
        """Check the server and its model (``GET /status``), send one parse, and warm the fallback.

        Returns:
            True when Rasa answered; False when it is unavailable (a warning is logged, and :meth:`parse`
            will use the fallback).
        """
        fallback_warm = getattr(self.fallback, "warm_up", None)
        if callable(fallback_warm):
            fallback_warm()
        self._entities("", None)  # import the extractor (and its dictionaries) now, not on the first message
        try:
            resp = self._client.get("/status", params=self._params)
            self._check(resp)
            status = resp.json()
            if not status.get("model_file"):
                raise RasaUnavailable(f"Rasa at {self.url} has no model loaded")
            self._post_parse(self._normalize("你好") if self._normalize else "你好")
        except (RasaUnavailable, httpx.HTTPError, ValueError) as exc:
            self._mark_down(str(exc))
            return False
        self._mark_up()
        log.info("Rasa NLU ready at %s (model %s)", self.url, status.get("model_file"))
        return True

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._client.close()

    def __enter__(self) -> RasaEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------------------------------- internals

    def _post_parse(self, payload: str) -> dict[str, Any]:
        try:
            resp = self._client.post("/model/parse", params=self._params, json={"text": payload})
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa at {self.url} timed out after {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa at {self.url} unreachable: {type(exc).__name__}: {exc}") from exc
        self._check(resp)
        try:
            data: dict[str, Any] = resp.json()
            data["intent"]["name"]  # noqa: B018 - shape check
        except (ValueError, KeyError, TypeError) as exc:
            raise RasaUnavailable(f"Rasa at {self.url} answered an unexpected body: {resp.text[:200]!r}") from exc
        return data

    def _check(self, resp: httpx.Response) -> None:
        if resp.status_code == 401 or resp.status_code == 403:
            raise RasaUnavailable(
                f"Rasa at {self.url} refused the request (HTTP {resp.status_code}): check ANJU_NLU__RASA_TOKEN"
            )
        if not resp.is_success:
            raise RasaUnavailable(f"Rasa at {self.url} answered HTTP {resp.status_code}: {resp.text[:200]!r}")

    def _to_parse(self, text: str, payload: str, data: dict[str, Any], now: datetime | None,
                  context: Any = None) -> Parse:
        name = str(data["intent"].get("name") or "")
        try:
            intent, category, urgency = labels_from_rasa(name)
        except RasaLabelError:
            # Not one of ours (e.g. `nlu_fallback` if a FallbackClassifier is ever added): no confident label.
            log.debug("unmapped Rasa intent %r for %r", name, text)
            intent, category, urgency = "other", None, "normal"
            data = {"intent": {"name": name, "confidence": 0.0}}
        rule = None
        if self._rules is not None:
            try:
                decision = self._rules(payload, intent, urgency, category)
                intent, urgency, rule = decision.intent, decision.urgency, decision.rule
                category = decision.category if intent == "repair" else None
            except Exception:  # a rule-layer bug must not lose Rasa's answer
                log.exception("safety rules failed for %r; keeping Rasa's labels", text)
        confidence = intent_confidence(data, intent)
        if rule and rule not in ("consistency", "recurring", "public-light"):  # safety.SOFT_RULES
            confidence = max(confidence, RULE_CONFIDENCE)
        entities = self._entities(text, now)
        if context is not None:
            from nlu.context import apply_context

            intent, urgency, category, earlier = apply_context(context, payload, intent, urgency, category)
            if earlier is not None and earlier.number:
                entities["repeat_of"] = earlier.number
        return Parse(
            intent=intent,
            urgency=urgency,
            category=category,
            lang=detect_lang(text),
            confidence=round(min(max(confidence, 0.0), 1.0), 6),
            entities=entities,
            engine=ENGINE_NAME,
        )

    def _fallback_parse(self, text: str, now: datetime | None, context: Any = None) -> Parse:
        assert self.fallback is not None
        fb: Any = self.fallback  # the builtin engine takes the optional owner context
        parse = fb.parse(text, now=now, context=context) if context is not None else fb.parse(text, now=now)
        return Parse(
            intent=parse.intent,
            urgency=parse.urgency,
            category=parse.category,
            lang=parse.lang,
            confidence=parse.confidence,
            entities=dict(parse.entities),
            engine=FALLBACK_ENGINE_NAME,
        )

    def _mark_down(self, reason: str) -> None:
        with self._lock:
            if self.retry_after_s > 0 and self.fallback is not None:
                self._skip_until = time.monotonic() + self.retry_after_s
            if not self._healthy:
                log.debug("Rasa still unavailable: %s", reason)
                return
            self._healthy = False
            self._down_since = time.monotonic()
        where = "answering with the fallback engine" if self.fallback is not None else "no fallback engine"
        log.warning("Rasa NLU unavailable (%s); %s until it recovers", reason, where)

    def _mark_up(self) -> None:
        with self._lock:
            if self._healthy:
                return
            self._healthy = True
            down_for = time.monotonic() - (self._down_since or time.monotonic())
            self._down_since = None
            self._skip_until = 0.0
        log.info("Rasa NLU at %s recovered after %.0f s", self.url, down_for)

    def _entities(self, text: str, now: datetime | None) -> dict[str, Any]:
        if not self._extractor_loaded:
            self._extractor = _lazy_callable(_ENTITY_EXTRACTORS)
            if self._extractor is not None:
                try:
                    self._extractor_takes_now = "now" in inspect.signature(self._extractor).parameters
                except (TypeError, ValueError):
                    self._extractor_takes_now = False
            self._extractor_loaded = True
        if self._extractor is None or not text:
            return {}
        try:
            result = self._extractor(text, now=now) if self._extractor_takes_now else self._extractor(text)
        except Exception:  # an entity bug must not lose the intent
            log.exception("entity extraction failed for %r", text)
            return {}
        return dict(result or {})
