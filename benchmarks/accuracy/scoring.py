"""Every number of the accuracy benchmark: each system scored on the test split and the real sets, the seeds
aggregated into mean ± std, calibration and the fine-tuned model's errors."""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from benchmarks import baselines
from benchmarks.accuracy import MODEL
from benchmarks.accuracy.data import Data
from benchmarks.accuracy.runs import Run
from benchmarks.baselines import (Baseline, FrozenEncoder, cache_key, cached_baseline, definition_text,
                                  frozen_encoder_baseline, model_predictor, tfidf_baseline, zero_shot_baseline)
from benchmarks.real_data import score_set
from benchmarks.report import aggregate
from eventclf.base_models import resolve_base_model
from eventclf.config import TrainingConfig
from eventclf.inference import read_settings
from eventclf.metrics import (ECE_BINS, apply_thresholds, confusion_summary, evaluate, expected_calibration_error,
                              reliability)


def score_system(predict: Callable[[Sequence[str]], np.ndarray], thresholds: dict[str, float], data: Data,
                 probabilistic: bool = True) -> tuple[dict[str, Any], np.ndarray]:
    """Every number of one system at its tuned thresholds (and at 0.5 where its scores are probabilities), and its
    test-split probabilities."""
    labels, y, langs = data.labels, data.truth("test"), data.langs()
    probs = predict(data.texts("test"))
    result: dict[str, Any] = {"thresholds": thresholds, "test": evaluate(y, probs, thresholds, labels, langs)}
    half = dict.fromkeys(labels, 0.5)
    if probabilistic:
        result["test_at_0.5"] = evaluate(y, probs, half, labels, langs)
        result["ece"] = expected_calibration_error(y, probs)
    real_probs = {r.name: predict([ex.text for ex in r.examples]) for r in data.real}
    result["real"] = {r.name: score_set(r, real_probs[r.name], thresholds, labels) for r in data.real}
    if probabilistic:
        result["real_at_0.5"] = {r.name: score_set(r, real_probs[r.name], half, labels) for r in data.real}
    return result, probs


def baselines_key(data: Data, encoder_folder: str) -> str:
    """Everything a baseline's fit reads: the train and validation rows, the codebook, the encoder's files, and the
    baselines' own code (so editing a baseline refits it rather than reusing a stale fit)."""
    rows = [f"{split}\t{ex.text}\t{'|'.join(ex.labels)}" for split in ("train", "validation")
            for ex in data.splits[split]]
    code = hashlib.sha256(Path(baselines.__file__).read_bytes()).hexdigest()
    return cache_key(Path(encoder_folder), rows, code, *data.labels, *map(definition_text, data.label_set.types))


def build_baselines(data: Data, config: TrainingConfig, cache_dir: Path) -> list[Baseline]:
    """The three baselines, each fitted only when the cache holds no fit of the same inputs."""
    folder = resolve_base_model(config.base_model)[0]
    encoder = cache(lambda: FrozenEncoder(folder, cache_dir))  # loaded only if a baseline must be fitted
    train, val = (data.texts("train"), data.truth("train")), (data.texts("validation"), data.truth("validation"))
    key = baselines_key(data, folder)
    fits: dict[str, Callable[[], Baseline]] = {
        "tfidf": lambda: tfidf_baseline(*train, *val, data.labels),
        "frozen": lambda: frozen_encoder_baseline(encoder(), *train, *val, data.labels),
        "zero_shot": lambda: zero_shot_baseline(encoder(), data.label_set, *val),
    }
    return [cached_baseline(fit, cache_dir, f"{name}-{key}") for name, fit in fits.items()]


def score_runs(runs: list[Run], data: Data, cache_dir: Path) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    """Each model's results, and its test-split probabilities."""
    scored = []
    for run in runs:
        print(f"scoring {run.name}")
        scored.append(score_system(model_predictor(run.folder, cache_dir), read_settings(run.folder)["thresholds"], data))
    return [result for result, _ in scored], [probs for _, probs in scored]


def score_baselines(data: Data, config: TrainingConfig, cache_dir: Path) -> dict[str, dict[str, Any]]:
    systems = {}
    for b in build_baselines(data, config, cache_dir):
        print(f"scoring baseline {b.name}")
        systems[b.key] = {"name": b.name, "details": b.details,
                          **score_system(b.predict, b.thresholds, data, b.probabilistic)[0]}
    return systems


def score_all(runs: list[Run], english: Run, data: Data, config: TrainingConfig, cache_dir: Path) -> dict[str, Any]:
    """The systems (the seeds as mean ± std, then the baselines), each seed on its own, the English-only model,
    calibration, and the errors of the first seed."""
    per_seed, seed_probs = score_runs(runs, data, cache_dir)
    english_result = score_runs([english], data, cache_dir)[0][0]
    y_test = data.truth("test")
    first_pred = apply_thresholds(seed_probs[0], per_seed[0]["thresholds"], data.labels)
    return {
        "systems": {MODEL: {"name": "Fine-tuned model", **aggregate(per_seed)},
                    **score_baselines(data, config, cache_dir)},
        "fine_tuned_per_seed": [{"run": run.name, "seed": run.seed, **res} for run, res in zip(runs, per_seed)],
        "english_only": {"run": english.name, "seed": english.seed, **english_result},
        "calibration": {"bins": ECE_BINS, "reliability_per_seed": [reliability(y_test, p) for p in seed_probs]},
        "errors": {"model_run": runs[0].name, "confusion": confusion_summary(y_test, first_pred, data.labels),
                   "cooccurrence": (y_test.T @ y_test).tolist(), "no_event": int((y_test.sum(1) == 0).sum())},
    }
