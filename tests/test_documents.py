"""eventclf.documents: a page in, blocks tagged with their headline's help, events credited once per section.

The keyword stand-in model makes every score known: one cue word of a type scores 0.27, two score 0.88."""
import pytest

from eventclf import ConfigError

PAGE = ("scholars council statement\n"
        "the ruling was read on friday.\n\n"
        "rebels seized the base and captured the road\n"
        "officials said on monday.\n\n"
        "photo: the town on monday, officials said (local reports)")


@pytest.fixture(scope="module")
def doc(keyword_classifier):
    return keyword_classifier.tag_document(PAGE)


def test_blocks_and_evidence_point_into_the_page(doc):
    assert [b.kind for b in doc.blocks] == ["headline", "paragraph", "headline", "paragraph", "caption"]
    for block in doc.blocks:
        assert PAGE[block.start:block.end] == block.text
        for span in block.evidence.values():
            assert PAGE[span.start:span.end] == span.text


def test_a_headline_and_body_that_only_together_name_a_fatwa_both_carry_it(doc, keyword_classifier):
    headline, body = doc.blocks[0], doc.blocks[1]
    assert headline.labels == ("fatwa",) and body.labels == ("fatwa",)
    assert headline.scores["fatwa"] == pytest.approx(0.88, abs=0.01)  # the pair's score, not the block's 0.27
    alone = keyword_classifier.tag_document(PAGE, context=False)
    assert alone.blocks[0].labels == () and alone.blocks[1].labels == ()


def test_a_body_does_not_inherit_what_its_headline_says_alone(doc):
    assert doc.blocks[2].labels == ("takeover",)
    assert doc.blocks[3].labels == () and doc.blocks[4].labels == ()


@pytest.mark.parametrize("headline, takes", [("clashes near the road", True), ("night in the town", False)])
def test_a_headline_takes_what_its_lead_reports_only_when_it_hints_at_it(keyword_classifier, headline, takes):
    # the lead alone carries offensive (two cues); the headline's own score is 0.27 with one cue, 0.02 with none
    tagged = keyword_classifier.tag_document(f"{headline}\nthe assault and the advance went on after monday.")
    assert tagged.blocks[0].kind == "headline" and tagged.blocks[1].labels == ("offensive",)
    assert (tagged.blocks[0].labels == ("offensive",)) is takes
    if takes:  # its evidence is the lead's sentence
        assert tagged.blocks[0].evidence["offensive"].start >= tagged.blocks[1].start


def test_each_type_is_one_event_per_section_in_order(doc):
    assert [(e.type, e.blocks) for e in doc.events] == [("fatwa", (0, 1)), ("takeover", (2,))]
    assert doc.events[1].evidence.text == "rebels seized the base and captured the road"


def test_an_update_naming_the_same_places_is_the_same_event_and_another_blast_is_not(keyword_classifier):
    page = ("blast and bomb at kadugli tram depot\nthe blast at the kadugli tram depot killed two.\n\n"
            "explosion and airstrike in the north\nan airstrike hit a market in the north.\n\n"
            "update on kadugli tram depot\nthe bomb blast at the kadugli tram depot killed five, officials said.")
    doc = keyword_classifier.tag_document(page)
    sections = [{0, 1, 4, 5}, {2, 3}]
    assert [e.type for e in doc.events] == ["bombing", "bombing"]
    assert [set(e.blocks) <= section for e, section in zip(doc.events, sections)] == [True, True]
    assert {4, 5} & set(doc.events[0].blocks)  # the update joined the first event


def test_markdown_and_html_pages(keyword_classifier):
    md = "# scholars council statement\n\n![photo: prisoners freed and released](a.jpg)\n\nthe ruling was read."
    doc = keyword_classifier.tag_document(md, fmt="markdown")
    # the headline is read with the section's paragraph, not with the caption between them
    assert [(b.kind, b.labels) for b in doc.blocks] == [("headline", ("fatwa",)), ("caption", ("prisoner_release",)),
                                                       ("paragraph", ("fatwa",))]
    html = ("<html><body><nav>home news</nav><article><h1>rebels seized and captured the base</h1><p>officials said "
            "on monday that the town near the road was calm after the night, and local reports said the same.</p>"
            "<figure><img src='a.jpg' alt='x'><figcaption>photo: the base on monday</figcaption></figure>"
            "</article></body></html>")
    doc = keyword_classifier.tag_document(html, fmt="html")
    assert [(b.kind, b.labels) for b in doc.blocks][:2] == [("headline", ("takeover",)), ("paragraph", ())]
    assert any(b.kind == "caption" and b.text == "photo: the base on monday" for b in doc.blocks)
    assert "home news" not in doc.text  # the menu is not main text


def test_an_unknown_format_is_refused(keyword_classifier):
    with pytest.raises(ConfigError, match="format must be one of"):
        keyword_classifier.tag_document("x", fmt="pdf")


def test_a_long_page_is_tagged_in_chunks_with_the_same_result(keyword_classifier, monkeypatch):
    from eventclf import documents

    page = "\n\n".join([PAGE, "عاجل: انفجار قرب السوق", "a blast and an explosion hit the road."] * 40)  # mixed scripts
    whole = keyword_classifier.tag_document(page)
    monkeypatch.setattr(documents, "CHUNK_BLOCKS", 3)  # sections cut across chunks, partners in the chunk before
    chunked = keyword_classifier.tag_document(page)
    assert chunked == whole and len(whole.blocks) == 280
    assert all(page[b.start:b.end] == b.text for b in whole.blocks)


def test_a_megabyte_page_without_headlines_is_read_whole(keyword_classifier):
    page = "\n\n".join(["officials said on monday in the town near the road."] * 19_000 + ["a blast and a bomb."])
    assert len(page) > 1_000_000
    doc = keyword_classifier.tag_document(page)
    assert [e.type for e in doc.events] == ["bombing"] and doc.blocks[-1].labels == ("bombing",)
