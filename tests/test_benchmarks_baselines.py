"""benchmarks.baselines: the baselines learn on tiny data, and their embeddings and fits are reused from the cache."""
import numpy as np
import pytest
import torch

from benchmarks import baselines
from eventclf.labels import load_label_set
from eventclf.lexical import C_GRID
from eventclf.metrics import apply_thresholds, scores

from conftest import texts_and_truth

LABEL_SET = load_label_set()
LABELS = list(LABEL_SET.names)


@pytest.fixture
def one_thread():
    """A tiny model gains nothing from threads, and on a busy machine their hand-offs cost more than the work."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_tfidf_baseline_learns_the_cue_words():
    train, val, test = (texts_and_truth(n, seed, LABELS) for n, seed in ((240, 1), (60, 2), (60, 3)))
    baseline = baselines.tfidf_baseline(*train, *val, LABELS)
    probs = baseline.predict(test[0])
    assert probs.shape == (60, len(LABELS)) and baseline.details["C"] in C_GRID
    assert scores(test[1], apply_thresholds(probs, baseline.thresholds, LABELS), LABELS)["macro_f1"] > 0.8


def test_encoder_baselines_score_every_type_and_reuse_cached_embeddings(tiny_base, tmp_path, monkeypatch,
                                                                           one_thread):
    train, val = texts_and_truth(80, 1, LABELS), texts_and_truth(40, 2, LABELS)
    encoder = baselines.FrozenEncoder(tiny_base, tmp_path)
    frozen = baselines.frozen_encoder_baseline(encoder, *train, *val, LABELS)
    zero = baselines.zero_shot_baseline(encoder, LABEL_SET, *val)
    for baseline in (frozen, zero):
        probs = baseline.predict(val[0])
        assert probs.shape == (40, len(LABELS)) and set(baseline.thresholds) == set(LABELS)
    # zero-shot stretches each type's validation cosines onto [0, 1], so the threshold grid can resolve them
    stretched = zero.predict(val[0])
    assert np.allclose(stretched.min(0), 0) and np.allclose(stretched.max(0), 1)
    assert frozen.probabilistic and not zero.probabilistic

    def no_model(self, texts):
        raise AssertionError("the encoder ran although the embeddings were cached")

    monkeypatch.setattr(baselines.SentenceEncoder, "encode", no_model)
    again = baselines.FrozenEncoder(tiny_base, tmp_path).embed(val[0], baselines.QUERY)
    assert np.allclose(again, encoder.embed(val[0], baselines.QUERY))
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)


def test_a_cached_baseline_is_fitted_once_and_rerun_from_the_cache(tmp_path):
    train, val, test = (texts_and_truth(n, seed, LABELS) for n, seed in ((120, 1), (40, 2), (30, 3)))
    fits = []

    def fit() -> baselines.Baseline:
        fits.append(1)
        return baselines.tfidf_baseline(*train, *val, LABELS)

    first = baselines.cached_baseline(fit, tmp_path, "tfidf-k1")
    probs = first.predict(test[0])

    def refit() -> baselines.Baseline:
        raise AssertionError("refitted although the fit and its scores were cached")

    again = baselines.cached_baseline(refit, tmp_path, "tfidf-k1")
    assert len(fits) == 1
    # the fit time too is the first fit's: a rerun on the same data reports the same numbers
    assert (again.name, again.thresholds, again.details) == (first.name, first.thresholds, first.details)
    assert np.array_equal(again.predict(test[0]), probs)
    baselines.cached_baseline(fit, tmp_path, "tfidf-k2")  # other inputs, another key: fitted anew
    assert len(fits) == 2
