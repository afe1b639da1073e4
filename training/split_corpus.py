"""(Re)build the bundled corpus splits: `python training/split_corpus.py OUT_DIR IN.jsonl [IN.jsonl ...]`.

Reads labelled rows (text, labels, lang), drops exact duplicates, groups near-copies so a group never straddles
two splits, and deals the groups into train/validation/test so every language x label combination is spread
across the splits in proportion. Ids are `{lang}-{n}` in a stable order. Running it on the current split files
reproduces them.
"""
from __future__ import annotations

import argparse
import random
from collections import defaultdict
from pathlib import Path

from eventclf.data import SPLITS, Example, read_examples, write_examples
from eventclf.dedup import dedup_key, near_duplicate_groups
from eventclf.labels import load_label_set

FRACTIONS = {"train": 0.62, "validation": 0.15, "test": 0.23}


def assign(rows: list[dict], seed: int) -> dict[str, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for lang in sorted({r["lang"] for r in rows}):
        members = [r for r in rows if r["lang"] == lang]
        for gid, row in zip(near_duplicate_groups([r["text"] for r in members]), members):
            groups[(lang, gid)].append(row)
    strata: dict[tuple, list[list[dict]]] = defaultdict(list)
    for (lang, _), members in sorted(groups.items(), key=lambda kv: dedup_key(kv[1][0]["text"])):
        strata[(lang, tuple(members[0]["labels"]))].append(members)
    rng = random.Random(seed)
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for key in sorted(strata):
        taken = dict.fromkeys(SPLITS, 0)
        clusters = strata[key]
        rng.shuffle(clusters)
        for members in clusters:
            # the split furthest below its share of this stratum gets the next group
            total = sum(taken.values()) + len(members)
            split = max(SPLITS, key=lambda s: FRACTIONS[s] * total - taken[s])
            taken[split] += len(members)
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
        for ex in read_examples(path, names):
            if dedup_key(ex.text) not in seen:
                seen.add(dedup_key(ex.text))
                rows.append({"text": ex.text, "labels": list(ex.labels), "lang": ex.lang})
    splits = assign(rows, args.seed)
    counters: dict[str, int] = defaultdict(int)
    out_dir = Path(args.out_dir)
    for split in SPLITS:
        examples = []
        for row in sorted(splits[split], key=lambda r: (r["lang"], dedup_key(r["text"]))):
            counters[row["lang"]] += 1
            examples.append(Example(row["text"], tuple(row["labels"]), row["lang"],
                                    f"{row['lang']}-{counters[row['lang']]:04d}"))
        write_examples(out_dir / f"{split}.jsonl", examples)
        print(f"{split}: {len(splits[split])}")
    write_counts(out_dir / "DATASHEET.md", splits, names)


def counts_table(splits: dict[str, list[dict]], names: tuple[str, ...]) -> str:
    langs = sorted({r["lang"] for part in splits.values() for r in part})
    columns = [*names, "no event", "2+ types", "total"]
    lines = ["| split | lang | " + " | ".join(columns) + " |", "|" + "---|" * (len(columns) + 2)]
    for split in SPLITS:
        for lang in [*langs, "all"]:
            rows = [r for r in splits[split] if lang in ("all", r["lang"])]
            cells = [sum(n in r["labels"] for r in rows) for n in names]
            cells += [sum(not r["labels"] for r in rows), sum(len(r["labels"]) >= 2 for r in rows), len(rows)]
            lines.append(f"| {split} | {lang} | " + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines)


def write_counts(datasheet: Path, splits: dict[str, list[dict]], names: tuple[str, ...]) -> None:
    """Refresh the counts between the datasheet's markers, so the numbers there always match the files."""
    if not datasheet.is_file():
        return
    text = datasheet.read_text(encoding="utf-8")
    head, rest = text.split("<!-- counts:start -->")
    tail = rest.split("<!-- counts:end -->")[1]
    table = counts_table(splits, names)
    datasheet.write_text(f"{head}<!-- counts:start -->\n{table}\n<!-- counts:end -->{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
