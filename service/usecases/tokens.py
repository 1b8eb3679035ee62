"""API tokens: created (shown once, only the sha256 stored) and revoked by the dean's office."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import insert, select, update

from screener.i18n import N_

from .. import views
from ..access import require
from ..auth import TOKEN_PREFIX, Principal, Role, expiry, hash_token
from ..db import now, tokens
from ..errors import BadRequest, Conflict, NotFound
from ..queries.rows import get_person, get_unit
from ..uow import UnitOfWork, unit_of_work


def _insert(uow: UnitOfWork, *, role: Role, person_id: int | None, unit_id: int | None,
            label: str, expires_in_days: int | None) -> tuple[Any, str]:
    expires_at = expiry(expires_in_days)
    if role is not Role.ADMIN and person_id is None:
        raise BadRequest("a token for this role must belong to a person", field="person_id")
    if role is Role.UNIT_HEAD and unit_id is None:
        raise BadRequest("a unit head's token must name the unit", field="unit_id")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = uow.conn.execute(insert(tokens).values(
        token_hash=hash_token(raw), person_id=person_id, role=str(role), unit_id=unit_id,
        label=label, created_at=now(), expires_at=expires_at)).inserted_primary_key[0]
    return uow.conn.execute(select(tokens).where(tokens.c.id == token_id)).one(), raw


def create_token(engine, p: Principal, *, role: str, person_id: int | None = None,
                 unit_id: int | None = None, label: str = "",
                 expires_in_days: int | None = None) -> dict[str, Any]:
    """A new token: its record and, under ``token``, the token itself (never shown again)."""
    require(p, Role.ADMIN, doing=N_("creating tokens"))
    try:
        role = Role(role)
    except ValueError:
        raise BadRequest("role must be one of {roles}", field="role",
                         roles=", ".join(Role)) from None
    with unit_of_work(engine, p.actor) as uow:
        if person_id is not None:
            get_person(uow.conn, person_id)
        if unit_id is not None:
            get_unit(uow.conn, unit_id)
        row, raw = _insert(uow, role=role, person_id=person_id, unit_id=unit_id, label=label,
                           expires_in_days=expires_in_days)
        uow.audit("token.create", f"token:{row.id}",
                  {"role": str(role), "person_id": person_id, "unit_id": unit_id,
                   "label": label, "expires_at": row.expires_at})
    return {**views.token(row), "token": raw}


def ensure_admin_token(engine, actor: str) -> str | None:
    """The first admin token, made when there is none (``screener init`` and ``serve``):
    the token to print once, or None."""
    label = "first admin (screener init)"
    with unit_of_work(engine, actor) as uow:
        if uow.conn.execute(select(tokens.c.id).where(tokens.c.role == "admin")).first():
            return None
        row, raw = _insert(uow, role=Role.ADMIN, person_id=None, unit_id=None, label=label,
                           expires_in_days=None)
        uow.audit("token.create", f"token:{row.id}", {"role": "admin", "label": label})
    return raw


def revoke_token(engine, p: Principal, token_id: int) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("revoking tokens"))
    with unit_of_work(engine, p.actor) as uow:
        row = uow.conn.execute(select(tokens).where(tokens.c.id == token_id)).first()
        if row is None:
            raise NotFound("no token with id {id}", field="token_id", id=token_id)
        if row.revoked_at:
            raise Conflict("the token is already revoked")
        uow.conn.execute(update(tokens).where(tokens.c.id == token_id).values(revoked_at=now()))
        uow.audit("token.revoke", f"token:{token_id}", {})
        return views.token(uow.conn.execute(select(tokens).where(tokens.c.id == token_id)).one())
