"""Exact and near-duplicate text detection, so no paragraph leaks across train/validation/test."""
from __future__ import annotations

import re
from itertools import combinations
from typing import Sequence

NEAR_WORD_JACCARD = 0.7  # same words but a swapped town or number
NEAR_SHINGLE_JACCARD = 0.5  # long passages that share most of their phrasing


def dedup_key(text: str) -> str:
    """Texts that differ only in case, spacing or punctuation count as exact duplicates."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _words(text: str) -> list[str]:
    return re.sub(r"\d+", "0", dedup_key(text)).split()


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicate_pairs(texts: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs whose texts are near-copies: numbers masked, then most words or most 3-word phrases shared."""
    words = [_words(t) for t in texts]
    vocab = [set(w) for w in words]
    shingles = [{tuple(w[i : i + 3]) for i in range(len(w) - 2)} for w in words]
    pairs = []
    for i, j in combinations(range(len(texts)), 2):
        small, large = sorted((len(vocab[i]), len(vocab[j])))
        if small < min(NEAR_WORD_JACCARD, NEAR_SHINGLE_JACCARD) * large:
            continue  # sizes too different for either test to pass
        if _jaccard(vocab[i], vocab[j]) >= NEAR_WORD_JACCARD or (
                shingles[i] and shingles[j] and _jaccard(shingles[i], shingles[j]) >= NEAR_SHINGLE_JACCARD):
            pairs.append((i, j))
    return pairs


def near_duplicate_groups(texts: Sequence[str]) -> list[int]:
    """A group id per text: texts linked by a chain of near-duplicate pairs share one (union-find)."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in near_duplicate_pairs(texts):
        parent[root(i)] = root(j)
    return [root(i) for i in range(len(texts))]
