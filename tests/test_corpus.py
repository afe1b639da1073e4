"""The bundled corpus holds to its datasheet: schema, codebook labels, no leaks, minimum counts."""
from collections import Counter
from itertools import product

import pytest

from eventclf.config import BUNDLED_CORPUS
from eventclf.data import LONG_WORDS, SPLITS, check_disjoint, read_examples
from eventclf.dedup import near_duplicate_pairs
from eventclf.labels import load_label_set
from training.add_blind_rows import BLIND_PREFIX
from training.regions import theatre

NAMES = load_label_set().names
LANGS = ("en", "ar", "fr", "es", "tr", "ru", "de", "fa")
META = ("register", "region")  # recorded for every row written since corpus v2
REGISTERS = {"wire", "headline", "liveblog", "coder_note", "social", "statement", "local_media", "report"}


@pytest.fixture(scope="module")
def splits():
    return {split: read_examples(BUNDLED_CORPUS / f"{split}.jsonl", NAMES) for split in SPLITS}


@pytest.fixture(scope="module")
def rows(splits):
    return [ex for part in splits.values() for ex in part]


@pytest.fixture(scope="module")
def written(rows):
    """The rows written for the corpus; the blind rows added to train (`training.add_blind_rows`) are apart."""
    return [ex for ex in rows if not ex.id.startswith(BLIND_PREFIX)]


def test_schema_ids_and_languages(splits, rows):
    import json

    for split in SPLITS:
        for line in (BUNDLED_CORPUS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            keys = set(json.loads(line))
            assert keys == {"id", "text", "labels", "lang"} or keys == {"id", "text", "labels", "lang", *META}
    ids = [ex.id for ex in rows]
    assert len(set(ids)) == len(ids)
    assert all(ex.id.startswith(ex.lang + "-") or f"-{ex.lang}-" in ex.id for ex in rows)
    assert {ex.lang for ex in rows} <= set(LANGS) | {"ku", "ur"}


def test_sizes_and_label_counts(rows):
    types = Counter(name for ex in rows for name in ex.labels)
    assert len(rows) >= 2400
    assert all(types[name] >= 300 for name in NAMES), types
    assert sum(len(ex.labels) >= 2 for ex in rows) >= 200
    assert sum(not ex.labels for ex in rows) >= 800


def test_language_shares_and_every_language_has_every_type(written):
    langs = Counter(ex.lang for ex in written)
    assert 0.28 <= langs["en"] / len(written) <= 0.42
    assert langs["ar"] / len(written) >= 0.15
    assert all(langs[lang] / len(written) >= 0.05 for lang in LANGS[2:]), langs
    assert langs["ku"] > 0 and langs["ur"] > 0
    for lang, name in product(langs, NAMES):
        assert any(ex.lang == lang and name in ex.labels for ex in written), (lang, name)


def test_test_split_is_a_fifth_of_the_written_rows_and_balanced(splits, written):
    test = splits["test"]
    assert len(test) >= 0.2 * len(written)
    for name in NAMES:
        share = sum(name in ex.labels for ex in test) / sum(name in ex.labels for ex in written)
        assert 0.18 <= share <= 0.3, (name, share)
    for lang in LANGS:
        share = sum(ex.lang == lang for ex in test) / sum(ex.lang == lang for ex in written)
        assert 0.18 <= share <= 0.3, (lang, share)


def test_blind_rows_are_training_rows_only(splits, rows, written):
    blind = [ex for ex in rows if ex.id.startswith(BLIND_PREFIX)]
    train_ids = {ex.id for ex in splits["train"]}
    assert len(blind) >= 1800 and all(ex.id in train_ids for ex in blind)  # never scored as our own test text
    assert {ex.lang for ex in blind} >= {"en", "ar", "fr", "es", "ru", "tr"}
    assert sum(not ex.labels for ex in blind) / len(blind) >= 0.4  # other writers' no-event text, not only events


def test_no_paragraph_or_near_copy_in_two_splits(splits, rows):
    check_disjoint(splits)
    split_of = {id(ex): split for split, part in splits.items() for ex in part}
    for lang in {ex.lang for ex in rows}:
        same = [ex for ex in rows if ex.lang == lang]
        leaks = [(same[i].id, same[j].id) for i, j in near_duplicate_pairs([ex.text for ex in same])
                 if split_of[id(same[i])] != split_of[id(same[j])]]
        assert not leaks, leaks


def long_share(rows) -> float:
    return sum(len(ex.text.split()) >= LONG_WORDS for ex in rows) / len(rows)


def test_v2_rows_are_written_the_way_feeds_are(written):
    v2 = [ex for ex in written if "register" in ex.meta]
    assert len(v2) >= 2500
    assert {ex.meta["register"] for ex in v2} == REGISTERS
    assert long_share(v2) >= 0.15
    assert sum(ex.lang == "ar" for ex in v2) / len(v2) >= 0.25
    assert sum(not ex.labels for ex in v2) / len(v2) >= 0.4  # hard negatives, not a label-balanced set
    for lang in ("ru", "tr"):
        assert long_share([ex for ex in v2 if ex.lang == lang]) >= 0.3, lang
    regions = Counter(theatre(ex.meta["region"]) for ex in v2)
    for region in ("Gaza/Israel/Lebanon", "Ukraine/Russia", "Sudan", "Myanmar", "Sahel", "DRC", "Yemen", "Syria"):
        assert regions[region] >= 40, (region, regions[region])


def test_stream_split_looks_like_a_feed_and_comes_from_test(splits):
    stream = read_examples(BUNDLED_CORPUS / "stream.jsonl", NAMES)
    test_texts = {ex.text for ex in splits["test"]}
    assert len(stream) >= 500 and all(ex.text in test_texts for ex in stream)
    assert sum(not ex.labels for ex in stream) / len(stream) >= 0.75
    assert sum("fatwa" in ex.labels for ex in stream) / len(stream) <= 0.01
    assert long_share(stream) >= 0.1
