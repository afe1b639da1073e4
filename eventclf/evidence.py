"""Evidence: for each type a paragraph is tagged with, the sentence that carries it, with its character offsets.

The same model scores each sentence of the paragraph, and each pair of adjacent sentences, on its own; a type's
evidence is the best-scoring single sentence that reaches the type's threshold, else the best pair that does, else
the best-scoring of either. Sentences come from sentencex (rule-based, offline, ~300 languages; the sentence ends
of every script are recognised whatever `lang` says, and `lang` decides which abbreviations, such as "Gen." or
"M.", do not end a sentence). A line break also ends a sentence: a headline on its own line stays apart.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .inference import EventClassifier

_LINE = re.compile(r"[^\n]+")
# Titles that sentencex's lists miss in some languages (checked: French "M." and "gén.", Russian "ген."); a title
# almost never ends a sentence, so a break right after one is undone whatever the language. A lone capital
# initial ("M.", "J.") is treated the same way, at the price of "Plan B. It failed." staying one sentence.
_TITLE = re.compile(r"(?:^|\s)(?:\w|gén|gen|gal|gral|col|cnel|lt|tte|cdt|cmdt|cap|capt|sgt|maj|mgr|mme|mm|dr|pr|st|"
                    r"ген|полк|подп|г|гг|им|ул|sn|yzb|bnb|tuğg)\.$", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    """A span of the input text: `text == input[start:end]`, and the type's probability on that span alone."""
    start: int
    end: int
    text: str
    score: float


def sentence_spans(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, surrounding white space left out.

    Args:
        text: a paragraph, or several lines.
        lang: an ISO 639 code; it picks the abbreviation list (a sentence end of any script is recognised anyway).

    Returns:
        The spans in reading order; [] for a text with nothing but white space.

    Example:
        >>> text = "Gen. Ali spoke.\\nA car bomb exploded in Azaz. Four died."
        >>> [text[s:e] for s, e in sentence_spans(text)]
        ['Gen. Ali spoke.', 'A car bomb exploded in Azaz.', 'Four died.']
    """
    from sentencex import get_sentence_boundaries

    spans = []
    for line in _LINE.finditer(text):
        for b in get_sentence_boundaries(lang, line.group()):
            start, end = line.start() + b["start_index"], line.start() + b["end_index"]
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                spans.append((start, end))
    return _rejoin_titles(text, spans)


def _rejoin_titles(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and _TITLE.search(text[joined[-1][0]:joined[-1][1]]) and "\n" not in text[joined[-1][1]:start]:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _candidates(spans: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Every sentence, then every two adjacent sentences (marked True): the spans a type's evidence is chosen from."""
    return [(s, e, False) for s, e in spans] + [(a[0], b[1], True) for a, b in pairwise(spans)]


def find_evidence(classifier: EventClassifier, texts: Sequence[str], labels: Sequence[Sequence[str]],
                  langs: Sequence[str], thresholds: Mapping[str, float], batch_size: int = 32
                  ) -> list[dict[str, Evidence]]:
    """The evidence of each text's `labels`, from one model pass over the candidate spans of every text at once.

    Args:
        classifier: the model that tagged the texts.
        texts: the paragraphs (already checked by `check_texts`).
        labels: for each text, the types to find evidence for (usually its predicted ones).
        langs: for each text, the language code `sentence_spans` splits it with.
        thresholds: the threshold of each type, which the chosen span should reach.
        batch_size: windows per forward pass.

    Returns:
        For each text, a dict from each of its `labels` to an `Evidence`; {} for a text without labels.
    """
    candidates = [_candidates(sentence_spans(text, lang)) if wanted else []
                  for text, wanted, lang in zip(texts, labels, langs)]
    spans = [texts[i][s:e] for i, cands in enumerate(candidates) for s, e, _ in cands]
    probs = iter(classifier.predict_proba(spans, batch_size)) if spans else iter(())
    column = {name: k for k, name in enumerate(classifier.labels)}
    found: list[dict[str, Evidence]] = []
    for text, wanted, cands in zip(texts, labels, candidates):
        rows = [next(probs) for _ in cands]
        found.append({})
        for name in wanted:
            scored = [(float(row[column[name]]), s, e, pair) for (s, e, pair), row in zip(cands, rows)]
            if scored:
                score, s, e = _pick(scored, thresholds[name])
                found[-1][name] = Evidence(s, e, text[s:e], score)
    return found


def _pick(scored: list[tuple[float, int, int, bool]], threshold: float) -> tuple[float, int, int]:
    """The shortest evidence that reaches the threshold: a sentence before a pair; failing both, the best of all."""
    sentences, pairs = [c for c in scored if not c[3]], [c for c in scored if c[3]]
    reaching = [c for c in sentences if c[0] >= threshold] or [c for c in pairs if c[0] >= threshold] or scored
    score, start, end, _ = max(reaching, key=lambda c: c[0])
    return score, start, end
