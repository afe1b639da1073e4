"""eventclf.openvino_int8: what it calibrates on and what each export option writes."""
import shutil

import pytest

from eventclf import EventClassifier
from eventclf.openvino_int8 import CALIBRATION_BATCH, calibration_batches, export_openvino_int8
from eventclf.windows import encode_windows

from conftest import make_rows


@pytest.fixture(scope="module")
def model_dir(trained_model, tmp_path_factory):
    return shutil.copytree(trained_model, tmp_path_factory.mktemp("openvino") / "model")


def test_calibration_uses_the_models_own_windows_of_the_texts_given(model_dir):
    clf = EventClassifier.from_pretrained(model_dir, device="cpu")
    texts = [r["text"] for r in make_rows(20, seed=5)] + ["the mufti issued a fatwa " * 40]  # one long text
    batches = calibration_batches(model_dir, texts)
    windows, _ = encode_windows(clf.tokenizer, texts, clf.text_prefix, clf.max_length)
    assert sum(len(b["input_ids"]) for b in batches) == len(windows) > len(texts)
    assert all(len(b["input_ids"]) <= CALIBRATION_BATCH for b in batches)
    ids, mask = batches[0]["input_ids"][0], batches[0]["attention_mask"][0]
    assert ids[mask == 1].tolist() == windows[0]  # padding aside, the window predict_proba would run


def test_default_calibration_reads_the_bundled_corpus(model_dir):
    assert len(calibration_batches(model_dir)) >= 300 // CALIBRATION_BATCH


def test_quantising_the_down_projections_too_writes_a_smaller_export_elsewhere(model_dir, tmp_path):
    texts = [r["text"] for r in make_rows(30, seed=6)]
    kept = export_openvino_int8(model_dir, texts=texts, target=tmp_path / "kept")
    every = export_openvino_int8(model_dir, texts=texts, target=tmp_path / "every", float_down_projections=False)
    assert (kept / "model.xml").is_file() and not (model_dir / "openvino-int8").exists()  # target honoured
    assert (every / "model.bin").stat().st_size < (kept / "model.bin").stat().st_size
