"""API tokens and who their holder is.

A token is ``secrets.token_urlsafe(32)``, shown once when it is created; the database keeps only
its sha256, so a copy of the database cannot be used to log in. Each token belongs to one person
and one role; what the role may touch (which accounts, which unit) is decided in ``access``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, insert, select

from .db import now, people, tokens
from .errors import BadRequest, Unauthenticated

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


def create_token(conn: Connection, *, role: Role, person_id: int | None, unit_id: int | None,
                 label: str) -> tuple[int, str]:
    """Store a new token's hash; returns (id, the token). The token is never stored."""
    role = Role(role)
    if role is not Role.ADMIN and person_id is None:
        raise BadRequest("a token for this role must belong to a person", field="person_id")
    if role is Role.UNIT_HEAD and unit_id is None:
        raise BadRequest("a unit head's token must name the unit", field="unit_id")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    result = conn.execute(insert(tokens).values(
        token_hash=hash_token(raw), person_id=person_id, role=str(role), unit_id=unit_id,
        label=label, created_at=now()))
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
    return Principal(row.id, row.person_id, row.name or "院长办公室管理员", Role(row.role),
                     row.unit_id)
