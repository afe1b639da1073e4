import pytest
from transformers import AutoTokenizer

from eventclf.windows import encode_windows, special_tokens


@pytest.fixture(scope="module")
def tok(tiny_base):
    return AutoTokenizer.from_pretrained(tiny_base)


def test_short_text_is_one_window_identical_to_plain_tokenisation(tok):
    windows, owners = encode_windows(tok, ["query: blast near the town"], "", 32)
    assert owners == [0]
    assert windows[0] == tok("query: blast near the town")["input_ids"]


def test_prefix_goes_into_every_window_and_long_text_is_fully_covered(tok):
    text = " ".join(["town"] * 60 + ["blast"])
    windows, owners = encode_windows(tok, [text, "road"], "query:", 16, stride=2)
    head, tail = special_tokens(tok)
    prefix = tok("query:", add_special_tokens=False)["input_ids"]
    assert owners.count(0) > 1 and owners[-1] == 1
    for w in windows:
        assert len(w) <= 16 and w[: len(head) + len(prefix)] == head + prefix and w[-len(tail):] == tail
    blast = tok("blast", add_special_tokens=False)["input_ids"]
    assert any(w[-len(tail) - len(blast):-len(tail)] == blast for w, o in zip(windows, owners) if o == 0)


def test_too_small_window_is_refused(tok):
    with pytest.raises(ValueError, match="no room"):
        encode_windows(tok, ["x"], "query: passage: query: passage:", 8)
