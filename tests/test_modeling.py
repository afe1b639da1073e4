import torch

from eventclf.modeling import EventModel

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


def test_windows_of_one_paragraph_share_its_label_through_their_maximum():
    from eventclf.modeling import max_over_windows

    logits = torch.tensor([[0.1, -2.0], [3.0, -1.0], [-0.5, 0.7]])
    pooled = max_over_windows(logits, torch.tensor([0, 0, 1]))
    assert torch.equal(pooled, torch.tensor([[3.0, -1.0], [-0.5, 0.7]]))


def test_paragraph_loss_is_taken_on_its_best_window(tiny_base):
    model = EventModel.from_base(str(tiny_base), LABELS).eval()
    ids, mask = torch.tensor([[2, 10, 3], [2, 11, 3]]), torch.ones(2, 3, dtype=torch.long)
    per_window = model(ids, mask)["logits"]
    out = model(ids, mask, torch.tensor([[1.0, 0.0]]), owners=torch.tensor([0, 0]))
    assert torch.equal(out["logits"], per_window.max(0, keepdim=True).values)
    assert out["loss"].shape == ()
