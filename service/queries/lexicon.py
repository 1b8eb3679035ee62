"""The lexicon in force: version, size, latest changes and the terms themselves."""

from __future__ import annotations

from typing import Any

from screener.i18n import N_
from screener.lexicon import current_entries, store_for

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services

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
