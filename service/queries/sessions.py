"""Who a log-in session belongs to, and what its person may switch to."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Engine, select

from ..access import require, roles_of
from ..auth import Principal, Role
from ..db import now, people, read, sessions, users
from ..errors import Unauthenticated


def principal(engine: Engine, cookie: str | None) -> Principal:
    """The person and role of a session cookie; Unauthenticated says why not (ended by
    log-out or a password change, expired, or the role is no longer held)."""
    if not cookie:
        raise Unauthenticated("please log in first")
    digest = hashlib.sha256(cookie.encode("utf-8")).hexdigest()
    with read(engine) as conn:
        row = conn.execute(
            select(sessions, users.c.roles, people.c.name)
            .select_from(sessions.join(users, sessions.c.user_id == users.c.id)
                         .join(people, sessions.c.person_id == people.c.id))
            .where(sessions.c.id_hash == digest)).first()
        if row is None:
            raise Unauthenticated("unknown session; please log in again")
        if row.ended_at is not None:
            raise Unauthenticated("the session has ended; please log in again")
        if row.expires_at <= now():
            raise Unauthenticated("the session has expired; please log in again")
        if Role(row.role) not in roles_of(conn, row.person_id, json.loads(row.roles)):
            raise Unauthenticated("the role is no longer yours; please log in again")
    return Principal(None, row.person_id, row.name, Role(row.role), None, session_id=row.id)


def roles(engine: Engine, p: Principal) -> list[Role]:
    """The roles the caller's person may switch to (one for a token)."""
    if p.session_id is None or p.person_id is None:
        return [p.role]
    with read(engine) as conn:
        granted = conn.execute(select(users.c.roles).where(users.c.person_id == p.person_id)
                               ).scalar()
        return roles_of(conn, p.person_id, json.loads(granted or "[]"))


def every_user(engine: Engine, p: Principal) -> list[dict[str, Any]]:
    """Every log-in, for the dean's office: never a password hash."""
    require(p, Role.ADMIN, doing="listing log-ins")
    stamp = now()
    with read(engine) as conn:
        rows = conn.execute(select(users, people.c.name)
                            .select_from(users.join(people, users.c.person_id == people.c.id))
                            .order_by(users.c.id)).all()
        return [{"person_id": r.person_id, "name": r.name, "username": r.username,
                 "granted_roles": json.loads(r.roles), "password": r.password_hash is not None,
                 "roles": [str(x) for x in roles_of(conn, r.person_id, json.loads(r.roles))],
                 "failed_logins": r.failed_logins,
                 "locked": bool(r.locked_until and r.locked_until > stamp),
                 "locked_until": r.locked_until} for r in rows]
