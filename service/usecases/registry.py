"""The account registry the dean's office keeps (第二条-第九条, 第十四条): units, people,
accounts, roles and account status. Every change is dated and audited.

A new account is applied for and approved (``usecases.applications``); ``create_account``
only records an account that existed before the rule came into force (第七条's 已有账号). A
role change takes effect on its date: dated in the future, it is pending until then and the
outgoing holder keeps the role meanwhile."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from screener import Screener
from screener.i18n import N_

from ..access import require
from ..auth import Principal, Role
from ..db import account_events, accounts, assignments, now, people, units
from ..errors import BadRequest, Conflict, NotFound
from ..names import first_invisible, name_key
from ..queries.rows import (
    account_detail,
    current_assignments,
    get_account,
    get_assignment,
    get_person,
    get_unit,
)
from ..roles import (
    ALLOWED_KINDS,
    NEXT_STATUS,
    PLATFORMS,
    RULE_IN_FORCE,
    SINGLE_HOLDER,
    AccountRole,
    AccountStatus,
    PersonKind,
    clean_name,
    parse_day,
    platform_label,
    today,
)
from ..uow import unit_of_work


def registry_name(name: str, what: str) -> str:
    """A unit's or an account's name: plain, and without letters that print as nothing."""
    name = clean_name(name, what)
    found = first_invisible(name)
    if found is not None:
        raise BadRequest("名称第 {value} 个字符 U+{ord:04X} 是不可见字符，"
                         "会让名称看起来与别的名称相同，"
                         "不予登记",
                         value=found[0] + 1, ord=ord(found[1]), field="name")
    return name


def check_account_name(conn: Connection, name: str, platform: str) -> None:
    """Refuse a name that reads as a registered account's: the same after compatibility
    folding, without invisible letters and by confusable skeleton (``names``). Only the very
    same name on another platform is allowed (a unit's WeChat and Weibo accounts share it);
    rejected applications hold no name."""
    key = name_key(name)
    rows = conn.execute(select(accounts.c.id, accounts.c.name, accounts.c.platform)
                        .where(accounts.c.status != str(AccountStatus.REJECTED))).all()
    for row in rows:
        if name_key(row.name) != key:
            continue
        if row.name == name and row.platform != platform:
            continue
        same = "同名" if row.name == name else "形近（兼容字形、形近字、繁简或不可见字符）"
        raise Conflict("账号名称「{name}」与已登记的账号 {id}「{name2}」（{platform_label}）"
                       "{same}，不予登记：两个看起来一样的名称会让人冒充、让复核找错账号",
                       name=name, id=row.id, name2=row.name,
                       platform_label=platform_label(row.platform), same=same, field="name")


def create_unit(engine, p: Principal, name: str) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("registering units"))
    name = registry_name(name, N_("a unit"))
    with unit_of_work(engine, p.actor) as uow:
        key = name_key(name)
        for row in uow.conn.execute(select(units.c.id, units.c.name)):
            if row.name == name or name_key(row.name) == key:
                raise Conflict("unit {name} already exists (registered as {existing}: the "
                               "same or a look-alike name)", field="name", name=repr(name),
                               existing=repr(row.name))
        unit_id = uow.conn.execute(insert(units).values(name=name, created_at=now())
                                   ).inserted_primary_key[0]
        uow.audit("unit.create", f"unit:{unit_id}", {"name": name})
    return {"id": unit_id, "name": name}


def create_person(engine, p: Principal, name: str, kind: str,
                  unit_id: int | None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("registering people"))
    name = clean_name(name, N_("a person"))
    try:
        kind = PersonKind(kind)
    except ValueError:
        raise BadRequest("kind must be one of {kinds}", field="kind",
                         kinds=", ".join(PersonKind)) from None
    with unit_of_work(engine, p.actor) as uow:
        if unit_id is not None:
            get_unit(uow.conn, unit_id)
        person_id = uow.conn.execute(insert(people).values(
            name=name, kind=str(kind), unit_id=unit_id, created_at=now())).inserted_primary_key[0]
        uow.audit("person.create", f"person:{person_id}",
                  {"name": name, "kind": str(kind), "unit_id": unit_id})
    return {"id": person_id, "name": name, "kind": str(kind), "unit_id": unit_id}


def account_fields(screener: Screener, name: str, platform: str) -> tuple[str, list[dict]]:
    """A new account's checked name and its 第二条 findings (screened before any transaction:
    the screener may read a store in the same database file)."""
    name = registry_name(name, N_("an account"))
    if platform not in PLATFORMS:
        raise BadRequest("platform must be one of {platforms}", field="platform",
                         platforms=", ".join(PLATFORMS))
    return name, [f.to_dict() for f in screener.screen_account_name(name)]


def create_account(engine, p: Principal, screener: Screener, *, platform: str, name: str,
                   unit_id: int, opened_on: str | None) -> dict[str, Any]:
    """Record an account that existed before the rule came into force (第七条: the units
    clean up and order those); a name using 第二条's protected names is flagged. An account
    opened since must be applied for and approved (第六条)."""
    require(p, Role.ADMIN, doing=N_("registering accounts"))
    name, findings = account_fields(screener, name, platform)
    if not opened_on:
        raise BadRequest("registering an existing account needs the date it was opened "
                         "(opened_on, before the rule came into force)", field="opened_on")
    day = parse_day(opened_on, "opened_on")
    if day >= RULE_IN_FORCE:
        raise Conflict("账号开设于 {day}，在本办法实施（{rule_in_force}，第十八条）"
                       "之后：须先提出申请，经党政联席会审批（第六条）——screener accounts "
                       "apply",
                       day=day, rule_in_force=RULE_IN_FORCE,
                       field="opened_on")
    with unit_of_work(engine, p.actor) as uow:
        get_unit(uow.conn, unit_id)
        check_account_name(uow.conn, name, platform)
        reported = now()
        account_id = uow.conn.execute(insert(accounts).values(
            platform=platform, name=name, unit_id=unit_id, status=str(AccountStatus.ACTIVE),
            opened_on=day, name_findings=json.dumps(findings, ensure_ascii=False),
            created_at=reported)).inserted_primary_key[0]
        uow.conn.execute(insert(account_events).values(
            account_id=account_id, status="active", effective_on=day, reported_at=reported))
        uow.audit("account.create", f"account:{account_id}",
                  {"name": name, "platform": platform, "unit_id": unit_id, "opened_on": day,
                   "existing_before_rule": True,
                   "protected_names": [f["term"] for f in findings]})
        return account_detail(uow.conn, account_id)


def set_status(engine, p: Principal, account_id: int, status: str,
               effective_on: str | None, result: str = "") -> dict[str, Any]:
    """Mark an account stopped (closing: closure requested, 10 working days, 第十四条) or
    closed, with the closing result the unit reports to the dean's office."""
    require(p, Role.ADMIN, doing=N_("changing an account's status"))
    if status not in (AccountStatus.CLOSING, AccountStatus.CLOSED):
        raise BadRequest("status must be closing or closed", field="status")
    new = AccountStatus(status)
    day = parse_day(effective_on, "effective_on")
    result = result.strip()
    if new is AccountStatus.CLOSED and not result:
        raise BadRequest("关闭账号须写明关闭结果（平台的注销确认；第十四条：关闭结果向院长"
                         "办公室报备）", field="result")
    with unit_of_work(engine, p.actor) as uow:
        row = get_account(uow.conn, account_id)
        if new not in NEXT_STATUS[AccountStatus(row.status)]:
            raise Conflict("account is {status}; it can only move forward "
                           "(active -> closing -> closed)", field="status",
                           status=str(row.status))
        values: dict[str, Any] = {"status": str(new)}
        if new is AccountStatus.CLOSING:
            values["closing_on"] = day
        else:
            values["closed_on"] = day
            values["closing_on"] = row.closing_on or day
        uow.conn.execute(update(accounts).where(accounts.c.id == account_id).values(**values))
        uow.conn.execute(insert(account_events).values(
            account_id=account_id, status=str(new), effective_on=day, reported_at=now(),
            note=result or None))
        uow.audit("account.status", f"account:{account_id}",
                  {"status": str(new), "effective_on": day, "result": result})
        return account_detail(uow.conn, account_id)


def assign(engine, p: Principal, account_id: int, person_id: int, role: str,
           effective_on: str | None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("changing an account's people"))
    try:
        role = AccountRole(role)
    except ValueError:
        raise BadRequest("role must be one of {roles}", field="role",
                         roles=", ".join(AccountRole)) from None
    day = parse_day(effective_on, "effective_on")
    with unit_of_work(engine, p.actor) as uow:
        account = get_account(uow.conn, account_id)
        if account.status == AccountStatus.CLOSED:
            raise Conflict("the account is closed", field="account_id")
        person = get_person(uow.conn, person_id)
        if PersonKind(person.kind) not in ALLOWED_KINDS[role]:
            allowed = " or ".join(sorted(ALLOWED_KINDS[role]))
            raise BadRequest("{account_role} must be {allowed} ({article}); {name} is {kind}",
                             field="person_id", account_role=str(role), allowed=allowed,
                             article="第九条" if role is AccountRole.OPERATOR else "第八条",
                             name=person.name, kind=person.kind)
        holding = current_assignments(uow.conn, account_id, role, on=day)
        if any(a.person_id == person_id for a in holding):
            raise Conflict("{name} already holds this role on the account",
                           field="person_id", name=person.name)
        reported = now()
        replaced: list[Any] = []
        if role in SINGLE_HOLDER:
            later = uow.conn.execute(select(assignments).where(
                assignments.c.account_id == account_id, assignments.c.role == str(role),
                assignments.c.effective_on > day,
                or_(assignments.c.ended_on.is_(None),
                    assignments.c.ended_on > assignments.c.effective_on))).first()
            if later is not None:
                raise Conflict("{account_role} already has a change effective on {day} "
                               "(assignment {assignment}): end it before recording an "
                               "earlier one", field="effective_on", account_role=str(role),
                               day=str(later.effective_on), assignment=later.id)
            replaced = holding
            for old in holding:  # their period ends the day the new holder's starts
                uow.conn.execute(update(assignments).where(assignments.c.id == old.id)
                                 .values(ended_on=day, end_reported_at=reported))
        assignment_id = uow.conn.execute(insert(assignments).values(
            account_id=account_id, person_id=person_id, role=str(role), effective_on=day,
            reported_at=reported)).inserted_primary_key[0]
        uow.audit("account.assign", f"account:{account_id}",
                  {"assignment_id": assignment_id, "person_id": person_id, "role": str(role),
                   "effective_on": day, "pending": day > today(),
                   "replaces": [a.person_id for a in replaced]})
        return account_detail(uow.conn, account_id)


def end_assignment(engine, p: Principal, account_id: int, assignment_id: int,
                   ended_on: str | None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("changing an account's people"))
    day = parse_day(ended_on, "ended_on")
    with unit_of_work(engine, p.actor) as uow:
        row = get_assignment(uow.conn, assignment_id)
        if row.account_id != account_id:
            raise NotFound("no role assignment {assignment} on account {account}",
                           field="assignment_id", assignment=assignment_id, account=account_id)
        if row.ended_on is not None:
            raise Conflict("this role assignment has already ended", field="assignment_id")
        if day < row.effective_on:
            raise BadRequest("ended_on {day} is before the role began "
                             "({effective_on})",
                             day=day, effective_on=row.effective_on,
                             field="ended_on")
        uow.conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                         .values(ended_on=day, end_reported_at=now()))
        uow.audit("account.unassign", f"account:{account_id}",
                  {"assignment_id": assignment_id, "ended_on": day})
        return account_detail(uow.conn, account_id)
