import pytest
import torch

from eventclf.modeling import EventModel, flat_windows

LABELS = ("bombing", "fatwa")


def test_save_and_load_give_the_same_logits_and_labels(tiny_base, tmp_path):
    model = EventModel.from_base(str(tiny_base), LABELS).eval()
    ids = torch.tensor([[2, 10, 11, 3, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 0]])
    model.save(tmp_path)
    loaded = EventModel.from_folder(tmp_path)
    assert loaded.labels == LABELS
    assert torch.allclose(model(ids, mask)["logits"], loaded(ids, mask)["logits"])
    assert not any(k.startswith("encoder.pooler") for k in loaded.state_dict())


def test_padding_does_not_change_the_pooled_vector(tiny_base):
    model = EventModel.from_base(str(tiny_base), LABELS).eval()
    short = model.pool(torch.tensor([[2, 10, 3]]), torch.tensor([[1, 1, 1]]))
    padded = model.pool(torch.tensor([[2, 10, 3, 0, 0]]), torch.tensor([[1, 1, 1, 0, 0]]))
    assert torch.allclose(short, padded, atol=1e-5)


def test_loss_uses_the_positive_weights(tiny_base):
    ids, mask, y = torch.tensor([[2, 10, 3]]), torch.tensor([[1, 1, 1]]), torch.tensor([[1.0, 0.0]])
    plain = EventModel.from_base(str(tiny_base), LABELS).eval()
    weighted = EventModel.from_base(str(tiny_base), LABELS, pos_weight=torch.tensor([4.0, 1.0])).eval()
    weighted.load_state_dict(plain.state_dict())
    assert weighted(ids, mask, y)["loss"] > plain(ids, mask, y)["loss"]


def _encoder_dropout_rates(model: EventModel) -> set[float]:
    return {m.p for m in model.encoder.modules() if isinstance(m, torch.nn.Dropout)}


def test_encoder_dropout_replaces_the_base_models_own_and_is_saved(tiny_base, tmp_path):
    assert _encoder_dropout_rates(EventModel.from_base(str(tiny_base), LABELS)) == {0.1}  # BERT's own
    model = EventModel.from_base(str(tiny_base), LABELS, encoder_dropout=0.0)
    assert _encoder_dropout_rates(model) == {0.0}
    assert model.dropout.p == 0.1  # the head's dropout is a separate setting
    model.save(tmp_path)
    assert EventModel.from_folder(tmp_path).config.hidden_dropout_prob == 0.0


def test_windows_of_one_paragraph_share_its_label_through_their_maximum():
    from eventclf.modeling import max_over_windows

    logits = torch.tensor([[0.1, -2.0], [3.0, -1.0], [-0.5, 0.7]])
    pooled = max_over_windows(logits, torch.tensor([0, 0, 1]))
    assert torch.equal(pooled, torch.tensor([[3.0, -1.0], [-0.5, 0.7]]))


def test_a_batch_lists_every_window_with_its_paragraph_and_one_label_row_per_paragraph():
    windows, per_paragraph = flat_windows([{"windows": [[1, 2], [3]], "labels": [1, 0]},
                                           {"windows": [[4]], "labels": [0, 1]}])
    assert windows == [[1, 2], [3], [4]]
    assert per_paragraph["owners"].tolist() == [0, 0, 1]
    assert per_paragraph["labels"].tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_paragraph_loss_is_taken_on_its_best_window(tiny_base):
    model = EventModel.from_base(str(tiny_base), LABELS).eval()
    ids, mask = torch.tensor([[2, 10, 3], [2, 11, 3]]), torch.ones(2, 3, dtype=torch.long)
    per_window = model(ids, mask)["logits"]
    out = model(ids, mask, torch.tensor([[1.0, 0.0]]), owners=torch.tensor([0, 0]))
    assert torch.equal(out["logits"], per_window.max(0, keepdim=True).values)
    assert out["loss"].shape == ()


def test_freezing_lower_layers_leaves_them_untouched_by_a_training_step(tiny_base):
    model = EventModel.from_base(str(tiny_base), LABELS)
    model.freeze_lower_layers(1)
    frozen = {k: v.clone() for k, v in model.named_parameters() if not v.requires_grad}
    assert frozen and all("embeddings" in k or ".layer.0." in k for k in frozen)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1.0)
    ids = torch.tensor([[2, 5, 6, 3]])
    model(ids, torch.ones_like(ids), labels=torch.tensor([[1.0, 0.0]]))["loss"].backward()
    optimizer.step()
    assert all(torch.equal(v, dict(model.named_parameters())[k]) for k, v in frozen.items())
    assert model.encoder.encoder.layer[1].output.dense.weight.grad.abs().sum() > 0  # the upper layer still learns


def test_freezing_more_layers_than_the_encoder_has_is_refused(tiny_base):
    with pytest.raises(ValueError, match="only 2 layers"):
        EventModel.from_base(str(tiny_base), LABELS).freeze_lower_layers(3)
