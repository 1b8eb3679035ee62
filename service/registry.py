"""The account registry the dean's office keeps (第二条-第九条, 第十四条).

Units own accounts; people hold roles on accounts for dated periods. Every change carries the
date it happened (``effective_on``) and the time it was recorded (``reported_at``), so a change
recorded more than 5 working days late (第九条), or an account still open 10 working days after
it stopped (第十四条), shows as late. Every change is written to the audit log.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from screener import Screener
from screener.normalize.hidden import plain_name

from . import audit
from .db import account_events, accounts, assignments, now, people, units
from .errors import BadRequest, Conflict, NotFound
from .workdays import CLOSE_DAYS, REPORT_DAYS, Count, active_calendar, count_working_days


class AccountRole(StrEnum):
    FIRST_RESPONSIBLE = "first_responsible"  # 第一责任人 (第八条)
    RESPONSIBLE = "responsible"  # 具体负责人: must be staff (第八条)
    OPERATOR = "operator"  # 具体运营人: staff or student (第九条)


class PersonKind(StrEnum):
    STAFF = "staff"  # 在职教职工
    STUDENT = "student"  # 在读学生
    EXTERNAL = "external"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    CLOSING = "closing"  # stopped, closure requested (第十四条)
    CLOSED = "closed"


ACCOUNT_ROLE_LABELS = {AccountRole.FIRST_RESPONSIBLE: "第一责任人",
                       AccountRole.RESPONSIBLE: "具体负责人", AccountRole.OPERATOR: "具体运营人"}
# Who may hold each role: the rule's own words, checked when the role is given.
ALLOWED_KINDS = {
    AccountRole.FIRST_RESPONSIBLE: {PersonKind.STAFF},
    AccountRole.RESPONSIBLE: {PersonKind.STAFF},
    AccountRole.OPERATOR: {PersonKind.STAFF, PersonKind.STUDENT},
}
PLATFORMS = ("wechat", "weibo", "other")
# Roles held by one person at a time: giving it to someone ends the previous holder's period.
SINGLE_HOLDER = {AccountRole.FIRST_RESPONSIBLE, AccountRole.RESPONSIBLE}


def parse_day(value: str | None, field: str) -> str:
    if value is None or value == "":
        return date.today().isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadRequest(f"{field} must be a date YYYY-MM-DD, got {value!r}", field=field) from None


def _late(effective_on: str, reported_at: str, limit: int = REPORT_DAYS) -> Count:
    """Working days late beyond the limit (0 if on time), and the years the calendar lacks."""
    reported = datetime.fromisoformat(reported_at).date()
    counted = count_working_days(date.fromisoformat(effective_on), reported)
    return Count(max(0, counted.days - limit), counted.uncovered)


def _unchecked(counts: list[Count]) -> str | None:
    """Fail closed: a deadline counted across a year without a calendar is not called on time;
    the page says so in words."""
    years = sorted({y for c in counts for y in c.uncovered})
    if not years:
        return None
    listed = "、".join(str(y) for y in years)
    return (f"节假日日历未收录 {listed} 年，工作日按周一至周五估算，请人工核对"
            f"（holiday calendar {active_calendar().source} lacks {listed}）")


def _one(conn: Connection, table: Any, row_id: int, what: str, field: str) -> Any:
    row = conn.execute(select(table).where(table.c.id == row_id)).first()
    if row is None:
        raise NotFound(f"no {what} with id {row_id}", field=field)
    return row


def get_unit(conn: Connection, unit_id: int) -> Any:
    return _one(conn, units, unit_id, "unit", "unit_id")


def get_person(conn: Connection, person_id: int) -> Any:
    return _one(conn, people, person_id, "person", "person_id")


def get_account(conn: Connection, account_id: int) -> Any:
    return _one(conn, accounts, account_id, "account", "account_id")


def _name(name: str, what: str) -> str:
    name = name.strip()
    if not name:
        raise BadRequest(f"{what} needs a name", field="name")
    try:
        return plain_name(name)
    except ValueError as exc:  # a bidi override or escape sequence would disguise the name
        raise BadRequest(f"name {exc}", field="name") from None


def create_unit(conn: Connection, actor: str, name: str) -> dict[str, Any]:
    name = _name(name, "a unit")
    if conn.execute(select(units.c.id).where(units.c.name == name)).first():
        raise Conflict(f"unit {name!r} already exists", field="name")
    unit_id = conn.execute(insert(units).values(name=name, created_at=now())
                           ).inserted_primary_key[0]
    audit.append(conn, actor, "unit.create", f"unit:{unit_id}", {"name": name})
    return {"id": unit_id, "name": name}


def create_person(conn: Connection, actor: str, name: str, kind: str,
                  unit_id: int | None) -> dict[str, Any]:
    name = _name(name, "a person")
    kind = PersonKind(kind)
    if unit_id is not None:
        get_unit(conn, unit_id)
    person_id = conn.execute(insert(people).values(
        name=name, kind=str(kind), unit_id=unit_id, created_at=now())).inserted_primary_key[0]
    audit.append(conn, actor, "person.create", f"person:{person_id}",
                 {"name": name, "kind": str(kind), "unit_id": unit_id})
    return {"id": person_id, "name": name, "kind": str(kind), "unit_id": unit_id}


def create_account(conn: Connection, actor: str, screener: Screener, *, platform: str, name: str,
                   unit_id: int, opened_on: str | None) -> dict[str, Any]:
    name = _name(name, "an account")
    if platform not in PLATFORMS:
        raise BadRequest(f"platform must be one of {', '.join(PLATFORMS)}", field="platform")
    get_unit(conn, unit_id)
    day = parse_day(opened_on, "opened_on")
    # 第二条: names using the school's names fall under the rule; the office must see that.
    findings = [f.to_dict() for f in screener.screen_account_name(name)]
    reported = now()
    account_id = conn.execute(insert(accounts).values(
        platform=platform, name=name, unit_id=unit_id, status=str(AccountStatus.ACTIVE),
        opened_on=day, name_findings=json.dumps(findings, ensure_ascii=False),
        created_at=reported)).inserted_primary_key[0]
    conn.execute(insert(account_events).values(account_id=account_id, status="active",
                                               effective_on=day, reported_at=reported))
    audit.append(conn, actor, "account.create", f"account:{account_id}",
                 {"name": name, "platform": platform, "unit_id": unit_id, "opened_on": day,
                  "protected_names": [f["term"] for f in findings]})
    return account_detail(conn, account_id)


def set_status(conn: Connection, actor: str, account_id: int, status: str,
               effective_on: str | None) -> dict[str, Any]:
    row = get_account(conn, account_id)
    new = AccountStatus(status)
    order = list(AccountStatus)
    if order.index(new) <= order.index(AccountStatus(row.status)):
        raise Conflict(f"account is {row.status}; it can only move forward "
                       "(active -> closing -> closed)", field="status")
    day = parse_day(effective_on, "effective_on")
    values: dict[str, Any] = {"status": str(new)}
    if new is AccountStatus.CLOSING:
        values["closing_on"] = day
    else:
        values["closed_on"] = day
        values["closing_on"] = row.closing_on or day
    conn.execute(update(accounts).where(accounts.c.id == account_id).values(**values))
    conn.execute(insert(account_events).values(account_id=account_id, status=str(new),
                                               effective_on=day, reported_at=now()))
    audit.append(conn, actor, "account.status", f"account:{account_id}",
                 {"status": str(new), "effective_on": day})
    return account_detail(conn, account_id)


def assign(conn: Connection, actor: str, account_id: int, person_id: int, role: str,
           effective_on: str | None) -> dict[str, Any]:
    account = get_account(conn, account_id)
    if account.status == AccountStatus.CLOSED:
        raise Conflict("the account is closed", field="account_id")
    person = get_person(conn, person_id)
    role = AccountRole(role)
    if PersonKind(person.kind) not in ALLOWED_KINDS[role]:
        allowed = " or ".join(sorted(ALLOWED_KINDS[role]))
        raise BadRequest(f"{ACCOUNT_ROLE_LABELS[role]} must be {allowed} "
                         f"(第{'八' if role is not AccountRole.OPERATOR else '九'}条); "
                         f"{person.name} is {person.kind}", field="person_id")
    day = parse_day(effective_on, "effective_on")
    current = current_assignments(conn, account_id, role)
    if any(a.person_id == person_id for a in current):
        raise Conflict(f"{person.name} already holds this role on the account", field="person_id")
    reported = now()
    if role in SINGLE_HOLDER:
        for old in current:
            conn.execute(update(assignments).where(assignments.c.id == old.id)
                         .values(ended_on=day, end_reported_at=reported))
    assignment_id = conn.execute(insert(assignments).values(
        account_id=account_id, person_id=person_id, role=str(role), effective_on=day,
        reported_at=reported)).inserted_primary_key[0]
    audit.append(conn, actor, "account.assign", f"account:{account_id}",
                 {"assignment_id": assignment_id, "person_id": person_id, "role": str(role),
                  "effective_on": day, "replaces": [a.person_id for a in current
                                                    if role in SINGLE_HOLDER]})
    return account_detail(conn, account_id)


def end_assignment(conn: Connection, actor: str, account_id: int, assignment_id: int,
                   ended_on: str | None) -> dict[str, Any]:
    row = _one(conn, assignments, assignment_id, "role assignment", "assignment_id")
    if row.account_id != account_id:
        raise NotFound(f"no role assignment {assignment_id} on account {account_id}",
                       field="assignment_id")
    if row.ended_on is not None:
        raise Conflict("this role assignment has already ended", field="assignment_id")
    day = parse_day(ended_on, "ended_on")
    conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                 .values(ended_on=day, end_reported_at=now()))
    audit.append(conn, actor, "account.unassign", f"account:{account_id}",
                 {"assignment_id": assignment_id, "ended_on": day})
    return account_detail(conn, account_id)


def current_assignments(conn: Connection, account_id: int, role: AccountRole | None = None
                        ) -> list[Any]:
    query = select(assignments).where(and_(assignments.c.account_id == account_id,
                                           assignments.c.ended_on.is_(None)))
    if role is not None:
        query = query.where(assignments.c.role == str(role))
    return list(conn.execute(query.order_by(assignments.c.id)))


def accounts_of(conn: Connection, person_id: int | None, role: AccountRole) -> set[int]:
    """Accounts on which the person holds the role today."""
    if person_id is None:
        return set()
    return set(conn.execute(select(assignments.c.account_id).where(and_(
        assignments.c.person_id == person_id, assignments.c.role == str(role),
        assignments.c.ended_on.is_(None)))).scalars())


def account_summary(row: Any) -> dict[str, Any]:
    findings = json.loads(row.name_findings)
    overdue = Count(0, ())
    if row.status == AccountStatus.CLOSING and row.closing_on:
        counted = count_working_days(date.fromisoformat(row.closing_on), date.today())
        overdue = Count(max(0, counted.days - CLOSE_DAYS), counted.uncovered)
    return {"id": row.id, "platform": row.platform, "name": row.name, "unit_id": row.unit_id,
            "status": row.status, "opened_on": row.opened_on, "closing_on": row.closing_on,
            "closed_on": row.closed_on, "name_findings": findings,
            "protected_name": bool(findings),
            "closing_overdue_working_days": overdue.days,
            "closing_deadline_unchecked": _unchecked([overdue])}


def account_detail(conn: Connection, account_id: int) -> dict[str, Any]:
    row = get_account(conn, account_id)
    history = []
    query = (select(assignments, people.c.name, people.c.kind)
             .select_from(assignments.join(people, assignments.c.person_id == people.c.id))
             .where(assignments.c.account_id == account_id).order_by(assignments.c.id))
    for a in conn.execute(query):
        late = _late(a.effective_on, a.reported_at)
        end_late = _late(a.ended_on, a.end_reported_at) if a.ended_on else Count(0, ())
        item = {"id": a.id, "person_id": a.person_id, "name": a.name, "kind": a.kind,
                "role": a.role, "role_label": ACCOUNT_ROLE_LABELS[AccountRole(a.role)],
                "effective_on": a.effective_on, "reported_at": a.reported_at,
                "late_working_days": late.days,
                "ended_on": a.ended_on, "end_reported_at": a.end_reported_at,
                "end_late_working_days": end_late.days,
                "deadline_unchecked": _unchecked([late, end_late]),
                "current": a.ended_on is None}
        history.append(item)
    events = [{"status": e.status, "effective_on": e.effective_on, "reported_at": e.reported_at}
              for e in conn.execute(select(account_events)
                                    .where(account_events.c.account_id == account_id)
                                    .order_by(account_events.c.id))]
    detail = account_summary(row)
    detail["roles"] = [h for h in history if h["current"]]
    detail["role_history"] = history
    detail["status_history"] = events
    detail["late_reports"] = sum(1 for h in history
                                 if h["late_working_days"] or h["end_late_working_days"])
    detail["unchecked_deadlines"] = sum(1 for h in history if h["deadline_unchecked"]) + \
        bool(detail["closing_deadline_unchecked"])
    missing = [str(r) for r in (AccountRole.FIRST_RESPONSIBLE, AccountRole.RESPONSIBLE)
               if not any(h["role"] == r for h in detail["roles"])]
    detail["missing_roles"] = missing
    return detail
