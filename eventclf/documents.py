"""Tag a whole page: cut it into blocks, tag each block knowing its headline, and list the events in order.

A headline and the blocks under it (up to the next headline) form a section. Each block is scored alone and, when it
has a section partner, together with it: a body block with its headline, a headline with the first block under it.
A block carries a type when it reaches the threshold alone, or when the pair reaches it and the pair's evidence for
that type (see `eventclf.evidence`) lies at least partly in the block. So a title-case headline that names a fatwa
its body confirms gets `fatwa`, a body that only says "the ruling" under that headline gets it too, and a body that
doubts its headline's claim does not inherit it. A headline also takes a type its first paragraph carries alone
when the pair carries it too and the headline alone scores at least HEADLINE_HINT of the threshold: it hints at
the event its lead reports (the pair's evidence, in the lead, is its evidence). A headline that says nothing of the
type keeps none, however sure its lead is. Each type is credited once per section (one event), however many
of the section's blocks carry it; two events of the same type in one section count as one. Sections whose events of
one type share enough rare words (names, mostly) are one event too: a live blog's later update on it.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tqdm import tqdm

from .blocks import Block, split_markdown, split_text
from .errors import ConfigError
from .evidence import Evidence

if TYPE_CHECKING:
    from .inference import EventClassifier

FORMATS = ("text", "markdown", "html")
CHUNK_BLOCKS = 128
_WORD = re.compile(r"\w+")
# chosen on our own development pages (benchmarks/data/documents_dev.jsonl), never on the benchmark's: any value from
# 0.1 to 0.5 gave headline macro-F1 0.88-0.89 there (0.83 without the rule)
HEADLINE_HINT = 0.25
# chosen on the same development pages, on the events the seed-42 model found there: event F1 (matched by count)
# 0.909 against 0.798 for one event per section and 0.891 for one per type and page; 1 word in at most 4 or 8
# blocks gave 0.899 and 0.891, 2 words in at most 6 gave 0.881
SAME_EVENT_WORDS = 1
RARE_WORD_BLOCKS = 6


@dataclass(frozen=True)
class TaggedBlock:
    """A block with its tags: `text == document[start:end]`; evidence offsets are into the document too."""
    kind: str
    start: int
    end: int
    text: str
    labels: tuple[str, ...]
    scores: dict[str, float]
    evidence: dict[str, Evidence] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentEvent:
    """One event of a document: its type, the blocks that report it (indices, in order) and the first evidence."""
    type: str
    blocks: tuple[int, ...]
    evidence: Evidence


@dataclass(frozen=True)
class TaggedDocument:
    text: str
    blocks: list[TaggedBlock]
    events: list[DocumentEvent]


def split_blocks(text: str, fmt: str = "text") -> list[Block]:
    """The blocks of a page in `fmt` ("text" or "markdown"; HTML is turned into Markdown before this)."""
    if fmt not in FORMATS[:2]:
        raise ConfigError(f"blocks are cut from text or markdown, not {fmt!r}")
    return split_markdown(text) if fmt == "markdown" else split_text(text)


def _partners(blocks: list[Block]) -> list[int | None]:
    """For each block, the block it is read with: a body block's headline; a headline's first paragraph (a caption
    only when the section has no paragraph)."""
    partners: list[int | None] = []
    headline = None
    for i, block in enumerate(blocks):
        if block.kind == "headline":
            headline = i
            section = _section(blocks, i)
            paragraphs = [j for j in section if blocks[j].kind == "paragraph"]
            partners.append((paragraphs or section or [None])[0])
        else:
            partners.append(headline)
    return partners


def _section(blocks: list[Block], headline: int) -> list[int]:
    """The blocks under a headline, up to the next one."""
    out = []
    for j in range(headline + 1, len(blocks)):
        if blocks[j].kind == "headline":
            break
        out.append(j)
    return out


def tag_document(classifier: EventClassifier, text: str, fmt: str = "text", lang: str = "en",
                 context: bool = True, batch_size: int = 32,
                 threshold: float | Mapping[str, float] | None = None, progress: bool = False) -> TaggedDocument:
    """Tag every block of a page; see the module docstring for how headlines and bodies inform each other.

    Args:
        classifier: a loaded `EventClassifier`.
        text: the page, as plain text, Markdown or HTML.
        fmt: "text", "markdown" or "html" (its main text is extracted first, and the offsets point into that).
        lang: language code for the sentence splitter.
        context: False tags every block alone (the paragraph-at-a-time baseline).
        batch_size: windows per forward pass.
        threshold: as in `EventClassifier.predict` (None = the tuned thresholds).
        progress: show a progress bar on stderr (blocks are tagged CHUNK_BLOCKS at a time, so the model's working
            memory stays the same however long the page).

    Returns:
        A `TaggedDocument`: the blocks with labels, scores and evidence, and the events in order.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"format must be one of {FORMATS}, not {fmt!r}")
    if fmt == "html":
        from .pages import main_text

        text, fmt = main_text(text), "markdown"
    blocks = split_blocks(text, fmt)
    partners = _partners(blocks)
    used = partners if context else [None] * len(blocks)
    tagged: list[TaggedBlock] = []
    with tqdm(total=len(blocks), desc="blocks", unit=" blocks", disable=not progress) as bar:
        for first in range(0, len(blocks), CHUNK_BLOCKS):
            chunk = range(first, min(first + CHUNK_BLOCKS, len(blocks)))
            tagged += _tag_chunk(classifier, text, blocks, used, chunk, lang, batch_size, threshold)
            bar.update(len(chunk))
    return TaggedDocument(text, tagged, _events(tagged, partners))


def _tag_chunk(classifier: EventClassifier, text: str, blocks: list[Block], partners: list[int | None],
               chunk: range, lang: str, batch_size: int,
               threshold: float | Mapping[str, float] | None) -> list[TaggedBlock]:
    """Tag blocks `chunk` of the page (a partner may lie outside it: only its text is needed)."""
    def predict(texts: list[str]):
        return classifier.predict(texts, threshold, batch_size=batch_size, evidence=True, lang=lang)

    # a headline's first paragraph is scored alone too, even when it falls in the next chunk
    leads = {partners[i] for i in chunk if partners[i] is not None and blocks[i].kind == "headline"}
    scored = sorted(set(chunk) | leads)
    piece = {i: text[blocks[i].start:blocks[i].end] for i in scored}
    alone = dict(zip(scored, predict([piece[i] for i in scored])))
    paired = {i: partners[i] for i in chunk if partners[i] is not None}
    joined = [_join(text, blocks, i, j) for i, j in paired.items()]
    together = dict(zip(paired, predict(joined)))
    cut = classifier.thresholds_for(threshold)
    tagged = []
    for i in chunk:
        block = blocks[i]
        evidence = {name: _shift(span, block.start) for name, span in alone[i].evidence.items()}
        if i in together:
            lead = (alone[paired[i]].labels if block.kind == "headline" else ())
            hinted = {n for n in lead if alone[i].scores[n] >= HEADLINE_HINT * cut[n]}
            evidence.update(_credited(together[i], text, blocks, i, paired[i], evidence, hinted))
        labels = tuple(sorted(evidence, key=lambda n: -evidence[n].score))
        # the block's own scores, except a type credited through the pair, which keeps the pair's
        scores = {n: together[i].scores[n] if n in labels and n not in alone[i].labels else alone[i].scores[n]
                  for n in classifier.labels}
        tagged.append(TaggedBlock(block.kind, block.start, block.end, piece[i], labels, scores, evidence))
    return tagged


def _join(text: str, blocks: list[Block], i: int, j: int) -> str:
    first, second = blocks[min(i, j)], blocks[max(i, j)]
    return text[first.start:first.end] + "\n" + text[second.start:second.end]


def _credited(pred, text: str, blocks: list[Block], i: int, j: int, own: dict[str, Evidence],
              anywhere: set[str]) -> dict[str, Evidence]:
    """The types the pair (i, j) carries whose evidence lies partly in block i, or anywhere in the pair for the types
    in `anywhere`, as document-offset evidence."""
    first, second = blocks[min(i, j)], blocks[max(i, j)]
    cut = first.end - first.start + 1  # where the second block starts in the joined text
    mine = (0, cut - 1) if i < j else (cut, cut + second.end - second.start)
    out = {}
    for name, span in pred.evidence.items():
        if name not in own and (name in anywhere or (span.start < mine[1] and mine[0] < span.end)):
            start, end = _to_document(span.start, first, second, cut), _to_document(span.end, first, second, cut)
            out[name] = Evidence(start, end, text[start:end], span.score)
    return out


def _to_document(offset: int, first: Block, second: Block, cut: int) -> int:
    return first.start + offset if offset < cut else second.start + offset - cut


def _shift(span: Evidence, by: int) -> Evidence:
    return Evidence(span.start + by, span.end + by, span.text, span.score)


def _events(blocks: list[TaggedBlock], partners: list[int | None]) -> list[DocumentEvent]:
    """One event per (section, type), in the order of the first block that carries it, then merged across sections
    as `_same_events` says."""
    section = [i if b.kind == "headline" else (partners[i] if partners[i] is not None else -1)
               for i, b in enumerate(blocks)]
    found: dict[tuple[int, str], list[int]] = {}
    for i, block in enumerate(blocks):
        for name in block.labels:
            found.setdefault((section[i], name), []).append(i)
    merged = _same_events([(name, ids) for (_, name), ids in found.items()], [b.text for b in blocks])
    return [DocumentEvent(name, tuple(ids), blocks[ids[0]].evidence[name]) for name, ids in merged]


def _same_events(events: list[tuple[str, list[int]]], texts: list[str]) -> list[tuple[str, list[int]]]:
    """Merge events of one type whose blocks share at least SAME_EVENT_WORDS words of four or more letters that at
    most RARE_WORD_BLOCKS blocks of the page use, so a live blog's update on an event reported earlier is one event.
    On a long page those words are mostly names of places, units and people, and a city every block names joins
    nothing; on a page of a few blocks nearly every word counts, and two events of one type that share any word
    become one."""
    words = [{w.casefold() for w in _WORD.findall(t) if len(w) >= 4 and not w.isdigit()} for t in texts]
    blocks_using = Counter(w for ws in words for w in ws)
    merged: list[tuple[str, list[int]]] = []
    index: dict[tuple[str, str], list[int]] = {}  # (type, rare word) -> merged events holding it
    for name, ids in events:
        rare = {w for i in ids for w in words[i] if blocks_using[w] <= RARE_WORD_BLOCKS}
        shared = Counter(e for w in rare for e in index.get((name, w), ()))
        best = next((e for e, n in shared.most_common(1) if n >= SAME_EVENT_WORDS), None)
        if best is None:
            best = len(merged)
            merged.append((name, []))
        merged[best][1].extend(ids)
        for w in rare:
            holders = index.setdefault((name, w), [])
            if best not in holders:
                holders.append(best)
    return [(name, sorted(ids)) for name, ids in merged]


def document_record(doc: TaggedDocument) -> dict:
    """A tagged document as plain JSON-ready data (what `eventclf tag` writes per file)."""
    def span(e: Evidence) -> dict:
        return {"start": e.start, "end": e.end, "text": e.text, "score": round(e.score, 4)}

    blocks = [{"kind": b.kind, "start": b.start, "end": b.end, "text": b.text, "labels": list(b.labels),
               "scores": {k: round(v, 4) for k, v in b.scores.items()},
               "evidence": {k: span(e) for k, e in b.evidence.items()}} for b in doc.blocks]
    events = [{"type": e.type, "blocks": list(e.blocks), "evidence": span(e.evidence)} for e in doc.events]
    return {"blocks": blocks, "events": events}
