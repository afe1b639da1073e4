import numpy as np
import torch

from eventclf.embeddings import SentenceEncoder, mean_pool

from conftest import make_rows


def test_mean_pool_leaves_padding_out():
    hidden = torch.tensor([[[1.0, 3.0], [3.0, 5.0], [100.0, 100.0]]])
    assert torch.equal(mean_pool(hidden, torch.tensor([[1, 1, 0]])), torch.tensor([[2.0, 4.0]]))


def test_embeddings_are_unit_length_and_do_not_depend_on_batching(tiny_base):
    texts = [r["text"] for r in make_rows(7, seed=5)]
    alone = SentenceEncoder(tiny_base, batch_size=1).encode(texts)
    batched = SentenceEncoder(tiny_base, batch_size=4).encode(texts)
    assert alone.shape == (7, 32)
    assert np.allclose(np.linalg.norm(alone, axis=1), 1.0, atol=1e-5)
    assert np.allclose(alone, batched, atol=1e-5)  # length sorting must put every vector back in input order


def test_text_longer_than_the_position_limit_is_truncated_not_an_error(tiny_base):
    long = " ".join(["blast near the town"] * 200)  # far past the tiny model's 64 positions
    encoder = SentenceEncoder(tiny_base)
    assert np.allclose(encoder.encode([long]), encoder.encode([" ".join(long.split()[:200])]), atol=1e-5)
