import json
import os
import shutil

import numpy as np
import pytest
from datasets import Dataset

from eventclf import EventClassifier
from eventclf.cli import main
from eventclf.config import QUANTIZE_CHOICES
from eventclf.inference import predict_dataset
from eventclf.openvino_int8 import FOLDER_NAME
from eventclf.quantize import ONNX_NAME, ensure_export

from conftest import make_rows, write_jsonl

TEXTS = [r["text"] for r in make_rows(60, seed=3)] + ["", "the mufti issued a fatwa " * 20]


@pytest.fixture(scope="module")
def model_dir(trained_model, tmp_path_factory):
    """A copy, so the export written into it does not change the folder other test modules share."""
    return shutil.copytree(trained_model, tmp_path_factory.mktemp("quantize") / "model")


@pytest.fixture(scope="module")
def fp32(model_dir):
    return EventClassifier.from_pretrained(model_dir, device="cpu")


@pytest.fixture(scope="module", params=QUANTIZE_CHOICES)
def route(request):
    return request.param


@pytest.fixture(scope="module")
def int8(model_dir, route):
    return EventClassifier.from_pretrained(model_dir, quantize=route)


def test_int8_gives_the_fp32_labels_and_close_probabilities(model_dir, route, fp32, int8):
    assert (model_dir / {"int8": ONNX_NAME, "openvino-int8": FOLDER_NAME}[route]).exists()  # exported on first use
    assert int8.labels == fp32.labels and int8.thresholds == fp32.thresholds
    probs, ref = int8.predict_proba(TEXTS), fp32.predict_proba(TEXTS)
    # openvino-int8's activation ranges come from bundled news text, not from this tiny model's synthetic rows
    assert np.abs(probs - ref).max() < {"int8": 0.05, "openvino-int8": 0.1}[route]
    cut = np.array([fp32.thresholds[name] for name in fp32.labels])
    clear = (np.abs(ref - cut) > 0.05).all(axis=1)  # a text within a hair of a threshold may tip either way
    assert clear.mean() > 0.8 and ((probs >= cut) == (ref >= cut))[clear].all()


def test_int8_batch_size_barely_changes_results(int8):
    # dynamic quantisation scales activations per batch, so which texts share a batch moves scores a little
    assert np.abs(int8.predict_proba(TEXTS, batch_size=3) - int8.predict_proba(TEXTS, batch_size=64)).max() < 0.02


def test_int8_folder_runs_without_the_fp32_weights(model_dir, route, int8, tmp_path):
    slim = shutil.copytree(model_dir, tmp_path / "slim", ignore=shutil.ignore_patterns("model.safetensors"))
    assert np.allclose(EventClassifier.from_pretrained(slim, quantize=route).predict_proba(TEXTS[:5]),
                       int8.predict_proba(TEXTS[:5]), atol=1e-6)


def test_export_is_redone_when_the_weights_are_newer(model_dir, route, int8):
    export = ensure_export(model_dir, route)
    before = export.stat().st_mtime
    assert ensure_export(model_dir, route).stat().st_mtime == before  # up to date: reused
    os.utime(model_dir / "model.safetensors", (before + 10, before + 10))
    assert ensure_export(model_dir, route).stat().st_mtime > before


@pytest.mark.parametrize("kwargs, message", [({"quantize": "int4"}, "choose one of"),
                                             ({"quantize": "int8", "device": "cuda"}, "runs on CPU")])
def test_bad_quantize_arguments_are_clear_errors(model_dir, kwargs, message):
    with pytest.raises(ValueError, match=message):
        EventClassifier.from_pretrained(model_dir, **kwargs)


def test_cli_quantize_flag(model_dir, route, int8, tmp_path, capsys):
    (tmp_path / "in.txt").write_text("\n".join(TEXTS[:10]) + "\n", encoding="utf-8")
    assert main(["predict", "--model", str(model_dir), "--quantize", route, str(tmp_path / "in.txt"),
                 "-o", str(tmp_path / "o.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [r["labels"] for r in rows] == [list(p.labels) for p in int8.predict(TEXTS[:10])]
    test_file = write_jsonl(tmp_path / "test.jsonl", make_rows(20, seed=3))
    assert main(["evaluate", "--model", str(model_dir), "--quantize", route, "--data", str(test_file)]) == 0
    assert "macro-F1" in capsys.readouterr().out


# int8 in one chunk: its scores depend a little on batch composition (above), fp32's do not
@pytest.mark.parametrize("num_proc, quantized, chunk_size", [(2, False, 8), (None, True, 512)])
def test_predict_dataset_matches_predict(model_dir, route, fp32, int8, num_proc, quantized, chunk_size):
    quantize = route if quantized else None
    rows = make_rows(40, seed=3)
    tagged = predict_dataset(Dataset.from_list(rows), model_dir, num_proc=num_proc, quantize=quantize,
                             chunk_size=chunk_size)
    assert tagged["labels"] == [r["labels"] for r in rows]  # the gold column is kept
    clf = int8 if quantize else fp32
    assert tagged["pred_labels"] == [list(p.labels) for p in clf.predict([r["text"] for r in rows])]
    assert set(tagged[0]["pred_scores"]) == set(clf.labels)
