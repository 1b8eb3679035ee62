"""API tokens and who their holder is.

A token is ``secrets.token_urlsafe(32)``, shown once when it is created; the database keeps only
its sha256, so a copy of the database cannot be used to log in. Each token belongs to one person
and one role; what the role may touch (which accounts, which unit) is decided in ``access``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .db import now, people, tokens
from .errors import BadRequest, Conflict, NotFound, Unauthenticated

TOKEN_PREFIX = "scr_"  # recognizable in a leaked file or a secret scanner


class Role(StrEnum):
    OPERATOR = "operator"  # 具体运营人
    RESPONSIBLE = "responsible"  # 具体负责人
    UNIT_HEAD = "unit_head"  # 第一责任人
    MAINTAINER = "maintainer"  # lexicons and the asset bank
    ADMIN = "admin"  # 院长办公室 (dean's office)


ROLE_LABELS = {Role.OPERATOR: "具体运营人", Role.RESPONSIBLE: "具体负责人",
               Role.UNIT_HEAD: "第一责任人", Role.MAINTAINER: "词库维护人",
               Role.ADMIN: "院长办公室"}


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: int
    person_id: int | None
    name: str
    role: Role
    unit_id: int | None

    @property
    def actor(self) -> str:
        """How the audit log names this caller: person, role and token (never the token)."""
        who = f"person:{self.person_id}" if self.person_id else "system"
        return f"{who}/{self.role}/token:{self.token_id}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


MAX_DAYS = 3660


def expiry(days: int | None) -> str | None:
    """The time a token made now for ``days`` stops working (None: until revoked)."""
    if days is None:
        return None
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest(f"expires_in_days must be 1..{MAX_DAYS}", field="expires_in_days")
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


def create_token(conn: Connection, *, role: Role, person_id: int | None, unit_id: int | None,
                 label: str, expires_in_days: int | None = None) -> tuple[int, str]:
    """Store a new token's hash; returns (id, the token). The token is never stored."""
    role = Role(role)
    expires_at = expiry(expires_in_days)
    if role is not Role.ADMIN and person_id is None:
        raise BadRequest("a token for this role must belong to a person", field="person_id")
    if role is Role.UNIT_HEAD and unit_id is None:
        raise BadRequest("a unit head's token must name the unit", field="unit_id")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    result = conn.execute(insert(tokens).values(
        token_hash=hash_token(raw), person_id=person_id, role=str(role), unit_id=unit_id,
        label=label, created_at=now(), expires_at=expires_at))
    return result.inserted_primary_key[0], raw


def principal_for(conn: Connection, raw: str | None) -> Principal:
    if not raw:
        raise Unauthenticated("no token: send 'Authorization: Bearer <token>' or log in")
    row = conn.execute(
        select(tokens, people.c.name)
        .select_from(tokens.outerjoin(people, tokens.c.person_id == people.c.id))
        .where(tokens.c.token_hash == hash_token(raw.strip()))
    ).first()
    if row is None:
        raise Unauthenticated("unknown token")
    if row.revoked_at is not None:
        raise Unauthenticated("this token was revoked")
    if row.expires_at is not None and datetime.fromisoformat(row.expires_at) <= datetime.now(UTC):
        raise Unauthenticated(f"this token expired at {row.expires_at}; ask the dean's office "
                              "for a new one")
    return Principal(row.id, row.person_id, row.name or "院长办公室管理员", Role(row.role),
                     row.unit_id)


def revoke(conn: Connection, actor: str, token_id: int) -> Any:
    """Revoke a token (audited); the token's row after it."""
    from . import audit

    row = conn.execute(select(tokens).where(tokens.c.id == token_id)).first()
    if row is None:
        raise NotFound(f"no token with id {token_id}", field="token_id")
    if row.revoked_at:
        raise Conflict("the token is already revoked")
    conn.execute(update(tokens).where(tokens.c.id == token_id).values(revoked_at=now()))
    audit.append(conn, actor, "token.revoke", f"token:{token_id}", {})
    return conn.execute(select(tokens).where(tokens.c.id == token_id)).one()
