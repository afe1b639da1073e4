import pytest
import yaml

from eventclf.labels import DEFAULT_LABEL_FILE, LabelSet, load_label_set


def test_bundled_codebook_defines_the_five_types_in_order():
    labels = load_label_set()
    assert labels.names == ("bombing", "takeover", "prisoner_release", "fatwa", "offensive")
    for t in labels.types:
        assert t.definition and t.includes and t.excludes and t.example_in and t.example_out


def test_custom_label_file_trains_other_types(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"types": [{"name": "protest", "definition": "people demonstrate"},
                                              {"name": "looting", "definition": "property is taken"}]}))
    assert load_label_set(path).names == ("protest", "looting")


@pytest.mark.parametrize("data, message", [
    ({}, "non-empty `types`"),
    ({"types": [{"name": "a"}]}, "needs a `name` and a `definition`"),
    ({"types": [{"name": "a", "definition": "x"}, {"name": "a", "definition": "y"}]}, "duplicate"),
    ({"types": [{"name": "a", "definition": "x", "colour": "red"}]}, "unknown fields"),
])
def test_bad_label_files_are_refused_with_the_reason(data, message):
    with pytest.raises(ValueError, match=message):
        LabelSet.from_dict(data, source="f.yaml")


def test_round_trip_through_dict():
    labels = load_label_set(DEFAULT_LABEL_FILE)
    assert LabelSet.from_dict(labels.to_dict()) == labels
