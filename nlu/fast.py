"""Fast single-message inference for the fitted builtin model.

scikit-learn's per-call input validation costs ~10 ms per message for three calibrated classifiers; the maths
is a handful of sparse dot products. This module compiles the fitted vectorizers and classifiers into plain
numpy arrays once at load time and reproduces their outputs exactly (checked by the tests).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np


class FastVectorizer:
    """TF-IDF feature union (as fitted by :func:`nlu.features.build_vectorizer`) for one text at a time."""

    def __init__(self, union: Any) -> None:
        self.parts: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray | None, bool, float, int]] = []
        offset = 0
        weights = union.transformer_weights or {}
        for name, vec in union.transformer_list:
            idf = vec.idf_ if vec.use_idf else None
            self.parts.append((vec.build_analyzer(), vec.vocabulary_, idf, vec.sublinear_tf, weights.get(name, 1.0),
                               offset))
            offset += len(vec.vocabulary_)
        self.n_features = offset

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (indices, values) of the non-zero features of ``text``."""
        idx: list[int] = []
        vals: list[float] = []
        for analyzer, vocab, idf, sublinear, weight, offset in self.parts:
            counts = Counter(t for t in analyzer(text) if t in vocab)
            if not counts:
                continue
            cols = [vocab[t] for t in counts]
            v = np.array([1.0 + math.log(c) if sublinear else float(c) for c in counts.values()])
            if idf is not None:
                v *= idf[cols]
            norm = float(np.sqrt(v @ v))
            if norm:
                v = v / norm * weight
            idx.extend(offset + c for c in cols)
            vals.extend(v.tolist())
        return np.asarray(idx, dtype=np.intp), np.asarray(vals)


class FastCalibratedLinear:
    """A sigmoid-calibrated one-vs-rest linear classifier (CalibratedClassifierCV over LinearSVC)."""

    def __init__(self, clf: Any) -> None:
        self.classes = [str(c) for c in clf.classes_]
        if len(self.classes) < 3:
            raise ValueError("FastCalibratedLinear needs at least 3 classes")
        folds = clf.calibrated_classifiers_
        self.coef = np.stack([np.asarray(f.estimator.coef_) for f in folds])  # folds x classes x features
        self.intercept = np.stack([np.asarray(f.estimator.intercept_) for f in folds])
        self.a = np.array([[c.a_ for c in f.calibrators] for f in folds])
        self.b = np.array([[c.b_ for c in f.calibrators] for f in folds])

    def predict_proba(self, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """Class probabilities for one sparse feature vector."""
        scores = self.coef[:, :, idx] @ vals + self.intercept  # folds x classes
        proba = 1.0 / (1.0 + np.exp(self.a * scores + self.b))  # expit(-(a*s + b)), as sklearn
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / proba.shape[1])
        proba = np.divide(proba, total, out=uniform, where=total != 0)
        out: np.ndarray = proba.mean(axis=0)
        return out

    def probs(self, idx: np.ndarray, vals: np.ndarray) -> dict[str, float]:
        """``{class: probability}``."""
        return dict(zip(self.classes, self.predict_proba(idx, vals).tolist(), strict=True))


class FastModel:
    """Compiled vectorizer plus intent, urgency and category classifiers."""

    def __init__(self, model: Any) -> None:
        self.vectorizer = FastVectorizer(model.vectorizer)
        self.intent = FastCalibratedLinear(model.intent)
        self.urgency = FastCalibratedLinear(model.urgency)
        self.category = FastCalibratedLinear(model.category)

    def predict(self, text: str) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        """Intent, urgency and category probabilities for cleaned, normalised ``text``."""
        idx, vals = self.vectorizer.transform(text)
        return self.intent.probs(idx, vals), self.urgency.probs(idx, vals), self.category.probs(idx, vals)
