"""Reading the shipped lexicon files.

Format: UTF-8, one term per line. Metadata lines at the top of the file::

    # category: confidential
    # severity: block              (optional, default from the policy table)
    # article: 第十一条（内容）       (optional, default from the policy table)
    # description: what the list is for
    # boundary: yes                (optional: every term of the file is boundary-sensitive)

Other ``#`` lines are comments. A term may carry flags after ``|``: ``台独 | boundary`` fires only
when the term sits on jieba word boundaries; ``boundary=no`` turns it off. Without the flag, a
two-character Chinese term is boundary-sensitive (``援交`` must not fire in 支援交流) and longer
terms are not, unless the file says ``# boundary: yes``. ``代孕 | fillers`` also fires with a
filler character between its characters (``代的孕``).
``category: allow`` makes a file of allow-list phrases: a hit inside one of them is suppressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LexiconError
from ..model import Severity
from ..normalize.hidden import describe_char, first_hidden
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
    # Also fires with a filler character between its characters (代的孕); maintainers mark it.
    fillers: bool = False

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
    boundary: bool | None = None  # None: the default per term (two Chinese characters: yes)
    entries: list[Entry] = field(default_factory=list)


def _flag(value: str, source: str, line: int) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES or lowered == "":
        return True
    if lowered in _NO:
        return False
    raise LexiconError(source, f"boundary 只能是 yes 或 no，不能是 {value!r}", line)


FLAGS = ("boundary", "fillers")


# Names of the school in an account's name must be found even inside a longer name (北大学生会).
_NO_DEFAULT_BOUNDARY = frozenset({ALLOW, "protected_name"})


def default_boundary(term: str, category: str = "") -> bool:
    """Two Chinese characters straddle words too easily (援交 in 支援交流) to fire unchecked."""
    term = term.strip()
    return (category not in _NO_DEFAULT_BOUNDARY and len(term) == 2
            and all("\u3400" <= c <= "\u9fff" for c in term))


def control_character(term: str) -> str | None:
    """The first control, format or unassigned character of a term, named by code point."""
    found = first_hidden(term)
    return None if found is None else describe_char(found.char)


def make_entry(term: str, category: str, severity: str | None = None, article: str | None = None,
               boundary: bool | None = None, source: str = "", fillers: bool = False) -> Entry:
    """Validate and build an entry, filling severity and article from the policy table.

    ``boundary=None`` takes the default: yes for a two-character Chinese term, else no.
    """
    term = term.strip()
    if not term:
        raise LexiconError(source or "词库", "词条为空")
    hidden = control_character(term)
    if hidden is not None:
        raise LexiconError(source or "词库",
                           f"含有控制字符或不可见字符 {hidden}；词条须是纯文本")
    if category == ALLOW:
        return Entry(term, ALLOW, Severity.REVIEW, "", False, source)
    if category not in CATEGORIES:
        raise LexiconError(source or "词库",
                           f"未知类别 {category!r}；可用的类别：{'、'.join(CATEGORIES)}、allow")
    rule = rule_for(category)
    try:
        sev = Severity(severity) if severity else rule.severity
        if sev is Severity.INFO:
            raise ValueError(severity)
    except ValueError:
        raise LexiconError(source or "词库",
                           f"级别（severity）只能是 review 或 block，不能是 {severity!r}") from None
    if boundary is None:
        boundary = default_boundary(term, category)
    return Entry(term, category, sev, article or rule.article, boundary, source, fillers)


def parse_lexicon_file(path: Path) -> LexiconFile:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconError(source, f"不是有效的 UTF-8 编码（偏移 {exc.start} 字节处）；"
                                   "请将文件另存为 UTF-8") from None
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
            raise LexiconError(source, "词条出现在 '# category:' 行之前", number)
        term, _, flags = line.partition("|")
        values: dict[str, bool | None] = {"boundary": lex.boundary, "fillers": False}
        for flag in filter(None, (f.strip() for f in flags.split(","))):
            name, _, value = flag.partition("=")
            if name.strip() not in FLAGS:
                raise LexiconError(source, f"未知标记 {name.strip()!r}（只有 {'、'.join(FLAGS)}）",
                                   number)
            values[name.strip()] = _flag(value, source, number)
        try:
            entry = make_entry(term, lex.category, lex.severity or None, lex.article or None,
                               values["boundary"], f"{path.name}:{number}",
                               bool(values["fillers"]))
        except LexiconError as exc:
            raise LexiconError(source, exc.problem, number) from None
        lex.entries.append(entry)
    return lex


def load_lexicon_dir(directory: Path) -> list[LexiconFile]:
    if not directory.is_dir():
        raise LexiconError(str(directory), "找不到词库目录（请设置 SCREENER_LEXICONS）")
    return [parse_lexicon_file(p) for p in sorted(directory.glob("*.txt"))]
