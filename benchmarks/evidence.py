"""Evidence benchmark: does the span `predict(..., evidence=True)` returns for a type hold the words that carry it?

    python -m benchmarks.evidence --model runs/default     # writes benchmarks/results/evidence.json

Gold: benchmarks/data/evidence.jsonl, our own annotation of 300 rows of the bundled test split (30-40 per language,
20 for Urdu and Kurdish, rows with at least one event): for each gold type, the shortest span that shows it. For
each (row, gold type), with evidence asked for the gold types so that classification errors do not count here:
- top-1 sentence: the sentence the model scores highest for the type overlaps the gold span;
- returned: the span `predict` returns (a sentence, or two when no single one reaches the threshold) overlaps it,
  and how often it is a single sentence;
- baselines: the first sentence (lead), and a sentence drawn at random (its expected hit rate).
Scores are also given on the rows of two or more sentences, the only ones where the choice can go wrong.
Cost: `predict` with and without evidence over the whole test split, timed in this process, one after the other.
"""
from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

from benchmarks import DATA_DIR, RESULTS_DIR
from benchmarks.report import cpu_line, model_benchmark_args, publish, section_filler, section_markers, stamp, table

COMMAND = "python -m benchmarks.evidence"
JSON_PATH = RESULTS_DIR / "evidence.json"
MARKERS = section_markers("evidence", COMMAND)  # the results page's section this benchmark fills
GOLD = DATA_DIR / "evidence.jsonl"


def load_gold(texts: dict[str, str]) -> list[dict]:
    """The annotated rows, each checked against the test split's text, by id (a re-split would move the offsets)."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        text = texts[row["id"]]
        for label, span in row["evidence"].items():
            if text[span["start"]:span["end"]] != span["text"]:
                raise SystemExit(f"{GOLD}: {row['id']} {label}: the span no longer matches the test split's text")
    return rows


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def judge(clf, gold: list[dict], texts: dict[str, str]) -> list[dict]:
    """One record per (row, gold type): hits of the model's top sentence, its returned span, lead and chance."""
    from eventclf.evidence import find_evidence, sentence_spans

    ids = [row["id"] for row in gold]
    wanted = [sorted(row["evidence"]) for row in gold]
    langs = [row["lang"] for row in gold]
    returned = find_evidence(clf, [texts[i] for i in ids], wanted, langs, clf.thresholds)
    sentences = [sentence_spans(texts[i], lang) for i, lang in zip(ids, langs)]
    flat = [texts[i][s:e] for i, spans in zip(ids, sentences) for s, e in spans]
    probs, k = clf.predict_proba(flat), 0
    column = {name: c for c, name in enumerate(clf.labels)}
    records = []
    for row, spans, found in zip(gold, sentences, returned):
        rows, k = probs[k:k + len(spans)], k + len(spans)
        for label, span in row["evidence"].items():
            target = (span["start"], span["end"])
            top = max(range(len(spans)), key=lambda j: rows[j][column[label]])
            got = found[label]
            records.append({"lang": row["lang"], "sentences": len(spans),
                            "top1": _overlaps(spans[top], target), "returned": _overlaps((got.start, got.end), target),
                            "returned_one_sentence": (got.start, got.end) in spans,
                            "lead": _overlaps(spans[0], target),
                            "chance": sum(_overlaps(s, target) for s in spans) / len(spans)})
    return records


def summarise(records: list[dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        for key in ("all", r["lang"]):
            groups[key].append(r)
        if r["sentences"] > 1:
            groups["2+ sentences"].append(r)
    keys = ("top1", "returned", "returned_one_sentence", "lead", "chance")
    return {name: {"n": len(rs), **{k: sum(r[k] for r in rs) / len(rs) for k in keys}} for name, rs in groups.items()}


def cost(clf, texts: list[str], langs: list[str]) -> dict[str, float]:
    start = time.perf_counter()
    clf.predict(texts)
    plain = time.perf_counter() - start
    start = time.perf_counter()
    clf.predict(texts, evidence=True, lang=langs)
    with_evidence = time.perf_counter() - start
    return {"plain_s": plain, "evidence_s": with_evidence, "ratio": with_evidence / plain, "n": len(texts)}


def markdown(report: dict) -> str:
    meta, summary, c = report["meta"], report["summary"], report["cost"]
    order = ["all", "2+ sentences"] + sorted(k for k in summary if k not in ("all", "2+ sentences"))
    rows = [[name, summary[name]["n"], *(f"{summary[name][k]:.2f}" for k in
                                          ("top1", "returned", "returned_one_sentence", "lead", "chance"))]
            for name in order]
    return "\n".join([
        f"Measured {meta['date']} with `{meta['command']}` on {cpu_line(meta)}.", "",
        *table(["rows", "(row, type) pairs", "top-1 sentence", "returned span", "returned is one sentence",
                "lead sentence", "random sentence"], rows, align="lrrrrrr"), "",
        f"Cost: `predict` on the {c['n']} test paragraphs took {c['plain_s']:.1f} s, with `evidence=True` "
        f"{c['evidence_s']:.1f} s ({c['ratio']:.1f}x)."])


def main() -> None:
    args = model_benchmark_args(COMMAND, __doc__, JSON_PATH)
    from eventclf import EventClassifier
    from eventclf.config import BUNDLED_CORPUS
    from eventclf.data import read_examples
    from eventclf.labels import load_label_set

    test_rows = read_examples(BUNDLED_CORPUS / "test.jsonl", load_label_set().names)
    texts = {ex.id: ex.text for ex in test_rows}
    clf = EventClassifier.from_pretrained(args.model)
    records = judge(clf, load_gold(texts), texts)
    report = {"meta": stamp(f"{COMMAND} --model {args.model}", model=args.model), "summary": summarise(records),
              "cost": cost(clf, [ex.text for ex in test_rows], [ex.lang for ex in test_rows])}
    publish(report, Path(args.output), Path(args.page), MARKERS, markdown, COMMAND)


with_section = section_filler(MARKERS, JSON_PATH, markdown, COMMAND)


if __name__ == "__main__":
    main()
