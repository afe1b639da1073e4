"""Read a page to tag from disk: plain text, Markdown or a saved HTML page, in UTF-8 or a legacy encoding.

A saved web page goes through trafilatura (`pip install 'eventclf[html]'`), which keeps the main text and drops
menus, scripts and footers, and gives it back as Markdown: `<h*>` headings as `#` lines, pictures as `![alt](...)`
with a figure's caption moved into its alt text first, so captions survive the extraction.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import DataError, MissingDependencyError

MIN_MAIN_WORDS = 5
SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".xhtml": "html"}


def read_page(path: str | Path) -> tuple[str, str]:
    """The page's text and format ("text" or "markdown"; HTML comes back as Markdown).

    Raises:
        DataError: an empty or binary file, an undecodable encoding, or HTML without main text (the message names
            the file).
        MissingDependencyError: an HTML page without the `html` extra.
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise DataError(f"{path}: empty file, nothing to tag")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path}: a binary file, not text (NUL bytes near the start)")
    text = _decode(data, path)
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        head = text.lstrip()[:200].lower()
        fmt = "html" if head.startswith(("<!doctype html", "<html")) else "text"
    return (main_text(text, str(path)), "markdown") if fmt == "html" else (text, fmt)


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with one); failing that, the encoding charset-normalizer finds."""
    for bom, codec in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    if guess is None:
        raise DataError(f"{path}: not UTF-8, and no text encoding fits it; convert it to UTF-8 first")
    return str(guess)


def main_text(html: str, source: str = "the page") -> str:
    """The main text of an HTML page as Markdown (see the module docstring); `source` names it in errors."""
    if importlib.util.find_spec("trafilatura") is None:
        raise MissingDependencyError(f"{source}: HTML pages need trafilatura: pip install 'eventclf[html]'")
    import trafilatura

    markdown = trafilatura.extract(_captions_into_alt(html), output_format="markdown", include_images=True,
                                   include_comments=False, favor_recall=True)
    # a page of menus alone comes back as a word or two of link text, which is not an article to tag either
    if not markdown or len(markdown.split()) < MIN_MAIN_WORDS:
        raise DataError(f"{source}: no main text found in this HTML page (fewer than {MIN_MAIN_WORDS} words)")
    return markdown


def _captions_into_alt(html: str) -> str:
    """Move each <figcaption>'s text into its figure's <img alt>, since the extractor keeps alt texts only."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # e.g. an <?xml encoding=...?> line: trafilatura reads it as it is
        return html
    for figure in tree.iter("figure"):
        captions, images = figure.findall(".//figcaption"), figure.findall(".//img")
        if captions and images:
            images[0].set("alt", " ".join(captions[0].text_content().split()))
            for caption in captions:
                caption.drop_tree()
    return lxml.html.tostring(tree, encoding="unicode")
