"""What the operator's pages read: the drafts of the accounts they run, the accounts they may
submit to, and one draft with its report and the reviewer's comments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from screener.i18n import N_

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..db import accounts, read
from ..roles import AccountRole
from . import drafts
from .rows import accounts_of

DOING = N_("the operator's pages")


def own_accounts(engine: Engine, p: Principal) -> list[dict[str, Any]]:
    """The accounts the caller runs as 具体运营人 today (第九条)."""
    require(p, Role.OPERATOR, doing=DOING)
    with read(engine) as conn:
        mine = accounts_of(conn, p.person_id, AccountRole.OPERATOR)
        rows = conn.execute(select(accounts).where(accounts.c.id.in_(mine))
                            .order_by(accounts.c.id)).all()
    return [views.account_summary(r) for r in rows]


def workspace(engine: Engine, p: Principal, status: str | None, limit: int,
              offset: int) -> dict[str, Any]:
    """The drafts of the caller's accounts, newest first, and those accounts."""
    require(p, Role.OPERATOR, doing=DOING)
    listing = drafts.listing(engine, p, queue=False, status=status or None, account_id=None,
                             limit=limit, offset=offset)
    return {"drafts": listing, "accounts": own_accounts(engine, p)}


def draft_page(engine: Engine, p: Principal, draft_id: int) -> dict[str, Any]:
    """A draft of one of the caller's accounts, as the reviewer's page reads it."""
    require(p, Role.OPERATOR, doing=DOING)
    return drafts.review_page(engine, p, draft_id)
