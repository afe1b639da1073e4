"""(Re)build the bundled corpus splits: `python -m training.split_corpus OUT_DIR IN.jsonl [IN.jsonl ...]`
(from the repository root).

Reads labelled rows (text, labels, lang, and any metadata such as register and region), drops exact duplicates,
groups near-copies so a group never straddles two splits, and deals the groups into train/validation/test so every
language x label combination is spread across the splits in proportion. Ids are `{lang}-{n}` in a stable order.
It also draws `stream.jsonl` from the test split: every no-event test row plus event rows until no event makes
80% of it, with fatwa capped at 1%, which is what a news feed looks like.

A row read from a file named after a split (`train.jsonl`, ...) keeps that split and its id, so growing the corpus
never moves a row that a measured model trained on into its test split; only rows from other files are dealt, and
they get the next free ids. Running it on the current split files alone reproduces their rows and ids, in its own
order: `training.add_blind_rows` appends, so re-running it on a train split that tool grew reorders the rows, and a
seeded training run then sees them in another order.
"""
from __future__ import annotations

import argparse
import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import table
from eventclf.data import FEED_NO_EVENT_SHARE, LONG_WORDS, SPLITS, Example, feed_sample, read_examples, write_examples
from eventclf.dedup import dedup_key, near_duplicate_groups
from eventclf.labels import load_label_set
from training.regions import theatre

FRACTIONS = {"train": 0.62, "validation": 0.15, "test": 0.23}
STREAM_CAPS = {"fatwa": 0.01}  # rulings are a small fraction of a percent of a real feed; 1% keeps a few to score


def assign(rows: list[dict], seed: int) -> dict[str, list[dict]]:
    """Deal rows into splits. Rows with a `split` keep it, and new near-copies of them join them there; the other
    groups go, stratum by stratum, to the split furthest below its share."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for lang in sorted({r["lang"] for r in rows}):
        members = [r for r in rows if r["lang"] == lang]
        for gid, row in zip(near_duplicate_groups([r["text"] for r in members]), members):
            groups[(lang, gid)].append(row)
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    taken: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SPLITS, 0))
    strata: dict[tuple, list[list[dict]]] = defaultdict(list)
    for (lang, _), members in sorted(groups.items(), key=lambda kv: dedup_key(kv[1][0]["text"])):
        key = (lang, tuple(members[0]["labels"]))
        kept = sorted({r["split"] for r in members if r.get("split")})
        if not kept:
            strata[key].append(members)
            continue
        for row in members:
            # a new row that bridges rows of two splits would leak between them: it is left out
            split = row.get("split") or (kept[0] if len(kept) == 1 else None)
            if split:
                out[split].append(row)
                taken[key][split] += 1
    rng = random.Random(seed)
    for key in sorted(strata):
        clusters = strata[key]
        rng.shuffle(clusters)
        for members in clusters:
            total = sum(taken[key].values()) + len(members)
            split = max(SPLITS, key=lambda s: FRACTIONS[s] * total - taken[key][s])
            taken[key][split] += len(members)
            out[split].extend(members)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    names = load_label_set().names
    rows, seen = [], set()
    for path in args.inputs:
        if Path(path).stem == "stream":  # drawn from test, never an input
            continue
        split = Path(path).stem if Path(path).stem in SPLITS else None
        for ex in read_examples(path, names):
            if dedup_key(ex.text) not in seen:
                seen.add(dedup_key(ex.text))
                rows.append({"text": ex.text, "labels": list(ex.labels), "lang": ex.lang, "meta": ex.meta,
                             "split": split, "id": ex.id if split else ""})
    splits = assign(rows, args.seed)
    left_out = len(rows) - sum(map(len, splits.values()))
    if left_out:
        print(f"left out {left_out} new row(s) that are near-copies of rows in two different splits")
    counters = _last_ids(rows)
    out_dir = Path(args.out_dir)
    written: dict[str, list[Example]] = {}
    for split in SPLITS:
        examples = []
        for row in sorted(splits[split], key=lambda r: (r["lang"], dedup_key(r["text"]))):
            if not row["id"]:
                counters[row["lang"]] += 1
                row["id"] = f"{row['lang']}-{counters[row['lang']]:04d}"
            examples.append(Example(row["text"], tuple(row["labels"]), row["lang"], row["id"], meta=row["meta"]))
        write_examples(out_dir / f"{split}.jsonl", examples)
        written[split] = examples
        print(f"{split}: {len(examples)}")
    written["stream"] = feed_sample(written["test"], FEED_NO_EVENT_SHARE, args.seed, STREAM_CAPS)
    write_examples(out_dir / "stream.jsonl", written["stream"])
    print(f"stream: {len(written['stream'])}")
    write_counts(out_dir / "DATASHEET.md", written, names)


def _last_ids(rows: list[dict]) -> dict[str, int]:
    """The highest `{lang}-{n}` number kept per language, so new rows continue after it."""
    last: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["id"]:
            last[row["lang"]] = max(last[row["lang"]], int(row["id"].rsplit("-", 1)[1]))
    return last


def counts_table(splits: dict[str, list[Example]], names: tuple[str, ...]) -> list[str]:
    langs = sorted({ex.lang for part in splits.values() for ex in part})
    rows = []
    for split, part in splits.items():
        for lang in [*langs, "all"]:
            chosen = [ex for ex in part if lang in ("all", ex.lang)]
            if not chosen:
                continue
            cells = [sum(n in ex.labels for ex in chosen) for n in names]
            cells += [sum(not ex.labels for ex in chosen), sum(len(ex.labels) >= 2 for ex in chosen), len(chosen)]
            rows.append([split, lang, *cells])
    return table(["split", "lang", *names, "no event", "2+ types", "total"], rows)


def facet_table(examples: list[Example], facet: str, names: tuple[str, ...],
                fold: Callable[[str], str] = str) -> list[str]:
    """Rows per value of a metadata field (register, region) over the whole corpus, each value passed through
    `fold` first; rows without the field are "v1"."""
    groups: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        groups[fold(ex.meta[facet]) if facet in ex.meta else "v1"].append(ex)
    rows = []
    for value, chosen in sorted(groups.items()):
        long = sum(len(ex.text.split()) >= LONG_WORDS for ex in chosen)
        rows.append([value, len(chosen), *(sum(n in ex.labels for ex in chosen) for n in names),
                     sum(not ex.labels for ex in chosen), f"{long / len(chosen):.0%}"])
    return table([facet, "rows", *names, "no event", f">= {LONG_WORDS} words"], rows)


def length_table(examples: list[Example]) -> list[str]:
    rows = []
    for lang in sorted({ex.lang for ex in examples}):
        words = sorted(len(ex.text.split()) for ex in examples if ex.lang == lang)
        rows.append([lang, len(words), words[len(words) // 2], words[-1],
                     f"{sum(w >= LONG_WORDS for w in words) / len(words):.0%}"])
    return table(["lang", "rows", "median words", "max words", f">= {LONG_WORDS} words"], rows)


def write_counts(datasheet: Path, splits: dict[str, list[Example]], names: tuple[str, ...]) -> None:
    """Refresh the tables between the datasheet's markers, so the numbers there always match the files."""
    if not datasheet.is_file():
        return
    corpus = [ex for split in SPLITS for ex in splits[split]]
    tables = ["### Type x language x split (a row with several types counts under each)", *counts_table(splits, names),
              "", "### Register (whole corpus; `v1` = rows written before registers were recorded)",
              *facet_table(corpus, "register", names),
              "", "### Region (whole corpus; each row's region folded into its conflict, `training/regions.py`)",
              *facet_table(corpus, "region", names, theatre),
              "", "### Length in words (whole corpus)", *length_table(corpus)]
    text = datasheet.read_text(encoding="utf-8")
    head, rest = text.split("<!-- counts:start -->")
    tail = rest.split("<!-- counts:end -->")[1]
    body = "\n".join(tables)
    datasheet.write_text(f"{head}<!-- counts:start -->\n{body}\n<!-- counts:end -->{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
