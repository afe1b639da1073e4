"""Adding decided blind splits to the training split: every written row kept, blind rows up to a token budget."""
import json

from conftest import make_rows, tiny_settings, write_corpus, write_jsonl
from eventclf.data import Example
from training.add_blind_rows import add_blind_rows, main


def rows_of(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_blind_rows_fill_the_budget_in_a_seeded_order_and_skip_known_text():
    written = [Example("w", (), "en", "en-1")]
    blind = [Example(t, (), "en", f"blindz-en-{i}") for i, t in enumerate(["a", "b", "c", "known"])]
    size = {"a": 30, "b": 50, "c": 20}
    rows, used = add_blind_rows(written, {"w", "known"}, blind, [10, *size.values(), 1], budget=70)
    assert rows[0] == written[0] and "known" not in {ex.text for ex in rows}
    assert used == 10 + sum(size[ex.text] for ex in rows[1:]) <= 70
    assert all(used + n > 70 for text, n in size.items() if text not in {ex.text for ex in rows})  # none left fits


def test_main_rewrites_train_and_a_second_run_changes_nothing(tiny_base, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", sizes=(20, 10, 10))
    write_jsonl(corpus / "stream.jsonl", rows_of(corpus / "test.jsonl")[:5])
    blind_rows = [{**r, "id": f"blindz-{r['lang']}-{i}", "register": "wire"} for i, r in enumerate(make_rows(30, 9))]
    blind_rows.append({**rows_of(corpus / "validation.jsonl")[0], "id": "blindz-en-99"})  # already in a split
    blind = write_jsonl(tmp_path / "unguided_z.jsonl", blind_rows)
    config = tmp_path / "config.yaml"
    tiny_settings(tiny_base, corpus, tmp_path / "run").to_yaml(config)
    args = [str(corpus), str(blind), "--budget", "400", "--config", str(config)]

    main(args)
    first = (corpus / "train.jsonl").read_text(encoding="utf-8")
    main(args)

    train = rows_of(corpus / "train.jsonl")
    assert (corpus / "train.jsonl").read_text(encoding="utf-8") == first
    assert [r["id"] for r in train[:20]] == [f"r1-{i}" for i in range(20)]  # the written rows, first and in order
    added = [r for r in train if r["id"].startswith("blindz-")]
    assert 0 < len(added) < 30 and "blindz-en-99" not in {r["id"] for r in added}
    assert all(r["register"] == "wire" for r in added)
