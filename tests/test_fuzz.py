"""Property-based tests (Hypothesis) of `predict` and `eventclf predict` over hostile Unicode and bytes."""
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eventclf import EventClassifier
from eventclf.cli import main

# what real feeds carry besides words: controls, NUL, zero-width and bidi marks, BOMs, emoji, and lone surrogates
ODD = "\x00\x01\x07\x1b\x7f\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202e\u2066\u2069\ufeff\ufffd" \
      "\U0001f4a5\U0001f1f8\U0001f1fe\ud800\udfff"
SCRIPTS = ("a blast hit the town", "انفجار سيارة مفخخة", "انفجار خودرو", "دھماکہ ہوا", "تەقینەوە",
           "взрыв в городе", "kasabada patlama", "explosion en ville", "explosión", "Explosion")
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
blank_like = st.text(alphabet=st.sampled_from(" \t\n\r" + ODD.replace("\ufffd", "")), max_size=40)
hostile = st.lists(st.one_of(st.text(max_size=200), blank_like,
                             st.text(alphabet=st.sampled_from(ODD + "".join(SCRIPTS)), max_size=300)), max_size=8)


@pytest.fixture(scope="module")
def clf(trained_model):
    return EventClassifier.from_pretrained(trained_model, device="cpu")


@FUZZ
@given(texts=hostile)
def test_predict_gives_one_prediction_per_text_and_never_crashes(clf, texts):
    preds = clf.predict(texts)
    assert len(preds) == len(texts)
    assert all(set(p.scores) == set(clf.labels) for p in preds)


@FUZZ
@given(text=blank_like)
def test_text_without_a_letter_or_digit_is_no_event(clf, text):
    pred = clf.predict([text], threshold=0.0)[0]
    assert pred.labels == () and set(pred.scores.values()) == {0.0}


def test_a_one_megabyte_paragraph_is_read_whole(clf):
    text = "officials said on monday in the town " * 27_100 + "a blast hit the road"
    assert len(text) > 1_000_000
    assert "bombing" in clf.predict([text])[0].labels


@FUZZ
@given(lines=st.lists(st.binary(max_size=60).filter(lambda b: b"\n" not in b and b"\r" not in b), min_size=1,
                      max_size=6))
@example(lines=[b"", b"{"])  # found in CI: the tagged line before a bad one was lost with the chunk
@example(lines=[b"\xef\xbb\xbf{", b"x"])
def test_cli_writes_one_line_per_input_line_whatever_the_bytes(trained_model, tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "in.txt").write_bytes(b"\n".join(lines) + b"\n")
    assert main(["predict", "--model", str(trained_model), str(folder / "in.txt"), "-o", str(folder / "o.jsonl")]) in (0, 2)
    out = (folder / "o.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in out]
    # a line that starts like JSON but is not is refused with its line number; every other line is tagged
    decoded = (b"\n".join(lines) + b"\n").decode("utf-8-sig", errors="replace").split("\n")
    bad = [n for n, line in enumerate(decoded, 1) if line.lstrip().startswith("{")]
    assert [r["line"] for r in rows] == list(range(1, (bad[0] if bad else len(lines) + 1)))
