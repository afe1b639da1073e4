"""One self-contained HTML page showing a tagged document: every evidence span highlighted in its type's colour, a
legend with counts, and a timeline of the events. No script, font, image or style sheet is fetched: it opens the
same offline, in a mail attachment, or years later. Each block sets `dir="auto"`, so Arabic, Persian, Urdu and
Kurdish blocks run right to left and Latin ones left to right on the same page.
"""
from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from .documents import TaggedDocument

# colour-blind-safe (Okabe-Ito), light enough for black text on top; types beyond five reuse them in turn
PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#cc79a7", "#d55e00", "#0072b2")
_TAGS = {"headline": "h2", "paragraph": "p", "caption": "p"}
STYLE = """
body{font-family:system-ui,"Noto Sans","Noto Naskh Arabic",sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;
line-height:1.55;color:#1b1b1b}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin:1.6rem 0 .4rem}p.caption{font-style:italic;color:#444;font-size:.92rem}
mark{padding:0 .1em;border-radius:.2em;color:inherit}
mark.multi{outline:2px dashed #333}
.block{position:relative}.block .types{font-size:.75rem;color:#555;margin-inline-start:.5rem;unicode-bidi:isolate}
.legend span,.chip{display:inline-block;padding:.1rem .45rem;border-radius:.3rem;margin:.1rem .3rem .1rem 0;
font-size:.85rem}
ol.timeline{padding-inline-start:1.4rem}ol.timeline li{margin:.25rem 0}
section.doc{border-top:1px solid #ccc;margin-top:1rem}
"""


def colours(labels: Sequence[str]) -> dict[str, str]:
    """Each type's highlight colour, in the model's type order."""
    return {name: PALETTE[k % len(PALETTE)] for k, name in enumerate(labels)}


def render_report(doc: TaggedDocument, labels: Sequence[str], title: str = "eventclf report") -> str:
    """The report page for one tagged document.

    Args:
        doc: what `tag_document` returned.
        labels: the model's types (`clf.labels`), which fix the colours and the legend's order.
        title: the page title (usually the file name).

    Returns:
        The HTML text, UTF-8, self-contained.
    """
    colour = colours(labels)
    blocks = Counter(name for b in doc.blocks for name in b.labels)
    events = Counter(e.type for e in doc.events)
    legend = "".join(f'<span style="background:{colour[n]}">{html.escape(n)}: {blocks[n]} blocks, {events[n]} '
                     f"events</span>" for n in labels)
    timeline = "".join(
        f'<li><span class="chip" style="background:{colour[e.type]}">{html.escape(e.type)}</span> '
        f'<a href="#b{e.blocks[0]}">block {e.blocks[0] + 1}</a>: <span dir="auto">{html.escape(e.evidence.text)}'
        f"</span></li>" for e in doc.events)
    body = "".join(_block(doc, i, colour) for i in range(len(doc.blocks)))
    return (f'<!DOCTYPE html>\n<html lang="und"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f'<div class="legend">{legend}</div><h2>Events in order</h2><ol class="timeline">{timeline}</ol>'
            f'<section class="doc">{body}</section></body></html>\n')


def _block(doc: TaggedDocument, i: int, colour: dict[str, str]) -> str:
    block = doc.blocks[i]
    spans = [(max(e.start, block.start), min(e.end, block.end), name) for name, e in block.evidence.items()
             if e.start < block.end and block.start < e.end]  # a pair's span is cut to this block
    cuts = sorted({block.start, block.end, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces = []
    for start, end in pairwise(cuts):
        text = html.escape(doc.text[start:end])
        types = [name for s, e, name in spans if s <= start and end <= e]
        if types:
            style = f"background:{colour[types[0]]}"
            pieces.append(f'<mark class="{"multi" if len(types) > 1 else ""}" style="{style}" '
                          f'data-types="{" ".join(types)}" data-start="{start}" data-end="{end}">{text}</mark>')
        else:
            pieces.append(text)
    tags = f'<span class="types" dir="ltr">[{", ".join(block.labels)}]</span>' if block.labels else ""
    element = _TAGS[block.kind]
    kind = ' class="caption block"' if block.kind == "caption" else ' class="block"'
    return f'<{element} id="b{i}" dir="auto"{kind} data-kind="{block.kind}">{"".join(pieces)}{tags}</{element}>'
