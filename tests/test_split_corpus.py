"""training/split_corpus.py: growing the corpus keeps every existing row in its split, under its id."""
import sys
from pathlib import Path

from training import split_corpus

from eventclf.data import SPLITS, read_examples
from eventclf.labels import load_label_set

from conftest import make_rows, write_corpus, write_jsonl

NAMES = load_label_set().names


def _by_text(folder: Path) -> dict[str, tuple[str, str]]:
    return {ex.text: (split, ex.id) for split in SPLITS for ex in read_examples(folder / f"{split}.jsonl", NAMES)}


def test_new_rows_are_dealt_and_old_rows_keep_split_and_id(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus")
    before = _by_text(corpus)
    old_text, (old_split, _) = next(iter(before.items()))
    new_rows = [{**row, "id": ""} for row in make_rows(60, seed=5)]
    near_copy = {"text": old_text.replace(".", "!"), "labels": [], "lang": "en"}
    write_jsonl(tmp_path / "new.jsonl", [*new_rows, near_copy])
    out = tmp_path / "out"
    inputs = [str(corpus / f"{split}.jsonl") for split in SPLITS] + [str(tmp_path / "new.jsonl")]
    monkeypatch.setattr(sys, "argv", ["split_corpus.py", str(out), *inputs])
    split_corpus.main()

    after = _by_text(out)
    assert all(after[text] == place for text, place in before.items())
    assert after[near_copy["text"]][0] == old_split  # a near-copy joins its original, never another split
    new_splits = [after[r["text"]][0] for r in new_rows]
    assert {"train", "test"} <= set(new_splits)
    ids = [place[1] for place in after.values()]
    assert len(set(ids)) == len(ids)
