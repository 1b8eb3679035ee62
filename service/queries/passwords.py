"""Account security (the first 第十一条): who keeps each account's password, when it was last
changed, and the accounts whose change is overdue, for the unit and the dean's office."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ..access import check_unit_head, require, units_listed
from ..auth import Principal, Role
from ..db import accounts, password_changes, password_keepers, people, read, units
from ..roles import AccountStatus, today
from .rows import get_account, held


def account_security(conn: Connection, account_id: int, default_days: int | None = None
                     ) -> dict[str, Any]:
    """The account's keeper, last change and interval; ``due_on`` and ``overdue_days`` when
    the default interval is known (the queries pass it; the use cases show the rest)."""
    account = get_account(conn, account_id)
    day = today()
    keeper = conn.execute(select(password_keepers, people.c.name).join(
        people, people.c.id == password_keepers.c.person_id).where(
        password_keepers.c.account_id == account_id, held(password_keepers, day))
        .order_by(password_keepers.c.id.desc()).limit(1)).first()
    last = conn.execute(select(func.max(password_changes.c.changed_on))
                        .where(password_changes.c.account_id == account_id)).scalar()
    history = [{"person_id": k.person_id, "name": k.name, "effective_on": k.effective_on,
                "ended_on": k.ended_on} for k in conn.execute(
        select(password_keepers, people.c.name).join(
            people, people.c.id == password_keepers.c.person_id)
        .where(password_keepers.c.account_id == account_id).order_by(password_keepers.c.id))]
    found = {"account_id": account_id, "account": account.name, "unit_id": account.unit_id,
             "status": account.status,
             "keeper": ({"person_id": keeper.person_id, "name": keeper.name,
                         "since": keeper.effective_on} if keeper is not None else None),
             "keeper_history": history, "last_changed_on": last,
             "interval_days": account.password_interval_days}
    if default_days is not None:
        interval = account.password_interval_days or default_days
        since = last or (keeper.effective_on if keeper is not None else account.opened_on)
        due = date.fromisoformat(since) + timedelta(days=interval)
        found.update(interval_days=interval, interval_is_default=(
            account.password_interval_days is None),
            due_on=due.isoformat(),
            overdue_days=max(0, (date.fromisoformat(day) - due).days))
    return found


def security(engine: Engine, p: Principal, account_id: int, default_days: int
             ) -> dict[str, Any]:
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="reading an account's password duties")
    with read(engine) as conn:
        account = get_account(conn, account_id)
        check_unit_head(conn, p, account.unit_id, "第一责任人只看本单位的账号")
        return account_security(conn, account_id, default_days)


def overdue(engine: Engine, p: Principal, default_days: int, unit_id: int | None = None
            ) -> dict[str, Any]:
    """Operating accounts whose password change is overdue (last change, else since the
    keeper took over, else since opening, plus the interval, is past), or that have no keeper:
    every unit's for the dean's office, the unit's own for its 第一责任人."""
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="listing overdue password changes")
    query = select(accounts.c.id).where(accounts.c.status.in_(
        (str(AccountStatus.ACTIVE), str(AccountStatus.CLOSING))))
    with read(engine) as conn:
        listed = units_listed(conn, p, unit_id, "第一责任人只看本单位的账号")
        if listed is not None:
            query = query.where(accounts.c.unit_id.in_(listed))
        names = dict(conn.execute(select(units.c.id, units.c.name)).all())
        items = []
        for account_id in conn.execute(query.order_by(accounts.c.id)).scalars():
            found = account_security(conn, account_id, default_days)
            if found["overdue_days"] > 0 or found["keeper"] is None:
                items.append({**found, "unit": names.get(found["unit_id"]),
                              "no_keeper": found["keeper"] is None})
    return {"as_of": today(), "default_interval_days": default_days, "items": items}
