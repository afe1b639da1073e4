"""eventclf.report: the HTML page shows each evidence span at its exact place, offline, right to left where due."""
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from eventclf.report import render_report

PAGE = ("scholars council statement\nthe ruling was read on friday.\n\n"
        "rebels seized the base and captured the road\nofficials said on monday.\n\n"
        "انفجار قرب السوق\n\nphoto: prisoners freed and released at the gate (local reports)")


class Marks(HTMLParser):
    """Every <mark>'s attributes and text, and every attribute that could load something."""

    def __init__(self):
        super().__init__()
        self.marks, self.open, self.loads, self.blocks = [], None, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "mark":
            self.open = [attrs, ""]
        if tag in ("p", "h2") and "data-kind" in attrs:
            self.blocks.append(attrs)
        self.loads += [(tag, k, v) for k, v in attrs.items() if k in ("src", "srcset", "data") or
                       k == "href" and not v.startswith("#") or tag == "link"]

    def handle_data(self, data):
        if self.open:
            self.open[1] += data

    def handle_endtag(self, tag):
        if tag == "mark":
            self.marks.append(tuple(self.open))
            self.open = None


@pytest.fixture(scope="module")
def page(keyword_classifier):
    doc = keyword_classifier.tag_document(PAGE)
    parser = Marks()
    text = render_report(doc, keyword_classifier.labels, "a <test> page")
    parser.feed(text)
    return doc, parser, text


def test_every_highlight_is_the_documents_text_at_its_offsets(page):
    doc, parser, _ = page
    assert parser.marks  # something was highlighted
    for attrs, text in parser.marks:
        assert text == doc.text[int(attrs["data-start"]):int(attrs["data-end"])]
    highlighted = {t for attrs, _ in parser.marks for t in attrs["data-types"].split()}
    assert highlighted == {t for b in doc.blocks for t in b.labels}


def test_the_page_loads_nothing_and_sets_direction_per_block(page):
    doc, parser, text = page
    assert parser.loads == [] and "url(" not in text and "@import" not in text and "<script" not in text
    assert [b["data-kind"] for b in parser.blocks] == [b.kind for b in doc.blocks]
    assert all(b["dir"] == "auto" for b in parser.blocks)  # the Arabic block runs right to left
    assert "<title>a &lt;test&gt; page</title>" in text


def test_legend_counts_blocks_and_events(page):
    doc, _, text = page
    for event_type in {e.type for e in doc.events}:
        n_blocks = sum(event_type in b.labels for b in doc.blocks)
        n_events = sum(e.type == event_type for e in doc.events)
        assert f"{event_type}: {n_blocks} blocks, {n_events} events" in unescape(text)
    assert len(re.findall(r'<li><span class="chip"', text)) == len(doc.events)
