"""One very long page through `tag_document` with a trained model: time, blocks per second and peak memory.

    python -m benchmarks.long_page --model runs/default --mb 5 --quantize openvino-int8

The page is the gold documents of benchmarks/data/documents.jsonl laid out as plain text (as the documents benchmark
lays them out), repeated until it holds --mb megabytes of UTF-8, tagged with headline context as `eventclf tag` tags
a page. Blocks are tagged CHUNK_BLOCKS at a time, so memory should not grow with the page: the peak is measured after
loading the model and again after tagging. Writes benchmarks/results/long_page.json.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks import RESULTS_DIR
from benchmarks.documents import GOLD, render
from benchmarks.report import peak_rss_mb, stamp, write_json
from eventclf.config import QUANTIZE_CHOICES

COMMAND = "python -m benchmarks.long_page"


def long_page(docs: list[dict], mb: float) -> str:
    """The documents' plain-text layouts, repeated until the page reaches `mb` megabytes of UTF-8."""
    pages = [render(doc, "text")[0] for doc in docs]
    out, size, i = [], 0, 0
    while size < mb * 2**20:
        out.append(pages[i % len(pages)])
        size += len(pages[i % len(pages)].encode("utf-8"))
        i += 1
    return "".join(out)


def measure(clf, page: str) -> dict:
    loaded = peak_rss_mb()
    started = time.perf_counter()
    tagged = clf.tag_document(page, fmt="text")
    seconds = time.perf_counter() - started
    return {"megabytes": len(page.encode("utf-8")) / 2**20, "blocks": len(tagged.blocks),
            "events": len(tagged.events), "seconds": seconds, "blocks_per_s": len(tagged.blocks) / seconds,
            "peak_rss_mb_after_load": loaded, "peak_rss_mb_after_tagging": peak_rss_mb()}


def markdown(report: dict) -> str:
    meta = report["meta"]
    return (f"Measured {meta['date']} with `{meta['command']}`: a {report['megabytes']:.1f} MB plain-text page, "
            f"{report['blocks']} blocks, tagged with headline context in {report['seconds'] / 60:.1f} min "
            f"({report['blocks_per_s']:.1f} blocks/s), {report['events']} events listed; peak memory "
            f"{report['peak_rss_mb_after_load']:.0f} MB after loading, {report['peak_rss_mb_after_tagging']:.0f} MB "
            f"after tagging.")


def main() -> None:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="runs/default", help="trained model folder")
    parser.add_argument("--mb", type=float, default=5.0, help="page size in megabytes")
    parser.add_argument("--quantize", choices=QUANTIZE_CHOICES, help="a CPU export route (default fp32)")
    parser.add_argument("--output", default=str(RESULTS_DIR / "long_page.json"), help="results JSON")
    args = parser.parse_args()
    from eventclf import EventClassifier

    clf = EventClassifier.from_pretrained(args.model, quantize=args.quantize)
    docs = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    command = f"{COMMAND} --model {args.model} --mb {args.mb:g}" + (f" --quantize {args.quantize}" if args.quantize else "")
    report = {**measure(clf, long_page(docs, args.mb)), "meta": stamp(command, model=args.model)}
    write_json(Path(args.output), report)
    print(markdown(report))


if __name__ == "__main__":
    main()
