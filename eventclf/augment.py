"""Synthetic training paragraphs that break a hand-written corpus' habit of naming one event in its first words.

Two kinds, each built from training rows of one language and never crossing splits:

- a splice puts a no-event paragraph before an event paragraph, so the event comes late, after background;
- a join runs two or three paragraphs together as one roundup, carrying every type any of them carries.

Example:
    >>> rows = [Example("Talks resumed in Geneva.", (), "en"), Example("A car bomb went off.", ("bombing",), "en")]
    >>> [ex.labels for ex in augment(rows, fraction=1.0, seed=0, label_order=("bombing",))]
    [('bombing',), ('bombing',)]
"""
from __future__ import annotations

import random
from collections import defaultdict
from typing import Sequence

from .data import Example


def augment(examples: Sequence[Example], fraction: float, seed: int, label_order: Sequence[str]) -> list[Example]:
    """Return about `fraction * len(examples)` new rows, half splices and half joins.

    Args:
        examples: the training rows to build from (validation and test rows must never be passed).
        fraction: how many rows to make, relative to `len(examples)`; 0 makes none.
        seed: fixes which rows are combined.
        label_order: the label set's order, which the new rows' labels follow.

    Returns:
        The new rows only; their `where` says how each was made.
    """
    rng = random.Random(seed)
    by_lang: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_lang[ex.lang].append(ex)
    langs = sorted(by_lang)
    made: list[Example] = []
    for i in range(round(fraction * len(examples))):
        pool = by_lang[rng.choice(langs)] if langs else []
        row = _splice(pool, rng) if i % 2 == 0 else _join(pool, rng, label_order)
        if row is not None:
            made.append(row)
    return made


def _splice(pool: list[Example], rng: random.Random) -> Example | None:
    events = [ex for ex in pool if ex.labels]
    context = [ex for ex in pool if not ex.labels]
    if not events or not context:
        return None
    before, event = rng.choice(context), rng.choice(events)
    return Example(f"{before.text} {event.text}", event.labels, event.lang, where="augmented: splice")


def _join(pool: list[Example], rng: random.Random, label_order: Sequence[str]) -> Example | None:
    if len(pool) < 2:
        return None
    parts = rng.sample(pool, min(len(pool), rng.choice((2, 2, 3))))
    carried = {name for ex in parts for name in ex.labels}
    labels = tuple(name for name in label_order if name in carried)
    return Example(" ".join(ex.text for ex in parts), labels, parts[0].lang, where="augmented: join")
