"""Cut a page into blocks (headlines, paragraphs, captions) with character offsets, from plain text or Markdown.

Plain text has no mark-up, so a block's kind is read from its layout, as a reader does:
- a headline is a line of at most HEADLINE_WORDS words that either has no sentence-final stop, opens with a
  live-blog tag ("LATEST:", "Video:", "State TV:", "Claim:", a time stamp before one), or is in title case;
- a caption is a line that opens with a picture or footage tag ("Photo:", "Video:", "صورة:", "Фото:") and reads as a
  description (longer than a headline, or ending in a stop or a credit in brackets);
- everything else is a paragraph; a line holding only a time stamp ("14:32", "2h ago") is no block.
Blank lines separate blocks; inside a block, a line that looks like a headline is split off from the lines after it.
In Markdown, `#` lines are headlines, `![alt](...)` images and lines wholly in *italics* are captions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HEADLINE_WORDS = 20
_FINAL_STOPS = ".!?…؟۔。"
_STAMP = r"(?:\d{1,2}[:.h]\d{2}(?:\s*(?:GMT|UTC|am|pm))?|\d+\s*(?:h|min|mins|hours?|minutes?)\s+ago)"
_TAGS = (r"latest|breaking|update|updated|live|watch|video|claim|state tv|state media|urgent|flash|exclusive|"
         r"عاجل|فيديو|بالفيديو|متابعة|срочно|видео|молния|son dakika|flaş|video haber|dernière minute|vidéo|urgent|"
         r"última hora|urgente|vídeo|eilmeldung")
_MEDIA = (r"photo|picture|image|video|footage|caption|photograph|foto|fotoğraf|görüntü|vidéo|vídeo|imagen|bild|"
          r"صورة|فيديو|الصورة|фото|видео|кадр")
_LIVE_TAG = re.compile(rf"^(?:{_STAMP}\s*[-–—|:]?\s*)?(?:{_TAGS})\s*[:|–-]", re.IGNORECASE)
_MEDIA_TAG = re.compile(rf"^(?:{_MEDIA})\s*[:|–-]", re.IGNORECASE)
_STAMP_ONLY = re.compile(rf"^\s*{_STAMP}\s*$", re.IGNORECASE)
_CREDIT = re.compile(r"\([^()]{2,80}\)\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_MD_IMAGE = re.compile(r"^!\[([^\]]*)\]\([^)]*\)\s*$")
_MD_ITALIC = re.compile(r"^([*_])(?!\1)(.+?)\1\s*$")


@dataclass(frozen=True)
class Block:
    """One block of a document: `document[start:end]` is its text."""
    kind: str
    start: int
    end: int


def _words(line: str) -> int:
    return len(line.split())


def _title_case(line: str) -> bool:
    words = [w for w in line.split() if len(w) > 3 and w[0].isalpha() and w[0].lower() != w[0].upper()]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) / len(words) >= 0.7


def line_kind(line: str) -> str | None:
    """The kind of one line read alone: "headline", "caption", "paragraph", or None for a bare time stamp.

    Example:
        >>> [line_kind(x) for x in ["09:12 LATEST: Rebels say they have taken the crossroads", "14:32",
        ...  "Photo: Smoke rises over the town on Tuesday (Reuters)", "A car bomb killed four people in Azaz."]]
        ['headline', None, 'caption', 'paragraph']
    """
    text = line.strip()
    if not any(c.isalnum() for c in text) or _STAMP_ONLY.match(text):
        return None
    short = _words(text) <= HEADLINE_WORDS
    stopped = text.rstrip("\"'»”").endswith(tuple(_FINAL_STOPS))  # a stop inside closing quotes counts
    if _MEDIA_TAG.match(text) and (not short or stopped or _CREDIT.search(text)):
        return "caption"
    if short and (not stopped or _LIVE_TAG.match(text) or _title_case(text)):
        return "headline"
    return "paragraph"


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Offsets of the non-blank lines in text[start:end], stripped."""
    out, pos = [], start
    for line in text[start:end].split("\n"):
        left = len(line) - len(line.lstrip())
        right = len(line.rstrip())
        if right > left:
            out.append((pos + left, pos + right))
        pos += len(line) + 1
    return out


def split_text(text: str) -> list[Block]:
    """Blocks of a plain-text page (see the module's rules).

    Example:
        >>> page = "Scholars' council issues fatwa against the group\\nThe ruling was read out on Friday."
        >>> [(b.kind, page[b.start:b.end]) for b in split_text(page)]
        [('headline', "Scholars' council issues fatwa against the group"), ('paragraph', 'The ruling was read out on Friday.')]
    """
    blocks: list[Block] = []
    for chunk in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        kinds = [(s, e, line_kind(text[s:e])) for s, e in _lines(text, chunk.start(), chunk.end())]
        lines = [(s, e, kind) for s, e, kind in kinds if kind]
        if _hard_wrapped(lines):  # one paragraph cut into lines of a fixed width: no line is a headline
            blocks += _paragraph(lines)
            continue
        body: list[tuple[int, int, str]] = []
        for start, end, kind in lines:
            # a caption only opens a block; a headline also ends the paragraph above it
            if kind == "headline" or kind == "caption" and not body:
                blocks += _paragraph(body)
                body = []
                blocks.append(Block(kind, start, end))
            else:
                body.append((start, end, kind))
        blocks += _paragraph(body)
    return blocks


def _hard_wrapped(lines: list[tuple[int, int, str]]) -> bool:
    """Three or more lines of 50 characters or more whose lengths, the last aside, are within 12 of each other."""
    widths = [line[1] - line[0] for line in lines[:-1]]
    return len(lines) >= 3 and min(widths) >= 50 and max(widths) - min(widths) <= 12


def _paragraph(lines: list[tuple[int, int, str]]) -> list[Block]:
    return [Block("paragraph", lines[0][0], lines[-1][1])] if lines else []


def split_markdown(text: str) -> list[Block]:
    """Blocks of a Markdown page: `#` headings, image alt texts and italic lines as captions, the rest as text."""
    blocks: list[Block] = []
    plain_from = 0
    for line in re.finditer(r"[^\n]+", text):
        marked = _markdown_block(line.group(), line.start())
        if marked:
            blocks += split_text_between(text, plain_from, line.start())
            blocks.append(marked)
            plain_from = line.end()
    return blocks + split_text_between(text, plain_from, len(text))


def _markdown_block(line: str, offset: int) -> Block | None:
    stripped = line.rstrip()
    for pattern, kind, group in ((_MD_HEADING, "headline", None), (_MD_IMAGE, "caption", 1),
                                 (_MD_ITALIC, "caption", 2)):
        match = pattern.match(stripped)
        if match:
            start, end = (match.end(), len(stripped)) if group is None else match.span(group)
            return Block(kind, offset + start, offset + end) if end > start else None
    return None


def split_text_between(text: str, start: int, end: int) -> list[Block]:
    """`split_text` of text[start:end], with offsets into the whole text."""
    return [Block(b.kind, b.start + start, b.end + start) for b in split_text(text[start:end])]
