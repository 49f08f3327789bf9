"""The YAML data: sizes, valid labels, no leakage from training into the held-out splits."""

from collections import Counter

from nlu.data_io import DATA_DIR, load_examples, split_path, training_paths
from nlu.normalize import normalize
from nlu.types import CATEGORIES, INTENTS, URGENCIES


def test_sizes_and_languages() -> None:
    train = load_examples(training_paths())
    test = load_examples([split_path("test")])
    adv = load_examples([split_path("adversarial")])
    assert len(train) >= 2000
    langs = Counter(e.lang for e in train)
    assert 0.6 <= langs["zh"] / len(train) <= 0.8
    assert len(test) >= 450 and Counter(e.lang for e in test)["en"] >= 120
    assert len(adv) >= 140


def test_labels_follow_labels_md() -> None:
    for ex in load_examples([*training_paths(), DATA_DIR / "test.yml", DATA_DIR / "test_new.yml",
                             DATA_DIR / "adversarial.yml"]):
        assert ex.intent in INTENTS and ex.urgency in URGENCIES
        if ex.intent == "repair":
            assert ex.category in CATEGORIES
        else:
            assert ex.category is None
        if ex.intent in ("enquiry", "other"):
            assert ex.urgency == "normal"
        if ex.intent == "complaint":
            assert ex.urgency != "emergency"


def test_every_category_and_urgency_is_trained() -> None:
    train = load_examples(training_paths())
    assert {e.category for e in train if e.intent == "repair"} == set(CATEGORIES)
    assert {e.urgency for e in train if e.intent == "repair"} == set(URGENCIES)


def test_no_test_sentence_in_training() -> None:
    train = {normalize(e.text) for e in load_examples(training_paths())}
    held_out = [split_path("test"), split_path("test_new"), split_path("test_registers")]
    test = [normalize(e.text) for e in load_examples(held_out)]
    leaked = [t for t in test if t in train]
    assert not leaked, leaked[:5]


def test_register_batch_is_trained_and_its_held_out_split_exists() -> None:
    names = [p.name for p in training_paths()]
    assert "train_registers.yml" in names
    reg = load_examples([split_path("test_registers")])
    assert len(reg) >= 70 and Counter(e.lang for e in reg)["en"] >= 20


def test_no_real_evaluation_text_in_the_repository() -> None:
    """``../shared/eval-real`` is evaluation only: none of its messages may appear in any data file."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    candidates = [base / "shared/eval-real/real.jsonl" for base in (root.parent, root.parent.parent)]
    real = next((p for p in candidates if p.exists()), None)
    if real is None:
        import pytest

        pytest.skip("eval-real is not present")
    texts = [normalize(json.loads(line)["text"]) for line in real.read_text(encoding="utf-8").splitlines() if line]
    files = [p for p in DATA_DIR.iterdir() if p.suffix in (".yml", ".py")]
    ours = "\n".join(normalize(p.read_text(encoding="utf-8")) for p in files)
    # any 30-character run of a real message (long enough to be a copy, not a shared phrase)
    copied = [t for t in texts if len(t) >= 30 and any(t[i : i + 30] in ours for i in range(0, len(t) - 29, 5))]
    assert not copied, copied[:3]
