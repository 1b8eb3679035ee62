"""One exception tree for everything screener raises on purpose.

Third-party errors (json, UnicodeDecodeError, OSError, pydantic) are caught at the edge where they
happen and re-raised as one of these, so callers only ever need ``except ScreenerError``.
"""

from __future__ import annotations


class ScreenerError(Exception):
    """Base of every error screener raises deliberately."""


class ConfigError(ScreenerError):
    """A setting is missing or invalid."""


class InputError(ScreenerError):
    """A draft (or another input file) cannot be read; names the source and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class LexiconError(ScreenerError):
    """A lexicon file or overlay is malformed; names the file and line where possible."""

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


class StageError(ScreenerError):
    """A pipeline stage failed; the pipeline turns this into a ``stage_error`` finding."""
