"""``screener serve``, ``screener init``, ``screener accounts ...``, ``screener tokens ...``,
``screener users ...`` and ``screener audit verify|head``: the review service from the command
line.

The service's plugin (``plugin.register_commands``) mounts them on the ``screener`` command;
``python -m screener_service.cli`` runs them alone. The registry commands act as the dean's
office; they are recorded in the audit log as ``cli:<os user>/admin``. The service's modules are
imported inside the commands: this module is loaded by every ``screener`` call (``screener
screen`` too), which must not pay for FastAPI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from screener.cli_common import HomeOption, err, out, settings_from
from screener.cli_common import fail as _fail
from screener.errors import ScreenerError

accounts_app = typer.Typer(help="The account registry (院长办公室): units, people, accounts, "
                                "roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: create (shown once) and revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The keyed, hash-chained audit log.", no_args_is_help=True)
users_app = typer.Typer(help="People's log-ins (user name and password) for the pages.",
                        no_args_is_help=True)


def fail(exc: ScreenerError) -> typer.Exit:
    """One line and exit 30; the service's own errors in the interface language."""
    from .errors import ServiceError
    from .labels import SERVICE_CATALOG

    if isinstance(exc, ServiceError):
        from screener.i18n import DEFAULT_LOCALE, translations

        try:
            locale = settings_from(None).locale
        except ScreenerError:  # the settings' own error is reported elsewhere
            locale = DEFAULT_LOCALE
        tr = translations(locale, (SERVICE_CATALOG,))
        exc = ScreenerError(exc.localized(tr))
    return _fail(exc)


def _open(home: Path | None):
    from .bootstrap import open_services

    return open_services(settings_from(home))[0]


def _admin():
    """Whoever runs these commands acts as the dean's office (``cli:<os user>/admin``)."""
    from .auth import Role, local_principal
    from .context import cli_actor

    return local_principal(Role.ADMIN, cli_actor("admin"))


def _print(data: object) -> None:
    out.print(json.dumps(data, ensure_ascii=False, indent=2), markup=False)


def _announce(raw: str | None) -> None:
    if raw:
        out.print("admin token (shown once; store it safely, it cannot be shown again):",
                  markup=False)
        out.print(raw, markup=False)
    else:
        err.print("an admin token already exists; create more with "
                  "`screener tokens create --role admin`")


def _first_admin(svc) -> str | None:
    from .context import cli_actor
    from .usecases.tokens import ensure_admin_token

    return ensure_admin_token(svc.engine, cli_actor("admin"))


def _read_password(confirm: bool = True) -> str:
    """The password from standard input, never from the command line (it would show in the
    process list and the shell's history): typed twice at a terminal, else one line."""
    import sys
    from getpass import getpass

    if sys.stdin.isatty():
        first = getpass("密码 (password): ")
        if confirm and getpass("再输入一次 (again): ") != first:
            raise fail(ScreenerError("the two passwords differ"))
        return first
    return sys.stdin.readline().rstrip("\r\n")


def init(
    admin_username: Annotated[str | None, typer.Option(
        help="Also give the dean's office's first person a log-in with this user name; the "
             "password is read from standard input.")] = None,
    admin_name: Annotated[str, typer.Option(
        help="That person's name in the registry.")] = "院长办公室管理员",
    home: HomeOption = None,
) -> None:
    """Create the service database, the first admin token (printed once) and, with
    --admin-username, the first admin's log-in for the pages."""
    try:
        svc = _open(home)
        raw = _first_admin(svc)
        made = None
        if admin_username:
            from .usecases.sessions import first_admin

            made = first_admin(svc, _admin(), admin_name, admin_username, _read_password())
    except ScreenerError as exc:
        raise fail(exc) from None
    _announce(raw)
    if made:
        err.print(f"log-in {made['username']!r} made for person {made['person_id']} "
                  f"({made['name']}, 院长办公室)", markup=False)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    home: HomeOption = None,
) -> None:
    """Run the review service (API under /api, docs at /docs, reviewer pages at /).

    With service.picture_workers above 0 (default 2) it also starts that many worker
    processes for the picture stage: a submission with pictures is answered with its text
    findings at once and its pictures are screened in the background."""
    import uvicorn

    from screener.pipeline import freeze_long_lived

    from .app import create_app
    from .picture_workers import PictureWorkers

    try:
        svc = _open(home)
        raw = _first_admin(svc)
        if raw:
            _announce(raw)
        app = create_app(svc.settings)
    except ScreenerError as exc:
        raise fail(exc) from None
    freeze_long_lived()
    # The screener's lexicon and models live in this process; requests use its threads. The
    # picture stage runs in worker processes of its own (service.picture_workers).
    workers = PictureWorkers(svc, svc.config.picture_workers)
    if svc.config.picture_workers:
        workers.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    finally:
        workers.stop()


def _run(home: Path | None, action):
    """``action(services, principal)``, with errors as one line and exit 30."""
    try:
        return action(_open(home), _admin())
    except ScreenerError as exc:
        raise fail(exc) from None
    except ValueError as exc:  # an enum value the registry does not know
        raise fail(ScreenerError(str(exc))) from None


@accounts_app.command("add-unit")
def add_unit(name: str, home: HomeOption = None) -> None:
    """Register a unit (单位)."""
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.create_unit(svc.engine, p, name)))


@accounts_app.command("add-person")
def add_person(
    name: str,
    kind: Annotated[str, typer.Option(help="staff, student or external")] = "staff",
    unit: Annotated[int | None, typer.Option(help="unit id")] = None,
    home: HomeOption = None,
) -> None:
    """Register a person (staff, student or external)."""
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.create_person(svc.engine, p, name, kind, unit)))


@accounts_app.command("add")
def add_account(
    name: str,
    unit: Annotated[int, typer.Option(help="unit id")],
    opened_on: Annotated[str, typer.Option(help="开设日期 YYYY-MM-DD（本办法实施即 2020-04-08 "
                                                "之前）")],
    platform: Annotated[str, typer.Option(help="wechat, weibo, douyin, bilibili, xiaohongshu, "
                                               "wechat_channels, kuaishou or other")] = "wechat",
    home: HomeOption = None,
) -> None:
    """登记本办法实施前已有的账号（第七条）；新账号请用 apply 申请。名称含第二条字样的会标出。"""
    from .usecases import registry

    detail = _run(home, lambda svc, p: registry.create_account(
        svc.engine, p, svc.screener, platform=platform, name=name, unit_id=unit,
        opened_on=opened_on))
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
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.assign(svc.engine, p, account, person, role,
                                                     effective_on)))


@accounts_app.command("status")
def set_status(
    account: int,
    status: Annotated[str, typer.Argument(help="closing or closed")],
    effective_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    result: Annotated[str, typer.Option(help="关闭结果（closed 时必填，第十四条）")] = "",
    home: HomeOption = None,
) -> None:
    """Mark an account closing or closed (第十四条)."""
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.set_status(svc.engine, p, account, status,
                                                         effective_on, result)))


@accounts_app.command("list")
def list_accounts(home: HomeOption = None) -> None:
    """Every account, with its status and late reports."""
    from .queries import registry

    for a in _run(home, lambda svc, p: registry.all_accounts(svc.engine, p)):
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
    from .queries import registry

    _print(_run(home, lambda svc, p: registry.show_account(svc.engine, p, account)))


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
    from .usecases import tokens

    made = _run(home, lambda svc, p: tokens.create_token(
        svc.engine, p, role=role, person_id=person, unit_id=unit, label=label,
        expires_in_days=expires_in_days))
    err.print(f"token {made['id']} ({role}); shown once:")
    out.print(made["token"], markup=False)


@tokens_app.command("revoke")
def revoke_token(token_id: int, home: HomeOption = None) -> None:
    """Revoke a token at once (a lost phone, a person who left)."""
    from .usecases import tokens

    row = _run(home, lambda svc, p: tokens.revoke_token(svc.engine, p, token_id))
    out.print(f"token {row['id']} ({row['role']}, {row['label'] or 'no label'}) revoked at "
              f"{row['revoked_at']}", markup=False)


@tokens_app.command("list")
def list_tokens(home: HomeOption = None) -> None:
    """Every token: role, holder, label, and whether it still works (never the token)."""
    from datetime import UTC, datetime

    from .queries import tokens

    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for r in _run(home, lambda svc, p: tokens.every_token(svc.engine, p)):
        state = ("revoked" if r.revoked_at else
                 "expired" if r.expires_at and r.expires_at <= stamp else "active")
        until = f" until {r.expires_at}" if r.expires_at and state == "active" else ""
        out.print(f"{r.id}\t{r.role}\tperson {r.person_id or '-'}\t{state}{until}\t{r.label}",
                  markup=False)


@users_app.command("set-password")
def set_password(
    person: Annotated[int, typer.Argument(help="person id (screener accounts list / show)")],
    username: Annotated[str, typer.Option(help="the user name to log in with")],
    role: Annotated[list[str] | None, typer.Option(
        "--role", help="grant admin or maintainer (the registry gives the other roles); "
                       "repeat for both")] = None,
    home: HomeOption = None,
) -> None:
    """Give a person a log-in or a new password (read from standard input); their open
    sessions end, a lock-out is lifted."""
    from .usecases import sessions

    password = _read_password()
    _print(_run(home, lambda svc, p: sessions.set_password(svc, p, person, username, password,
                                                           role or None)))


@users_app.command("unlock")
def unlock(person: int, home: HomeOption = None) -> None:
    """Lift a lock-out after repeated failed log-ins."""
    from .usecases import sessions

    _print(_run(home, lambda svc, p: sessions.unlock(svc.engine, p, person)))


@users_app.command("list")
def list_users(home: HomeOption = None) -> None:
    """Every log-in: person, user name, roles, whether locked (never a password)."""
    from .queries import sessions

    for u in _run(home, lambda svc, p: sessions.every_user(svc.engine, p)):
        state = f"locked until {u['locked_until']}" if u["locked"] else "active"
        out.print(f"{u['person_id']}\t{u['username']}\t{u['name']}\t"
                  f"{','.join(u['roles']) or '-'}\t{state}", markup=False)


@audit_app.command("head")
def audit_head(
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Write the signed head there (for a daily export to other storage).")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Print the audit log's head signed with the server's key (rows, hash, time)."""
    from .queries import audit

    try:
        svc = _open(home)
        record = audit.signed_head(svc.engine)
    except ScreenerError as exc:
        raise fail(exc) from None
    text = json.dumps(record, sort_keys=True)
    if out_file is not None:
        out_file.write_text(text + "\n", encoding="utf-8")
    out.print(text, markup=False)


@audit_app.command("verify")
def verify(
    head: Annotated[str | None, typer.Option(
        "--head", help="The head hash recorded earlier: also detects rows removed at the end.")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Check the audit chain; exit 1 naming the first edited, deleted or reordered row."""
    from .errors import AuditError
    from .queries import audit

    try:
        svc = _open(home)
        result, missing = audit.check(svc.engine, svc.settings, head)
    except AuditError as exc:
        err.print(f"audit log BROKEN: {exc.message}", markup=False)
        raise typer.Exit(1) from None
    except ScreenerError as exc:
        raise fail(exc) from None
    if missing:
        err.print(f"audit log INCOMPLETE: {len(missing)} change(s) are not in it or do not "
                  "match it:", markup=False)
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
    app.add_typer(users_app, name="users")
    from .cli_registry import register as register_registry

    register_registry(app, accounts_app)


def main() -> None:
    """``python -m screener_service.cli ...``: the service commands alone (the fault tests and
    benchmarks start the server this way)."""
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    register(app)
    app()


if __name__ == "__main__":
    main()
