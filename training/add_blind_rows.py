"""Add the rows of decided blind splits to the bundled training split, up to a token budget:
`python -m training.add_blind_rows CORPUS_DIR BLIND.jsonl [BLIND.jsonl ...] --budget TOKENS` (from the repository root).

A blind split is text written apart from the corpus by writers who never saw the codebook, labelled blind by two
readers (benchmarks/data/README.md). Once a split has decided a rule it has done its job as a test, and its rows
can teach the model other people's writing. The training split keeps every row written for the corpus (ids
`{lang}-{n}`) and takes blind rows in `random.Random(seed)` order, skipping a row that would lift the split past
`budget` tokens (every window, prefix and special tokens, as the trainer reads them), so the training cost is
chosen, not grown. Rows whose text is already in any split are skipped. The blind rows keep their own ids, so each
can be traced to its split; running it again on its own output writes the same file. The datasheet's tables are
refreshed as `training.split_corpus` does.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Sequence

from eventclf.base_models import resolve_base_model
from eventclf.config import DEFAULT_CONFIG, TrainingConfig
from eventclf.data import SPLITS, Example, read_examples, write_examples
from eventclf.labels import load_label_set
from eventclf.windows import encode_windows, windows_per_text
from training.split_corpus import write_counts

BLIND_PREFIX = "blind"  # every blind split's ids start with it (blind-, blindb-, ..., blindn-)


def window_tokens(tokenizer, texts: Sequence[str], prefix: str, max_length: int) -> list[int]:
    """Tokens the trainer reads for each text: every window, with the prefix and special tokens."""
    windows = windows_per_text(*encode_windows(tokenizer, texts, prefix, max_length), len(texts))
    return [sum(map(len, w)) for w in windows]


def add_blind_rows(written: list[Example], taken: set[str], blind: list[Example], tokens: list[int],
                   budget: int, seed: int = 0) -> tuple[list[Example], int]:
    """The training rows: `written` first, then blind rows in shuffled order while they fit the budget.

    Args:
        written: the rows written for the corpus, all kept.
        taken: texts already in some split (blind rows repeating one are skipped).
        blind: candidate blind rows, in file order.
        tokens: `window_tokens` of `written + blind`, in that order.
        budget: most tokens the training split may hold.
        seed: the shuffle's seed.

    Returns:
        (training rows, their tokens).

    Example:
        >>> rows, used = add_blind_rows([], set(), blind_rows, [30, 40, 50], budget=80)  # doctest: +SKIP
    """
    total = sum(tokens[: len(written)])
    order = [(ex, n) for ex, n in zip(blind, tokens[len(written):]) if ex.text not in taken]
    random.Random(seed).shuffle(order)
    rows = list(written)
    for ex, n in order:
        if total + n <= budget:
            rows.append(ex)
            total += n
    return rows, total


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("corpus_dir", type=Path, help="folder of train/validation/test/stream .jsonl; train is rewritten")
    p.add_argument("blind", type=Path, nargs="+", help="decided blind splits (.jsonl)")
    p.add_argument("--budget", type=int, required=True, help="most tokens the training split may hold")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--config", help=f"whose tokenizer, prefix and window count the tokens (default: {DEFAULT_CONFIG})")
    args = p.parse_args(argv)
    config = TrainingConfig.from_yaml(args.config or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).is_file() else None))
    labels = load_label_set(config.label_file or None).names
    splits = {split: read_examples(args.corpus_dir / f"{split}.jsonl", labels) for split in (*SPLITS, "stream")}
    written = [ex for ex in splits["train"] if not ex.id.startswith(BLIND_PREFIX)]
    taken = {ex.text for split, rows in splits.items() for ex in rows if split != "train"}
    taken |= {ex.text for ex in written}
    blind = [ex for path in args.blind for ex in read_examples(path, labels)]
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(resolve_base_model(config.base_model)[0])
    tokens = window_tokens(tokenizer, [ex.text for ex in written + blind], config.text_prefix, config.max_length)
    rows, used = add_blind_rows(written, taken, blind, tokens, args.budget, args.seed)
    write_examples(args.corpus_dir / "train.jsonl", rows)
    write_counts(args.corpus_dir / "DATASHEET.md", {**splits, "train": rows}, labels)
    print(f"{len(written)} written rows + {len(rows) - len(written)} blind rows = {len(rows)}, {used:,} tokens")


if __name__ == "__main__":
    main()
