"""The dialog state stored in ``conversations.state``: a typed, versioned dataclass kept as JSON.

``DialogState.from_json`` reads any stored shape (version 0 rows written before versioning had no
``v``), drops unknown keys and values of the wrong type, so a step never sees a malformed state;
``to_json`` writes version :data:`VERSION` with only the fields that are set. Migration
``0004_conv`` stamps existing rows with the version.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, get_type_hints

VERSION = 1
FLOWS = frozenset({"binding", "intake", "emergency", "confirm", "survey", "cancel"})


@dataclass
class DialogState:
    """Where a conversation stands between two turns."""

    v: int = VERSION
    lang: str | None = None  # sticky: set by the owner's words
    noticed: bool = False  # the privacy notice was sent
    flow: str | None = None  # one of FLOWS
    step: str | None = None  # the flow's pending question
    slots: dict[str, Any] = field(default_factory=dict)  # intake: category, urgency, description, location, ...
    stash: dict[str, Any] | None = None  # the request to resume after binding
    tries: int = 0  # binding attempts
    misses: int = 0  # intake answers not understood in a row
    low_conf: int = 0  # low-confidence turns in a row
    otp: str | None = None  # digest of the code sent
    otp_expires: str | None = None
    phone: str | None = None  # the number being verified
    proven: bool = False
    sends: int = 0  # codes requested in this binding
    unit_id: int | None = None
    ticket_id: int | str | None = None  # int, or "$created" inside one step
    survey_id: int | None = None
    score: int | None = None
    reason: str | None = None  # cancel: the owner's words
    turns: int = 0  # emergency: detail turns so far
    need: list[str] = field(default_factory=list)  # emergency: address / phone still missing
    category: str | None = None  # emergency: the hazard being handled
    choices: list[str] = field(default_factory=list)  # payloads of the last numbered choices

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DialogState:
        """Read a stored state of any version; unknown keys and wrongly typed values are dropped."""
        data = dict(data or {})
        data.pop("v", None)  # version 0 (no key) and 1 have the same fields
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name == "v" or f.name not in data:
                continue
            value = data[f.name]
            if _fits(value, hints[f.name]):
                values[f.name] = value
        state = cls(**values)
        if state.flow is not None and state.flow not in FLOWS:
            state.flow, state.step = None, None
        return state

    def to_json(self) -> dict[str, Any]:
        """The JSON stored: the version and every field that differs from its default."""
        out: dict[str, Any] = {"v": VERSION}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if f.name != "v" and value != default:
                out[f.name] = value
        return out


def _fits(value: Any, hint: Any) -> bool:
    """A small runtime check of the annotations used above."""
    text = str(hint)
    if value is None:
        return "None" in text
    if isinstance(value, bool):
        return "bool" in text
    if isinstance(value, int):
        return "int" in text
    if isinstance(value, str):
        return "str" in text and not text.startswith("dict") and not text.startswith("list")
    if isinstance(value, dict):
        return "dict" in text
    if isinstance(value, list):
        return "list" in text
    return False


def normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    """A stored or step-produced state, validated and written in the current version."""
    return DialogState.from_json(data).to_json()
