"""The `eventclf` command: train, predict, tag, evaluate, tune-thresholds."""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TextIO

from .config import DEFAULT_CONFIG, QUANTIZE_CHOICES, TrainingConfig
from .errors import ConfigError, DataError, EventclfError


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="fine-tune a model (config file, then command-line overrides)",
                       description="Fine-tune a model. Values come from --config, then from any --field given here.")
    p.add_argument("--config", help=f"YAML config file (default: {DEFAULT_CONFIG} if it exists, else built-in defaults)")
    for f in dataclasses.fields(TrainingConfig):
        p.add_argument(f"--{f.name.replace('_', '-')}", dest=f"set_{f.name}", metavar="VALUE",
                       help=f"{f.metadata['help']} (default: {f.default!r})")


def _add_predict(sub) -> None:
    p = sub.add_parser("predict", help="tag paragraphs: one per line, or JSONL with a `text` field; JSONL out",
                       description="Tag paragraphs. Input: a text file with one paragraph per line, or JSONL with "
                                   "`text` (and optional `id`); '-' or nothing reads stdin. Output: one JSON object "
                                   "per input line, written as it goes.")
    p.add_argument("input", nargs="?", default="-", help="input file, or - for stdin (default)")
    _add_model_options(p)
    p.add_argument("--output", "-o", default="-", help="output JSONL file, or - for stdout (default)")
    p.add_argument("--resume", action="store_true", help="append to --output, skipping the lines it already holds")
    p.add_argument("--top-k", type=int, help="keep at most this many types per paragraph")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--chunk-size", type=int, default=512, help="paragraphs read, tagged and written at a time")


def _add_tag(sub) -> None:
    p = sub.add_parser("tag", help="tag whole pages (text, Markdown or saved HTML) block by block; JSONL out",
                       description="Tag whole pages: each is cut into headlines, paragraphs and captions, each block "
                                   "is tagged knowing its headline, with the sentence that carries each type. "
                                   "Output: one JSON object per file, with its blocks and its events in order.")
    p.add_argument("files", nargs="+", help="pages to tag (.txt, .md, .html; the format is read from the name)")
    _add_model_options(p)
    p.add_argument("--output", "-o", default="-", help="output JSONL file, or - for stdout (default)")
    p.add_argument("--lang", default="en", help="language code for the sentence splitter (default en)")
    p.add_argument("--no-context", action="store_true", help="tag each block alone, ignoring its headline")
    p.add_argument("--report", metavar="HTML", help="also write a self-contained HTML page showing the tags and their "
                                                    "evidence (one input file only)")


def _add_evaluate(sub) -> None:
    p = sub.add_parser("evaluate", help="score a model on labelled data and print a per-type table",
                       description="Score a trained model on a labelled file (checked like a training split) at its "
                                   "tuned thresholds, or --threshold: per-type precision, recall and F1, macro- and "
                                   "micro-F1, exact match, and scores per language when the rows have one.")
    _add_model_options(p)
    p.add_argument("--data", required=True, help="labelled JSONL or CSV file (text, labels, optional lang)")
    p.add_argument("--json", action="store_true", help="print the full scores as JSON instead of a table")


def _add_tune_thresholds(sub) -> None:
    p = sub.add_parser("tune-thresholds", help="re-tune a trained model's thresholds without training again",
                       description="Re-tune a trained model's per-type thresholds on its validation split, weighting "
                                   "no-event rows to the given share and blending in a TF-IDF model at the given "
                                   "weight, and rewrite the folder's thresholds, lexical model, scores and card: "
                                   "what training with those settings writes.")
    p.add_argument("--model", required=True, help="trained model folder")
    p.add_argument("--no-event-share", type=float,
                   help="share of no-event paragraphs in the text you will tag (0.8 for a news feed; 0 = validation "
                        "as is); default: the model's setting")
    p.add_argument("--lexical-weight", type=float,
                   help="weight of a TF-IDF model of the training split blended into the scores (0 = none); "
                        "default: the model's setting")


def _add_model_options(p: argparse.ArgumentParser) -> None:
    """How `predict` and `evaluate` load and apply a trained model."""
    p.add_argument("--model", required=True, help="trained model folder")
    p.add_argument("--threshold", type=float, help="one threshold for every type (default: the tuned ones)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--quantize", choices=QUANTIZE_CHOICES,
                   help="run on CPU through an int8 export made into the model folder on first use: int8 (ONNX Runtime, "
                        "the int8 extra) or openvino-int8 (OpenVINO, calibrated; the openvino extra)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eventclf", description="Tag news paragraphs with conflict event types.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_train(sub)
    _add_predict(sub)
    _add_tag(sub)
    _add_evaluate(sub)
    _add_tune_thresholds(sub)
    return parser


def cmd_train(args: argparse.Namespace) -> None:
    """`eventclf train`: fine-tune a model and print its held-out test scores.

    The config is --config, else configs/default.yaml when it exists, else the built-in defaults; every
    TrainingConfig field is also a flag (--epochs, --base-model, --output-dir, ...) that overrides it.

    Example:
        eventclf train --config configs/default.yaml --epochs 3 --output-dir runs/quick
    """
    from .trainer import train

    config_file = args.config or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).is_file() else None)
    overrides = {k[4:]: v for k, v in vars(args).items() if k.startswith("set_") and v is not None}
    config = TrainingConfig.from_yaml(config_file, overrides)
    print(f"config: {config_file or 'built-in defaults'}" + (f", overrides {overrides}" if overrides else ""))
    folder = train(config)
    metrics = json.loads((folder / "metrics.json").read_text())
    if "test" in metrics:
        from .metrics import format_table

        print("\nheld-out test split:\n" + format_table(metrics["test"]))


def _records(stream: TextIO, name: str) -> Iterator[dict]:
    """One record per input line; a bad line becomes {"line": n, "error": ...} so that the lines before it in
    the same chunk are still tagged and written before the run stops."""
    for n, line in enumerate(stream, 1):
        line = line.rstrip("\n")
        if line.lstrip().startswith("{"):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield {"line": n, "error": f"{name}, line {n}: looks like JSON but does not parse ({exc.msg})"}
                return
            if not isinstance(row.get("text"), str):
                yield {"line": n, "error": f"{name}, line {n}, field `text`: missing or not a string"}
                return
            yield {"line": n, **({"id": row["id"]} if "id" in row else {}), "text": row["text"]}
        else:
            yield {"line": n, "text": line}


def _open_input(path: str) -> TextIO:
    """The paragraphs to tag, as UTF-8: a BOM is dropped and a byte that is not UTF-8 becomes U+FFFD, so every
    input line still gives exactly one output line (and --resume counts the same lines)."""
    if path == "-":
        if hasattr(sys.stdin, "reconfigure"):  # a real stream; a test's stand-in is already text
            sys.stdin.reconfigure(encoding="utf-8-sig", errors="replace")
        return sys.stdin
    return open(path, encoding="utf-8-sig", errors="replace")


def _already_done(path: str) -> int:
    if path == "-" or not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if line.endswith("\n"))  # a torn last line is redone


def cmd_predict(args: argparse.Namespace) -> None:
    """`eventclf predict`: tag paragraphs (one per line, or JSONL with `text`), one JSON line out per line in.

    Reads a file or stdin (-), writes --output or stdout, --chunk-size lines at a time; --resume carries on after
    the lines --output already holds; --threshold and --top-k change which types are kept.

    Example:
        eventclf predict --model runs/default paragraphs.txt -o tags.jsonl --resume
    """
    from tqdm import tqdm

    from .inference import EventClassifier

    clf = EventClassifier.from_pretrained(args.model, device=args.device, quantize=args.quantize)
    done = _already_done(args.output) if args.resume else 0
    source = _open_input(args.input)
    if done and args.output != "-":
        _truncate_to_lines(args.output, done)
    records = islice(_records(source, "stdin" if args.input == "-" else args.input), done, None)
    with source, _sink(args.output, "a" if done else "w") as sink, \
            tqdm(desc="paragraphs", unit=" para", initial=done) as bar:
        while chunk := list(islice(records, args.chunk_size)):
            bad = next((r for r in chunk if "error" in r), None)
            good = chunk[:-1] if bad else chunk  # _records stops right after a bad line
            preds = clf.predict([r["text"] for r in good], threshold=args.threshold, top_k=args.top_k,
                                batch_size=args.batch_size)
            for record, pred in zip(good, preds):
                out = {k: v for k, v in record.items() if k != "text"}
                sink.write(json.dumps({**out, "labels": list(pred.labels),
                                       "scores": {k: round(v, 4) for k, v in pred.scores.items()}},
                                      ensure_ascii=False) + "\n")
            sink.flush()
            bar.update(len(good))
            if bad:
                raise DataError(bad["error"])


@contextmanager
def _sink(path: str, mode: str = "w") -> Iterator[TextIO]:
    """The output file (closed afterwards), or stdout for "-" (left open)."""
    if path == "-":
        yield sys.stdout
        return
    with open(path, mode, encoding="utf-8") as f:
        yield f


def cmd_tag(args: argparse.Namespace) -> None:
    """`eventclf tag`: tag whole pages (.txt, .md, .html) block by block, one JSON line per file.

    Each block is tagged knowing its headline (--no-context: alone), with the sentence that carries each type, split
    by --lang's rules; --report also writes an HTML page of one file's tags.

    Example:
        eventclf tag --model runs/default page.html live.md -o pages.jsonl --lang ar
    """
    from .documents import document_record, tag_document
    from .inference import EventClassifier
    from .pages import read_page

    if args.report and len(args.files) != 1:
        raise ConfigError(f"--report shows one page; {len(args.files)} files were given")
    pages = [(name, *read_page(name)) for name in args.files]  # every file read, and refused, before any tagging
    clf = EventClassifier.from_pretrained(args.model, device=args.device, quantize=args.quantize)
    with _sink(args.output) as sink:
        for name, text, fmt in pages:
            doc = tag_document(clf, text, fmt=fmt, lang=args.lang, context=not args.no_context,
                               threshold=args.threshold, progress=True)
            sink.write(json.dumps({"file": name, "format": fmt, **document_record(doc)}, ensure_ascii=False) + "\n")
            sink.flush()
            if args.report:
                _write_report(args.report, doc, clf.labels, Path(name).name)


def _write_report(path: str, doc, labels, title: str) -> None:
    from .atomic import atomic_path
    from .report import render_report

    with atomic_path(Path(path)) as partial:
        partial.write_text(render_report(doc, labels, title), encoding="utf-8")


def _truncate_to_lines(path: str, n: int) -> None:
    with open(path, "rb+") as f:
        offset = 0
        for _ in range(n):
            offset += len(f.readline())
        f.truncate(offset)


def cmd_evaluate(args: argparse.Namespace) -> None:
    """`eventclf evaluate`: score a model on the labelled --data file and print a per-type table (--json: all scores).

    Example:
        eventclf evaluate --model runs/default --data my_labelled.jsonl --threshold 0.5
    """
    from .data import read_examples
    from .inference import EventClassifier
    from .metrics import binarize, evaluate, format_table

    clf = EventClassifier.from_pretrained(args.model, device=args.device, quantize=args.quantize)
    examples = read_examples(args.data, clf.labels)
    probs = clf.predict_proba([ex.text for ex in examples])
    result = evaluate(binarize([ex.labels for ex in examples], clf.labels), probs, clf.thresholds_for(args.threshold),
                      clf.labels, [ex.lang for ex in examples])
    print(json.dumps(result, indent=2) if args.json else format_table(result))


def cmd_tune_thresholds(args: argparse.Namespace) -> None:
    """`eventclf tune-thresholds`: re-tune --model's thresholds on its validation split for --no-event-share and
    --lexical-weight, and rewrite its thresholds, lexical model, scores and card, without training again.

    Example:
        eventclf tune-thresholds --model runs/default --no-event-share 0.8 --lexical-weight 0.4
    """
    from .trainer import tune_thresholds_for

    tune_thresholds_for(args.model, args.no_event_share, args.lexical_weight)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the load reports are noise to users; our own log says what matters
    try:
        commands = {"train": cmd_train, "predict": cmd_predict, "tag": cmd_tag, "evaluate": cmd_evaluate,
                    "tune-thresholds": cmd_tune_thresholds}
        commands[args.command](args)
    except (EventclfError, OSError) as exc:  # ours name the file, line and field; OSError: the user's own files
        print(f"eventclf {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
