"""The lexicon in force: version, size, latest changes and the terms themselves."""

from __future__ import annotations

from typing import Any

from screener.errors import LexiconError, ScreenerError
from screener.i18n import N_
from screener.lexicon import (
    base_entries,
    current_entries,
    make_entry,
    parse_version,
    store_for,
    version_diff,
)
from screener.lexicon.clean import clean_corpus
from screener.lexicon.compiled import format_version
from screener.lexicon.maintain import check_entry, unmatchable
from screener.lexicon.trial import try_terms

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services
from ..errors import BadRequest

READERS = (Role.MAINTAINER, Role.ADMIN)


def state(svc: Services, p: Principal) -> dict[str, Any]:
    require(p, *READERS, doing=N_("reading the lexicon"))
    entries = current_entries(svc.settings)
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.category] = counts.get(e.category, 0) + 1
    return {"version": svc.screener.lexicon_version, "entries": len(entries),
            "by_category": counts,
            "changes": [views.lexicon_change(c) for c in store_for(svc.settings).changes(20)]}


def terms(svc: Services, p: Principal, category: str | None, q: str | None, limit: int,
          offset: int) -> dict[str, Any]:
    require(p, *READERS, doing=N_("reading the lexicon"))
    found = [e for e in current_entries(svc.settings)
             if (category is None or e.category == category) and (not q or q in e.term)]
    return views.page([views.term(e) for e in found[offset:offset + limit]], len(found), limit,
                      offset)


def history(svc: Services, p: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """The versions published, newest first."""
    require(p, *READERS, doing=N_("reading the lexicon"))
    return [views.lexicon_change(c) for c in store_for(svc.settings).changes(limit)]


def term_history(svc: Services, p: Principal, term: str) -> dict[str, Any]:
    """A term as it is in force (in each category it has) and every change made to it, with
    the version, time, person and reason of each."""
    require(p, *READERS, doing=N_("reading the lexicon"))
    store = store_for(svc.settings)
    in_force = [views.term(e) for e in current_entries(svc.settings) if e.term == term]
    shipped = [views.term(e) for e in base_entries(svc.settings) if e.term == term]
    changes = {}
    events = []
    for event in store.events(term=term):
        if event.seq not in changes:
            changes[event.seq] = store.change(event.seq)
        change = changes[event.seq]
        events.append({"version": format_version(change.seq, change.content), "at": change.at,
                       "by": change.by, "reason": change.reason, "action": event.action,
                       "category": event.category, "severity": event.severity,
                       "article": event.article, "boundary": event.boundary,
                       "active": event.active})
    return {"term": term, "in_force": in_force, "shipped": shipped, "events": events}


def diff(svc: Services, p: Principal, old: str, new: str) -> dict[str, Any]:
    """Terms added, retired and changed between two versions (numbers or version names)."""
    require(p, *READERS, doing=N_("reading the lexicon"))
    store = store_for(svc.settings)
    newest = store.latest_seq()
    try:
        first = parse_version(old) if old else max(0, newest - 1)
        last = parse_version(new) if new else newest
    except ScreenerError:
        raise BadRequest("a version is a number such as 12 or a name such as "
                         "lex-12-3fa9c2d1e0b4", field="from") from None
    for field, seq in (("from", first), ("to", last)):
        if seq > newest:
            raise BadRequest("version {seq} does not exist yet (newest: {newest})", field=field,
                             seq=seq, newest=newest)
    differences = version_diff(svc.settings, first, last, store)
    return {"from": first, "to": last, "newest": newest,
            "differences": [{"kind": d.kind, "term": d.term, "category": d.category,
                             "before": None if d.before is None else views.term(d.before),
                             "after": None if d.after is None else views.term(d.after)}
                            for d in differences]}


PREVIEWERS = (Role.MAINTAINER,)


def preview(svc: Services, p: Principal, terms: list[str], category: str,
            boundary: bool | None, fillers: bool = False) -> dict[str, Any]:
    """Where candidate terms would fire on the clean reference corpus (ordinary posts that must
    pass), through the real normalizer and matcher with the allow-list in force: each hit is a
    false alarm the 具体负责人 would get. Changes nothing."""
    require(p, *PREVIEWERS, doing=N_("trying terms"))
    try:
        candidates = [make_entry(t, category, boundary=boundary, source="candidate",
                                 fillers=fillers) for t in terms]
        for candidate in candidates:
            check_entry(candidate)
        bad = unmatchable(terms, svc.settings)
        if bad:
            term, why = next(iter(bad.items()))
            raise BadRequest("{term} cannot be matched: {why}", field="terms",
                             term=repr(term), why=why)
        allow = [e for e in current_entries(svc.settings) if e.is_allow]
        corpus = clean_corpus(svc.settings)
        result = try_terms(candidates, allow, svc.settings, corpus)
    except (ValueError, LexiconError) as exc:
        raise BadRequest("{problem}", field="terms", problem=str(exc)) from None
    in_force = {(e.term, e.category) for e in current_entries(svc.settings)}
    # A post is named for people by its title (or the start of its text); the file or corpus
    # id stays in the page's markup for whoever needs to find it.
    names = {t.source: _post_name(t.fields) for t in corpus.texts}
    return {"terms": terms, "category": category, "boundary": boundary, "fillers": fillers,
            "corpus_size": len(corpus), "corpus_real": corpus.real,
            "drafts_screened": result.drafts_screened,
            "drafts_hit": result.drafts_hit, "rate": result.false_alarm_rate,
            "already": [t for t in terms if (t, category) in in_force],
            "hits": [{"source": h.source, "post": names.get(h.source, ""), "field": h.field,
                      "start": h.start, "end": h.end, "term": h.term, "context": h.context}
                     for h in result.hits]}


def _post_name(fields: tuple[tuple[str, str], ...]) -> str:
    text = dict(fields)
    name = (text.get("title") or "").strip() or (text.get("body") or "").strip()
    return name[:30] + ("…" if len(name) > 30 else "")
