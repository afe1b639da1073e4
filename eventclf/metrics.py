"""Multi-label scores, threshold tuning, calibration, errors per type, and the per-type table people read."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Mapping, Sequence

import numpy as np
from sklearn.calibration import calibration_curve

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)
ECE_BINS = 15


def binarize(label_lists: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(labels)}
    y = np.zeros((len(label_lists), len(labels)), dtype=np.int64)
    for row, names in enumerate(label_lists):
        for name in names:
            y[row, index[name]] = 1
    return y


def apply_thresholds(probs: np.ndarray, thresholds: Mapping[str, float], labels: Sequence[str]) -> np.ndarray:
    return (probs >= np.array([thresholds[name] for name in labels])).astype(np.int64)


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 means no prediction or no positive: score 0
        p = np.nan_to_num(tp / (tp + fp))
        r = np.nan_to_num(tp / (tp + fn))
        f = np.nan_to_num(2 * tp / (2 * tp + fp + fn))  # = 2pr/(p+r), without rounding p and r first
    return p, r, f


def scores(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Per-type precision/recall/F1/support, macro and micro F1, exact match (all types right, `()` included).

    Counted by hand rather than with sklearn, which reads a single label column as a binary target and would
    then score the negative class."""
    y_true, y_pred = np.asarray(y_true, bool), np.asarray(y_pred, bool)
    tp, fp, fn = ((y_true & y_pred).sum(0), (~y_true & y_pred).sum(0), (y_true & ~y_pred).sum(0))
    p, r, f = _prf(tp, fp, fn)
    micro = _prf(tp.sum(), fp.sum(), fn.sum())[2]
    support = y_true.sum(0)
    present = support > 0  # a type absent from this slice has no F1 to average
    return {
        "per_type": {name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                            "support": int(support[i])} for i, name in enumerate(labels)},
        "macro_f1": float(f[present].mean()) if present.any() else 0.0,
        "micro_f1": float(micro),
        "exact_match": float((y_true == y_pred).all(axis=1).mean()) if len(y_true) else 0.0,
        "n": int(len(y_true)),
    }


def tune_thresholds(y_true: np.ndarray, probs: np.ndarray, labels: Sequence[str],
                    sample_weight: np.ndarray | None = None) -> dict[str, float]:
    """Per type, the grid threshold whose F1, averaged with its two neighbours' F1, is best on held-out data; 0.5
    where the data has no positive.

    The average keeps a threshold off a cliff edge: without it, one heavily weighted negative could push a type to
    the top of the grid, where recall on new text can fall away (split H's fatwa rows; docs/training_choices.md,
    Rule I-1). Beyond the grid's ends the neighbours are calling every row and calling none. `sample_weight`
    re-weights rows, e.g. `feed_weights` to tune for a feed that is mostly no event.

    Example:
        >>> y = binarize([["a"], ["a"], [], []], ["a"])
        >>> tune_thresholds(y, np.array([[0.3], [0.35], [0.1], [0.2]]), ["a"])
        {'a': 0.25}
    """
    y_true, probs = np.asarray(y_true, bool), np.asarray(probs)
    weight = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, float)
    grid = np.concatenate([[0.0], THRESHOLD_GRID, [np.inf]])
    tuned = {}
    for i, name in enumerate(labels):
        if not y_true[:, i].any():
            tuned[name] = 0.5
            continue
        called = probs[:, i][None, :] >= grid[:, None]  # one row per threshold
        truth = y_true[:, i][None, :]
        f1 = _prf((called & truth) @ weight, (called & ~truth) @ weight, (~called & truth) @ weight)[2]
        smoothed = (f1[:-2] + f1[1:-1] + f1[2:]) / 3
        best = THRESHOLD_GRID[np.isclose(smoothed, smoothed.max())]
        # among equally good thresholds take the one closest to 0.5: least fitted to this small split
        tuned[name] = float(min(best, key=lambda t: abs(t - 0.5)))
    return tuned


def feed_weights(y_true: np.ndarray, no_event_share: float) -> np.ndarray | None:
    """Row weights under which no-event rows make `no_event_share` of the data, as in a news feed where most
    paragraphs report nothing; None when the share is 0 (weigh the rows as they are) or a side is empty."""
    quiet = ~np.asarray(y_true, bool).any(axis=1)
    if not no_event_share or quiet.all() or not quiet.any():
        return None
    scale = no_event_share / (1 - no_event_share) * (~quiet).sum() / quiet.sum()
    return np.where(quiet, scale, 1.0)


def evaluate(y_true: np.ndarray, probs: np.ndarray, thresholds: Mapping[str, float], labels: Sequence[str],
             langs: Sequence[str] | None = None) -> dict[str, Any]:
    y_pred = apply_thresholds(probs, thresholds, labels)
    result = scores(y_true, y_pred, labels)
    if langs is not None and any(langs):
        rows = defaultdict(list)
        for i, lang in enumerate(langs):
            rows[lang or "?"].append(i)
        result["per_language"] = {lang: {k: v for k, v in scores(y_true[idx], y_pred[idx], labels).items()
                                         if k != "per_type"} for lang, idx in sorted(rows.items())}
    return result


def confusion_summary(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Per type: its true positives, false positives and misses, what its false positives really were, and what its
    misses were tagged with instead; the page of a model's errors is read from it.

    Args:
        y_true: 0/1 truth, one row per paragraph, one column per type (as `binarize` gives it).
        y_pred: 0/1 predictions, the same shape.
        labels: the type of each column.

    Returns:
        For each type, a dict with `tp`, `fp`, `fn`, `false_positives_were` (true type, or "no event", to count) and
        `misses_predicted_as` (predicted type, or "nothing", to count).

    Example:
        >>> truth, tagged = binarize([["bombing"], []], ["bombing", "fatwa"]), np.array([[1, 1], [0, 1]])
        >>> confusion_summary(truth, tagged, ["bombing", "fatwa"])["fatwa"]["false_positives_were"]
        {'bombing': 1, 'no event': 1}
    """
    def names(row: np.ndarray, fallback: str) -> list[str]:
        return [labels[j] for j in np.flatnonzero(row)] or [fallback]

    summary = {}
    for i, name in enumerate(labels):
        fp_rows = np.flatnonzero((y_pred[:, i] == 1) & (y_true[:, i] == 0))
        fn_rows = np.flatnonzero((y_pred[:, i] == 0) & (y_true[:, i] == 1))
        summary[name] = {
            "tp": int(((y_pred[:, i] == 1) & (y_true[:, i] == 1)).sum()), "fp": len(fp_rows), "fn": len(fn_rows),
            "false_positives_were": dict(Counter(t for r in fp_rows for t in names(y_true[r], "no event"))),
            "misses_predicted_as": dict(Counter(t for r in fn_rows for t in names(y_pred[r], "nothing")))}
    return summary


def reliability(y_true: np.ndarray, probs: np.ndarray, bins: int = ECE_BINS) -> list[dict[str, Any]]:
    """Equal-width probability bins over every (paragraph, type) pair: how often the type is really there per bin.

    Args:
        y_true: 0/1 truth, any shape; `probs` the same shape.
        bins: number of equal-width bins on [0, 1].

    Returns:
        One dict per bin: `lower`, `upper`, `count`, mean predicted `confidence` and observed `frequency` (both
        None for an empty bin).

    Example:
        >>> reliability(np.array([[1, 0]]), np.array([[0.9, 0.2]]), bins=2)[1]["frequency"]
        1.0
    """
    p, y = np.asarray(probs, float).ravel(), np.asarray(y_true, bool).ravel()
    frequency, confidence = calibration_curve(y, p, n_bins=bins, strategy="uniform")
    # calibration_curve gives only the non-empty bins; count with its own bin rule to place them
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], p), minlength=bins)
    filled = iter(zip(frequency.tolist(), confidence.tolist()))
    rows = []
    for b, count in enumerate(counts.tolist()):
        freq, conf = next(filled) if count else (None, None)
        rows.append({"lower": b / bins, "upper": (b + 1) / bins, "count": count, "confidence": conf,
                     "frequency": freq})
    return rows


def expected_calibration_error(y_true: np.ndarray, probs: np.ndarray, bins: int = ECE_BINS) -> float:
    """Count-weighted mean gap between predicted probability and observed frequency over equal-width bins.

    Example:
        >>> round(expected_calibration_error(np.array([1, 0]), np.array([0.9, 0.2])), 2)
        0.15
    """
    total = np.asarray(y_true).size
    return float(sum(r["count"] / total * abs(r["frequency"] - r["confidence"])
                     for r in reliability(y_true, probs, bins) if r["count"]))


def format_table(result: Mapping[str, Any]) -> str:
    lines = [f"{'type':<18}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}"]
    for name, m in result["per_type"].items():
        lines.append(f"{name:<18}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>9d}")
    lines.append(f"macro-F1 {result['macro_f1']:.3f}   micro-F1 {result['micro_f1']:.3f}   "
                 f"exact match {result['exact_match']:.3f}   n={result['n']}")
    for lang, m in result.get("per_language", {}).items():
        lines.append(f"  {lang:<4} macro-F1 {m['macro_f1']:.3f}  exact match {m['exact_match']:.3f}  n={m['n']}")
    return "\n".join(lines)
