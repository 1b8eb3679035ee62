"""``screener serve``, ``screener init``, ``screener accounts ...``, ``screener tokens ...`` and
``screener audit verify``: the review service from the command line.

Mount with ``register(app)`` in cli.py. The registry commands act as the dean's office; they are
recorded in the audit log as ``cli:<os user>/admin``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import HomeOption, err, fail, out, settings_from
from .errors import ScreenerError

accounts_app = typer.Typer(help="The account registry (院长办公室): units, people, accounts, "
                                "roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: create (shown once) and revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def _engine(home: Path | None):
    from service.config import load_service_settings
    from service.db import make_engine, migrate
    from service.maintenance import ensure_baseline

    settings = settings_from(home)
    engine = make_engine(load_service_settings(settings).database_url)
    migrate(engine)
    ensure_baseline(engine, settings)
    from service.workdays import calendar_for, use_calendar

    use_calendar(calendar_for(settings.home))
    return settings, engine


def _actor() -> str:
    from .lexicon.store import default_user

    return f"cli:{default_user()}/admin"


def _print(data: object) -> None:
    out.print(json.dumps(data, ensure_ascii=False, indent=2), markup=False)


def ensure_admin_token(engine) -> str | None:
    """Create the first admin token if there is none; returns it (to print once) or None."""
    from sqlalchemy import select

    from service import audit
    from service.auth import Role, create_token
    from service.db import tokens, write

    with write(engine) as conn:
        if conn.execute(select(tokens.c.id).where(tokens.c.role == "admin")).first():
            return None
        token_id, raw = create_token(conn, role=Role.ADMIN, person_id=None, unit_id=None,
                                     label="first admin (screener init)")
        audit.append(conn, _actor(), "token.create", f"token:{token_id}",
                     {"role": "admin", "label": "first admin (screener init)"})
    return raw


def _announce(raw: str | None) -> None:
    if raw:
        out.print("admin token (shown once; store it safely, it cannot be shown again):",
                  markup=False)
        out.print(raw, markup=False)
    else:
        err.print("an admin token already exists; create more with "
                  "`screener tokens create --role admin`")


def init(home: HomeOption = None) -> None:
    """Create the service database and the first admin token (printed once)."""
    try:
        _, engine = _engine(home)
        raw = ensure_admin_token(engine)
    except ScreenerError as exc:
        raise fail(exc) from None
    _announce(raw)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    home: HomeOption = None,
) -> None:
    """Run the review service (API under /api, docs at /docs, reviewer pages at /)."""
    import uvicorn

    from service import create_app

    try:
        settings, engine = _engine(home)
        raw = ensure_admin_token(engine)
        if raw:
            _announce(raw)
        app = create_app(settings)
    except ScreenerError as exc:
        raise fail(exc) from None
    from .pipeline import freeze_long_lived

    freeze_long_lived()
    # One process: the screener's lexicon and models live in memory; requests use its threads.
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def _run(home: Path | None, action):
    from service.db import write

    try:
        settings, engine = _engine(home)
        with write(engine) as conn:
            return action(settings, conn)
    except ScreenerError as exc:
        raise fail(exc) from None
    except ValueError as exc:  # an enum value the registry does not know
        raise fail(ScreenerError(str(exc))) from None


@accounts_app.command("add-unit")
def add_unit(name: str, home: HomeOption = None) -> None:
    """Register a unit (单位)."""
    from service import registry

    _print(_run(home, lambda s, c: registry.create_unit(c, _actor(), name)))


@accounts_app.command("add-person")
def add_person(
    name: str,
    kind: Annotated[str, typer.Option(help="staff, student or external")] = "staff",
    unit: Annotated[int | None, typer.Option(help="unit id")] = None,
    home: HomeOption = None,
) -> None:
    """Register a person (staff, student or external)."""
    from service import registry

    _print(_run(home, lambda s, c: registry.create_person(c, _actor(), name, kind, unit)))


@accounts_app.command("add")
def add_account(
    name: str,
    unit: Annotated[int, typer.Option(help="unit id")],
    platform: Annotated[str, typer.Option(help="wechat, weibo or other")] = "wechat",
    opened_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    home: HomeOption = None,
) -> None:
    """Register an account; a name using 第二条's protected names is flagged."""
    from service import registry

    from .pipeline import Screener

    try:
        # Built before the write transaction: the screener opens the lexicon store, which may
        # share the database file and must not wait on our own write lock.
        screener = Screener(settings_from(home))
    except ScreenerError as exc:
        raise fail(exc) from None

    def action(settings, conn):
        return registry.create_account(conn, _actor(), screener, platform=platform,
                                       name=name, unit_id=unit, opened_on=opened_on)

    detail = _run(home, action)
    _print(detail)
    for finding in detail["name_findings"]:
        err.print(f"note: the name uses {finding['text']!r} ({finding['article']}): "
                  "the account falls under the rule", markup=False)


@accounts_app.command("assign")
def assign_role(
    account: int, person: int,
    role: Annotated[str, typer.Argument(help="first_responsible, responsible or operator")],
    effective_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD of the change")] = None,
    home: HomeOption = None,
) -> None:
    """Give a person a role on an account (dated; late reports are shown)."""
    from service import registry

    _print(_run(home, lambda s, c: registry.assign(c, _actor(), account, person, role,
                                                   effective_on)))


@accounts_app.command("status")
def set_status(
    account: int,
    status: Annotated[str, typer.Argument(help="closing or closed")],
    effective_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    home: HomeOption = None,
) -> None:
    """Mark an account closing or closed (第十四条)."""
    from service import registry

    _print(_run(home, lambda s, c: registry.set_status(c, _actor(), account, status,
                                                       effective_on)))


@accounts_app.command("list")
def list_accounts(home: HomeOption = None) -> None:
    """Every account, with its status and late reports."""
    from sqlalchemy import select

    from service import registry
    from service.db import accounts

    def action(settings, conn):
        ids = conn.execute(select(accounts.c.id).order_by(accounts.c.id)).scalars().all()
        return [registry.account_detail(conn, i) for i in ids]

    for a in _run(home, action):
        flags = []
        if a["protected_name"]:
            flags.append("protected name")
        if a["late_reports"]:
            flags.append(f"{a['late_reports']} late report(s)")
        if a["missing_roles"]:
            flags.append("missing " + ", ".join(a["missing_roles"]))
        if a["unchecked_deadlines"]:
            flags.append(f"{a['unchecked_deadlines']} deadline(s) unchecked: holiday calendar "
                         "lacks the year")
        out.print(f"{a['id']}\t{a['platform']}\t{a['status']}\t{a['name']}\t"
                  f"{'; '.join(flags)}", markup=False)


@accounts_app.command("show")
def show_account(account: int, home: HomeOption = None) -> None:
    """One account with its people and dated history."""
    from service import registry

    _print(_run(home, lambda s, c: registry.account_detail(c, account)))


@tokens_app.command("create")
def create_token(
    role: Annotated[str, typer.Option(help="operator, responsible, unit_head, maintainer, admin")],
    person: Annotated[int | None, typer.Option(help="person id")] = None,
    unit: Annotated[int | None, typer.Option(help="unit id (unit heads)")] = None,
    label: Annotated[str, typer.Option(help="what the token is for")] = "",
    expires_in_days: Annotated[int | None, typer.Option(
        help="Days until it stops working (default: until revoked).")] = None,
    home: HomeOption = None,
) -> None:
    """Create a token and print it once."""
    from service import audit, registry
    from service.auth import Role
    from service.auth import create_token as make

    def action(settings, conn):
        if person is not None:
            registry.get_person(conn, person)
        token_id, raw = make(conn, role=Role(role), person_id=person, unit_id=unit, label=label,
                             expires_in_days=expires_in_days)
        audit.append(conn, _actor(), "token.create", f"token:{token_id}",
                     {"role": role, "person_id": person, "unit_id": unit, "label": label,
                      "expires_in_days": expires_in_days})
        return token_id, raw

    token_id, raw = _run(home, action)
    err.print(f"token {token_id} ({role}); shown once:")
    out.print(raw, markup=False)


@tokens_app.command("revoke")
def revoke_token(token_id: int, home: HomeOption = None) -> None:
    """Revoke a token at once (a lost phone, a person who left)."""
    from service.auth import revoke

    row = _run(home, lambda s, c: revoke(c, _actor(), token_id))
    out.print(f"token {row.id} ({row.role}, {row.label or 'no label'}) revoked at "
              f"{row.revoked_at}", markup=False)


@tokens_app.command("list")
def list_tokens(home: HomeOption = None) -> None:
    """Every token: role, holder, label, and whether it still works (never the token)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from service.db import tokens

    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for r in _run(home, lambda s, c: c.execute(select(tokens).order_by(tokens.c.id)).all()):
        state = ("revoked" if r.revoked_at else
                 "expired" if r.expires_at and r.expires_at <= stamp else "active")
        until = f" until {r.expires_at}" if r.expires_at and state == "active" else ""
        out.print(f"{r.id}\t{r.role}\tperson {r.person_id or '-'}\t{state}{until}\t{r.label}",
                  markup=False)


@audit_app.command("verify")
def verify(
    head: Annotated[str | None, typer.Option(
        "--head", help="The head hash recorded earlier: also detects rows removed at the end.")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Check the audit chain; exit 1 naming the first edited, deleted or reordered row."""
    from service import audit
    from service.db import read
    from service.errors import AuditError
    from service.maintenance import unaudited

    try:
        settings, engine = _engine(home)
        with read(engine) as conn:
            result = audit.verify(conn, expected_head=head)
            missing = unaudited(conn, settings)
    except AuditError as exc:
        err.print(f"audit log BROKEN: {exc.message}", markup=False)
        raise typer.Exit(1) from None
    except ScreenerError as exc:
        raise fail(exc) from None
    if missing:
        err.print(f"audit log INCOMPLETE: {len(missing)} lexicon or asset change(s) are not in "
                  "it:", markup=False)
        for line in missing:
            err.print(f"  {line}", markup=False)
        raise typer.Exit(1)
    out.print(f"audit log OK: {result.rows} rows, head {result.hash}", markup=False)


def register(app: typer.Typer) -> None:
    """Mount every service command on the main ``screener`` app."""
    app.command("serve")(serve)
    app.command("init")(init)
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(audit_app, name="audit")


def main() -> None:
    """``python -m screener.cli_service ...``: the service commands alone (until cli.py mounts
    them; the benchmark uses this)."""
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    register(app)
    app()


if __name__ == "__main__":
    main()
