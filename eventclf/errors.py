"""One family of errors: everything eventclf raises on purpose is an `EventclfError`.

Each class also derives from the built-in error it used to be (ValueError, OSError, ImportError...), so code that
caught those keeps working.

Example:
    >>> from eventclf import EventClassifier, EventclfError
    >>> try:
    ...     EventClassifier.from_pretrained("no/such/folder")
    ... except EventclfError as exc:
    ...     print(type(exc).__name__)
    ModelFolderError
"""
from __future__ import annotations

from typing import Sequence

MAX_REPORTED = 20  # problems spelled out in one message; the rest are counted


def one_line(exc: BaseException) -> str:
    """An underlying library's error message folded onto one line, for our own one-line messages."""
    return " ".join(str(exc).split())


class EventclfError(Exception):
    """Base class of every error eventclf raises on purpose; its message is one line or a list of problems."""


class DataError(EventclfError, ValueError):
    """Bad labelled data or bad input text; the message lists every problem found (file, line, field).

    Args:
        problems: one message, or every problem found, each naming its file, line and field where it has them.
    """

    def __init__(self, problems: str | Sequence[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            super().__init__(self.problems[0])
            return
        shown = "\n  ".join(self.problems[:MAX_REPORTED])
        more = len(self.problems) - MAX_REPORTED
        super().__init__(f"{len(self.problems)} problems in the data:\n  {shown}"
                         + (f"\n  ... and {more} more" if more > 0 else ""))


class TextTypeError(DataError, TypeError):
    """Something other than a list of strings was given as texts to tag."""


class ConfigError(EventclfError, ValueError):
    """A configuration value, argument or codebook that cannot work; the message names the source and field."""


class ModelFolderError(EventclfError, OSError):
    """A model folder (or base model) that is missing, incomplete or unreadable; the message names the path."""


class MissingDependencyError(EventclfError, ImportError):
    """An optional package is not installed; the message says which extra to install."""


class OfflineBuildError(EventclfError, RuntimeError):
    """The offline build of the base model failed its check or could not find its files."""
