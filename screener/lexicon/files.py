"""Reading the shipped lexicon files.

Format: UTF-8, one term per line. Metadata lines at the top of the file::

    # category: confidential
    # severity: block              (optional, default from the policy table)
    # article: 第十一条（内容）       (optional, default from the policy table)
    # description: what the list is for
    # boundary: yes                (optional: every term of the file is boundary-sensitive)

Other ``#`` lines are comments. A term may carry flags after ``|``: ``台独 | boundary`` fires only
when the term sits on jieba word boundaries; ``boundary=no`` turns a file-wide default off.
``category: allow`` makes a file of allow-list phrases: a hit inside one of them is suppressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LexiconError
from ..model import Severity
from ..policy import CATEGORIES, rule_for

ALLOW = "allow"
_META = re.compile(r"^#\s*(category|severity|article|description|boundary)\s*:\s*(.*?)\s*$")
_YES = {"yes", "true", "1", "on"}
_NO = {"no", "false", "0", "off"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon term (or allow-list phrase) with everything the matcher needs to know."""

    term: str
    category: str
    severity: Severity
    article: str
    boundary: bool = False
    source: str = ""  # "file:line" or "store:N"

    @property
    def is_allow(self) -> bool:
        return self.category == ALLOW


@dataclass(slots=True)
class LexiconFile:
    path: Path
    category: str = ""
    severity: str = ""
    article: str = ""
    description: str = ""
    boundary: bool = False
    entries: list[Entry] = field(default_factory=list)


def _flag(value: str, source: str, line: int) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES or lowered == "":
        return True
    if lowered in _NO:
        return False
    raise LexiconError(source, f"boundary must be yes or no, not {value!r}", line)


def make_entry(term: str, category: str, severity: str | None = None, article: str | None = None,
               boundary: bool = False, source: str = "") -> Entry:
    """Validate and build an entry, filling severity and article from the policy table."""
    term = term.strip()
    if not term:
        raise LexiconError(source or "lexicon", "empty term")
    if category == ALLOW:
        return Entry(term, ALLOW, Severity.REVIEW, "", False, source)
    if category not in CATEGORIES:
        raise LexiconError(source or "lexicon",
                           f"unknown category {category!r}; known: {', '.join(CATEGORIES)}, allow")
    rule = rule_for(category)
    try:
        sev = Severity(severity) if severity else rule.severity
    except ValueError:
        raise LexiconError(source or "lexicon",
                           f"severity must be review or block, not {severity!r}") from None
    return Entry(term, category, sev, article or rule.article, boundary, source)


def parse_lexicon_file(path: Path) -> LexiconFile:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconError(source, f"not valid UTF-8 at byte {exc.start}") from None
    except OSError as exc:
        raise LexiconError(source, exc.strerror or str(exc)) from None
    lex = LexiconFile(path)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            meta = _META.match(line)
            if meta and not lex.entries:
                key, value = meta.groups()
                if key == "boundary":
                    lex.boundary = _flag(value, source, number)
                else:
                    setattr(lex, key, value)
            continue
        if not lex.category:
            raise LexiconError(source, "a term comes before the '# category:' line", number)
        term, _, flags = line.partition("|")
        boundary = lex.boundary
        for flag in filter(None, (f.strip() for f in flags.split(","))):
            name, _, value = flag.partition("=")
            if name.strip() != "boundary":
                raise LexiconError(source, f"unknown flag {name.strip()!r}", number)
            boundary = _flag(value, source, number)
        try:
            entry = make_entry(term, lex.category, lex.severity or None, lex.article or None,
                               boundary, f"{path.name}:{number}")
        except LexiconError as exc:
            raise LexiconError(source, exc.problem, number) from None
        lex.entries.append(entry)
    return lex


def load_lexicon_dir(directory: Path) -> list[LexiconFile]:
    if not directory.is_dir():
        raise LexiconError(str(directory), "lexicon folder not found (set SCREENER_LEXICONS)")
    return [parse_lexicon_file(p) for p in sorted(directory.glob("*.txt"))]
