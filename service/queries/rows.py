"""Rows by id and who holds which role: the lookups that authorization checks, use cases and
queries share (no authorization here; ``access`` decides).

Who holds a role is read from the dated history on a day (today unless asked): a change dated
in the future is pending until its day, and the outgoing holder keeps the role until then."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, or_, select

from screener.i18n import N_

from .. import views
from ..db import account_events, accounts, assignments, people, units
from ..errors import NotFound
from ..roles import AccountRole, today


def _one(conn: Connection, table: Any, row_id: int, what: str, field: str) -> Any:
    row = conn.execute(select(table).where(table.c.id == row_id)).first()
    if row is None:
        raise NotFound("no {what} with id {id}", field=field, what=what, id=row_id)
    return row


def get_unit(conn: Connection, unit_id: int) -> Any:
    return _one(conn, units, unit_id, N_("unit"), "unit_id")


def get_person(conn: Connection, person_id: int) -> Any:
    return _one(conn, people, person_id, N_("person"), "person_id")


def get_account(conn: Connection, account_id: int) -> Any:
    return _one(conn, accounts, account_id, N_("account"), "account_id")


def get_assignment(conn: Connection, assignment_id: int) -> Any:
    return _one(conn, assignments, assignment_id, N_("role assignment"),
                "assignment_id")


def held(table: Any, day: str):
    """The rows of a dated table (roles, password keepers) in force on ``day``."""
    return and_(table.c.effective_on <= day,
                or_(table.c.ended_on.is_(None), table.c.ended_on > day))


def current_assignments(conn: Connection, account_id: int, role: AccountRole | None = None,
                        on: str | None = None) -> list[Any]:
    """The role periods of the account in force on ``on`` (default today)."""
    query = select(assignments).where(assignments.c.account_id == account_id,
                                      held(assignments, on or today()))
    if role is not None:
        query = query.where(assignments.c.role == str(role))
    return list(conn.execute(query.order_by(assignments.c.id)))


def holders(conn: Connection, account_id: int, role: AccountRole,
            on: str | None = None) -> list[str]:
    """Names of the people holding ``role`` on the account on ``on`` (default today)."""
    return [conn.execute(select(people.c.name).where(people.c.id == a.person_id)).scalar()
            for a in current_assignments(conn, account_id, role, on)]


def accounts_of(conn: Connection, person_id: int | None, role: AccountRole,
                on: str | None = None) -> set[int]:
    """Accounts on which the person holds the role on ``on`` (default today)."""
    if person_id is None:
        return set()
    return set(conn.execute(select(assignments.c.account_id).where(
        assignments.c.person_id == person_id, assignments.c.role == str(role),
        held(assignments, on or today()))).scalars())


def unit_accounts(conn: Connection, unit_id: int | None) -> set[int]:
    return set(conn.execute(select(accounts.c.id).where(accounts.c.unit_id == unit_id))
               .scalars())


def headed_units(conn: Connection, person_id: int | None) -> set[int]:
    """Units whose 第一责任人 the person is today, by the registry (第八条): the units of the
    accounts on which they hold that role. A token's unit says nothing here."""
    headed = accounts_of(conn, person_id, AccountRole.FIRST_RESPONSIBLE)
    if not headed:
        return set()
    return set(conn.execute(select(accounts.c.unit_id).where(accounts.c.id.in_(headed)))
               .scalars())


def account_detail(conn: Connection, account_id: int) -> dict[str, Any]:
    row = get_account(conn, account_id)
    query = (select(assignments, people.c.name, people.c.kind)
             .select_from(assignments.join(people, assignments.c.person_id == people.c.id))
             .where(assignments.c.account_id == account_id).order_by(assignments.c.id))
    history = [views.assignment(a) for a in conn.execute(query)]
    events = list(conn.execute(select(account_events)
                               .where(account_events.c.account_id == account_id)
                               .order_by(account_events.c.id)))
    return views.account_detail(row, history, events)
