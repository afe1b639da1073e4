import pytest

from eventclf.atomic import atomic_path


def test_a_file_is_swapped_in_whole_with_its_suffix(tmp_path):
    target = tmp_path / "sub" / "scores.npy"
    with atomic_path(target) as partial:
        assert partial.parent == target.parent and partial.suffix == ".npy" and not target.exists()
        partial.write_text("new")
    assert target.read_text() == "new" and list(target.parent.iterdir()) == [target]


def test_a_folder_replaces_the_old_one_whole(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with atomic_path(target, folder=True) as partial:
        (partial / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"] and [p.name for p in tmp_path.iterdir()] == ["model"]


@pytest.mark.parametrize("folder", [False, True])
def test_an_error_mid_write_keeps_the_old_target_and_leaves_no_scraps(tmp_path, folder):
    target = tmp_path / ("model" if folder else "page.md")
    if folder:
        target.mkdir()
        (target / "keep.txt").write_text("old")
    else:
        target.write_text("old")
    with pytest.raises(OSError, match="disk full"):
        with atomic_path(target, folder=folder) as partial:
            (partial / "half.txt" if folder else partial).write_text("half")
            raise OSError("disk full")
    assert (target / "keep.txt" if folder else target).read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
