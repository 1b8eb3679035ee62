"""People's log-ins: user names and passwords, the campus single sign-on, sessions, lock-out.

A log-in opens a server-side session: a random id goes to the browser's cookie once, the table
keeps its sha256 (a copy of the database opens no session). Log-out ends it here, so a copied
cookie stops working at once. Every log-in, failed log-in, lock-out, log-out, role switch and
password change is audited in the transaction that makes it.

Guessing is slowed twice: failures per client address are counted in memory (``ratelimit``;
beyond the limit an address waits, 429), and failures in a row per user name are counted in the
database: at ``max_failed_logins`` the name is locked for ``lockout_minutes`` (the password is
then not even checked). An unknown user name costs the same argon2 verify as a known one and
gets the same answer.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from screener.i18n import N_
from screener.normalize.hidden import plain_name

from ..access import require, roles_of
from ..auth import GRANTED_ROLES, Principal, Role
from ..context import Services
from ..db import now, read, sessions, users
from ..errors import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests, Unauthenticated
from ..passwords import Passwords, check_policy
from ..queries.rows import get_person
from ..ratelimit import FailureWindow
from ..uow import UnitOfWork, unit_of_work
from .registry import create_person

WRONG = N_("wrong user name or password")
_USERNAME = re.compile(r"^[\w.@+-]{2,100}$")


@dataclass(frozen=True)
class Opened:
    """A new session: ``cookie`` goes to the browser once and is never stored or logged."""

    cookie: str
    principal: Principal
    expires_at: str


def session_hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def clean_username(username: str) -> str:
    """Compared as typed on a phone or a keyboard: NFKC, lower case, no hidden characters."""
    name = unicodedata.normalize("NFKC", username).strip().lower()
    if not _USERNAME.match(name):
        raise BadRequest("a user name is 2-100 letters, digits or . _ - @ +", field="username")
    try:
        return plain_name(name)
    except ValueError as exc:
        raise BadRequest("user name {problem}", field="username", problem=str(exc)) from None


def _passwords(svc: Services) -> Passwords:
    found = svc.state.get("passwords")
    if found is None:
        found = svc.state["passwords"] = Passwords(svc.config.password_time_cost,
                                                   svc.config.password_memory_kib)
    return found


def _limiter(svc: Services) -> FailureWindow:
    return svc.state.setdefault("login_failures",
                                FailureWindow(svc.config.login_failures_per_minute))


def _later(hours: float = 0, minutes: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours, minutes=minutes)
            ).isoformat(timespec="seconds")


def _open(svc: Services, uow: UnitOfWork, user: Any, method: str, client: str,
          detail: dict[str, Any]) -> Opened | None:
    """A session for ``user`` in their first role, audited; None when they hold no role."""
    roles = roles_of(uow.conn, user.person_id, json.loads(user.roles))
    if not roles:
        return None
    cookie = secrets.token_urlsafe(32)
    expires = _later(hours=svc.config.session_hours)
    session_id = uow.conn.execute(insert(sessions).values(
        id_hash=session_hash(cookie), user_id=user.id, person_id=user.person_id,
        role=str(roles[0]), method=method, created_at=now(), expires_at=expires
    )).inserted_primary_key[0]
    uow.conn.execute(update(users).where(users.c.id == user.id)
                     .values(failed_logins=0, locked_until=None))
    name = get_person(uow.conn, user.person_id).name
    p = Principal(None, user.person_id, name, roles[0], None, session_id=session_id)
    uow.audit("auth.login", f"person:{user.person_id}",
              {"method": method, "session_id": session_id, "role": str(roles[0]),
               "username": user.username, "client": client, "expires_at": expires, **detail},
              actor=p.actor)
    return Opened(cookie, p, expires)


def _failed(uow: UnitOfWork, user: Any, username: str, reason: str, client: str,
            max_failed: int, lock_minutes: float) -> bool:
    """Count and audit a failed log-in; True if it locked the user name just now."""
    subject = f"person:{user.person_id}" if user is not None else f"login:{username}"
    uow.audit("auth.login_failed", subject,
              {"username": username, "reason": reason, "client": client},
              actor=f"client:{client}")
    if user is None or reason in ("locked", "no_role"):
        return False
    failures = user.failed_logins + 1
    locking = failures >= max_failed
    values: dict[str, Any] = {"failed_logins": failures}
    if locking:
        values["locked_until"] = _later(minutes=lock_minutes)
    uow.conn.execute(update(users).where(users.c.id == user.id).values(**values))
    if locking:
        uow.audit("auth.lockout", subject,
                  {"username": username, "failures": failures,
                   "locked_until": values["locked_until"]}, actor=f"client:{client}")
    return locking


def login(svc: Services, username: str, password: str, client: str) -> Opened:
    """Log in with a user name and password; Unauthenticated (401), Forbidden (403, locked or
    no role) or TooManyRequests (429) say why not, after the failure is audited."""
    limiter = _limiter(svc)
    wait = limiter.wait(client)
    if wait:
        raise TooManyRequests("too many failed log-ins from this address; try again in "
                              "{seconds} seconds", retry_after=wait, seconds=wait)
    try:
        name = clean_username(username)
    except BadRequest:
        name = username.strip()[:100]
    with read(svc.engine) as conn:
        user = conn.execute(select(users).where(users.c.username == name)).first()
    stamp = now()
    locked = user is not None and user.locked_until is not None and user.locked_until > stamp
    good = not locked and _passwords(svc).verify(user.password_hash if user else None,
                                                 password[:1024])
    config = svc.config
    opened, reason, locking = None, "", False
    with unit_of_work(svc.engine, f"client:{client}") as uow:
        current = (uow.conn.execute(select(users).where(users.c.id == user.id)).first()
                   if user is not None else None)
        if good and current is not None and current.password_hash == user.password_hash \
                and not (current.locked_until and current.locked_until > now()):
            opened = _open(svc, uow, current, "password", client, {})
            reason = "" if opened else "no_role"
        else:
            reason = "locked" if locked else ("unknown_user" if user is None else "password")
        if opened is None:
            locking = _failed(uow, current, name, reason, client, config.max_failed_logins,
                              config.lockout_minutes)
    if opened is not None:
        return opened
    limiter.failed(client)
    if locked or locking:
        minutes = format(config.lockout_minutes, "g")
        raise Forbidden("this user name is locked after {count} failed log-ins in a row; try "
                        "again in {minutes} minutes, or ask the dean's office to unlock it",
                        count=config.max_failed_logins, minutes=minutes)
    if reason == "no_role":
        raise Forbidden("you hold no role in the registry; ask the dean's office")
    raise Unauthenticated(WRONG)


def login_sso(svc: Services, username: str, client: str, issuer: str) -> Opened:
    """Log in a person the campus single sign-on vouched for, by their user name."""
    try:
        name = clean_username(username)
    except BadRequest:
        name = username.strip()[:100]
    opened, reason = None, "sso_unknown_user"
    with unit_of_work(svc.engine, f"client:{client}") as uow:
        user = uow.conn.execute(select(users).where(users.c.username == name)).first()
        if user is not None:
            opened = _open(svc, uow, user, "sso", client, {"issuer": issuer})
            reason = "no_role"
        if opened is None:
            _failed(uow, user, name, reason, client, svc.config.max_failed_logins,
                    svc.config.lockout_minutes)
    if opened is None:
        raise Forbidden("the campus sign-on user {name} is not registered here or holds no "
                        "role; ask the dean's office", name=repr(name))
    return opened


def sso_refused(svc: Services, client: str, reason: str) -> None:
    """A sign-on that came back without a valid answer (a forged or replayed callback, a
    state of another browser, an expired flow): audited as a failed log-in."""
    with unit_of_work(svc.engine, f"client:{client}") as uow:
        uow.audit("auth.login_failed", "login:sso",
                  {"reason": f"sso:{reason}"[:100], "client": client}, actor=f"client:{client}")


def logout(svc: Services, p: Principal) -> None:
    """End the caller's session here, so its cookie opens nothing any more."""
    if p.session_id is None:
        return
    with unit_of_work(svc.engine, p.actor) as uow:
        ended = uow.conn.execute(update(sessions).where(
            sessions.c.id == p.session_id, sessions.c.ended_at.is_(None)
        ).values(ended_at=now(), end_reason="logout")).rowcount
        if ended:
            uow.audit("auth.logout", f"person:{p.person_id}", {"session_id": p.session_id})


def switch_role(svc: Services, p: Principal, role: str) -> Principal:
    """Act in another role the person holds (someone both operator and 具体负责人)."""
    if p.session_id is None:
        raise Forbidden("switching roles is for people logged in; a token has one role")
    with unit_of_work(svc.engine, p.actor) as uow:
        user = uow.conn.execute(select(users).join(sessions, sessions.c.user_id == users.c.id)
                                .where(sessions.c.id == p.session_id)).one()
        held = roles_of(uow.conn, p.person_id, json.loads(user.roles))
        if role not in held:
            raise Forbidden("you do not hold the role {role}", role=role)
        new = Role(role)
        uow.conn.execute(update(sessions).where(sessions.c.id == p.session_id)
                         .values(role=str(new)))
        uow.audit("auth.role", f"person:{p.person_id}",
                  {"session_id": p.session_id, "from": str(p.role), "to": str(new)})
    return Principal(None, p.person_id, p.name, new, None, session_id=p.session_id)


def _granted(roles: list[str] | None) -> list[str] | None:
    if roles is None:
        return None
    allowed = {str(r) for r in GRANTED_ROLES}
    for role in roles:
        if role not in allowed:
            raise BadRequest("granted roles are {allowed}; the others come from the registry "
                             "(got {got})", field="roles", allowed=", ".join(sorted(allowed)),
                             got=repr(role))
    return sorted(set(roles))


def set_password(svc: Services, p: Principal, person_id: int, username: str, password: str,
                 roles: list[str] | None = None) -> dict[str, Any]:
    """Give a person a log-in (or a new password): the dean's office. Their open sessions end;
    a lock-out is lifted. ``roles`` grants admin/maintainer (None: keep what was granted)."""
    require(p, Role.ADMIN, doing="setting passwords")
    name = clean_username(username)
    check_policy(password, name)
    granted = _granted(roles)
    digest = _passwords(svc).hash(password)  # slow: before the write lock
    with unit_of_work(svc.engine, p.actor) as uow:
        person = get_person(uow.conn, person_id)
        taken = uow.conn.execute(select(users.c.person_id).where(users.c.username == name)
                                 ).scalar()
        if taken is not None and taken != person_id:
            raise Conflict("the user name {name} is taken by someone else", field="username",
                           name=repr(name))
        row = uow.conn.execute(select(users).where(users.c.person_id == person_id)).first()
        stamp = now()
        if row is None:
            granted = granted or []
            uow.conn.execute(insert(users).values(
                person_id=person_id, username=name, password_hash=digest,
                roles=json.dumps(granted), failed_logins=0, created_at=stamp, updated_at=stamp))
        else:
            granted = json.loads(row.roles) if granted is None else granted
            uow.conn.execute(update(users).where(users.c.id == row.id).values(
                username=name, password_hash=digest, roles=json.dumps(granted),
                failed_logins=0, locked_until=None, updated_at=stamp))
        ended = uow.conn.execute(update(sessions).where(
            sessions.c.person_id == person_id, sessions.c.ended_at.is_(None)
        ).values(ended_at=stamp, end_reason="password_changed")).rowcount
        uow.audit("user.password", f"person:{person_id}",
                  {"username": name, "granted_roles": granted, "sessions_ended": ended})
    return {"person_id": person_id, "name": person.name, "username": name,
            "granted_roles": granted, "sessions_ended": ended}


def unlock(engine: Engine, p: Principal, person_id: int) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="unlocking log-ins")
    with unit_of_work(engine, p.actor) as uow:
        row = uow.conn.execute(select(users).where(users.c.person_id == person_id)).first()
        if row is None:
            raise NotFound("person {person} has no log-in", field="person_id", person=person_id)
        uow.conn.execute(update(users).where(users.c.id == row.id)
                         .values(failed_logins=0, locked_until=None, updated_at=now()))
        uow.audit("user.unlock", f"person:{person_id}", {"username": row.username})
    return {"person_id": person_id, "username": row.username, "locked": False}


def first_admin(svc: Services, p: Principal, name: str, username: str,
                password: str) -> dict[str, Any]:
    """``screener init --admin-username``: the dean's office's first person with a log-in."""
    require(p, Role.ADMIN, doing="setting up the first admin")
    check_policy(password, clean_username(username))
    with read(svc.engine) as conn:
        for row in conn.execute(select(users.c.roles)):
            if "admin" in json.loads(row.roles):
                raise Conflict("the dean's office has a log-in already; manage it with screener "
                               "users set-password")
    person = create_person(svc.engine, p, name, "staff", None)
    return set_password(svc, p, person["id"], username, password, ["admin"])
