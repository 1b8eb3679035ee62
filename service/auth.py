"""Who a caller is: the holder of an API token (programs) or of a log-in session (people).

A token is ``secrets.token_urlsafe(32)``, shown once when it is created; the database keeps only
its sha256, so a copy of the database cannot be used to log in. Each token belongs to one person
and one role. A session is a person logged in with a password or the campus single sign-on,
acting in one of the roles they hold (``sessions``). What the role may touch (which accounts,
which unit) is decided in ``access``, from the registry as it is today.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, select

from .db import people, tokens
from .errors import BadRequest, Unauthenticated

TOKEN_PREFIX = "scr_"  # recognizable in a leaked file or a secret scanner


class Role(StrEnum):
    OPERATOR = "operator"  # 具体运营人
    RESPONSIBLE = "responsible"  # 具体负责人
    UNIT_HEAD = "unit_head"  # 第一责任人
    MAINTAINER = "maintainer"  # lexicons and the asset bank
    ADMIN = "admin"  # 院长办公室 (dean's office)


# The role a session starts in when the person holds several (switched from the page header).
ROLE_ORDER = (Role.ADMIN, Role.RESPONSIBLE, Role.UNIT_HEAD, Role.MAINTAINER, Role.OPERATOR)
# Roles the registry cannot show (no account role gives them): granted to a log-in.
GRANTED_ROLES = (Role.ADMIN, Role.MAINTAINER)

ROLE_LABELS = {Role.OPERATOR: "具体运营人", Role.RESPONSIBLE: "具体负责人",
               Role.UNIT_HEAD: "第一责任人", Role.MAINTAINER: "词库维护人",
               Role.ADMIN: "院长办公室"}


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: int | None
    person_id: int | None
    name: str
    role: Role
    unit_id: int | None
    # How the audit log names a caller without a token (a command run on the server).
    via: str | None = None
    session_id: int | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller: person, role and token or session (never the
        token or the session's cookie)."""
        if self.via:
            return self.via
        who = f"person:{self.person_id}" if self.person_id else "system"
        how = f"session:{self.session_id}" if self.session_id else f"token:{self.token_id}"
        return f"{who}/{self.role}/{how}"


def local_principal(role: Role, actor: str) -> Principal:
    """Whoever runs a command on the server acts in ``role``, named ``actor`` in the log
    (``cli:<os user>/admin``): the registry commands act as the dean's office."""
    return Principal(0, None, ROLE_LABELS[role], role, None, via=actor)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


MAX_DAYS = 3660


def expiry(days: int | None) -> str | None:
    """The time a token made now for ``days`` stops working (None: until revoked)."""
    if days is None:
        return None
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest("expires_in_days must be 1..{most}", field="expires_in_days",
                         most=MAX_DAYS)
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


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
        raise Unauthenticated("this token expired at {at}; ask the dean's office for a new one",
                              at=row.expires_at)
    return Principal(row.id, row.person_id, row.name or "院长办公室管理员", Role(row.role),
                     row.unit_id)
