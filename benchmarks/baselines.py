"""The baselines `benchmarks.accuracy` measures the fine-tuned model against, built with scikit-learn and the
same encoder the model starts from.

- TF-IDF: word 1-2grams + char_wb 2-5grams, one-vs-rest logistic regression (class_weight balanced): the
  library's own `eventclf.lexical.LexicalModel`, scored alone.
- Frozen encoder: mean-pooled, L2-normalised embeddings ("query: " prefix), the same regression.
- Zero-shot: cosine between a paragraph ("query: ") and each type's codebook definition and includes ("passage: ").

Like the model, every baseline tunes one threshold per type on the validation split (`tune_thresholds`); the
regressions also pick their regularisation strength C there, so they are not handicapped by a guessed setting.
Embeddings, and a fine-tuned model's probabilities (`model_predictor`, shared by accuracy and real_text), are
cached on disk, keyed by the model's files and the exact texts, so reruns skip the encoder; `cached_baseline` keeps a
baseline's fit and predictions the same way, so a rerun on the same data fits nothing.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from eventclf.atomic import atomic_path
from eventclf.embeddings import SentenceEncoder
from eventclf.inference import EventClassifier
from eventclf.labels import EventType, LabelSet
from eventclf.lexical import LexicalModel, fit_regression
from eventclf.metrics import tune_thresholds

QUERY, PASSAGE = "query: ", "passage: "  # E5's prefixes: a question-like text vs a document to match it against
MAX_TOKENS = 512  # E5's position limit; longer texts are truncated (the fine-tuned model reads them in windows)


@dataclass
class Baseline:
    key: str
    name: str
    predict: Callable[[Sequence[str]], np.ndarray]  # texts -> scores in [0, 1], one column per type
    thresholds: dict[str, float]
    probabilistic: bool  # False: scores rank but are not probabilities, so calibration does not apply
    details: dict[str, Any] = field(default_factory=dict)  # chosen C, fit time: recorded with the results


def _digest(h: Any, parts: Sequence[str]) -> str:
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()[:24]


def cache_key(folder: Path, texts: Sequence[str], *extra: str) -> str:
    """Changes when any file of the model folder is rewritten, or the texts or settings differ."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
        stat = path.stat()
        h.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return _digest(h, (*extra, *texts))


def cached_array(path: Path, compute: Callable[[], np.ndarray]) -> np.ndarray:
    if path.is_file():
        return np.load(path)
    array = compute()
    with atomic_path(path) as partial:  # a run killed mid-write leaves no truncated cache entry
        np.save(partial, array)
    return array


def cached_baseline(fit: Callable[[], Baseline], cache_dir: Path, key: str) -> Baseline:
    """The baseline `fit` returns, with its fit record (thresholds, details) and its scores cached under `key`, which
    must name everything the fit reads. Fitted only on a cache miss, so a rerun reports the fit time measured when it
    was first fitted, as a reused model reports its training time: the same data give the same page."""
    fitted: list[Baseline] = []

    def baseline() -> Baseline:
        if not fitted:
            fitted.append(fit())
        return fitted[0]

    record_path = cache_dir / f"baseline-{key}.json"
    if record_path.is_file():
        record = json.loads(record_path.read_text(encoding="utf-8"))
    else:
        b = baseline()
        record = {"key": b.key, "name": b.name, "thresholds": b.thresholds, "probabilistic": b.probabilistic,
                  "details": b.details}
        with atomic_path(record_path) as partial:  # a killed run leaves no half record to be trusted later
            partial.write_text(json.dumps(record), encoding="utf-8")

    def predict(texts: Sequence[str]) -> np.ndarray:
        path = cache_dir / f"baseline-probs-{_digest(hashlib.sha256(), (key, *texts))}.npy"
        return cached_array(path, lambda: baseline().predict(texts))
    return Baseline(record["key"], record["name"], predict, record["thresholds"], record["probabilistic"],
                    record["details"])


def model_predictor(folder: Path, cache_dir: Path) -> Callable[[Sequence[str]], np.ndarray]:
    """Probabilities of a model folder, cached per text set; the model is loaded only on a cache miss."""
    loaded: list[EventClassifier] = []

    def predict(texts: Sequence[str]) -> np.ndarray:
        def compute() -> np.ndarray:
            if not loaded:
                loaded.append(EventClassifier.from_pretrained(folder))
            return loaded[0].predict_proba(list(texts))
        return cached_array(cache_dir / f"probs-{cache_key(folder, texts)}.npy", compute)
    return predict


class FrozenEncoder:
    """`SentenceEncoder` embeddings of a folder, cached on disk per text set and prefix."""

    def __init__(self, folder: str | Path, cache_dir: Path, batch_size: int = 32):
        self.folder = Path(folder)
        self.cache_dir = Path(cache_dir)
        self.encoder = SentenceEncoder(folder, batch_size, MAX_TOKENS)

    def embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        key = cache_key(self.folder, texts, prefix, str(MAX_TOKENS))
        return cached_array(self.cache_dir / f"emb-{key}.npy", lambda: self.encoder.encode([prefix + t for t in texts]))


def tfidf_baseline(train_texts: Sequence[str], y_train: np.ndarray, val_texts: Sequence[str], y_val: np.ndarray,
                   labels: Sequence[str]) -> Baseline:
    model = LexicalModel.fit(train_texts, y_train, val_texts, y_val, labels, weight=1.0)
    details = dict(model.details)
    thresholds = details.pop("thresholds_alone")
    return Baseline("tfidf", "TF-IDF + logistic regression", model.predict_proba, thresholds, True, details)


def frozen_encoder_baseline(encoder: FrozenEncoder, train_texts: Sequence[str], y_train: np.ndarray,
                            val_texts: Sequence[str], y_val: np.ndarray, labels: Sequence[str]) -> Baseline:
    x_train, x_val = encoder.embed(train_texts, QUERY), encoder.embed(val_texts, QUERY)
    started = time.perf_counter()  # the regression only: embeddings are cached and timed apart
    model, thresholds, details = fit_regression(x_train, y_train, x_val, y_val, labels)
    details.update(fit_seconds=round(time.perf_counter() - started, 1))
    return Baseline("frozen", "Frozen encoder + logistic regression",
                    lambda texts: model.predict_proba(encoder.embed(texts, QUERY)), thresholds, True, details)


def definition_text(event_type: EventType) -> str:
    includes = f" Includes: {'; '.join(event_type.includes)}." if event_type.includes else ""
    return event_type.definition + includes


def zero_shot_baseline(encoder: FrozenEncoder, label_set: LabelSet, val_texts: Sequence[str], y_val: np.ndarray,
                       ) -> Baseline:
    """Cosine to each type's definition; no training data, only the validation split for thresholds."""
    types = encoder.embed([definition_text(t) for t in label_set.types], PASSAGE)
    val_cosine = encoder.embed(val_texts, QUERY) @ types.T
    # E5 cosines sit in a narrow band (about 0.7-0.9): stretch each type's validation range onto [0, 1] so the
    # shared 0.05-step threshold grid of `tune_thresholds` can resolve it
    low, span = val_cosine.min(0), np.maximum(np.ptp(val_cosine, 0), 1e-6)

    def predict(texts: Sequence[str]) -> np.ndarray:
        return np.clip((encoder.embed(texts, QUERY) @ types.T - low) / span, 0.0, 1.0)

    thresholds = tune_thresholds(y_val, predict(val_texts), label_set.names)
    return Baseline("zero_shot", "Zero-shot (cosine to codebook definitions)", predict, thresholds, False,
                    {"cosine_range": {n: [round(float(lo), 4), round(float(lo + s), 4)]
                                      for n, lo, s in zip(label_set.names, low, span)}})
