"""What the dean's office's pages read: the registry at a glance (units, people and their
log-ins, accounts with their deadlines), one account with its dated history, the tokens, and
the audit log's check with its latest rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from screener.i18n import N_
from screener.settings import Settings

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..db import audit_log, people, read, tokens, units
from . import audit, registry, sessions
from .rows import account_detail, get_account

DOING = N_("the dean's office's pages")


def overview(engine: Engine, p: Principal) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=DOING)
    with read(engine) as conn:
        unit_rows = [views.unit(r) for r in conn.execute(select(units).order_by(units.c.id))]
        person_rows = [views.person(r) for r in conn.execute(select(people)
                                                              .order_by(people.c.id))]
    logins = {u["person_id"]: u for u in sessions.every_user(engine, p)}
    unit_names = {u["id"]: u["name"] for u in unit_rows}
    for person in person_rows:
        person["unit"] = unit_names.get(person["unit_id"], "")
        person["login"] = logins.get(person["id"])
    accounts = registry.all_accounts(engine, p)
    for account in accounts:
        account["unit"] = unit_names.get(account["unit_id"], "")
    return {"units": unit_rows, "people": person_rows, "accounts": accounts}


def account(engine: Engine, p: Principal, account_id: int) -> dict[str, Any]:
    """An account in detail and the people who could be given a role on it."""
    require(p, Role.ADMIN, doing=DOING)
    with read(engine) as conn:
        get_account(conn, account_id)
        detail = account_detail(conn, account_id)
        unit = conn.execute(select(units.c.name).where(units.c.id == detail["unit_id"])
                            ).scalar()
        candidates = [views.person(r) for r in conn.execute(select(people)
                                                             .order_by(people.c.id))]
    return {"account": {**detail, "unit": unit or ""}, "people": candidates}


def token_list(engine: Engine, p: Principal) -> dict[str, Any]:
    """Every token's record (never a token), with the holder's name; the people and units a
    new token may name."""
    require(p, Role.ADMIN, doing=DOING)
    with read(engine) as conn:
        names = dict(conn.execute(select(people.c.id, people.c.name)).all())
        unit_rows = [views.unit(r) for r in conn.execute(select(units).order_by(units.c.id))]
        rows = conn.execute(select(tokens).order_by(tokens.c.id.desc())).all()
    shown = [{**views.token(r), "holder": names.get(r.person_id, "")} for r in rows]
    return {"tokens": shown, "people": [{"id": k, "name": v} for k, v in sorted(names.items())],
            "units": unit_rows}


def audit_page(engine: Engine, p: Principal, settings: Settings,
               latest: int = 30) -> dict[str, Any]:
    """``audit verify``'s answer (the head to note on paper, or the first bad row) and the
    latest rows of the log, newest first."""
    require(p, Role.ADMIN, doing=DOING)
    result = audit.verify(engine, p, settings)
    with read(engine) as conn:
        total = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(latest)
                            ).all()
    return {"verify": result, "total": total, "rows": [views.audit_row(r) for r in rows]}
