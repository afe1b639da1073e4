"""benchmarks.evidence and benchmarks.documents: how their gold is laid out, matched and scored."""
from benchmarks import documents, evidence
from benchmarks.report import fill_section, section_markers

DOC = {"doc_id": "t-1", "lang": "en", "events": [{"id": "e1", "type": "fatwa"}, {"id": "e2", "type": "takeover"}],
       "blocks": [{"kind": "headline", "text": "scholars council statement", "labels": ["fatwa"]},
                  {"kind": "paragraph", "text": "the ruling was read on friday.", "labels": ["fatwa"]},
                  {"kind": "caption", "text": "photo: the council on friday (local reports)", "labels": []},
                  {"kind": "headline", "text": "rebels seized the base and captured the road", "labels": ["takeover"]},
                  {"kind": "paragraph", "text": "officials said on monday.", "labels": []}]}


def test_both_layouts_put_each_gold_block_at_its_offsets():
    for layout in documents.MARKS:
        page, spans = documents.render(DOC, layout)
        assert [page[s:e] for s, e in spans] == [b["text"] for b in DOC["blocks"]]


def test_documents_scores_context_and_kinds(keyword_classifier):
    report = documents.measure(keyword_classifier, [DOC])
    with_context = report["systems"]["tag_document, markdown, with headline context"]
    assert with_context["macro_f1"] > report["systems"]["blocks alone"]["macro_f1"]  # the fatwa pair is found
    assert report["kind_accuracy"] == {"text": 1.0, "markdown": 1.0, "html": 1.0}
    assert report["kept"] == {"text": 1.0, "markdown": 1.0, "html": 1.0}
    assert report["events"]["tag_document, text, with headline context"]["recall"] == 1.0


def test_an_html_page_is_tagged_from_its_extracted_text_with_every_block_found(keyword_classifier):
    tagged, spans = documents.tag_layout(keyword_classifier, DOC, "html", context=True)
    assert [tagged.text[s:e] for s, e in spans] == [b["text"] for b in DOC["blocks"]]
    assert "Home" not in tagged.text and "newsletter" not in tagged.text  # the menu and footer are left out


def test_a_block_the_extraction_dropped_has_no_span_and_no_labels(keyword_classifier):
    spans = documents.locate("rebels seized the base", [{"text": "a menu"}, {"text": "the base"}])
    assert spans == [None, (14, 22)]
    tagged, _ = documents.tag_layout(keyword_classifier, DOC, "text", context=False)
    assert documents.matched_labels(tagged, [None]) == [()]


def test_block_f1_is_the_projects_f1_which_skips_types_absent_from_gold():
    result = documents.f1([["fatwa"], []], [("fatwa",), ("bombing",)], ["fatwa", "bombing"])
    assert result == {"macro_f1": 1.0, "micro_f1": 2 / 3, "fatwa": 1.0, "bombing": 0.0}


def test_evidence_judges_the_top_sentence_against_the_annotated_span(keyword_classifier):
    text = "officials said on monday. a blast and a bomb hit the road. the scholars met."
    start = text.index("a blast")
    gold = [{"id": "x", "lang": "en", "evidence": {"bombing": {"start": start, "end": start + 10}}}]
    (record,) = evidence.judge(keyword_classifier, gold, {"x": text})
    assert record["top1"] and record["returned"] and record["returned_one_sentence"] and not record["lead"]
    assert record["chance"] == 1 / 3
    assert evidence.summarise([record])["2+ sentences"]["top1"] == 1.0


def test_a_section_is_filled_between_its_markers_or_says_it_has_not_run(tmp_path):
    markers = section_markers("x", "python -m benchmarks.x")
    page = f"a\n{markers[0]}\nold\n{markers[1]}\nb"
    assert "Not run yet (`cmd`)" in fill_section(page, markers, tmp_path / "none.json", str, "cmd")
    (tmp_path / "x.json").write_text('{"n": 1}')
    assert fill_section(page, markers, tmp_path / "x.json", lambda r: f"n={r['n']}", "cmd") == \
        f"a\n{markers[0]}\nn=1\n{markers[1]}\nb"
    assert fill_section("no markers", markers, tmp_path / "x.json", str, "cmd") == "no markers"


def test_context_changes_count_added_and_missed_labels_per_kind():
    blocks = [{"kind": "headline", "labels": ["fatwa"]}, {"kind": "paragraph", "labels": []},
              {"kind": "paragraph", "labels": ["bombing", "takeover"]}]
    alone = [(), (), ("bombing",)]
    with_context = [("fatwa",), ("fatwa",), ("bombing",)]
    assert documents.context_changes(blocks, alone, with_context) == {
        "headline": {"added right": 1, "still missed": 0, "gold": 1},
        "paragraph": {"added wrong": 1, "still missed": 1, "gold": 2}}
