"""Natural-language understanding: text to Parse(intent, urgency, category, lang, confidence, entities).

Usage::

    from nlu import get_engine
    engine = get_engine("builtin", model_dir=Path("data/nlu"))
    engine.warm_up()
    engine.parse("3栋2单元1502 厨房水管爆了")
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from nlu.types import CATEGORIES, INTENTS, URGENCIES, OwnerContext, Parse, TicketRef

__all__ = [
    "CATEGORIES",
    "INTENTS",
    "URGENCIES",
    "Engine",
    "OwnerContext",
    "Parse",
    "TicketRef",
    "default_model_dir",
    "ensure_trained",
    "get_engine",
    "register_engine",
]


@runtime_checkable
class Engine(Protocol):
    """What every NLU engine offers."""

    def parse(self, text: str, now: datetime | None = None, context: OwnerContext | None = None) -> Parse:
        """Label one message; ``context`` (the owner's open and recent tickets) turns a "still not fixed"
        message about one of them into a complaint."""
        ...

    def warm_up(self) -> None:
        """Load models and dictionaries so the first parse is fast."""
        ...


def default_model_dir() -> Path:
    """``$ANJU_DATA_DIR/nlu`` (``data/nlu`` when the variable is unset)."""
    return Path(os.environ.get("ANJU_DATA_DIR", "data")) / "nlu"


def ensure_trained(model_dir: Path | None = None, data_dir: Path | None = None) -> Path:
    """Return the builtin artifact in ``model_dir``, training one first if there is none.

    Args:
        model_dir: Artifact folder (default :func:`default_model_dir`).
        data_dir: Training data folder (default: the packaged ``nlu/data``).

    Returns:
        Path of the artifact.
    """
    from nlu.model import ensure_trained as _ensure

    return _ensure(model_dir or default_model_dir(), data_dir)


def _builtin(**opts: Any) -> Engine:
    from nlu.builtin import BuiltinEngine

    opts.setdefault("model_dir", default_model_dir())
    return BuiltinEngine(**opts)


def _lazy(module: str, cls: str) -> Callable[..., Engine]:
    def factory(**opts: Any) -> Engine:
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:  # the Rasa adapter is optional
            raise LookupError(f"NLU engine module {module} is not available: {exc}") from exc
        engine: Engine = getattr(mod, cls)(**opts)
        return engine

    return factory


_REGISTRY: dict[str, Callable[..., Engine]] = {
    "builtin": _builtin,
    "rasa": _lazy("nlu.rasa_engine", "RasaEngine"),
}


def register_engine(name: str, factory: Callable[..., Engine]) -> None:
    """Add or replace an engine factory (``factory(**opts) -> Engine``)."""
    _REGISTRY[name] = factory


def get_engine(name: str = "builtin", **opts: Any) -> Engine:
    """Create an NLU engine by name.

    Args:
        name: ``builtin`` (default) or ``rasa``.
        **opts: Passed to the engine's constructor (builtin: ``model_dir``, ``data_dir``, ``use_rules``).

    Returns:
        The engine; models load lazily (call ``warm_up()`` at start-up).

    Raises:
        LookupError: Unknown engine name, or its module cannot be imported.
    """
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise LookupError(f"unknown NLU engine {name!r}; known: {sorted(_REGISTRY)}") from None
    return factory(**opts)
