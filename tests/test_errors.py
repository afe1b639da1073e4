import pytest

import eventclf
from eventclf import EventClassifier, TrainingConfig, load_label_set
from eventclf.errors import (ConfigError, DataError, EventclfError, MAX_REPORTED, MissingDependencyError,
                             ModelFolderError, OfflineBuildError, TextTypeError)


@pytest.mark.parametrize("error, builtin", [
    (DataError, ValueError), (TextTypeError, TypeError), (ConfigError, ValueError), (ModelFolderError, OSError),
    (MissingDependencyError, ImportError), (OfflineBuildError, RuntimeError),
])
def test_each_error_is_one_family_and_still_its_old_builtin(error, builtin):
    assert issubclass(error, EventclfError) and issubclass(error, builtin)
    assert getattr(eventclf, error.__name__) is error  # callers import them from the package


def test_data_error_is_one_line_for_one_problem_and_lists_many():
    assert str(DataError("a.jsonl, line 3, field `labels`: unknown type")) == "a.jsonl, line 3, field `labels`: unknown type"
    many = DataError([f"a.jsonl, line {n}: bad" for n in range(MAX_REPORTED + 5)])
    text = str(many)
    assert text.startswith(f"{MAX_REPORTED + 5} problems in the data:")
    assert f"line {MAX_REPORTED - 1}: bad" in text and f"line {MAX_REPORTED}: bad" not in text
    assert text.endswith("... and 5 more") and len(many.problems) == MAX_REPORTED + 5


def test_what_users_get_wrong_raises_the_family(tmp_path):
    (tmp_path / "codebook.yaml").write_text("types: [", encoding="utf-8")
    attempts = [
        lambda: EventClassifier.from_pretrained(tmp_path / "missing"),
        lambda: TrainingConfig(warmup_ratio=1.0),
        lambda: load_label_set(tmp_path / "codebook.yaml"),
        lambda: load_label_set(tmp_path / "absent.yaml"),
    ]
    for attempt in attempts:
        with pytest.raises(EventclfError):
            attempt()
