"""The maintainers' changes: add, allow, retire, edit, import. Each is one store change.

Every change is checked before it is written: a term must be valid (category, severity, length)
and matchable (something left after normalization, no clause punctuation inside). Whether it
changes anything is decided under the store's write lock, against the state at that moment, so
two maintainers working at once each see the other's change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..errors import LexiconError
from ..normalize import Normalizer, load_tables
from ..settings import Settings
from .compiled import fold_terms
from .effective import base_entries, content_of, store_for
from .files import ALLOW, Entry, make_entry
from .store import Change, Event, apply_state

MAX_TERM_CHARS = 64  # longer "terms" are sentences pasted by mistake; they never match


@dataclass(frozen=True)
class Who:
    by: str
    reason: str


def unmatchable(terms: list[str], settings: Settings) -> dict[str, str]:
    """Terms that could never match, with why."""
    if not terms:
        return {}
    folded = fold_terms(terms, Normalizer(load_tables(settings.cache_dir)))
    problems = {}
    for term, (skeleton, _literal) in zip(terms, folded, strict=True):
        if not skeleton:
            problems[term] = "规范化后没有可匹配的内容（只有符号或空格）"
        elif "\n" in skeleton:
            problems[term] = "含有分句标点，而匹配不能跨越分句"
    return problems


def check_entry(entry: Entry) -> None:
    if len(entry.term) > MAX_TERM_CHARS:
        raise LexiconError(entry.term[:20] + "…", f"太长：{len(entry.term):,} 个字；"
                                                  f"词条最多 {MAX_TERM_CHARS} 个字")


def _checked(entries: list[Entry], settings: Settings) -> list[Entry]:
    for entry in entries:
        check_entry(entry)
    bad = unmatchable([e.term for e in entries], settings)
    if bad:
        term, why = next(iter(bad.items()))
        raise LexiconError(term, f"无法匹配：{why}")
    return entries


def _commit(settings: Settings, who: Who, action: str,
            build: Callable[[list[Entry], dict], tuple[list[Event], str]]) -> Change | None:
    store = store_for(settings)
    base = base_entries(settings)
    return store.commit(action=action, by=who.by, reason=who.reason,
                        build=lambda state: build(apply_state(base, state), state),
                        content=content_of(settings, base))


def _additions(entries: list[Entry], action: str):
    def build(effective: list[Entry], _state) -> tuple[list[Event], str]:
        # compared without ``source``: the same term re-added from elsewhere changes nothing
        current = {replace(e, source="") for e in effective}
        fresh = [e for e in entries if replace(e, source="") not in current]
        events = [Event.of(e, action) for e in fresh]
        return events, f"{action} {len(events)}: " + ", ".join(e.term for e in fresh[:10]) + \
            (" ..." if len(fresh) > 10 else "")
    return build


def add_terms(settings: Settings, terms: list[str], category: str, who: Who, *,
              severity: str | None = None, article: str | None = None,
              boundary: bool | None = None, fillers: bool = False) -> Change | None:
    """``boundary=None``: the default (two Chinese characters: yes)."""
    if category == ALLOW:
        raise LexiconError("词库", "放行词请用 `screener lexicon allow` 加入")
    entries = _checked([make_entry(t, category, severity, article, boundary, fillers=fillers)
                        for t in terms], settings)
    return _commit(settings, who, "add", _additions(entries, "add"))


def allow_phrases(settings: Settings, phrases: list[str], who: Who) -> Change | None:
    entries = _checked([make_entry(p, ALLOW) for p in phrases], settings)
    return _commit(settings, who, "allow", _additions(entries, "allow"))


def import_entries(settings: Settings, entries: list[Entry], who: Who) -> Change | None:
    """Entries already validated by ``transfer.read_import``."""
    return _commit(settings, who, "import", _additions(entries, "import"))


def retire_terms(settings: Settings, terms: list[str], who: Who,
                 category: str | None = None) -> Change | None:
    if not who.reason.strip():
        raise LexiconError("retire", "请写明理由（--reason）：下一位维护者须知道词条为何停用")

    def build(effective: list[Entry], _state) -> tuple[list[Event], str]:
        wanted = set(terms)
        hit = [e for e in effective
               if e.term in wanted and (category is None or e.category == category)]
        missing = wanted - {e.term for e in hit}
        if missing:
            raise LexiconError("词库", "没有这个词条：" + "、".join(sorted(missing)))
        return ([Event.of(e, "retire", active=False) for e in hit],
                "retire " + ", ".join(sorted(wanted)))

    return _commit(settings, who, "retire", build)


def edit_term(settings: Settings, term: str, who: Who, *, category: str | None = None,
              severity: str | None = None, article: str | None = None,
              boundary: bool | None = None, from_category: str | None = None,
              fillers: bool | None = None) -> Change | None:
    def build(effective: list[Entry], _state) -> tuple[list[Event], str]:
        found = [e for e in effective if e.term == term and not e.is_allow
                 and (from_category is None or e.category == from_category)]
        if not found:
            raise LexiconError("词库", f"没有这个词条：{term}")
        if len(found) > 1:
            raise LexiconError("词库", f"{term!r} 同时在几个类别中"
                                      f"（{'、'.join(e.category for e in found)}）；"
                                      "请用 --from-category 指明一个")
        old = found[0]
        moved = category is not None and category != old.category
        new = make_entry(term, category or old.category,
                         severity or (None if moved else str(old.severity)),
                         article or (None if moved else old.article),
                         old.boundary if boundary is None else boundary,
                         fillers=old.fillers if fillers is None else fillers)
        if replace(new, source="") == replace(old, source=""):
            return [], ""
        events = [Event.of(old, "edit", active=False)] if moved else []
        events.append(Event.of(new, "edit"))
        changed = [f"{name} {getattr(old, name)}→{getattr(new, name)}"
                   for name in ("category", "severity", "article", "boundary", "fillers")
                   if getattr(old, name) != getattr(new, name)]
        return events, f"edit {term}: " + "; ".join(changed)

    return _commit(settings, who, "edit", build)
