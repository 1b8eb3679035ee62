"""Reading the service's state: one module per aggregate (registry, drafts, tokens, rechecks,
audit, lexicon, assets). Queries never write; the use cases (``usecases``) do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from ..views import page


def count_page(conn: Connection, query: Any, limit: int, offset: int, shape) -> dict[str, Any]:
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.limit(limit).offset(offset)).all()
    return page([shape(r) for r in rows], total, limit, offset)
