import torch
from datasets import Dataset

from eventclf.frozen_cache import LowerLayerCache, UpperLayers
from eventclf.modeling import EventModel
from eventclf.trainer import train

from conftest import tiny_settings, write_corpus

LABELS = ("bombing", "fatwa")


def _windows_dataset() -> Dataset:
    # two paragraphs: one of two windows of unequal length, one of a single window
    return Dataset.from_dict({"windows": [[[2, 10, 11, 12, 3], [2, 13, 3]], [[2, 14, 15, 3]]],
                              "labels": [[1.0, 0.0], [0.0, 1.0]]})


def test_cached_lower_layers_give_the_whole_model_s_logits_and_loss(tiny_base):
    model = EventModel.from_base(str(tiny_base), LABELS, pos_weight=torch.tensor([2.0, 1.0])).eval()
    cache = LowerLayerCache(model, frozen=1, pad_id=0, batch_size=2)
    batch = cache.collate(list(cache.add(_windows_dataset())))
    cached = UpperLayers(model, frozen=1).eval()(**batch)

    ids = torch.tensor([[2, 10, 11, 12, 3], [2, 13, 3, 0, 0], [2, 14, 15, 3, 0]])
    whole = model(ids, (ids != 0).long(), batch["labels"], owners=torch.tensor([0, 0, 1]))
    assert torch.allclose(cached["logits"], whole["logits"], atol=1e-5)
    assert torch.allclose(cached["loss"], whole["loss"], atol=1e-6)


def test_training_the_upper_layers_trains_the_model_and_nothing_below(tiny_base):
    model = EventModel.from_base(str(tiny_base), LABELS)
    model.freeze_lower_layers(1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    cache = LowerLayerCache(model, frozen=1, pad_id=0)
    upper = UpperLayers(model, frozen=1)
    torch.optim.SGD([p for p in upper.parameters() if p.requires_grad], lr=1.0).zero_grad()
    upper(**cache.collate(list(cache.add(_windows_dataset()))))["loss"].backward()
    torch.optim.SGD([p for p in upper.parameters() if p.requires_grad], lr=1.0).step()
    changed = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert changed and all(".layer.1." in k or k.startswith("head.") for k in changed)
    assert not any(k.startswith("upper.") for k in model.state_dict())  # the view adds no weights to the model


def test_a_run_with_cached_frozen_layers_is_the_run_without_them_when_the_encoder_has_no_dropout(tiny_base, tmp_path):
    # caching changes one thing, the frozen layers' dropout; with it off, both runs must train the same weights
    corpus = write_corpus(tmp_path / "corpus")
    lines: list[str] = []
    runs = [train(tiny_settings(tiny_base, corpus, tmp_path / str(cache), epochs=2, freeze_layers=1,
                                cache_frozen_layers=cache, encoder_dropout=0.0), log=lines.append)
            for cache in (True, False)]
    assert sum(line.startswith("frozen layers run once for") for line in lines) == 1
    cached, plain = (EventModel.from_folder(folder).state_dict() for folder in runs)
    assert all(torch.allclose(cached[k], plain[k], atol=1e-5) for k in plain)
    assert not torch.equal(plain["encoder.encoder.layer.1.output.dense.weight"],
                           EventModel.from_base(str(tiny_base), LABELS).state_dict()["encoder.encoder.layer.1.output.dense.weight"])
