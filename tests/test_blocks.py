"""eventclf.blocks: headlines, paragraphs and captions read from a page's layout, with offsets."""
import pytest

from eventclf.blocks import line_kind, split_markdown, split_text


@pytest.mark.parametrize("line, kind", [
    ("Scholars' council issues fatwa against the group", "headline"),  # no final stop
    ("09:12 LATEST: Rebels say they have taken the crossroads.", "headline"),  # live-blog tag
    ("Rebels Take Control Of The Northern Base.", "headline"),  # title case
    ("عاجل: انفجار سيارة مفخخة في أعزاز", "headline"),
    ("Photo: Smoke rises over the town on Tuesday (Local Media)", "caption"),
    ("صورة: فريق لنزع الألغام يعمل قرب البلدة (صوت الرقة)", "caption"),
    ("Video: Fighters drive the group out of the building", "headline"),  # short, no stop: a live-blog entry
    ("A car bomb killed four people in Azaz on Monday, activists said.", "paragraph"),
    ("14:32", None), ("2h ago", None), (" -- ", None),
])
def test_line_kinds(line, kind):
    assert line_kind(line) == kind


def test_a_headline_on_the_line_above_its_body_is_split_off_and_offsets_hold():
    page = "  14:32\nLATEST: Rebels take the base\nThe claim could not be verified.\nFighting went on.\n\n\nMore."
    blocks = split_text(page)
    assert [(b.kind, page[b.start:b.end]) for b in blocks] == [
        ("headline", "LATEST: Rebels take the base"),
        ("paragraph", "The claim could not be verified.\nFighting went on."),
        ("paragraph", "More.")]


def test_a_hard_wrapped_paragraph_stays_one_block():
    page = ("BEIRUT, March 4 - Insurgents seized a base in the north of the\n"
            "province on Tuesday after two days of fighting, a monitoring group\n"
            "said, and freed dozens of detainees held in its cells, residents\n"
            "told reporters.")
    assert [b.kind for b in split_text(page)] == ["paragraph"]


def test_markdown_marks_headings_images_and_italic_captions():
    page = "# Rebels take base\n\n![Photo: fighters at the gate](x.jpg)\n\n*Photo: the gate*\n\nA car bomb exploded.\n## Next\nBody."
    assert [(b.kind, page[b.start:b.end]) for b in split_markdown(page)] == [
        ("headline", "Rebels take base"), ("caption", "Photo: fighters at the gate"), ("caption", "Photo: the gate"),
        ("paragraph", "A car bomb exploded."), ("headline", "Next"), ("paragraph", "Body.")]
