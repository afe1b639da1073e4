import numpy as np
import pytest

from eventclf.metrics import binarize, confusion_summary, evaluate, format_table, scores, tune_thresholds

LABELS = ("a", "b")


def test_scores_per_type_macro_and_exact_match():
    y = binarize([["a"], ["a", "b"], [], ["b"]], LABELS)
    pred = binarize([["a"], ["a"], [], ["a"]], LABELS)
    s = scores(y, pred, LABELS)
    assert s["per_type"]["a"]["precision"] == pytest.approx(2 / 3)
    assert s["per_type"]["b"]["recall"] == 0
    assert s["exact_match"] == 0.5
    assert s["macro_f1"] == pytest.approx((0.8 + 0) / 2)


def test_confusion_summary_says_what_each_types_errors_really_were():
    y = binarize([["a"], ["a"], ["b"], []], LABELS)
    pred = binarize([["a"], ["b"], ["a", "b"], ["a"]], LABELS)
    assert confusion_summary(y, pred, LABELS) == {
        "a": {"tp": 1, "fp": 2, "fn": 1, "false_positives_were": {"b": 1, "no event": 1},
              "misses_predicted_as": {"b": 1}},
        "b": {"tp": 1, "fp": 1, "fn": 0, "false_positives_were": {"a": 1}, "misses_predicted_as": {}}}
    assert confusion_summary(binarize([["b"]], LABELS), binarize([[]], LABELS), LABELS)["b"]["misses_predicted_as"] \
        == {"nothing": 1}


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


def test_feed_weights_make_no_event_rows_the_asked_share():
    from eventclf.metrics import feed_weights

    y = binarize([["a"], ["b"], ["a"], [], []], LABELS)
    w = feed_weights(y, 0.8)
    assert w[3:].sum() / w.sum() == pytest.approx(0.8)
    assert feed_weights(y, 0.0) is None


def test_tuning_for_a_feed_raises_a_threshold_that_lets_negatives_through():
    from eventclf.metrics import feed_weights

    y = binarize([["a"]] * 4 + [[]] * 4, LABELS)
    probs = np.array([[p, 0.0] for p in (0.9, 0.8, 0.45, 0.4, 0.5, 0.35, 0.1, 0.1)])
    as_is = tune_thresholds(y, probs, LABELS)["a"]
    feed = tune_thresholds(y, probs, LABELS, feed_weights(y, 0.95))["a"]
    assert as_is <= 0.5 < feed  # 0.5 is the negative the as-is threshold lets through


def test_calibration_error_is_zero_when_probabilities_match_frequencies():
    from eventclf.metrics import expected_calibration_error

    y = np.array([[1, 0, 0, 0]] * 10)  # each type-probability 0.25, and a quarter of the pairs are positive
    assert expected_calibration_error(y, np.full(y.shape, 0.25)) == pytest.approx(0.0)


def test_calibration_error_of_an_overconfident_model():
    from eventclf.metrics import expected_calibration_error

    y = np.array([[1], [0]] * 10)
    # always 0.95 sure, right half of the time
    assert expected_calibration_error(y, np.full(y.shape, 0.95)) == pytest.approx(0.45)
    # two bins, each half the pairs: 0.9 said where 1.0 holds, 0.2 said where 0.0 holds
    probs = np.where(y == 1, 0.9, 0.2)
    assert expected_calibration_error(y, probs) == pytest.approx(0.5 * 0.1 + 0.5 * 0.2)


def test_reliability_bins_hold_every_pair_and_a_probability_of_one_lands_in_the_last_bin():
    from eventclf.metrics import ECE_BINS, reliability

    probs = np.array([[0.0, 0.5, 1.0], [0.999, 0.066, 0.067]])
    rows = reliability(np.zeros((2, 3)), probs)
    assert len(rows) == ECE_BINS and sum(r["count"] for r in rows) == 6
    assert rows[-1]["count"] == 2 and rows[0]["count"] == 2 and rows[1]["count"] == 1


def test_one_heavy_negative_does_not_push_a_threshold_to_the_top_of_the_grid():
    y = binarize([["a"]] * 4 + [[]] * 2, LABELS)
    probs = np.array([[p, 0.0] for p in (0.97, 0.96, 0.93, 0.92, 0.91, 0.0)])
    weight = np.array([1, 1, 1, 1, 6, 1.0])  # a feed counts the negative six times
    # 0.95 alone scores best (it drops half the positives but the negative too); beside calling none, it averages worst
    assert tune_thresholds(y, probs, LABELS, weight)["a"] < 0.95
