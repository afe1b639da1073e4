"""eventclf.lexical: the TF-IDF model learns, survives a save and load exactly, refuses a damaged folder, and a
classifier carrying one blends it into every score."""
import numpy as np
import pytest

from eventclf import EventClassifier, ModelFolderError
from eventclf.labels import load_label_set
from eventclf.lexical import ARRAYS_FILE, SETTINGS_FILE, LexicalModel
from eventclf.metrics import apply_thresholds, scores

from conftest import texts_and_truth

LABELS = list(load_label_set().names)


@pytest.fixture(scope="module")
def lexical() -> LexicalModel:
    return LexicalModel.fit(*texts_and_truth(240, 1, LABELS), *texts_and_truth(60, 2, LABELS), LABELS, weight=0.4)


def test_it_learns_the_cue_words(lexical):
    texts, truth = texts_and_truth(60, 3, LABELS)
    predicted = apply_thresholds(lexical.predict_proba(texts), lexical.details["thresholds_alone"], LABELS)
    assert scores(truth, predicted, LABELS)["macro_f1"] > 0.8


def test_saved_and_loaded_it_scores_the_same(lexical, tmp_path):
    lexical.save(tmp_path)
    loaded = LexicalModel.load(tmp_path, LABELS)
    texts = texts_and_truth(30, 4, LABELS)[0] + ["words it never saw", ""]
    assert loaded.weight == 0.4 and loaded.labels == tuple(LABELS)
    assert np.allclose(loaded.predict_proba(texts), lexical.predict_proba(texts), atol=1e-6)


def test_a_folder_without_one_has_none(tmp_path):
    assert LexicalModel.load(tmp_path, LABELS) is None


def test_damaged_or_mismatched_files_name_the_file(lexical, tmp_path):
    lexical.save(tmp_path)
    with pytest.raises(ModelFolderError, match="lexical.json: field `labels`"):
        LexicalModel.load(tmp_path, LABELS[::-1])
    (tmp_path / ARRAYS_FILE).write_bytes(b"not safetensors")
    with pytest.raises(ModelFolderError, match=f"{SETTINGS_FILE}: cannot load the lexical model"):
        LexicalModel.load(tmp_path, LABELS)


def test_a_classifier_blends_it_into_every_score_and_keeps_blank_rows_at_zero(keyword_classifier, lexical):
    texts = ["a blast near the town", "the mufti issued a ruling", "officials said on monday", "  "]
    plain = keyword_classifier.predict_proba(texts)
    blended = EventClassifier(keyword_classifier.model, keyword_classifier.tokenizer, keyword_classifier.thresholds,
                              max_length=64, device="cpu", lexical=lexical).predict_proba(texts)
    expected = 0.6 * plain[:3] + 0.4 * lexical.predict_proba(texts[:3])
    assert np.allclose(blended[:3], expected, atol=1e-6) and not blended[3].any()
