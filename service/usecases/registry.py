"""The account registry the dean's office keeps (第二条-第九条, 第十四条): units, people,
accounts, roles and account status. Every change is dated and audited."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, update

from screener import Screener

from ..access import require
from ..auth import Principal, Role
from ..db import account_events, accounts, assignments, now, people, units
from ..errors import BadRequest, Conflict, NotFound
from ..queries.rows import (
    account_detail,
    current_assignments,
    get_account,
    get_assignment,
    get_person,
    get_unit,
)
from ..roles import (
    ACCOUNT_ROLE_LABELS,
    ALLOWED_KINDS,
    PLATFORMS,
    SINGLE_HOLDER,
    AccountRole,
    AccountStatus,
    PersonKind,
    clean_name,
    parse_day,
)
from ..uow import unit_of_work


def create_unit(engine, p: Principal, name: str) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="registering units")
    name = clean_name(name, "a unit")
    with unit_of_work(engine, p.actor) as uow:
        if uow.conn.execute(select(units.c.id).where(units.c.name == name)).first():
            raise Conflict(f"unit {name!r} already exists", field="name")
        unit_id = uow.conn.execute(insert(units).values(name=name, created_at=now())
                                   ).inserted_primary_key[0]
        uow.audit("unit.create", f"unit:{unit_id}", {"name": name})
    return {"id": unit_id, "name": name}


def create_person(engine, p: Principal, name: str, kind: str,
                  unit_id: int | None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="registering people")
    name = clean_name(name, "a person")
    try:
        kind = PersonKind(kind)
    except ValueError:
        raise BadRequest(f"kind must be one of {', '.join(PersonKind)}", field="kind") from None
    with unit_of_work(engine, p.actor) as uow:
        if unit_id is not None:
            get_unit(uow.conn, unit_id)
        person_id = uow.conn.execute(insert(people).values(
            name=name, kind=str(kind), unit_id=unit_id, created_at=now())).inserted_primary_key[0]
        uow.audit("person.create", f"person:{person_id}",
                  {"name": name, "kind": str(kind), "unit_id": unit_id})
    return {"id": person_id, "name": name, "kind": str(kind), "unit_id": unit_id}


def create_account(engine, p: Principal, screener: Screener, *, platform: str, name: str,
                   unit_id: int, opened_on: str | None) -> dict[str, Any]:
    """Register an account; a name using 第二条's protected names is flagged (screened before
    the transaction: the screener may read a store in the same database file)."""
    require(p, Role.ADMIN, doing="registering accounts")
    name = clean_name(name, "an account")
    if platform not in PLATFORMS:
        raise BadRequest(f"platform must be one of {', '.join(PLATFORMS)}", field="platform")
    day = parse_day(opened_on, "opened_on")
    findings = [f.to_dict() for f in screener.screen_account_name(name)]
    with unit_of_work(engine, p.actor) as uow:
        get_unit(uow.conn, unit_id)
        reported = now()
        account_id = uow.conn.execute(insert(accounts).values(
            platform=platform, name=name, unit_id=unit_id, status=str(AccountStatus.ACTIVE),
            opened_on=day, name_findings=json.dumps(findings, ensure_ascii=False),
            created_at=reported)).inserted_primary_key[0]
        uow.conn.execute(insert(account_events).values(
            account_id=account_id, status="active", effective_on=day, reported_at=reported))
        uow.audit("account.create", f"account:{account_id}",
                  {"name": name, "platform": platform, "unit_id": unit_id, "opened_on": day,
                   "protected_names": [f["term"] for f in findings]})
        return account_detail(uow.conn, account_id)


def set_status(engine, p: Principal, account_id: int, status: str,
               effective_on: str | None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="changing an account's status")
    try:
        new = AccountStatus(status)
    except ValueError:
        raise BadRequest("status must be closing or closed", field="status") from None
    day = parse_day(effective_on, "effective_on")
    with unit_of_work(engine, p.actor) as uow:
        row = get_account(uow.conn, account_id)
        order = list(AccountStatus)
        if order.index(new) <= order.index(AccountStatus(row.status)):
            raise Conflict(f"account is {row.status}; it can only move forward "
                           "(active -> closing -> closed)", field="status")
        values: dict[str, Any] = {"status": str(new)}
        if new is AccountStatus.CLOSING:
            values["closing_on"] = day
        else:
            values["closed_on"] = day
            values["closing_on"] = row.closing_on or day
        uow.conn.execute(update(accounts).where(accounts.c.id == account_id).values(**values))
        uow.conn.execute(insert(account_events).values(account_id=account_id, status=str(new),
                                                       effective_on=day, reported_at=now()))
        uow.audit("account.status", f"account:{account_id}",
                  {"status": str(new), "effective_on": day})
        return account_detail(uow.conn, account_id)


def assign(engine, p: Principal, account_id: int, person_id: int, role: str,
           effective_on: str | None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="changing an account's people")
    try:
        role = AccountRole(role)
    except ValueError:
        raise BadRequest(f"role must be one of {', '.join(AccountRole)}", field="role") from None
    day = parse_day(effective_on, "effective_on")
    with unit_of_work(engine, p.actor) as uow:
        account = get_account(uow.conn, account_id)
        if account.status == AccountStatus.CLOSED:
            raise Conflict("the account is closed", field="account_id")
        person = get_person(uow.conn, person_id)
        if PersonKind(person.kind) not in ALLOWED_KINDS[role]:
            allowed = " or ".join(sorted(ALLOWED_KINDS[role]))
            raise BadRequest(f"{ACCOUNT_ROLE_LABELS[role]} must be {allowed} "
                             f"(第{'八' if role is not AccountRole.OPERATOR else '九'}条); "
                             f"{person.name} is {person.kind}", field="person_id")
        current = current_assignments(uow.conn, account_id, role)
        if any(a.person_id == person_id for a in current):
            raise Conflict(f"{person.name} already holds this role on the account",
                           field="person_id")
        reported = now()
        if role in SINGLE_HOLDER:
            for old in current:
                uow.conn.execute(update(assignments).where(assignments.c.id == old.id)
                                 .values(ended_on=day, end_reported_at=reported))
        assignment_id = uow.conn.execute(insert(assignments).values(
            account_id=account_id, person_id=person_id, role=str(role), effective_on=day,
            reported_at=reported)).inserted_primary_key[0]
        uow.audit("account.assign", f"account:{account_id}",
                  {"assignment_id": assignment_id, "person_id": person_id, "role": str(role),
                   "effective_on": day, "replaces": [a.person_id for a in current
                                                     if role in SINGLE_HOLDER]})
        return account_detail(uow.conn, account_id)


def end_assignment(engine, p: Principal, account_id: int, assignment_id: int,
                   ended_on: str | None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="changing an account's people")
    day = parse_day(ended_on, "ended_on")
    with unit_of_work(engine, p.actor) as uow:
        row = get_assignment(uow.conn, assignment_id)
        if row.account_id != account_id:
            raise NotFound(f"no role assignment {assignment_id} on account {account_id}",
                           field="assignment_id")
        if row.ended_on is not None:
            raise Conflict("this role assignment has already ended", field="assignment_id")
        uow.conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                         .values(ended_on=day, end_reported_at=now()))
        uow.audit("account.unassign", f"account:{account_id}",
                  {"assignment_id": assignment_id, "ended_on": day})
        return account_detail(uow.conn, account_id)
