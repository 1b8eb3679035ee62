"""Reading the registry: units, people, accounts with their dated history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from screener.i18n import N_

from .. import views
from ..access import READERS, check_read_account, readable_accounts, require
from ..auth import Principal, Role
from ..db import accounts, people, read, units
from . import count_page
from .rows import account_detail, headed_units


def list_units(engine: Engine, p: Principal, limit: int, offset: int) -> dict[str, Any]:
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing=N_("listing units"))
    query = select(units).order_by(units.c.id)
    with read(engine) as conn:
        if p.role is Role.UNIT_HEAD:  # the units the registry makes them 第一责任人 of
            query = query.where(units.c.id.in_(headed_units(conn, p.person_id)))
        return count_page(conn, query, limit, offset, views.unit)


def list_people(engine: Engine, p: Principal, limit: int, offset: int) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("listing people"))
    with read(engine) as conn:
        return count_page(conn, select(people).order_by(people.c.id), limit, offset, views.person)


def list_accounts(engine: Engine, p: Principal, limit: int, offset: int) -> dict[str, Any]:
    require(p, *READERS, doing=N_("reading accounts"))
    with read(engine) as conn:
        query = select(accounts).order_by(accounts.c.id)
        allowed = readable_accounts(conn, p)
        if allowed is not None:
            query = query.where(accounts.c.id.in_(allowed))
        return count_page(conn, query, limit, offset, views.account_summary)


def show_account(engine: Engine, p: Principal, account_id: int) -> dict[str, Any]:
    require(p, *READERS, doing=N_("reading accounts"))
    with read(engine) as conn:
        check_read_account(conn, p, account_id)
        return account_detail(conn, account_id)


def all_accounts(engine: Engine, p: Principal) -> list[dict[str, Any]]:
    """Every account in detail (the dean's office's list)."""
    require(p, Role.ADMIN, doing=N_("listing every account"))
    with read(engine) as conn:
        ids = conn.execute(select(accounts.c.id).order_by(accounts.c.id)).scalars().all()
        return [account_detail(conn, i) for i in ids]
