"""Pieces every benchmark report shares: mean ± std over seeds, number formatting, markdown tables, and
regenerated sections of a page between two markers."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def aggregate(items: list[Any]) -> Any:
    """Mean and spread (sample std; 0 for one seed) of same-shaped results; counts that agree stay as they are."""
    first = items[0]
    if isinstance(first, dict):
        return {k: aggregate([item[k] for item in items]) for k in first}
    if isinstance(first, bool) or not isinstance(first, (int, float)):
        return first
    if isinstance(first, int) and all(item == first for item in items):
        return first
    values = np.asarray(items, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0}


def fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, dict):
        return f"{value['mean']:.3f} ± {value['std']:.3f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[c if isinstance(c, str) else fmt(c) for c in row] for row in rows]
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in cells)]


def replace_between(page: str, begin: str, end: str, body: str) -> str:
    """The page with the text between its `begin` and `end` markers replaced by `body`."""
    before, rest = page.split(begin, 1)
    after = rest.split(end, 1)[1]
    return f"{before}{begin}\n{body}\n{end}{after}"
