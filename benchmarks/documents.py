"""Whole-document benchmark: `tag_document` (blocks read with their headline) against tagging each block alone.

    python -m benchmarks.documents --model runs/default     # writes benchmarks/results/documents.json

Gold: benchmarks/data/documents.jsonl, 44 documents we wrote (live blogs, wire stories, local articles; English,
Arabic, French, Spanish, Russian, Turkish), every block labelled as a reader of the page would tag it in place.
Each document is laid out as plain text (blocks separated by blank lines, no mark-up: the kinds must be read from
the layout), as Markdown (`##` headlines, italic captions) and as a saved HTML page (menu, `<h2>` headlines, `<p>`
paragraphs, `<figure>` captions, footer), whose main text trafilatura extracts first; a gold block the extraction
drops counts as tagged with nothing. Systems, per block (macro-F1 over the five types):
- blocks alone: `predict` on each gold block, the paragraph-at-a-time way;
- tag_document without context, and with it (the default), on each layout; its blocks are matched to the gold ones
  by offsets, and a gold block it misses or merges counts with the labels of the block it fell into.
Events: per document and type, the events tag_document lists against the gold events (matched by count).
Context changes: per block kind, the labels headline context added (right or wrong) and the gold labels still missed.
Cost: tag_document's time over that of `predict` on the same blocks.
"""
from __future__ import annotations

import html
import json
import time
from collections import Counter
from pathlib import Path

from benchmarks import DATA_DIR, RESULTS_DIR
from benchmarks.report import cpu_line, model_benchmark_args, publish, section_filler, section_markers, stamp, table
from eventclf.metrics import binarize, scores

COMMAND = "python -m benchmarks.documents"
JSON_PATH = RESULTS_DIR / "documents.json"
MARKERS = section_markers("documents", COMMAND)  # the results page's section this benchmark fills
GOLD = DATA_DIR / "documents.jsonl"
MARKS = {"text": {}, "markdown": {"headline": ("## ", ""), "caption": ("*", "*")}}
LAYOUTS = (*MARKS, "html")
HTML_TAGS = {"headline": "<h2>{}</h2>", "paragraph": "<p>{}</p>",
             "caption": '<figure><img src="photo.jpg"><figcaption>{}</figcaption></figure>'}
HTML_PAGE = ('<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head><body>'
             '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/live">Live</a></nav><main><article>'
             '{body}</article></main><footer>Subscribe to our newsletter. All rights reserved.</footer></body></html>')


def render(doc: dict, layout: str) -> tuple[str, list[tuple[int, int]]]:
    """The document as one page in `layout`, and each gold block's (start, end) in it."""
    page, spans = "", []
    for block in doc["blocks"]:
        before, after = MARKS[layout].get(block["kind"], ("", ""))
        page += before
        spans.append((len(page), len(page) + len(block["text"])))
        page += block["text"] + after + "\n\n"
    return page, spans


def render_html(doc: dict) -> str:
    body = "".join(HTML_TAGS[b["kind"]].format(html.escape(b["text"])) for b in doc["blocks"])
    return HTML_PAGE.format(lang=doc["lang"], title=html.escape(doc.get("title", "")), body=body)


def locate(text: str, blocks: list[dict]) -> list[tuple[int, int] | None]:
    """Each gold block's (start, end) in a page's extracted text, found in order; None where extraction dropped it."""
    spans, cursor = [], 0
    for block in blocks:
        start = text.find(block["text"], cursor)
        spans.append(None if start < 0 else (start, start + len(block["text"])))
        cursor = cursor if start < 0 else start + len(block["text"])
    return spans


def tag_layout(clf, doc: dict, layout: str, context: bool):
    """The document tagged in `layout`, and each gold block's span in the text tag_document read."""
    if layout == "html":
        tagged = clf.tag_document(render_html(doc), fmt="html", lang=doc["lang"], context=context)
        return tagged, locate(tagged.text, doc["blocks"])
    page, spans = render(doc, layout)
    return clf.tag_document(page, fmt=layout, lang=doc["lang"], context=context), spans


def best_block(tagged, span: tuple[int, int] | None):
    """The tagged block that overlaps a gold span most, or None (no span, or no overlap)."""
    if span is None:
        return None
    start, end = span
    best = max(tagged.blocks, key=lambda b: min(end, b.end) - max(start, b.start), default=None)
    return best if best is not None and min(end, best.end) > max(start, best.start) else None


def matched_labels(tagged, spans: list[tuple[int, int] | None]) -> list[tuple[str, ...]]:
    """For each gold span, the labels of the tagged block that overlaps it most (none, or no span: no labels)."""
    return [block.labels if block else () for block in (best_block(tagged, span) for span in spans)]


def kinds_agree(tagged, spans: list[tuple[int, int] | None], gold_kinds: list[str]) -> int:
    """How many gold blocks fall into a tagged block of their own kind."""
    blocks = [best_block(tagged, span) for span in spans]
    return sum(block is not None and block.kind == kind for block, kind in zip(blocks, gold_kinds))


def f1(gold: list[list[str]], pred: list[tuple[str, ...]], labels: list[str]) -> dict[str, float]:
    """Macro- and micro-F1 and each type's F1, scored as every eventclf evaluation is (`eventclf.metrics.scores`)."""
    result = scores(binarize(gold, labels), binarize(pred, labels), labels)
    return {"macro_f1": result["macro_f1"], "micro_f1": result["micro_f1"],
            **{name: m["f1"] for name, m in result["per_type"].items()}}


def events_score(found: list[Counter], gold: list[Counter]) -> dict[str, float]:
    hits = sum(sum((f & g).values()) for f, g in zip(found, gold))
    n_found, n_gold = sum(sum(f.values()) for f in found), sum(sum(g.values()) for g in gold)
    return {"precision": hits / max(n_found, 1), "recall": hits / max(n_gold, 1), "found": n_found, "gold": n_gold}


def context_changes(blocks: list[dict], alone: list, with_context: list) -> dict[str, dict[str, int]]:
    """Per block kind: labels the headline context added that are right or wrong, and gold labels still missed
    with it (context only ever adds labels)."""
    out: dict[str, Counter] = {}
    for block, before, after in zip(blocks, alone, with_context):
        tally = out.setdefault(block["kind"], Counter())
        for name in set(after) - set(before):
            tally["added right" if name in block["labels"] else "added wrong"] += 1
        tally["still missed"] += len(set(block["labels"]) - set(after))
        tally["gold"] += len(block["labels"])
    return {kind: dict(tally) for kind, tally in out.items()}


def measure(clf, docs: list[dict]) -> dict:
    labels = list(clf.labels)
    gold = [b["labels"] for d in docs for b in d["blocks"]]
    start = time.perf_counter()
    alone = [p.labels for d in docs for p in clf.predict([b["text"] for b in d["blocks"]])]
    plain_seconds = time.perf_counter() - start
    systems, seconds, kinds = {"blocks alone": f1(gold, alone, labels)}, {}, {}
    gold_events = [Counter(e["type"] for e in d["events"]) for d in docs]
    events, changes, kept = {}, {}, Counter()
    for layout in LAYOUTS:
        preds = {}
        for context in (False, True):
            name = f"tag_document, {layout}, {'with' if context else 'no'} headline context"
            pred, agree, found, start = [], 0, [], time.perf_counter()
            for d in docs:
                tagged, spans = tag_layout(clf, d, layout, context)
                kept[layout] += sum(span is not None for span in spans)
                pred += matched_labels(tagged, spans)
                agree += kinds_agree(tagged, spans, [b["kind"] for b in d["blocks"]])
                found.append(Counter(e.type for e in tagged.events))
            seconds[name] = time.perf_counter() - start
            systems[name], kinds[layout] = f1(gold, pred, labels), agree / len(gold)
            events[name], preds[context] = events_score(found, gold_events), pred
        changes[layout] = context_changes([b for d in docs for b in d["blocks"]], preds[False], preds[True])
    kept = {layout: n / (2 * len(gold)) for layout, n in kept.items()}  # counted once per context setting
    return {"systems": systems, "events": events, "kind_accuracy": kinds, "context_changes": changes, "kept": kept,
            "cost": {"blocks alone": plain_seconds, **seconds}, "n_blocks": len(gold), "n_documents": len(docs),
            "languages": dict(Counter(d["lang"] for d in docs))}


def markdown(report: dict) -> str:
    meta, labels = report["meta"], [k for k in next(iter(report["systems"].values())) if k not in ("macro_f1", "micro_f1")]
    base = report["cost"]["blocks alone"]
    rows = [[name, f"{s['macro_f1']:.3f}", f"{s['micro_f1']:.3f}", *(f"{s[k]:.2f}" for k in labels),
             f"{report['cost'][name] / base:.1f}x"] for name, s in report["systems"].items()]
    ev = [[name, e["found"], e["gold"], f"{e['precision']:.2f}", f"{e['recall']:.2f}"]
          for name, e in report["events"].items()]
    langs = ", ".join(f"{k} {v}" for k, v in report["languages"].items())
    return "\n".join([
        f"Measured {meta['date']} with `{meta['command']}` on {cpu_line(meta)}: {report['n_documents']} documents "
        f"({langs}), {report['n_blocks']} blocks.", "",
        *table(["system", "macro-F1", "micro-F1", *labels, "time vs blocks alone"], rows, align="l" + "r" * (len(labels) + 3)),
        "", "Block kinds read from the layout (share of gold blocks found with their kind): "
        + ", ".join(f"{k} {v:.2f}" for k, v in report["kind_accuracy"].items()) + ". Gold blocks found in the text "
        "tag_document read (HTML: what extraction kept): "
        + ", ".join(f"{k} {v:.2f}" for k, v in report.get("kept", {}).items()) + ".", "",
        *table(["events listed by", "found", "gold", "precision", "recall"], ev, align="lrrrr"), "",
        "What headline context changed (plain-text layout), per block kind: " + "; ".join(
            f"{kind}: {c.get('added right', 0)} labels added right, {c.get('added wrong', 0)} added wrong, "
            f"{c.get('still missed', 0)} of {c.get('gold', 0)} gold labels still missed"
            for kind, c in report["context_changes"]["text"].items()) + "."])


def main() -> None:
    args = model_benchmark_args(COMMAND, __doc__, JSON_PATH)
    from eventclf import EventClassifier

    docs = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    report = measure(EventClassifier.from_pretrained(args.model), docs)
    report["meta"] = stamp(f"{COMMAND} --model {args.model}", model=args.model)
    publish(report, Path(args.output), Path(args.page), MARKERS, markdown, COMMAND)


with_section = section_filler(MARKERS, JSON_PATH, markdown, COMMAND)


if __name__ == "__main__":
    main()
