"""Applications for accounts (第六条) and the units' priority orders and activity (第七条):
what the dean's office and a unit's 第一责任人 read to decide, order and clean up."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from .. import views
from ..access import check_unit_head, require, units_listed
from ..auth import Principal, Role
from ..db import accounts, applications, documents, drafts, priority_orders, read, units
from ..errors import NotFound
from ..roles import AccountStatus, today
from .rows import account_detail, get_account, get_unit, headed_units

MONTHS = 12  # the activity window: posts per month over the last year


def application_detail(conn: Connection, account_id: int) -> dict[str, Any]:
    """An account with its application and files (the paths stay on the server)."""
    detail = account_detail(conn, account_id)
    row = conn.execute(select(applications).where(applications.c.account_id == account_id)
                       ).first()
    files = conn.execute(select(documents).where(documents.c.account_id == account_id)
                         .order_by(documents.c.id)).all()
    order = None
    if row is not None and row.priority_order_id is not None:
        order = conn.execute(select(priority_orders).where(
            priority_orders.c.id == row.priority_order_id)).first()
    detail["application"] = views.application(row, files, order) if row is not None else None
    return detail


def _check_unit(conn: Connection, p: Principal, unit_id: int) -> None:
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="reading a unit's accounts")
    check_unit_head(conn, p, unit_id, "第一责任人只看本单位的账号")


def list_applications(engine: Engine, p: Principal, status: str | None, limit: int,
                      offset: int) -> dict[str, Any]:
    """Applications, newest first: every one for the dean's office, the unit's own for its
    第一责任人; ``status`` applied / approved / rejected."""
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="reading applications")
    query = (select(accounts.c.id).join(applications, applications.c.account_id == accounts.c.id)
             .order_by(applications.c.id.desc()))
    if status == "applied":
        query = query.where(applications.c.decision.is_(None))
    elif status:
        query = query.where(applications.c.decision == status)
    with read(engine) as conn:
        if p.role is Role.UNIT_HEAD:
            query = query.where(accounts.c.unit_id.in_(headed_units(conn, p.person_id)))
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        ids = conn.execute(query.limit(limit).offset(offset)).scalars().all()
        return views.page([application_detail(conn, i) for i in ids], total, limit, offset)


def show_application(engine: Engine, p: Principal, account_id: int) -> dict[str, Any]:
    with read(engine) as conn:
        _check_unit(conn, p, get_account(conn, account_id).unit_id)
        return application_detail(conn, account_id)


def document_path(engine: Engine, p: Principal, account_id: int, document_id: int,
                  folder: Path) -> tuple[Path, str, str]:
    """(path, file name, media type) of an application's file, for the dean's office or
    the unit's 第一责任人; only files in the documents folder, whatever the row says."""
    with read(engine) as conn:
        _check_unit(conn, p, get_account(conn, account_id).unit_id)
        row = conn.execute(select(documents).where(documents.c.id == document_id,
                                                   documents.c.account_id == account_id)
                           ).first()
    if row is None:
        raise NotFound("账号 {account_id} 没有附件 {document_id}",
                       account_id=account_id, document_id=document_id, field="document_id")
    path = Path(row.path).resolve()
    if path.parent != folder.resolve() or not path.is_file():
        raise NotFound("附件 {document_id} 的文件不在",
                       document_id=document_id, field="document_id")
    media = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}[row.media_type]
    return path, row.name, media


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _activity(conn: Connection, row: Any, ranks: dict[int, int], day: date) -> dict[str, Any]:
    published = [p for p in conn.execute(select(drafts.c.published_at).where(
        drafts.c.account_id == row.id, drafts.c.status == "published")).scalars() if p]
    days = sorted(views.local_day(p) for p in published)
    start = date.fromisoformat(row.opened_on)
    index = day.year * 12 + day.month - 1 - (MONTHS - 1)
    window_start = max(date(index // 12, index % 12 + 1, 1), start.replace(day=1))
    months = max(1, _months_between(window_start, day))
    recent = [d for d in days if d >= window_start]
    monthly: dict[str, int] = {}
    for d in recent:
        monthly[d.strftime("%Y-%m")] = monthly.get(d.strftime("%Y-%m"), 0) + 1
    last = days[-1] if days else None
    return views.activity(row, ranks.get(row.id), len(days), last,
                          (day - (last or start)).days, round(len(recent) / months, 2),
                          monthly)


def unit_priority(conn: Connection, unit_id: int) -> tuple[dict[int, int], Any]:
    order = conn.execute(select(priority_orders).where(priority_orders.c.unit_id == unit_id)
                         .order_by(priority_orders.c.id.desc()).limit(1)).first()
    ranked = json.loads(order.accounts) if order is not None else []
    return {account_id: i + 1 for i, account_id in enumerate(ranked)}, order


def unit_accounts(engine: Engine, p: Principal, unit_id: int) -> dict[str, Any]:
    """A unit's accounts with their place in its priority order and their activity from
    published posts (第七条): posts in all, posts per month over the last year, days since the
    last post (since opening when there is none)."""
    day = date.fromisoformat(today())
    with read(engine) as conn:
        _check_unit(conn, p, unit_id)
        unit = get_unit(conn, unit_id)
        ranks, order = unit_priority(conn, unit_id)
        rows = conn.execute(select(accounts).where(accounts.c.unit_id == unit_id)
                            .order_by(accounts.c.id)).all()
        items = [_activity(conn, r, ranks, day) for r in rows]
    items.sort(key=lambda a: (a["priority"] is None, a["priority"] or 0, a["id"]))
    return {"unit": views.unit(unit), "priority_set_at": order.set_at if order else None,
            "priority_set_by": order.set_by if order else None, "accounts": items}


def inactive(engine: Engine, p: Principal, days: int, unit_id: int | None = None
             ) -> dict[str, Any]:
    """Operating accounts without a published post for ``days`` or more (since opening when
    there is none): to be reviewed for 注销 (第七条). The dean's office sees every unit's, a
    第一责任人 their own."""
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="listing inactive accounts")
    day = date.fromisoformat(today())
    query = select(accounts).where(accounts.c.status == str(AccountStatus.ACTIVE))
    with read(engine) as conn:
        listed = units_listed(conn, p, unit_id, "第一责任人只看本单位的账号")
        if listed is not None:
            query = query.where(accounts.c.unit_id.in_(listed))
        names = dict(conn.execute(select(units.c.id, units.c.name)).all())
        found = []
        for row in conn.execute(query.order_by(accounts.c.unit_id, accounts.c.id)).all():
            ranks = unit_priority(conn, row.unit_id)[0]
            item = _activity(conn, row, ranks, day)
            if item["days_since_last_post"] >= days:
                found.append({**item, "unit": names.get(row.unit_id)})
    return {"threshold_days": days, "as_of": day.isoformat(), "items": found}
