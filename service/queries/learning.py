"""What the maintainer sees of learning from the reviewers: feedback per category and week,
the models (shipped, candidates, the one in force) and the newest candidate's comparison with
the model in force."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from screener.classify import registry_for
from screener.feedback import feedback_table
from screener.feedback.summary import weekly

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services
from ..db import read

READERS = (Role.MAINTAINER, Role.ADMIN)
SHOWN_CHANGED = 50


def feedback_summary(svc: Services, p: Principal) -> dict[str, Any]:
    require(p, *READERS, doing="reading the reviewers' feedback")
    t = feedback_table
    with read(svc.engine) as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            select(t.c.origin, t.c.judgement, t.c.category, t.c.created_at, t.c.text_hash))]
    return weekly(rows)


def missed_on(svc: Services, draft_id: int) -> list[dict[str, Any]]:
    """The misses reported on a draft (for its page, whose query has checked the reader)."""
    t = feedback_table
    with read(svc.engine) as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(t.c.category, t.c.span, t.c.comment, t.c.reviewer, t.c.created_at)
            .where(t.c.origin == "missed", t.c.draft_ref == f"draft:{draft_id}")
            .order_by(t.c.id))]


def models(svc: Services, p: Principal) -> dict[str, Any]:
    require(p, *READERS, doing="reading the models")
    registry = registry_for(svc.settings)
    in_force = registry.in_force()
    entries = registry.versions()
    shipped = registry.shipped()
    newest = entries[-1] if entries else None
    comparison = registry.comparison(newest.number) if newest else None
    if comparison is not None:
        changed = comparison.get("changed", [])
        comparison = {**comparison, "changed": changed[:SHOWN_CHANGED],
                      "changed_total": len(changed), "number": newest.number}
    return {"in_force": {"number": in_force.number, "version": in_force.version},
            "screening_with": svc.screener.model_version,
            "shipped": {"number": 0, "version": shipped.version,
                        "in_force": in_force.number == 0},
            "candidates": [views.registered_model(e, in_force.number)
                           for e in reversed(entries)],
            "changes": [views.model_change(c, in_force.version, None)
                        for c in registry.changes(20)],
            "comparison": comparison}
