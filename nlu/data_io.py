"""Read and write labelled examples in Rasa NLU YAML (version 3.1) with ``intent+category+urgency`` names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.lang import detect_lang

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_FILES = ("train_zh.yml", "train_en.yml", "train_registers.yml")
SPLITS = {"test": "test.yml", "test_new": "test_new.yml", "adversarial": "adversarial.yml",
          "test_registers": "test_registers.yml"}
# Splits made of several files: ``test_full`` is the original test split plus the second held-out batch.
MULTI_SPLITS = {"test_full": ("test", "test_new")}

# Names inside the YAML files (Rasa cannot reuse one label's value as another label's name).
_CATEGORY_TO_FILE = {None: "none", "other": "misc"}
_CATEGORY_FROM_FILE = {"none": None, "misc": "other"}


@dataclass(frozen=True)
class Example:
    """One labelled message. ``category`` is None unless ``intent == "repair"``."""

    text: str
    intent: str
    urgency: str
    category: str | None
    lang: str | None = None


def split_label(name: str) -> tuple[str, str | None, str]:
    """Split ``repair+water+emergency`` into ``("repair", "water", "emergency")`` (file names mapped back)."""
    intent, category, urgency = name.split("+")
    return intent, _CATEGORY_FROM_FILE.get(category, category), urgency


def join_label(intent: str, category: str | None, urgency: str) -> str:
    """Inverse of :func:`split_label`."""
    return f"{intent}+{_CATEGORY_TO_FILE.get(category, category)}+{urgency}"


def load_examples(paths: Iterable[Path | str]) -> list[Example]:
    """Load examples from Rasa NLU YAML files.

    Args:
        paths: YAML files whose ``nlu:`` items have ``intent`` names in ``intent+category+urgency`` form.

    Returns:
        Examples in file order; ``lang`` comes from the block's ``metadata.lang`` or is detected.
    """
    out: list[Example] = []
    for path in paths:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu", []):
            if "intent" not in item:
                continue
            intent, category, urgency = split_label(item["intent"])
            lang = (item.get("metadata") or {}).get("lang")
            for line in str(item.get("examples", "")).splitlines():
                line = line.strip()
                if not line.startswith("- "):
                    continue
                text = line[2:].strip()
                out.append(Example(text, intent, urgency, category, lang or detect_lang(text)))
    return out


def training_paths(data_dir: Path | None = None) -> list[Path]:
    """The training YAML files in ``data_dir`` (default: the package's ``nlu/data``)."""
    base = data_dir or DATA_DIR
    return [base / name for name in TRAIN_FILES if (base / name).exists()]


def split_paths(split: str) -> list[Path]:
    """Like :func:`split_path`, but also resolves the multi-file splits (``test_full``)."""
    return [split_path(s) for s in MULTI_SPLITS[split]] if split in MULTI_SPLITS else [split_path(split)]


def split_path(split: str) -> Path:
    """Resolve ``test``/``adversarial`` to the packaged file, anything else to a path."""
    return DATA_DIR / SPLITS[split] if split in SPLITS else Path(split)


def write_yaml(path: Path, blocks: Sequence[tuple[str, str, list[str]]]) -> None:
    """Write ``(label, lang, texts)`` blocks as Rasa NLU YAML 3.1 (one block per label and language)."""
    lines = ['version: "3.1"', "nlu:"]
    for label, lang, texts in blocks:
        lines += [f"- intent: {label}", "  metadata:", f"    lang: {lang}", "  examples: |"]
        lines += [f"    - {t}" for t in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
