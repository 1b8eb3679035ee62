"""Account security (the first 第十一条: 账号密码由专人负责，不定期更新): per account, the
person who keeps the platform password (dated, like the roles), each change of it, and the
interval the unit sets between changes. The password itself is never asked for, stored or
shown; a request carrying one is refused before it reaches here (``schemas``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from ..access import check_unit_head
from ..auth import Principal, Role
from ..db import accounts, now, password_changes, password_keepers
from ..errors import BadRequest, Conflict, Forbidden
from ..queries.passwords import account_security
from ..queries.rows import get_account, get_person, held
from ..roles import AccountStatus, PersonKind, parse_day, today
from ..uow import unit_of_work

MAX_INTERVAL = 3650


def _unit_scope(conn: Connection, p: Principal, account_id: int, doing: str) -> Any:
    """The dean's office, or the 第一责任人 of the account's unit."""
    account = get_account(conn, account_id)
    refusal = f"{doing}由院长办公室或本单位第一责任人登记"
    if p.role not in (Role.ADMIN, Role.UNIT_HEAD):
        raise Forbidden(refusal)
    check_unit_head(conn, p, account.unit_id, refusal)
    return account


def _open(account: Any) -> None:
    if account.status in (AccountStatus.CLOSED, AccountStatus.REJECTED):
        raise Conflict("账号「{name}」已是 {status}",
                       name=account.name, status=account.status, field="account_id")


def keeper_of(conn: Connection, account_id: int, day: str) -> Any:
    return conn.execute(select(password_keepers).where(
        password_keepers.c.account_id == account_id, held(password_keepers, day))
        .order_by(password_keepers.c.id.desc()).limit(1)).first()


def set_keeper(engine, p: Principal, account_id: int, person_id: int,
               effective_on: str | None) -> dict[str, Any]:
    """Name the person who keeps the account's password from ``effective_on``; the previous
    keeper's period ends that day."""
    day = parse_day(effective_on, "effective_on")
    with unit_of_work(engine, p.actor) as uow:
        account = _unit_scope(uow.conn, p, account_id, "密码保管人")
        _open(account)
        person = get_person(uow.conn, person_id)
        if PersonKind(person.kind) is PersonKind.EXTERNAL:
            raise BadRequest("{name} 是校外人员：账号密码须由本单位专人负责（第十一条）",
                             name=person.name,
                             field="person_id")
        current = keeper_of(uow.conn, account_id, day)
        if current is not None and current.person_id == person_id:
            raise Conflict("{name} 已是该账号的密码保管人",
                           name=person.name, field="person_id")
        later = uow.conn.execute(select(password_keepers.c.id).where(
            password_keepers.c.account_id == account_id,
            password_keepers.c.effective_on > day)).first()
        if later is not None:
            raise Conflict("已有一项更晚生效的保管人变更", field="effective_on")
        stamp = now()
        if current is not None:
            uow.conn.execute(update(password_keepers).where(password_keepers.c.id == current.id)
                             .values(ended_on=day))
        uow.conn.execute(insert(password_keepers).values(
            account_id=account_id, person_id=person_id, effective_on=day, reported_at=stamp))
        uow.audit("account.password_keeper", f"account:{account_id}", {
            "person_id": person_id, "effective_on": day,
            "replaces": current.person_id if current is not None else None})
        return account_security(uow.conn, account_id)


def record_change(engine, p: Principal, account_id: int, changed_on: str | None
                  ) -> dict[str, Any]:
    """Record that the platform password was changed on ``changed_on`` (never the password):
    by its keeper, the unit's 第一责任人 or the dean's office."""
    day = parse_day(changed_on, "changed_on")
    if day > today():
        raise BadRequest("修改日期 {day} 在今天之后",
                         day=day, field="changed_on")
    with unit_of_work(engine, p.actor) as uow:
        keeper = keeper_of(uow.conn, account_id, today())
        if keeper is None or p.person_id is None or keeper.person_id != p.person_id:
            account = _unit_scope(uow.conn, p, account_id, "密码修改")
        else:
            account = get_account(uow.conn, account_id)
        _open(account)
        uow.conn.execute(insert(password_changes).values(
            account_id=account_id, changed_on=day, recorded_by=p.actor, recorded_at=now()))
        uow.audit("account.password_changed", f"account:{account_id}", {"changed_on": day})
        return account_security(uow.conn, account_id)


def set_interval(engine, p: Principal, account_id: int, days: int | None) -> dict[str, Any]:
    """The unit's interval between password changes for this account (None: the default)."""
    if days is not None and not 1 <= days <= MAX_INTERVAL:
        raise BadRequest("间隔天数须在 1 到 {max_interval} 之间",
                         max_interval=MAX_INTERVAL, field="days")
    with unit_of_work(engine, p.actor) as uow:
        _open(_unit_scope(uow.conn, p, account_id, "密码更新间隔"))
        uow.conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(password_interval_days=days))
        uow.audit("account.password_interval", f"account:{account_id}", {"days": days})
        return account_security(uow.conn, account_id)
