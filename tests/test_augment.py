from eventclf.augment import augment
from eventclf.data import Example

ORDER = ("bombing", "takeover")
ROWS = [
    Example("Talks resumed in the capital.", (), "en"),
    Example("Floods cut the main road.", (), "en"),
    Example("A car bomb went off at the market.", ("bombing",), "en"),
    Example("Rebels took the airport.", ("takeover",), "en"),
    Example("Un convoi humanitaire est arrivé.", (), "fr"),
    Example("Une frappe a touché le dépôt.", ("bombing",), "fr"),
]


def test_a_splice_puts_background_first_and_keeps_the_event_labels():
    splices = [ex for ex in augment(ROWS, 2.0, seed=1, label_order=ORDER) if ex.where == "augmented: splice"]
    assert splices
    for ex in splices:
        source = next(r for r in ROWS if r.labels and ex.text.endswith(r.text))
        assert ex.labels == source.labels and ex.lang == source.lang
        assert any(ex.text.startswith(r.text) for r in ROWS if not r.labels and r.lang == ex.lang)


def test_a_join_carries_every_type_of_its_parts_in_label_order_within_one_language():
    joins = [ex for ex in augment(ROWS, 2.0, seed=3, label_order=ORDER) if ex.where == "augmented: join"]
    assert joins
    for ex in joins:
        parts = [r for r in ROWS if r.text in ex.text]
        assert len(parts) >= 2 and {r.lang for r in parts} == {ex.lang}
        assert ex.labels == tuple(n for n in ORDER if any(n in r.labels for r in parts))


def test_fraction_sets_the_count_and_the_seed_fixes_the_rows():
    assert augment(ROWS, 0.0, seed=0, label_order=ORDER) == []
    assert len(augment(ROWS, 1.0, seed=0, label_order=ORDER)) == len(ROWS)
    assert augment(ROWS, 1.0, seed=5, label_order=ORDER) == augment(ROWS, 1.0, seed=5, label_order=ORDER)
