"""Opening an account under the rule (第五条-第七条): the unit applies, the 党政联席会 decides.

An application names the unit, the platform and the account's name, what it is for and its
operating plan, and carries the two files the rule asks for: the 审批表 and the signed
保密及不侵权承诺书. A unit that already has accounts must say why it needs another and must have
set its 账号优先顺序表 (第七条); that order is attached to the application. A unit whose
申办资格 is suspended (第十五条) cannot apply until the date set. The account exists from the
application on, as ``applied``: no draft is taken for it until the dean's office records the
meeting's approval with its date and the two signatories (院党委负责人, 行政负责人); a
rejection closes the application.

Everything is checked before a file is written; the files are written before the transaction
and removed again if it does not commit, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from screener import Screener

from ..access import check_unit_head, require
from ..auth import Principal, Role
from ..db import (
    account_events,
    accounts,
    applications,
    documents,
    now,
    priority_orders,
    read,
)
from ..errors import BadRequest, Conflict, Forbidden
from ..files import document_kind, save_document
from ..queries.applications import application_detail
from ..queries.rows import get_account, get_unit
from ..queries.violations import suspension_of
from ..roles import AccountStatus, parse_day, today
from ..uow import unit_of_work
from .registry import account_fields, check_account_name

DOCUMENT_KINDS = {"approval_form": "《开设官方微信公众号或微博审批表》",
                  "pledge": "《开通使用微信、微博保密及不侵权承诺书》"}
OPEN = (str(AccountStatus.ACTIVE), str(AccountStatus.CLOSING))


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # approval_form / pledge
    name: str
    data: bytes


def _text(value: str, field: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise BadRequest("申请须写明{what}",
                         what=what, field=field)
    return value


def _unit_state(conn: Connection, unit_id: int) -> tuple[list[int], Any]:
    """The unit's open accounts and its newest priority order (or None)."""
    open_ids = list(conn.execute(select(accounts.c.id).where(
        accounts.c.unit_id == unit_id, accounts.c.status.in_(OPEN)).order_by(accounts.c.id))
        .scalars())
    order = conn.execute(select(priority_orders).where(priority_orders.c.unit_id == unit_id)
                         .order_by(priority_orders.c.id.desc()).limit(1)).first()
    return open_ids, order


def _check_unit(conn: Connection, unit_id: int, justification: str) -> Any:
    """第十五条 and 第七条 for the applying unit; its priority order (None if it has no
    accounts yet)."""
    unit = get_unit(conn, unit_id)
    suspended = suspension_of(conn, unit_id, today())
    if suspended is not None:
        raise Forbidden("单位「{name}」的两微账号申办资格暂停至 {until}（违规记录 {violation_id}，"
                        "第十五条），此前不能申请新账号",
                        name=unit.name, until=suspended['until'],
                        violation_id=suspended['violation_id'])
    open_ids, order = _unit_state(conn, unit_id)
    if not open_ids:
        return None
    if not justification:
        raise BadRequest("单位「{name}」已有 {len} 个账号："
                         "申请新账号须详细说明新增账号的必要性（第七条）",
                         name=unit.name, len=len(open_ids), field="justification")
    ranked = set(json.loads(order.accounts)) if order is not None else set()
    if set(open_ids) - ranked:
        raise Conflict("单位「{name}」须先提交本单位账号优先顺序表，"
                       "列出现有全部账号 {open_ids}（第七条）"
                       "：screener accounts priority",
                       name=unit.name, open_ids=open_ids, field="unit_id")
    return order


def _documents(svc_config, files: list[Document]) -> list[tuple[Document, str]]:
    kinds = [f.kind for f in files]
    for kind, title in DOCUMENT_KINDS.items():
        if kinds.count(kind) != 1:
            raise BadRequest("申请须附一份{title}（字段 {kind}），收到 {value} 份",
                             title=title, kind=kind, value=kinds.count(kind),
                             field=kind)
    unknown = set(kinds) - DOCUMENT_KINDS.keys()
    if unknown:
        raise BadRequest("未知的附件 {sorted}",
                         sorted=sorted(unknown), field=sorted(unknown)[0])
    return [(f, document_kind(f.name, f.data, svc_config.max_document_bytes, f.kind))
            for f in files]


def apply(svc, p: Principal, *, unit_id: int, platform: str, name: str, purpose: str,
          operating_plan: str, justification: str = "",
          files: list[Document]) -> dict[str, Any]:
    """File an application for a new account (the unit's 第一责任人, or the dean's office on
    the unit's behalf)."""
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="applying for an account")
    screener: Screener = svc.screener
    name, findings = account_fields(screener, name, platform)
    purpose = _text(purpose, "purpose",
                    "账号的用途与定位（第五条：代表正式成立、长期稳定的组织机构）")
    operating_plan = _text(operating_plan, "operating_plan", "运营计划")
    justification = justification.strip()
    checked = _documents(svc.config, files)
    with read(svc.engine) as conn:  # everything refusable, before a file is written
        check_unit_head(conn, p, unit_id, "第一责任人只为本单位申请账号")
        _check_unit(conn, unit_id, justification)
        check_account_name(conn, name, platform)
    folder = svc.config.upload_dir / "documents"
    written = []
    try:
        kept = []
        for document, suffix in checked:
            path, new = save_document(folder, document.name, document.data, suffix)
            if new:
                written.append(path)
            kept.append((document, suffix, path))
        with unit_of_work(svc.engine, p.actor) as uow:
            check_unit_head(uow.conn, p, unit_id, "第一责任人只为本单位申请账号")
            order = _check_unit(uow.conn, unit_id, justification)
            check_account_name(uow.conn, name, platform)
            stamp, day = now(), today()
            account_id = uow.conn.execute(insert(accounts).values(
                platform=platform, name=name, unit_id=unit_id,
                status=str(AccountStatus.APPLIED), opened_on=day,
                name_findings=json.dumps(findings, ensure_ascii=False), created_at=stamp)
            ).inserted_primary_key[0]
            uow.conn.execute(insert(account_events).values(
                account_id=account_id, status=str(AccountStatus.APPLIED), effective_on=day,
                reported_at=stamp))
            uow.conn.execute(insert(applications).values(
                account_id=account_id, purpose=purpose, operating_plan=operating_plan,
                justification=justification,
                priority_order_id=order.id if order is not None else None,
                applied_by=p.actor, applied_at=stamp))
            for document, suffix, path in kept:
                uow.conn.execute(insert(documents).values(
                    account_id=account_id, kind=document.kind,
                    name=document.name.rsplit("/", 1)[-1][:200], sha256=path.stem,
                    size=len(document.data), media_type=suffix.lstrip("."), path=str(path),
                    uploaded_at=stamp))
            uow.audit("account.apply", f"account:{account_id}", {
                "name": name, "platform": platform, "unit_id": unit_id,
                "priority_order_id": order.id if order is not None else None,
                "documents": {d.kind: path.stem for d, _, path in kept},
                "protected_names": [f["term"] for f in findings]})
            return application_detail(uow.conn, account_id)
    except BaseException:
        for path in written:  # the request was refused after all: keep nothing of it
            path.unlink(missing_ok=True)
        raise


def _applied(conn: Connection, account_id: int) -> Any:
    account = get_account(conn, account_id)
    if account.status != AccountStatus.APPLIED:
        raise Conflict("账号 {account_id} 的状态是 {status}，不是待审批的申请",
                       account_id=account_id, status=account.status,
                       field="status")
    return account


def _meeting_day(conn: Connection, account_id: int, decided_on: str | None) -> str:
    day = parse_day(decided_on, "decided_on")
    applied = conn.execute(select(applications.c.applied_at)
                           .where(applications.c.account_id == account_id)).scalar_one()
    if day > today():
        raise BadRequest("党政联席会日期 {day} 在今天之后",
                         day=day, field="decided_on")
    if day < applied[:10]:
        raise BadRequest("党政联席会日期 {day} 早于申请提交（{value}）",
                         day=day, value=applied[:10],
                         field="decided_on")
    return day


def approve(engine, p: Principal, account_id: int, *, decided_on: str | None,
            party_signatory: str, admin_signatory: str, opened_on: str | None = None,
            note: str = "") -> dict[str, Any]:
    """Record the 党政联席会's approval (第六条): the meeting's date and the two signatories;
    the account becomes active and joins the end of its unit's priority order."""
    require(p, Role.ADMIN, doing="recording the approval of an account")
    party = _text(party_signatory, "party_signatory", "签字的院党委负责人")
    head = _text(admin_signatory, "admin_signatory", "签字的行政负责人")
    if party == head:
        raise BadRequest("院党委负责人和行政负责人须是两个人分别签字（第六条）",
                         field="admin_signatory")
    with unit_of_work(engine, p.actor) as uow:
        account = _applied(uow.conn, account_id)
        day = _meeting_day(uow.conn, account_id, decided_on)
        opened = parse_day(opened_on or day, "opened_on")
        kinds = set(uow.conn.execute(select(documents.c.kind)
                                     .where(documents.c.account_id == account_id)).scalars())
        if kinds != DOCUMENT_KINDS.keys():  # fail closed: never approve without the files
            raise Conflict("申请缺少审批表或承诺书，不能批准", field="status")
        suspended = suspension_of(uow.conn, account.unit_id, today())
        if suspended is not None:
            raise Conflict("该单位的申办资格已暂停至 {until}（第十五条）",
                           until=suspended['until'],
                           field="status")
        stamp = now()
        uow.conn.execute(update(applications).where(applications.c.account_id == account_id)
                         .values(decision="approved", decided_on=day, party_signatory=party,
                                 admin_signatory=head, decision_note=note.strip(),
                                 decided_by=p.actor, decided_at=stamp))
        uow.conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(status=str(AccountStatus.ACTIVE), opened_on=opened))
        uow.conn.execute(insert(account_events).values(
            account_id=account_id, status=str(AccountStatus.ACTIVE), effective_on=opened,
            reported_at=stamp, note=f"党政联席会 {day} 批准"))
        order = _unit_state(uow.conn, account.unit_id)[1]
        if order is not None:
            ranked = json.loads(order.accounts)
            uow.conn.execute(insert(priority_orders).values(
                unit_id=account.unit_id, accounts=json.dumps([*ranked, account_id]),
                set_by=p.actor, set_at=stamp))
        uow.audit("account.approve", f"account:{account_id}", {
            "decided_on": day, "party_signatory": party, "admin_signatory": head,
            "opened_on": opened, "note": note.strip()})
        return application_detail(uow.conn, account_id)


def reject(engine, p: Principal, account_id: int, *, decided_on: str | None,
           reason: str) -> dict[str, Any]:
    """Record that the 党政联席会 did not approve the account; its name is free again."""
    require(p, Role.ADMIN, doing="recording the rejection of an account")
    reason = _text(reason, "reason", "不予批准的理由")
    with unit_of_work(engine, p.actor) as uow:
        _applied(uow.conn, account_id)
        day = _meeting_day(uow.conn, account_id, decided_on)
        stamp = now()
        uow.conn.execute(update(applications).where(applications.c.account_id == account_id)
                         .values(decision="rejected", decided_on=day, decision_note=reason,
                                 decided_by=p.actor, decided_at=stamp))
        uow.conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(status=str(AccountStatus.REJECTED)))
        uow.conn.execute(insert(account_events).values(
            account_id=account_id, status=str(AccountStatus.REJECTED), effective_on=day,
            reported_at=stamp, note=reason))
        uow.audit("account.reject", f"account:{account_id}",
                  {"decided_on": day, "reason": reason})
        return application_detail(uow.conn, account_id)


def set_priority(engine, p: Principal, unit_id: int, account_ids: list[int]
                 ) -> dict[str, Any]:
    """The unit's 账号优先顺序表 (第七条): every open account of the unit, once, first = most
    important. Set by the unit's 第一责任人 or the dean's office."""
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="setting a unit's account priority order")
    with unit_of_work(engine, p.actor) as uow:
        check_unit_head(uow.conn, p, unit_id, "第一责任人只排列本单位的账号")
        unit = get_unit(uow.conn, unit_id)
        open_ids = _unit_state(uow.conn, unit_id)[0]
        if len(set(account_ids)) != len(account_ids) or set(account_ids) != set(open_ids):
            raise BadRequest("优先顺序表须把单位「{name}」现有的每个账号恰好列一次：{open_ids}，"
                             "收到 {account_ids}",
                             name=unit.name, open_ids=open_ids, account_ids=account_ids,
                             field="accounts")
        order_id = uow.conn.execute(insert(priority_orders).values(
            unit_id=unit_id, accounts=json.dumps(account_ids), set_by=p.actor,
            set_at=now())).inserted_primary_key[0]
        uow.audit("unit.priority", f"unit:{unit_id}",
                  {"order_id": order_id, "accounts": account_ids})
        total = uow.conn.execute(select(func.count()).select_from(priority_orders)
                                 .where(priority_orders.c.unit_id == unit_id)).scalar_one()
    return {"unit_id": unit_id, "order_id": order_id, "accounts": account_ids,
            "versions": total}
