"""Fold the corpus's free-text `region` values into one name per conflict theatre, for the datasheet's table.

Writers gave the region as they saw fit ("DR Congo", "DRC", "Ukraine (Donetsk)", "Azerbaijan / Armenia"). The rows
keep what the writer wrote; only the datasheet's counts are folded, so one conflict is one line there.

Example:
    >>> theatre("Ukraine (Zaporizhzhia)"), theatre("Russia (Dagestan)"), theatre("Multiple (Iraq, Kuwait, Jordan)")
    ('Ukraine/Russia', 'North Caucasus', 'several')
"""
from __future__ import annotations

import re

SEVERAL = "several"  # a row set in several conflicts at once, or in a whole continent
THEATRES = {
    "Gaza/Israel/Lebanon": ("gaza", "israel", "lebanon", "west bank"),
    "Ukraine/Russia": ("ukraine", "crimea"),
    "Afghanistan/Pakistan": ("afghanistan", "pakistan"),
    "Armenia/Azerbaijan": ("armenia", "azerbaijan", "nagorno-karabakh"),
    "DRC": ("dr congo", "drc", "democratic republic of the congo"),
    "Central African Republic": ("car", "central african republic"),
    "North Caucasus": ("north caucasus", "chechnya", "dagestan", "ingushetia", "kabardino-balkaria",
                       "karachay-cherkessia"),
    "Sahel": ("sahel", "mali", "burkina faso", "niger", "mauritania"),
    "Venezuela": ("venezuela", "venezuela border"),
}
AREAS = ("africa", "asia", "europe", "latin america", "middle east", "central and west africa",
         "west and central africa", "great lakes", "horn of africa")
_THEATRE_OF = {place: name for name, places in THEATRES.items() for place in places}
_PARENS = re.compile(r"\s*\(([^)]*)\)")
_SEPARATORS = re.compile(r"\s*[/;,]\s*|\s+and\s+")


def theatre(region: str) -> str:
    """The conflict a region value belongs to: that of the first place it names, or of a parenthesised sub-region
    that is a theatre of its own ("Russia (Dagestan)" is North Caucasus).

    Args:
        region: the row's `region` field as written.

    Returns:
        The theatre's name, `several` for a row set across several conflicts or a whole continent, or else the
        first place named, as written.
    """
    inner = [p.lower() for p in _SEPARATORS.split(" ".join(_PARENS.findall(region))) if p]
    head = _PARENS.sub("", region).strip()
    first = _SEPARATORS.split(head)[0].strip()
    if "multiple" in (first.lower(), *inner) or head.lower() in AREAS or first.lower() in AREAS:
        return SEVERAL
    return next((_THEATRE_OF[p] for p in inner if p in _THEATRE_OF), _THEATRE_OF.get(first.lower(), first))
