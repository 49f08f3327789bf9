"""Artifacts: versioned, lazily loaded, exactly reproduced by the fast inference path."""

import pickle
from pathlib import Path

import numpy as np

from nlu import Engine, ensure_trained, get_engine
from nlu.builtin import BuiltinEngine
from nlu.data_io import load_examples, split_path
from nlu.features import clean_for_model
from nlu.model import find_artifact, load
from nlu.normalize import normalize


def test_artifact_is_versioned_with_metadata(model_dir: Path) -> None:
    path = find_artifact(model_dir)
    assert path is not None and path.name.startswith("builtin-") and path.suffix == ".pkl"
    assert (model_dir / "latest").read_text().strip() == path.name
    meta = load(path).meta
    assert meta["training_size"] >= 2000 and meta["sklearn"] and meta["version"] == path.stem
    assert ensure_trained(model_dir) == path  # no retraining when an artifact exists


def test_loading_is_lazy(model_dir: Path) -> None:
    eng = get_engine("builtin", model_dir=model_dir)
    assert isinstance(eng, Engine) and isinstance(eng, BuiltinEngine)
    assert not eng.loaded
    p = eng.parse("厨房水龙头滴水")
    assert eng.loaded and p.intent == "repair" and p.engine == "builtin"


def test_ensure_trained_trains_when_missing(tmp_path: Path, model_dir: Path, monkeypatch) -> None:  # noqa: ANN001
    import nlu.model as m

    calls = []
    monkeypatch.setattr(m, "train", lambda data_dir, out: calls.append(out) or find_artifact(model_dir))
    assert m.ensure_trained(tmp_path / "empty") == find_artifact(model_dir)
    assert calls == [tmp_path / "empty"]


def test_fast_path_matches_sklearn(engine: BuiltinEngine) -> None:
    model, fast = engine.model, engine._ensure_loaded()
    for ex in load_examples([split_path("adversarial")])[:60]:
        text = clean_for_model(normalize(ex.text))
        x = model.vectorizer.transform([text])
        idx, vals = fast.vectorizer.transform(text)
        for clf, fclf in ((model.intent, fast.intent), (model.urgency, fast.urgency),
                          (model.category, fast.category)):
            assert np.allclose(clf.predict_proba(x)[0], fclf.predict_proba(idx, vals), atol=1e-9)


def test_artifact_round_trips_through_pickle(model_dir: Path) -> None:
    path = find_artifact(model_dir)
    assert path is not None
    assert pickle.loads(path.read_bytes()).meta == load(path).meta


def test_get_engine_unknown_name() -> None:
    import pytest

    with pytest.raises(LookupError):
        get_engine("nope")
