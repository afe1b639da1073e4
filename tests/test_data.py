import gzip
import json

import pytest

from eventclf.config import TrainingConfig
from eventclf.data import (DataError, Example, check_disjoint, examples_from_dataset, load_splits, read_examples,
                           split_examples, split_files, write_examples)

from conftest import make_rows, write_jsonl

NAMES = ("bombing", "takeover", "prisoner_release", "fatwa", "offensive")


def test_reads_jsonl_and_csv_alike(tmp_path):
    jsonl = write_jsonl(tmp_path / "a.jsonl", [{"text": "Blast in town", "labels": ["bombing"], "lang": "en"},
                                               {"text": "Talks resumed", "labels": [], "id": "x7"}])
    csv_file = tmp_path / "a.csv"
    csv_file.write_text('text,labels,lang\n"Blast in town",bombing,en\nTalks resumed,,\n', encoding="utf-8")
    for path in (jsonl, csv_file):
        examples = read_examples(path, NAMES)
        assert [(e.text, e.labels) for e in examples] == [("Blast in town", ("bombing",)), ("Talks resumed", ())]
    assert read_examples(jsonl, NAMES)[1].id == "x7"


def test_written_examples_read_back_unchanged(tmp_path):
    examples = [Example("سيطر الجيش على المطار بعد اشتباكات استمرت يومين.", ("takeover", "offensive"), "ar", "ar-0001"),
                Example("Talks resumed", (), "en", "en-0001", meta={"register": "headline", "region": "Syria"})]
    path = write_examples(tmp_path / "new" / "split.jsonl", examples)
    back = read_examples(path, NAMES)
    assert [(e.text, e.labels, e.lang, e.id, e.meta) for e in back] == [
        (e.text, e.labels, e.lang, e.id, e.meta) for e in examples]
    assert "المطار" in path.read_text(encoding="utf-8")  # kept readable, not \u-escaped


def test_csv_labels_may_be_a_json_list_or_separated(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text('text,labels\nBase taken and prisoners freed,"[""takeover"", ""prisoner_release""]"\n'
                    'Town seized; jail opened,takeover;prisoner_release\n'
                    'Airport seized; detainees freed,"takeover, prisoner_release"\n'
                    'Depot seized; captives freed,takeover|prisoner_release\n', encoding="utf-8")
    assert [e.labels for e in read_examples(path, NAMES)] == [("takeover", "prisoner_release")] * 4


def test_every_problem_is_reported_with_file_line_and_field(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        json.dumps({"text": "A blast", "labels": ["bombing"]}),
        json.dumps({"text": "  ", "labels": []}),
        json.dumps({"text": "A raid", "labels": ["raid"]}),
        "{not json",
        json.dumps({"text": "a BLAST!", "labels": []}),
        json.dumps({"text": "no labels key"}),
    ]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_examples(path, NAMES)
    message = str(err.value)
    assert len(err.value.problems) == 5
    for expected in (f"{path}, line 2, field `text`: empty", f"{path}, line 3, field `labels`: unknown type(s) ['raid']",
                     f"{path}, line 4: not valid JSON", f"{path}, line 5, field `text`: duplicate of {path}, line 1",
                     f"{path}, line 6, field `labels`: missing"):
        assert expected in message


def test_missing_file_and_unknown_format_are_clear(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_examples(tmp_path / "nope.jsonl", NAMES)
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DataError, match="unsupported format"):
        read_examples(tmp_path / "x.txt", NAMES)


def test_a_text_in_train_and_test_is_refused(tmp_path):
    for split, rows in (("train", [{"text": "Blast in Azaz", "labels": ["bombing"]}]),
                        ("validation", [{"text": "Talks", "labels": []}]),
                        ("test", [{"text": "blast in azaz.", "labels": ["bombing"]}])):
        write_jsonl(tmp_path / f"{split}.jsonl", rows)
    with pytest.raises(DataError, match=r"test.jsonl, line 1, field `text`: also in the train split"):
        load_splits(TrainingConfig(data_dir=str(tmp_path)), NAMES)


def test_datasets_dataset_is_accepted():
    from datasets import Dataset

    ds = Dataset.from_list([{"text": "Town seized", "labels": ["takeover"]}, {"text": "Calm day", "labels": []}])
    assert [e.labels for e in examples_from_dataset(ds, NAMES)] == [("takeover",), ()]
    with pytest.raises(DataError, match="dataset, row 0, field `labels`"):
        examples_from_dataset([{"text": "x", "labels": ["nope"]}], NAMES)


def test_split_is_stratified_seeded_and_loses_nothing(tmp_path):
    examples = read_examples(write_jsonl(tmp_path / "all.jsonl", make_rows(400, 5)), NAMES)
    a = split_examples(examples, (0.15, 0.2), seed=1)
    assert split_examples(examples, (0.15, 0.2), seed=1) == a
    assert sorted(e.text for part in a.values() for e in part) == sorted(e.text for e in examples)
    assert abs(len(a["test"]) - 80) <= 3 and abs(len(a["validation"]) - 60) <= 3
    for name in NAMES:  # every type reaches every split
        assert all(any(name in e.labels for e in part) for part in a.values())
    check_disjoint(a)


def test_train_file_alone_is_split(tmp_path):
    write_jsonl(tmp_path / "mine.jsonl", make_rows(100, 9))
    splits = load_splits(TrainingConfig(data_dir="", train_file=str(tmp_path / "mine.jsonl")), NAMES)
    assert sum(map(len, splits.values())) == 100 and all(splits.values())


def test_split_files_are_the_files_load_splits_reads(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "train.jsonl", make_rows(100, 9))
    write_jsonl(folder / "validation.jsonl", make_rows(30, 11))
    (folder / "test.csv").write_text("text,labels\nBlast in town,bombing\n", encoding="utf-8")  # CSV is found too
    mine = write_jsonl(tmp_path / "val.jsonl", make_rows(20, 10))
    config = TrainingConfig(data_dir=str(folder), validation_file=str(mine))
    # an explicit file wins over data_dir's; every split the config names is there
    assert split_files(config) == {"train": folder / "train.jsonl", "validation": mine, "test": folder / "test.csv"}
    assert [len(part) for part in load_splits(config, NAMES).values()] == [100, 20, 1]
    assert split_files(TrainingConfig(data_dir="", train_file=str(mine))) == {"train": mine}  # the rest: split off


def test_feed_sample_is_mostly_no_event_and_caps_a_rare_type():
    from eventclf.data import feed_sample

    rows = ([Example(f"quiet {i}", ()) for i in range(40)] + [Example(f"bomb {i}", ("bombing",)) for i in range(40)]
            + [Example(f"ruling {i}", ("fatwa",)) for i in range(40)])
    stream = feed_sample(rows, no_event_share=0.8, seed=0, caps={"fatwa": 0.02})
    assert len(stream) == 50 and sum(not ex.labels for ex in stream) == 40
    assert sum("fatwa" in ex.labels for ex in stream) <= 1
    assert [ex for ex in rows if ex in stream] == stream  # the source order is kept


def test_problems_in_several_split_files_are_reported_together(tmp_path):
    for split, bad in (("train", {"text": "", "labels": []}), ("validation", {"text": "A raid", "labels": ["raid"]}),
                       ("test", {"text": "A blast", "labels": ["bombing"]})):
        write_jsonl(tmp_path / f"{split}.jsonl", [bad])
    with pytest.raises(DataError) as err:
        load_splits(TrainingConfig(data_dir=str(tmp_path)), NAMES)
    assert [p.split(",")[0] for p in err.value.problems] == [str(tmp_path / "train.jsonl"),
                                                               str(tmp_path / "validation.jsonl")]


def test_a_text_in_two_splits_is_reported_with_the_bad_rows(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", [{"text": "Blast in Azaz", "labels": ["bombing"]}, {"text": "", "labels": []}])
    write_jsonl(tmp_path / "validation.jsonl", [{"text": "A raid", "labels": ["raid"]}])
    write_jsonl(tmp_path / "test.jsonl", [{"text": "blast in azaz.", "labels": ["bombing"]}])
    with pytest.raises(DataError) as err:
        load_splits(TrainingConfig(data_dir=str(tmp_path)), NAMES)
    assert err.value.problems == [
        f"{tmp_path / 'train.jsonl'}, line 2, field `text`: empty or missing",
        f"{tmp_path / 'validation.jsonl'}, line 1, field `labels`: unknown type(s) ['raid']; known: {list(NAMES)}",
        f"{tmp_path / 'test.jsonl'}, line 1, field `text`: also in the train split ({tmp_path / 'train.jsonl'}, line 1)"]


def _jsonl_bytes(rows: list[dict], end: str = "\n") -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + end for r in rows).encode("utf-8")


ROWS = [{"text": "Une voiture piégée a explosé à Idlib.", "labels": ["bombing"]}, {"text": "Talks resumed.", "labels": []}]


@pytest.mark.parametrize("name, content", [
    ("bom.jsonl", b"\xef\xbb\xbf" + _jsonl_bytes(ROWS)),
    ("crlf.jsonl", _jsonl_bytes(ROWS, end="\r\n")),
    ("rows.jsonl.gz", gzip.compress(_jsonl_bytes(ROWS))),
    ("crlf.csv", "text,labels\r\n\"Une voiture piégée a explosé à Idlib.\",bombing\r\nTalks resumed.,\r\n".encode()),
])
def test_bom_crlf_and_gzip_are_read_as_the_plain_file(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    assert [(ex.text, ex.labels) for ex in read_examples(tmp_path / name, NAMES)] == \
        [(r["text"], tuple(r["labels"])) for r in ROWS]


def test_a_csv_field_with_newlines_is_one_row_and_later_rows_keep_their_line(tmp_path):
    (tmp_path / "a.csv").write_text('text,labels\n"A blast.\nTwo dead.",bombing\nA raid,raid\n', encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_examples(tmp_path / "a.csv", NAMES)
    assert err.value.problems == [f"{tmp_path / 'a.csv'}, line 4, field `labels`: unknown type(s) ['raid']; "
                                  f"known: {list(NAMES)}"]


@pytest.mark.parametrize("name, content, problem", [
    ("latin1.jsonl", _jsonl_bytes(ROWS[1:]) + json.dumps(ROWS[0], ensure_ascii=False).encode("latin-1") + b"\n",
     "line 2: not UTF-8"),
    ("cut.jsonl", _jsonl_bytes(ROWS)[:-12], "line 2: not valid JSON"),
    ("cut.jsonl.gz", gzip.compress(_jsonl_bytes(ROWS))[:-10], "cannot read"),
])
def test_latin1_truncation_and_broken_gzip_name_the_file_and_line(tmp_path, name, content, problem):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError) as err:
        read_examples(tmp_path / name, NAMES)
    assert len(err.value.problems) == 1 and err.value.problems[0].startswith(f"{tmp_path / name}")
    assert problem in err.value.problems[0]


def test_a_data_dir_of_gzipped_splits_is_found_and_read(tmp_path):
    for split, seed in (("train", 1), ("validation", 2), ("test", 3)):
        rows = make_rows(20, seed)
        (tmp_path / f"{split}.jsonl.gz").write_bytes(gzip.compress(_jsonl_bytes(rows)))
    splits = load_splits(TrainingConfig(data_dir=str(tmp_path)), NAMES)
    assert {k: len(v) for k, v in splits.items()} == {"train": 20, "validation": 20, "test": 20}
