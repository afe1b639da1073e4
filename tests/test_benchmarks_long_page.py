"""benchmarks.long_page: the page it builds and what it reports."""
from benchmarks import long_page

DOC = {"lang": "en", "blocks": [{"kind": "headline", "text": "scholars council statement", "labels": ["fatwa"]},
                               {"kind": "paragraph", "text": "the ruling was read on friday.", "labels": ["fatwa"]}]}


def test_the_page_repeats_the_documents_up_to_the_size_asked():
    page = long_page.long_page([DOC], 0.01)
    assert 0.01 <= len(page.encode("utf-8")) / 2**20 < 0.012
    assert page.startswith(DOC["blocks"][0]["text"]) and page.count(DOC["blocks"][1]["text"]) > 20


def test_measure_counts_blocks_and_memory(keyword_classifier):
    report = long_page.measure(keyword_classifier, long_page.long_page([DOC], 0.002))
    assert report["blocks"] == len(keyword_classifier.tag_document(long_page.long_page([DOC], 0.002)).blocks)
    assert report["blocks_per_s"] > 0 and report["peak_rss_mb_after_tagging"] >= report["peak_rss_mb_after_load"]
