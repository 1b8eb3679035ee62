"""Who may do what. Every refusal raises Forbidden with the reason in words.

Roles come from the token or the session; which accounts a role reaches comes from the registry as
it is today (a 具体负责人 replaced yesterday can no longer sign off; a unit head reads the units
the registry makes them 第一责任人 of, whatever unit a token names). Checks fail closed: anything
not explicitly allowed is refused. Use cases and queries call these before they act.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from screener.i18n import N_

from .auth import GRANTED_ROLES, ROLE_LABELS, ROLE_ORDER, Principal, Role
from .db import reports
from .errors import Forbidden, Named
from .labels import ROLE
from .queries.rows import accounts_of, current_assignments, get_account, headed_units, unit_accounts
from .roles import AccountRole, AccountStatus

READERS = (Role.ADMIN, Role.UNIT_HEAD, Role.RESPONSIBLE, Role.OPERATOR)  # of accounts, drafts


def require(p: Principal, *roles: Role, doing: str) -> None:
    if p.role not in roles:
        allowed = Named(ROLE, roles, "、".join(f"{ROLE_LABELS[r]} ({r})" for r in roles))
        raise Forbidden("{doing} is for {allowed}; this token is {role}", doing=doing,
                        allowed=allowed, role=str(p.role))


def readable_accounts(conn: Connection, p: Principal) -> set[int] | None:
    """Account ids the caller may read, or None for all of them (the dean's office)."""
    if p.role is Role.ADMIN:
        return None
    if p.role is Role.OPERATOR:
        return accounts_of(conn, p.person_id, AccountRole.OPERATOR)
    if p.role is Role.RESPONSIBLE:
        return accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE)
    if p.role is Role.UNIT_HEAD:
        return {a for unit in headed_units(conn, p.person_id) for a in unit_accounts(conn, unit)}
    return set()


def check_unit_head(conn: Connection, p: Principal, unit_id: int, refusal: str) -> None:
    """The dean's office reaches every unit; a 第一责任人 only the units the registry makes them
    head of today, whatever unit their token names."""
    if p.role is Role.UNIT_HEAD and unit_id not in headed_units(conn, p.person_id):
        raise Forbidden(refusal)


def units_listed(conn: Connection, p: Principal, unit_id: int | None, refusal: str
                 ) -> set[int] | None:
    """The units a listing covers: ``unit_id`` if given (and reachable), else every unit
    (None) for the dean's office and the units a 第一责任人 heads today."""
    if unit_id is not None:
        check_unit_head(conn, p, unit_id, refusal)
        return {unit_id}
    return headed_units(conn, p.person_id) if p.role is Role.UNIT_HEAD else None


def roles_of(conn: Connection, person_id: int, granted: list[str]) -> list[Role]:
    """The roles a person may act in when logged in: what the registry gives them today
    (operator, 具体负责人, 第一责任人 of some account) and what their log-in was granted (the dean's
    office, maintainer), in the order a session prefers."""
    held = {Role(r) for r in granted if r in GRANTED_ROLES}
    for role, account_role in ((Role.OPERATOR, AccountRole.OPERATOR),
                               (Role.RESPONSIBLE, AccountRole.RESPONSIBLE),
                               (Role.UNIT_HEAD, AccountRole.FIRST_RESPONSIBLE)):
        if accounts_of(conn, person_id, account_role):
            held.add(role)
    return [r for r in ROLE_ORDER if r in held]


def editors(conn: Connection, draft_id: int) -> set[int]:
    """Everyone who wrote a revision of the draft (the submitter and each editor)."""
    return set(conn.execute(select(reports.c.revised_by).where(
        reports.c.draft_id == draft_id, reports.c.revised_by.is_not(None))).scalars())


def check_read_account(conn: Connection, p: Principal, account_id: int) -> Any:
    account = get_account(conn, account_id)
    allowed = readable_accounts(conn, p)
    if allowed is not None and account_id not in allowed:
        raise Forbidden("account {account} is not one of yours ({role} reads only their own "
                        "accounts or unit)", account=account_id, role=str(p.role))
    return account


def check_submit(conn: Connection, p: Principal, account_id: int) -> Any:
    require(p, Role.OPERATOR, doing=N_("submitting drafts"))
    account = get_account(conn, account_id)
    if account_id not in accounts_of(conn, p.person_id, AccountRole.OPERATOR):
        raise Forbidden("you are not a 具体运营人 of account {account} ({name}); operators "
                        "submit only to their own accounts (第九条)", account=account_id,
                        name=account.name)
    return check_account_active(conn, account_id)


def check_account_active(conn: Connection, account_id: int) -> Any:
    """Only an approved account that still operates takes drafts at any step: submit, edit,
    sign-off, publish (第六条: approval first; 第十四条: a stopped account posts no more)."""
    account = get_account(conn, account_id)
    if account.status != AccountStatus.ACTIVE:
        raise Forbidden("account {name} is {status}: only an approved account in operation "
                        "takes, signs off and publishes drafts (第六条, 第十四条)",
                        name=account.name, status=str(account.status))
    return account


def check_read_draft(conn: Connection, p: Principal, draft: Any) -> None:
    if p.role is Role.ADMIN:
        return
    allowed = readable_accounts(conn, p)
    if allowed is None or draft.account_id in allowed:
        return
    raise Forbidden("draft {draft} belongs to an account that is not yours", draft=draft.id)


def check_sign(conn: Connection, p: Principal, draft: Any) -> None:
    if draft.route == "dean":
        if p.role is not Role.ADMIN:
            raise Forbidden("this draft reports a major matter (第十三条): only the dean's "
                            "office (院长办公室) signs it off")
    else:
        require(p, Role.RESPONSIBLE, doing=N_("signing off drafts"))
        if draft.account_id not in accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE):
            raise Forbidden("only the account's 具体负责人 signs off its drafts (第八条); "
                            "you are not the 具体负责人 of this account")
    if p.person_id is not None and (draft.submitted_by == p.person_id
                                    or p.person_id in editors(conn, draft.id)):
        raise Forbidden("you wrote or edited this draft; nobody signs off text they wrote or "
                        "edited in any revision")
    check_account_active(conn, draft.account_id)


def check_edit(conn: Connection, p: Principal, draft: Any) -> None:
    require(p, Role.OPERATOR, doing=N_("editing drafts"))
    if draft.account_id not in accounts_of(conn, p.person_id, AccountRole.OPERATOR):
        raise Forbidden("you are not a 具体运营人 of this draft's account")
    check_account_active(conn, draft.account_id)


def check_publish(conn: Connection, p: Principal, draft: Any) -> None:
    require(p, Role.OPERATOR, doing=N_("publishing"))
    if draft.account_id not in accounts_of(conn, p.person_id, AccountRole.OPERATOR):
        raise Forbidden("only a 具体运营人 of the account publishes its posts (第九条)")
    check_account_active(conn, draft.account_id)


def check_resolve(conn: Connection, p: Principal, recheck: Any) -> None:
    """A published post a re-screening flagged is decided like a sign-off (第八条, 第十三条)."""
    if recheck.route == "dean":
        if p.role is not Role.ADMIN:
            raise Forbidden("this published post reports a major matter (第十三条): only the "
                            "dean's office (院长办公室) decides whether it stays")
        return
    if p.role is Role.ADMIN and not current_assignments(conn, recheck.account_id,
                                                        AccountRole.RESPONSIBLE):
        return  # the account has no 具体负责人 now: the dean's office decides (fail closed)
    require(p, Role.RESPONSIBLE, doing=N_("deciding on a published post that needs review"))
    if recheck.account_id not in accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE):
        raise Forbidden("only the account's 具体负责人 decides on its published posts (第八条); "
                        "you are not the 具体负责人 of this account")
