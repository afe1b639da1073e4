import numpy as np
import pytest

from eventclf.metrics import binarize, evaluate, format_table, scores, tune_thresholds

LABELS = ("a", "b")


def test_scores_per_type_macro_and_exact_match():
    y = binarize([["a"], ["a", "b"], [], ["b"]], LABELS)
    pred = binarize([["a"], ["a"], [], ["a"]], LABELS)
    s = scores(y, pred, LABELS)
    assert s["per_type"]["a"]["precision"] == pytest.approx(2 / 3)
    assert s["per_type"]["b"]["recall"] == 0
    assert s["exact_match"] == 0.5
    assert s["macro_f1"] == pytest.approx((0.8 + 0) / 2)


def test_tuned_thresholds_separate_the_classes_and_default_without_positives():
    y = binarize([["a"], ["a"], [], []], LABELS)
    probs = np.array([[0.3, 0.1], [0.35, 0.2], [0.1, 0.3], [0.2, 0.1]])
    tuned = tune_thresholds(y, probs, LABELS)
    assert 0.2 < tuned["a"] <= 0.3
    assert tuned["b"] == 0.5


def test_evaluate_reports_languages_and_formats():
    y = binarize([["a"], ["b"], []], LABELS)
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.1, 0.1]])
    result = evaluate(y, probs, {"a": 0.5, "b": 0.5}, LABELS, ["en", "ar", "ar"])
    assert result["macro_f1"] == 1.0 and set(result["per_language"]) == {"ar", "en"}
    assert "macro-F1 1.000" in format_table(result)


def test_a_single_type_is_scored_on_its_positives():
    y = binarize([["a"], [], [], ["a"]], ("a",))
    pred = binarize([["a"], ["a"], [], []], ("a",))
    s = scores(y, pred, ("a",))["per_type"]["a"]
    assert (s["precision"], s["recall"], s["support"]) == (0.5, 0.5, 2)
