"""Violation records (第十五条): who held each role when a post in breach was published, what
was done, and whether a unit's 申办资格 is suspended; the report per unit and period."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, select

from .. import views
from ..access import require, units_listed
from ..auth import Principal, Role
from ..db import people, read, units, violations
from ..errors import NotFound
from ..roles import ACCOUNT_ROLE_LABELS, AccountRole, parse_day
from .rows import current_assignments


def people_on(conn: Connection, account_id: int, day: str) -> dict[str, list[dict[str, Any]]]:
    """The people in each role of the account on ``day``, from the dated role history."""
    found: dict[str, list[dict[str, Any]]] = {}
    for role in AccountRole:
        held = current_assignments(conn, account_id, role, on=day)
        found[str(role)] = [
            {"person_id": a.person_id, "role_label": ACCOUNT_ROLE_LABELS[role],
             "name": conn.execute(select(people.c.name).where(people.c.id == a.person_id)
                                  ).scalar()} for a in held]
    return found


def suspension_of(conn: Connection, unit_id: int, day: str) -> dict[str, Any] | None:
    """The unit's 申办资格 suspension in force on ``day`` (the latest end), or None."""
    row = conn.execute(select(violations.c.id, violations.c.suspended_until).where(
        violations.c.unit_id == unit_id, violations.c.suspended_until > day)
        .order_by(violations.c.suspended_until.desc()).limit(1)).first()
    return None if row is None else {"violation_id": row.id, "until": row.suspended_until}


def get_violation(conn: Connection, violation_id: int) -> Any:
    row = conn.execute(select(violations).where(violations.c.id == violation_id)).first()
    if row is None:
        raise NotFound("没有编号 {violation_id} 的违规记录",
                       violation_id=violation_id, field="violation_id")
    return row


def violation_detail(conn: Connection, violation_id: int) -> dict[str, Any]:
    row = get_violation(conn, violation_id)
    unit = conn.execute(select(units.c.name).where(units.c.id == row.unit_id)).scalar()
    return views.violation(row, unit, json.loads(row.people))


def report(engine: Engine, p: Principal, *, unit_id: int | None, date_from: str | None,
           date_to: str | None) -> dict[str, Any]:
    """Violations of posts published in [from, to] (dates, both included), per unit: the
    dean's office reads every unit's, a 第一责任人 their own."""
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="reading violation records")
    start = parse_day(date_from, "from") if date_from else None
    end = parse_day(date_to, "to") if date_to else None
    query = select(violations.c.id).order_by(violations.c.unit_id, violations.c.published_on,
                                             violations.c.id)
    if start:
        query = query.where(violations.c.published_on >= start)
    if end:
        query = query.where(violations.c.published_on <= end)
    with read(engine) as conn:
        listed = units_listed(conn, p, unit_id, "第一责任人只看本单位的违规记录")
        if listed is not None:
            query = query.where(violations.c.unit_id.in_(listed))
        items = [violation_detail(conn, i) for i in conn.execute(query).scalars()]
    units_seen: dict[int, dict[str, Any]] = {}
    for item in items:
        summary = units_seen.setdefault(item["unit_id"], {
            "unit_id": item["unit_id"], "unit": item["unit"], "violations": 0,
            "criticized": 0, "suspended_until": None, "referred": 0})
        summary["violations"] += 1
        summary["criticized"] += item["criticized"]
        summary["referred"] += item["referred"]
        if item["suspended_until"] and (summary["suspended_until"] or "") < \
                item["suspended_until"]:
            summary["suspended_until"] = item["suspended_until"]
    return {"unit_id": unit_id, "from": start, "to": end, "units": list(units_seen.values()),
            "items": items}
