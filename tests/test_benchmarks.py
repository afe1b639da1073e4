"""The accuracy benchmark: a whole smoke run, the calibration error, and the baselines on tiny data."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import accuracy  # noqa: E402
import baselines  # noqa: E402
import speed  # noqa: E402
from real_data import RealSet  # noqa: E402

from eventclf.data import Example  # noqa: E402
from eventclf.labels import load_label_set  # noqa: E402
from eventclf.metrics import apply_thresholds, binarize, scores  # noqa: E402

from conftest import make_rows  # noqa: E402

LABEL_SET = load_label_set()
LABELS = list(LABEL_SET.names)


@pytest.fixture
def one_thread():
    """A tiny model gains nothing from threads, and on a busy machine their hand-offs cost more than the work."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def texts_and_truth(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    rows = make_rows(n, seed)
    return [r["text"] for r in rows], binarize([r["labels"] for r in rows], LABELS)


def test_calibration_error_is_zero_when_probabilities_match_frequencies():
    y = np.array([[1, 0, 0, 0]] * 10)  # each type-probability 0.25, and a quarter of the pairs are positive
    assert accuracy.expected_calibration_error(y, np.full(y.shape, 0.25)) == pytest.approx(0.0)


def test_calibration_error_of_an_overconfident_model():
    y = np.array([[1], [0]] * 10)
    # always 0.95 sure, right half of the time
    assert accuracy.expected_calibration_error(y, np.full(y.shape, 0.95)) == pytest.approx(0.45)
    # two bins, each half the pairs: 0.9 said where 1.0 holds, 0.2 said where 0.0 holds
    probs = np.where(y == 1, 0.9, 0.2)
    assert accuracy.expected_calibration_error(y, probs) == pytest.approx(0.5 * 0.1 + 0.5 * 0.2)


def test_reliability_bins_hold_every_pair_and_a_probability_of_one_lands_in_the_last_bin():
    probs = np.array([[0.0, 0.5, 1.0], [0.999, 0.066, 0.067]])
    rows = accuracy.reliability(np.zeros((2, 3)), probs)
    assert len(rows) == accuracy.ECE_BINS and sum(r["count"] for r in rows) == 6
    assert rows[-1]["count"] == 2 and rows[0]["count"] == 2 and rows[1]["count"] == 1


def test_aggregate_gives_mean_and_spread_and_keeps_agreeing_counts():
    runs = [{"f1": 0.5, "support": 10, "per_type": {"a": {"f1": 0.2}}},
            {"f1": 0.7, "support": 10, "per_type": {"a": {"f1": 0.4}}}]
    agg = accuracy.aggregate(runs)
    assert agg["support"] == 10
    assert agg["f1"]["mean"] == pytest.approx(0.6) and agg["f1"]["std"] == pytest.approx(np.std([0.5, 0.7], ddof=1))
    assert accuracy.aggregate([{"f1": 0.5}]) == {"f1": {"mean": 0.5, "std": 0.0}}


def test_tfidf_baseline_learns_the_cue_words():
    train, val, test = texts_and_truth(240, 1), texts_and_truth(60, 2), texts_and_truth(60, 3)
    baseline = baselines.tfidf_baseline(*train, *val, LABELS)
    probs = baseline.predict(test[0])
    assert probs.shape == (60, len(LABELS)) and baseline.details["C"] in baselines.C_GRID
    assert scores(test[1], apply_thresholds(probs, baseline.thresholds, LABELS), LABELS)["macro_f1"] > 0.8


def test_encoder_baselines_score_in_unit_range_and_reuse_cached_embeddings(tiny_base, tmp_path, monkeypatch,
                                                                           one_thread):
    train, val = texts_and_truth(80, 1), texts_and_truth(40, 2)
    encoder = baselines.FrozenEncoder(tiny_base, tmp_path)
    frozen = baselines.frozen_encoder_baseline(encoder, *train, *val, LABELS)
    zero = baselines.zero_shot_baseline(encoder, LABEL_SET, *val)
    for baseline in (frozen, zero):
        probs = baseline.predict(val[0])
        assert probs.shape == (40, len(LABELS)) and probs.min() >= 0 and probs.max() <= 1
        assert set(baseline.thresholds) == set(LABELS)
    assert frozen.probabilistic and not zero.probabilistic

    def no_model(self, texts):
        raise AssertionError("the encoder ran although the embeddings were cached")

    monkeypatch.setattr(baselines.SentenceEncoder, "encode", no_model)
    again = baselines.FrozenEncoder(tiny_base, tmp_path).embed(val[0], baselines.QUERY)
    assert np.allclose(again, encoder.embed(val[0], baselines.QUERY))
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)


def test_quick_run_writes_the_page_its_figures_and_the_json(tiny_base, tmp_path, monkeypatch, one_thread):
    # synthetic stand-in for the real sets, so the run does not depend on ../shared being present
    fake = [Example(r["text"], tuple(r["labels"]), "en") for r in make_rows(40, 7)]
    monkeypatch.setattr(accuracy, "available_sets", lambda: [RealSet("Synthetic", fake, ("bombing", "offensive"), 3)])
    monkeypatch.setattr(accuracy, "SPEED_JSON", tmp_path / "speed.json")
    monkeypatch.setattr(accuracy, "REAL_TEXT_JSON", tmp_path / "real_text.json")
    out = tmp_path / "out"
    results = accuracy.main(["--quick", "--base-model", str(tiny_base), "--out", str(out)])

    assert set(results["systems"]) == {"fine_tuned", "tfidf", "frozen", "zero_shot"}
    assert results["seeds"] == [42] and results["data"]["splits"] == {"train": 60, "validation": 30, "test": 40}
    assert set(results["english_only"]["test"]["per_language"]) == set(results["data"]["test_languages"])
    assert json.loads((out / "accuracy.json").read_text())["systems"]["tfidf"]["real"]["Synthetic"]["n"] == 40
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(accuracy.FIGURES)
    page = (out / "results.md").read_text()
    for heading in ("## Summary", "## Bundled test split", "## Real English data", "## Cross-lingual transfer",
                    "## Errors", "## Calibration", "## Training cost", "## Speed", "Quick smoke run"):
        assert heading in page
    assert "speed benchmark has not been run" in page and "real-text benchmark has not been run" in page

    # a rerun that counts the model just trained as its seed: nothing is retrained, and it says where it came from
    again = accuracy.main(["--quick", "--base-model", str(tiny_base), "--out", str(out),
                           "--reuse", str(out / "runs" / "seed-42")])
    assert [c["trained_by"] for c in again["training_cost"]] == ["--reuse", "an earlier benchmark run"]
    assert again["reuse_config_differences"] == {}
    assert again["systems"]["fine_tuned"] == results["systems"]["fine_tuned"]

    # the speed section is the speed benchmark's own report of its JSON
    routes = {name: {**speed_record(12.0 + i, 0.0), "speedup_vs_baseline": 1.0 + i, "cpu_share": 0.99,
                     "load_s": 4.0, "threads": 2, "rss_vs_baseline": 1.0, "macro_f1": 0.9, "same_labels_as_fp32": 1.0}
              for i, name in enumerate(speed.ROUTES)}
    meta = {"date": "2026-11-25 16:00 UTC", "command": "python benchmarks/speed.py --n 1000", "n": 1000,
            "cpu_count": 2, "load_average_1min": 0.1, "n_scored": 40, "decision": "- Kept: eventclf-int8",
            "onnx_export": {"seconds": 18.0, "peak_rss_mb": 3000.0}, "vocabulary": {}}
    (tmp_path / "speed.json").write_text(json.dumps({"meta": meta, "routes": routes}))
    accuracy.main(["--refresh-speed", "--out", str(out)])
    page = (out / "results.md").read_text()
    assert "Measured 2026-11-25 16:00 UTC with `python benchmarks/speed.py --n 1000`" in page
    assert "| eventclf-int8 | 16.0 | 5.00 |" in page and "- Kept: eventclf-int8" in page
    assert "## Calibration" in page and "speed benchmark has not been run" not in page


def speed_record(per_s: float, f1_change: float, rss: float = 1000.0) -> dict:
    return {"paragraphs_per_s": per_s, "f1_change_vs_fp32": f1_change, "peak_rss_mb": rss, "disk_mb": 150.0}


def test_speed_decision_keeps_the_accurate_route_when_the_fast_ones_tie_or_lose_accuracy():
    results = {"torch-int8": speed_record(90.0, -0.03), "torch-int8-ffn-fp32": speed_record(60.0, -0.009),
               "eventclf-int8": speed_record(58.0, -0.003)}
    text = speed.decision(results)  # 60 vs 58 is a tie, so F1 decides; 90 is out on F1
    assert "Kept: eventclf-int8" in text and "WARNING" not in text
    assert "torch-int8 not kept: macro-F1 further than 0.01" in text

    results["torch-int8-ffn-fp32"] = speed_record(80.0, -0.009)  # now clearly faster and within the F1 bound
    assert "WARNING: the shipped eventclf-int8 is not the winner" in speed.decision(results)
