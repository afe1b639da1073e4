"""A TF-IDF + logistic-regression model of a training split, blended into the fine-tuned model's scores.

The encoder reads meaning across languages; word and character n-grams catch the stock phrasing of coder notes and
wire copy that the encoder can miss. A model folder may carry one beside the encoder (`lexical.json`: weight,
settings and vocabularies; `lexical.safetensors`: idf, coefficients), and `EventClassifier` then scores a paragraph
as `(1 - weight) * encoder + weight * lexical` per type. Why and at what weight: docs/training_choices.md.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from safetensors.numpy import load_file, save_file
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from .errors import DataError, ModelFolderError, one_line
from .metrics import apply_thresholds, scores, tune_thresholds

SETTINGS_FILE, ARRAYS_FILE = "lexical.json", "lexical.safetensors"
C_GRID = (0.1, 1.0, 10.0, 100.0)
# word 1-2grams, and character 2-5grams inside word boundaries: they carry morphology across nine languages and
# scripts; the character vocabulary drops n-grams seen once, or it would be mostly typos and numbers
FEATURES = {"word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1},
            "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2}}


def _vectorizer(settings: dict[str, Any], vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=settings["analyzer"], ngram_range=tuple(settings["ngram_range"]),
                           min_df=settings["min_df"], sublinear_tf=True, vocabulary=vocabulary)


def fit_regression(x_train, y_train: np.ndarray, x_val, y_val: np.ndarray,
                   labels: Sequence[str]) -> tuple[OneVsRestClassifier, dict[str, float], dict[str, Any]]:
    """One-vs-rest logistic regression (balanced classes) for each C of `C_GRID`; keeps the one with the best
    validation macro-F1 at its own tuned thresholds. Returns (model, thresholds, {"C", "validation_macro_f1"})."""
    best: tuple[float, float, OneVsRestClassifier, dict[str, float]] | None = None
    for C in C_GRID:
        model = OneVsRestClassifier(LogisticRegression(C=C, class_weight="balanced", max_iter=3000))
        model.fit(x_train, y_train)
        probs = model.predict_proba(x_val)
        thresholds = tune_thresholds(y_val, probs, labels)
        f1 = scores(y_val, apply_thresholds(probs, thresholds, labels), labels)["macro_f1"]
        if best is None or f1 > best[0]:
            best = (f1, C, model, thresholds)
    f1, C, model, thresholds = best
    return model, thresholds, {"C": C, "validation_macro_f1": round(f1, 4)}


class LexicalModel:
    """TF-IDF features and one logistic regression per type, with the weight it gets in a blend.

    Example:
        >>> lex = LexicalModel.fit(train_texts, y_train, val_texts, y_val, ["bombing", "fatwa"], weight=0.4)  # doctest: +SKIP
        >>> lex.predict_proba(["A car bomb exploded near the market."]).shape  # doctest: +SKIP
        (1, 2)
    """

    def __init__(self, vectorizers: dict[str, TfidfVectorizer], coef: np.ndarray, intercept: np.ndarray,
                 labels: Sequence[str], weight: float, details: dict[str, Any]):
        self.vectorizers, self.coef, self.intercept = vectorizers, coef, intercept
        self.labels, self.weight, self.details = tuple(labels), float(weight), details

    @classmethod
    def fit(cls, train_texts: Sequence[str], y_train: np.ndarray, val_texts: Sequence[str], y_val: np.ndarray,
            labels: Sequence[str], weight: float) -> LexicalModel:
        """Fit the features on the training texts and the regression on them, its C chosen on validation.

        Args:
            train_texts, y_train: the training split and its 0/1 label matrix (columns in `labels` order).
            val_texts, y_val: the validation split, which picks C.
            labels: the type names.
            weight: its share in the blend with the encoder, in (0, 1].

        Returns:
            The fitted model; `details` records C, its validation macro-F1 alone, the feature count and fit time.
        """
        started = time.perf_counter()
        vectorizers = {name: _vectorizer(s) for name, s in FEATURES.items()}
        x_train = sp.hstack([v.fit_transform(train_texts) for v in vectorizers.values()]).tocsr()
        x_val = sp.hstack([v.transform(val_texts) for v in vectorizers.values()]).tocsr()
        model, thresholds, details = fit_regression(x_train, y_train, x_val, y_val, labels)
        missing = [n for n, e in zip(labels, model.estimators_) if not hasattr(e, "coef_")]
        if missing:  # one-vs-rest keeps a constant for a type with no positive (or no negative) training row
            raise DataError(f"training split: no positive or no negative rows for {', '.join(missing)}")
        coef = np.vstack([e.coef_ for e in model.estimators_]).astype(np.float32)
        intercept = np.concatenate([e.intercept_ for e in model.estimators_]).astype(np.float32)
        details.update(features=x_train.shape[1], fit_seconds=round(time.perf_counter() - started, 1),
                       thresholds_alone=thresholds)
        return cls(vectorizers, coef, intercept, labels, weight, details)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of every type for every text, alone (not blended); columns in `labels` order."""
        x = sp.hstack([v.transform(list(texts)) for v in self.vectorizers.values()]).tocsr()
        return (1 / (1 + np.exp(-(x @ self.coef.T + self.intercept)))).astype(np.float32)

    def blend(self, encoder_probs: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The encoder's probabilities of `texts` blended with this model's, at `weight`."""
        return (1 - self.weight) * encoder_probs + self.weight * self.predict_proba(texts)

    def save(self, folder: str | Path) -> None:
        """Write `lexical.json` and `lexical.safetensors` into a model folder."""
        folder = Path(folder)
        features = {name: {**FEATURES[name], "vocabulary": sorted(v.vocabulary_, key=v.vocabulary_.get)}
                    for name, v in self.vectorizers.items()}
        settings = {"weight": self.weight, "labels": list(self.labels), "details": self.details, "features": features}
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
        arrays = {f"{name}.idf": v.idf_.astype(np.float32) for name, v in self.vectorizers.items()}
        save_file({**arrays, "coef": self.coef, "intercept": self.intercept}, str(folder / ARRAYS_FILE))

    @classmethod
    def load(cls, folder: str | Path, labels: Sequence[str]) -> LexicalModel | None:
        """The lexical model saved in a model folder, or None when the folder has none.

        Raises:
            ModelFolderError: a lexical file is missing, damaged, or names other types than `labels`.
        """
        folder = Path(folder)
        if not (folder / SETTINGS_FILE).is_file():
            return None
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
            arrays = load_file(str(folder / ARRAYS_FILE))
            vectorizers = {}
            for name, s in settings["features"].items():
                vectorizers[name] = _vectorizer(s, s["vocabulary"])
                vectorizers[name].idf_ = arrays[f"{name}.idf"].astype(np.float64)
            model = cls(vectorizers, arrays["coef"], arrays["intercept"], settings["labels"], settings["weight"],
                        settings["details"])
            width = sum(len(v.vocabulary) for v in vectorizers.values())
            if model.coef.shape[1] != width or any(len(v.idf_) != len(v.vocabulary) for v in vectorizers.values()):
                raise ValueError(f"{ARRAYS_FILE} does not match the vocabularies ({width} features)")
        except Exception as exc:  # json, safetensors and scikit-learn each raise their own types
            raise ModelFolderError(f"{folder / SETTINGS_FILE}: cannot load the lexical model "
                                   f"({type(exc).__name__}: {one_line(exc)})") from exc
        if model.labels != tuple(labels) or model.coef.shape[0] != len(labels):
            raise ModelFolderError(f"{folder / SETTINGS_FILE}: field `labels` is {list(model.labels)}, "
                                   f"but the model's types are {list(labels)}")
        return model
