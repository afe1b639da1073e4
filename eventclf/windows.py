"""Tokenise paragraphs into model windows: prefix, overlapping chunks of any length, special tokens.

Training and inference both go through `encode_windows`, so a paragraph is seen the same way in both: each reads
every window of a paragraph and takes the maximum per type over them.
"""
from __future__ import annotations

from typing import Sequence

from .errors import ConfigError, ModelFolderError


def encode_windows(tokenizer, texts: Sequence[str], prefix: str, max_length: int,
                   stride: int | None = None) -> tuple[list[list[int]], list[int]]:
    """Return (token ids of each window, index of the text each window belongs to).

    A text longer than one window is cut into chunks that overlap by `stride` tokens (default: a quarter of
    the window), each carrying the prefix and the special tokens, so no part of the paragraph goes unread.
    """
    head, tail = special_tokens(tokenizer)
    head = head + (tokenizer(prefix, add_special_tokens=False)["input_ids"] if prefix else [])
    room = max_length - len(head) - len(tail)
    if room < 8:
        raise ConfigError(f"max_length={max_length} leaves no room for text after the prefix {prefix!r}")
    stride = room // 4 if stride is None else stride
    if not 0 <= stride < room:
        raise ConfigError(f"stride must be in [0, {room}) for max_length={max_length}")
    # verbose=False: texts longer than the model are expected here; windowing is what handles them
    body = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]
    windows, owners = [], []
    for i, ids in enumerate(body):
        start = 0
        while True:
            chunk = ids[start : start + room]
            windows.append(head + chunk + tail)
            owners.append(i)
            if start + room >= len(ids):
                break
            start += room - stride
    return windows, owners


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after one sequence (e.g. <s> ... </s>, [CLS] ... [SEP])."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    for k in range(len(full) - len(plain) + 1):
        if full[k : k + len(plain)] == plain:
            return full[:k], full[k + len(plain) :]
    raise ModelFolderError(f"cannot locate the text among the special tokens of {type(tokenizer).__name__}")


def windows_per_text(windows: list[list[int]], owners: list[int], n_texts: int) -> list[list[list[int]]]:
    """Regroup `encode_windows` output as one list of windows per text."""
    grouped: list[list[list[int]]] = [[] for _ in range(n_texts)]
    for window, owner in zip(windows, owners):
        grouped[owner].append(window)
    return grouped
