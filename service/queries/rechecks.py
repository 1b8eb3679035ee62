"""Published posts a re-screening sent back for review: the caller's open ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from .. import views
from ..auth import Principal, Role
from ..db import accounts, assignments, rechecks
from ..errors import NotFound
from ..roles import AccountRole, today
from .rows import accounts_of, held


def _mine(conn: Connection, p: Principal):
    """Open items for this caller: the dean's office gets 第十三条 ones and those of accounts
    that have no 具体负责人 today (fail closed: nobody else would see them), a 具体负责人 their
    accounts' others; nobody else has a queue."""
    query = select(rechecks, accounts.c.name.label("account")).join(
        accounts, accounts.c.id == rechecks.c.account_id).where(rechecks.c.resolved_at.is_(None))
    if p.role is Role.ADMIN:
        staffed = select(assignments.c.account_id).where(
            assignments.c.role == str(AccountRole.RESPONSIBLE), held(assignments, today()))
        return query.where(or_(rechecks.c.route == "dean",
                               rechecks.c.account_id.not_in(staffed)))
    mine = accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE)
    return query.where(rechecks.c.route == "responsible", rechecks.c.account_id.in_(mine))


def open_items(conn: Connection, p: Principal, limit: int, offset: int
               ) -> tuple[int, list[dict[str, Any]]]:
    """(how many are open for the caller, this page of them), oldest first."""
    query = _mine(conn, p)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(rechecks.c.created_at, rechecks.c.id)
                        .limit(limit).offset(offset)).all() if limit > 0 else []
    return total, [views.recheck(r, r.account) for r in rows]


def get_recheck(conn: Connection, recheck_id: int) -> Any:
    row = conn.execute(select(rechecks).where(rechecks.c.id == recheck_id)).first()
    if row is None:
        raise NotFound("no published post to review with id {id}", field="recheck_id",
                       id=recheck_id)
    return row


def recheck_detail(conn: Connection, recheck_id: int) -> dict[str, Any]:
    row = conn.execute(select(rechecks, accounts.c.name.label("account")).join(
        accounts, accounts.c.id == rechecks.c.account_id)
        .where(rechecks.c.id == recheck_id)).one()
    return views.recheck(row, row.account)
