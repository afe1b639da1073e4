"""eventclf.pages: pages read from disk in any encoding and format, bad files refused with their name."""
import pytest

from eventclf import DataError
from eventclf.pages import read_page


def test_formats_come_from_the_name_or_the_first_bytes(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\nBody.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\ufeffTitle\n\nBody.", encoding="utf-8")
    (tmp_path / "c").write_text("<!DOCTYPE html><html><body><article><h1>Rebels take base</h1><p>Officials said on "
                                "Monday that the town was calm after a night of fighting near the road.</p></article>"
                                "</body></html>", encoding="utf-8")
    assert read_page(tmp_path / "a.md") == ("# Title\n\nBody.", "markdown")
    assert read_page(tmp_path / "b.txt") == ("Title\n\nBody.", "text")  # BOM dropped
    text, fmt = read_page(tmp_path / "c")
    assert fmt == "markdown" and text.startswith("# Rebels take base")


@pytest.mark.parametrize("codec, text", [("cp1256", "انفجار سيارة مفخخة في أعزاز وقتل أربعة أشخاص، قال مصدر أمني."),
                                         ("windows-1251", "В городе прогремел взрыв, погибли четыре человека."),
                                         ("utf-16", "Kasabada patlama: dört kişi öldü.")])
def test_legacy_encodings_are_detected(tmp_path, codec, text):
    (tmp_path / "page.txt").write_bytes(((text + "\n") * 3).encode(codec))
    assert read_page(tmp_path / "page.txt")[0] == (text + "\n") * 3


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b" \n", "empty file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("menu.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no main text"),
])
def test_bad_pages_are_refused_with_their_name(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(DataError, match=f"{name}: .*{message}"):
        read_page(tmp_path / name)
