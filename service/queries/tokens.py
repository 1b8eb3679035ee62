"""Tokens: who holds one (never the token), and who a presented token belongs to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from screener.i18n import N_

from .. import views
from ..access import readable_accounts, require
from ..auth import ROLE_LABELS, Principal, Role, principal_for
from ..db import read, tokens
from . import count_page


def principal(engine: Engine, raw: str | None) -> Principal:
    """The caller a token names; Unauthenticated says why not."""
    with read(engine) as conn:
        return principal_for(conn, raw)


def me(engine: Engine, p: Principal) -> dict[str, Any]:
    with read(engine) as conn:
        allowed = readable_accounts(conn, p)
    return {"person_id": p.person_id, "name": p.name, "role": p.role,
            "role_label": ROLE_LABELS[p.role], "unit_id": p.unit_id, "token_id": p.token_id,
            "accounts": None if allowed is None else sorted(allowed)}


def listing(engine: Engine, p: Principal, limit: int, offset: int) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("listing tokens"))
    with read(engine) as conn:
        return count_page(conn, select(tokens).order_by(tokens.c.id), limit, offset, views.token)


def every_token(engine: Engine, p: Principal) -> list[Any]:
    require(p, Role.ADMIN, doing=N_("listing tokens"))
    with read(engine) as conn:
        return conn.execute(select(tokens).order_by(tokens.c.id)).all()
