import json

import numpy as np
import pytest
import torch

from eventclf import EventClassifier, ModelFolderError
from eventclf.inference import check_texts


@pytest.fixture(scope="module")
def clf(trained_model):
    return EventClassifier.from_pretrained(trained_model, device="cpu")


def test_predict_tags_paragraphs_with_their_types(clf):
    preds = clf.predict(["officials said a blast hit the town", "the mufti issued a fatwa near the village",
                         "local officials said on monday"])
    assert "bombing" in preds[0].labels and "fatwa" in preds[1].labels
    assert preds[2].labels == ()
    assert set(preds[0].scores) == set(clf.labels)


def test_predict_proba_columns_follow_labels(clf):
    texts = ["a blast", "the scholars ruling", "assault near the road"]
    probs = clf.predict_proba(texts)
    assert probs.shape == (3, len(clf.labels))
    assert probs[0].argmax() == clf.labels.index("bombing")
    for row, pred in zip(probs, clf.predict(texts)):  # the same numbers predict reports, column k = labels[k]
        assert pred.scores == pytest.approx(dict(zip(clf.labels, row.tolist())), abs=1e-6)


def test_batch_size_does_not_change_results(clf):
    texts = [f"the blast near town {i}" + " road" * (i % 7) for i in range(23)]
    assert np.allclose(clf.predict_proba(texts, batch_size=4), clf.predict_proba(texts, batch_size=64), atol=1e-5)


def test_event_at_the_end_of_a_long_paragraph_is_found(clf):
    long_text = " ".join(["officials said on monday in the town"] * 30) + " a blast hit the road"
    assert len(clf.tokenizer(long_text)["input_ids"]) > 4 * clf.max_length
    assert "bombing" in clf.predict([long_text])[0].labels


def test_threshold_override_and_top_k(clf):
    text = ["fighters seized the base and freed prisoners after a blast"]
    assert set(clf.predict(text, threshold=0.0)[0].labels) == set(clf.labels)
    assert clf.predict(text, threshold=1.0)[0].labels == ()
    top = clf.predict(text, threshold=0.0, top_k=2)[0]
    assert top.labels == tuple(sorted(top.scores, key=top.scores.get, reverse=True)[:2])
    only_bombing = clf.predict(text, threshold={"bombing": 0.0, **{n: 1.0 for n in clf.labels if n != "bombing"}})
    assert only_bombing[0].labels == ("bombing",)
    with pytest.raises(ValueError, match="unknown type"):
        clf.predict(text, threshold={"raid": 0.5})
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        clf.predict(text, threshold={"fatwa": 1.5})


def test_a_lone_surrogate_becomes_u_fffd():
    assert check_texts(["a blast \ud800 hit", "\udfff", "intact \U0001f4a5"]) == ["a blast \ufffd hit", "\ufffd",
                                                                                 "intact \U0001f4a5"]


def test_empty_text_is_no_event_and_bad_items_are_named(clf):
    assert clf.predict(["", "   "])[0].labels == () and clf.predict([]) == []
    with pytest.raises(TypeError, match=r"texts\[1\] is NoneType"):
        clf.predict(["a blast", None])
    with pytest.raises(TypeError, match=r"texts\[0\] is bytes.*decode"):
        clf.predict([b"a blast"])
    with pytest.raises(TypeError, match="list of strings"):
        clf.predict("a blast")


def test_folder_holds_config_with_id2label_thresholds_and_metrics(trained_model, clf):
    config = json.loads((trained_model / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(len(clf.labels))] == list(clf.labels)
    assert set(json.loads((trained_model / "eventclf.json").read_text())["thresholds"]) == set(clf.labels)
    metrics = json.loads((trained_model / "metrics.json").read_text())
    assert {"test", "validation", "thresholds", "train_seconds"} <= set(metrics)
    assert set(metrics["test"]["per_language"]) == {"en", "ar"}
    assert (trained_model / "README.md").read_text().startswith("# eventclf model")


def test_not_a_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFolderError, match="not an eventclf model folder"):
        EventClassifier.from_pretrained(tmp_path)


def test_loading_and_tagging_never_unpickle(trained_model, monkeypatch):
    """Model folders come from other people: weights are safetensors, settings JSON; nothing runs pickle."""
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("something tried to unpickle")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    monkeypatch.setattr(torch, "load", refuse)
    assert len(EventClassifier.from_pretrained(trained_model, device="cpu").predict(["a blast hit the town"])) == 1
