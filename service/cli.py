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

accounts_app = typer.Typer(help="账号登记（院长办公室）： 单位、人员、账号、岗位。",
                           no_args_is_help=True)
tokens_app = typer.Typer(help="API 令牌： 创建（只显示一次）和撤销。", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志（带密钥、逐条哈希相连）。", no_args_is_help=True)
users_app = typer.Typer(help="人员登录网页用的账户（用户名和密码）。", no_args_is_help=True)

# Arguments every registry command names the same way.
AccountArg = Annotated[int, typer.Argument(help="账号 id。", show_default=False)]
PersonArg = Annotated[int, typer.Argument(help="人员 id。", show_default=False)]
UnitArg = Annotated[int, typer.Argument(help="单位 id。", show_default=False)]
PLATFORM_HELP = ("平台： wechat、 weibo、 douyin、 bilibili、 xiaohongshu、 wechat_channels、 "
                 "kuaishou 或 other。")


def _interface():
    """The catalogs of the interface language the settings name."""
    from screener.i18n import DEFAULT_LOCALE, translations

    from .labels import SERVICE_CATALOG

    try:
        locale = settings_from(None).locale
    except ScreenerError:  # the settings' own error is reported elsewhere
        locale = DEFAULT_LOCALE
    return translations(locale, (SERVICE_CATALOG,))


def fail(exc: ScreenerError) -> typer.Exit:
    """One line and exit 30; the service's own errors in the interface language."""
    from .errors import ServiceError

    if isinstance(exc, ServiceError):
        exc = ScreenerError(exc.localized(_interface()))
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
        out.print("院长办公室（admin）令牌只显示这一次，请妥善保存，之后无法再显示：",
                  markup=False)
        out.print(raw, markup=False)
    else:
        err.print("院长办公室（admin）令牌已经存在；需要更多时用 "
                  "`screener tokens create --role admin` 创建", markup=False)


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
            raise fail(ScreenerError("两次输入的密码不一致"))
        return first
    return sys.stdin.readline().rstrip("\r\n")


def init(
    admin_username: Annotated[str | None, typer.Option(
        help="同时为院长办公室的第一位人员开设网页登录， 用户名为此值； 密码从标准输入读取。")
    ] = None,
    admin_name: Annotated[str, typer.Option(
        help="该人员在登记中的姓名。")] = "院长办公室管理员",
    home: HomeOption = None,
) -> None:
    """创建服务数据库和第一个院长办公室（admin）令牌（只显示一次）； 带 --admin-username 时
    同时开设第一位院长办公室人员的网页登录。"""
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
        err.print(f"已为人员 {made['person_id']}（{made['name']}，院长办公室）开设网页登录，"
                  f"用户名 {made['username']!r}", markup=False)


def serve(
    host: Annotated[str, typer.Option(help="监听地址。")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口。")] = 8000,
    home: HomeOption = None,
) -> None:
    """运行审核服务（API 在 /api， 文档在 /docs， 审核网页在 /）。

    service.picture_workers 大于 0（默认 2）时， 另启动这么多个图片检查进程： 带图片的稿件
    提交后立即返回文字的发现， 图片在后台检查。"""
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
def add_unit(name: Annotated[str, typer.Argument(help="单位名称。", show_default=False)],
             home: HomeOption = None) -> None:
    """登记一个单位。"""
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.create_unit(svc.engine, p, name)))


@accounts_app.command("add-person")
def add_person(
    name: Annotated[str, typer.Argument(help="姓名。", show_default=False)],
    kind: Annotated[str, typer.Option(
        help="身份： staff（在职教职工）、student（在读学生）或 external（校外人员）。")] = "staff",
    unit: Annotated[int | None, typer.Option(help="所在单位 id。")] = None,
    home: HomeOption = None,
) -> None:
    """登记一个人员（在职教职工、在读学生或校外人员）。"""
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.create_person(svc.engine, p, name, kind, unit)))


@accounts_app.command("add")
def add_account(
    name: Annotated[str, typer.Argument(help="账号名称。", show_default=False)],
    unit: Annotated[int, typer.Option(help="运营单位 id。")],
    opened_on: Annotated[str, typer.Option(help="开设日期 YYYY-MM-DD（本办法实施即 2020-04-08 "
                                                "之前）")],
    platform: Annotated[str, typer.Option(help=PLATFORM_HELP)] = "wechat",
    home: HomeOption = None,
) -> None:
    """登记本办法实施前已有的账号（第七条）； 新账号请用 apply 申请。 名称含第二条字样的会标出。"""
    from .usecases import registry

    detail = _run(home, lambda svc, p: registry.create_account(
        svc.engine, p, svc.screener, platform=platform, name=name, unit_id=unit,
        opened_on=opened_on))
    _print(detail)
    for finding in detail["name_findings"]:
        err.print(f"注意：账号名称使用了 {finding['text']!r}（{finding['article']}），"
                  "该账号受本办法管理", markup=False)


@accounts_app.command("assign")
def assign_role(
    account: AccountArg, person: PersonArg,
    role: Annotated[str, typer.Argument(
        help="岗位： first_responsible（第一责任人）、 responsible（具体负责人） 或 "
             "operator（具体运营人）。", show_default=False)],
    effective_on: Annotated[str | None, typer.Option(help="变动日期 YYYY-MM-DD。")] = None,
    home: HomeOption = None,
) -> None:
    """指定人员在账号上的岗位（注明日期； 逾期报备会标出， 第九条）。"""
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.assign(svc.engine, p, account, person, role,
                                                     effective_on)))


@accounts_app.command("status")
def set_status(
    account: AccountArg,
    status: Annotated[str, typer.Argument(help="closing（停用中）或 closed（已关闭）。",
                                          show_default=False)],
    effective_on: Annotated[str | None, typer.Option(help="生效日期 YYYY-MM-DD。")] = None,
    result: Annotated[str, typer.Option(help="关闭结果（closed 时必填， 第十四条）")] = "",
    home: HomeOption = None,
) -> None:
    """把账号标为停用中或已关闭（第十四条）。"""
    from .usecases import registry

    _print(_run(home, lambda svc, p: registry.set_status(svc.engine, p, account, status,
                                                         effective_on, result)))


@accounts_app.command("list")
def list_accounts(home: HomeOption = None) -> None:
    """列出所有账号及其状态和逾期报备。"""
    from .queries import registry

    for a in _run(home, lambda svc, p: registry.all_accounts(svc.engine, p)):
        flags = []
        if a["protected_name"]:
            flags.append("名称含学校字样")
        if a["late_reports"]:
            flags.append(f"逾期报备 {a['late_reports']} 次")
        if a["missing_roles"]:
            flags.append("缺少岗位 " + "、".join(a["missing_roles"]))
        if a["unchecked_deadlines"]:
            flags.append(f"{a['unchecked_deadlines']} 个报备期限未能核对：节假日表缺少该年份")
        out.print(f"{a['id']}\t{a['platform']}\t{a['status']}\t{a['name']}\t"
                  f"{'; '.join(flags)}", markup=False)


@accounts_app.command("show")
def show_account(account: AccountArg, home: HomeOption = None) -> None:
    """一个账号及其人员和按日期排列的历史。"""
    from .queries import registry

    _print(_run(home, lambda svc, p: registry.show_account(svc.engine, p, account)))


@tokens_app.command("create")
def create_token(
    role: Annotated[str, typer.Option(
        help="角色： operator（具体运营人）、 responsible（具体负责人）、 "
             "unit_head（第一责任人）、 maintainer（词库维护人） 或 admin（院长办公室）。",
        show_default=False)],
    person: Annotated[int | None, typer.Option(help="人员 id。")] = None,
    unit: Annotated[int | None, typer.Option(help="单位 id（第一责任人的令牌须填写）。")] = None,
    label: Annotated[str, typer.Option(help="令牌的用途。")] = "",
    expires_in_days: Annotated[int | None, typer.Option(
        help="多少天后失效（默认： 直到撤销）。")] = None,
    home: HomeOption = None,
) -> None:
    """创建一个令牌并显示一次。"""
    from .usecases import tokens

    made = _run(home, lambda svc, p: tokens.create_token(
        svc.engine, p, role=role, person_id=person, unit_id=unit, label=label,
        expires_in_days=expires_in_days))
    err.print(f"令牌 {made['id']}（{role}），只显示这一次：", markup=False)
    out.print(made["token"], markup=False)


@tokens_app.command("revoke")
def revoke_token(token_id: Annotated[int, typer.Argument(help="令牌 id。", show_default=False)],
                 home: HomeOption = None) -> None:
    """立即撤销一个令牌（手机丢失、人员离职时）。"""
    from .usecases import tokens

    row = _run(home, lambda svc, p: tokens.revoke_token(svc.engine, p, token_id))
    out.print(f"令牌 {row['id']}（{row['role']}，{row['label'] or '未写用途'}）已于 "
              f"{row['revoked_at']} 撤销", markup=False)


@tokens_app.command("list")
def list_tokens(home: HomeOption = None) -> None:
    """列出所有令牌： 角色、持有人、用途、是否仍有效（从不显示令牌本身）。"""
    from datetime import UTC, datetime

    from .queries import tokens

    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for r in _run(home, lambda svc, p: tokens.every_token(svc.engine, p)):
        state = ("已撤销" if r.revoked_at else
                 "已过期" if r.expires_at and r.expires_at <= stamp else "有效")
        until = f"，至 {r.expires_at}" if r.expires_at and state == "有效" else ""
        out.print(f"{r.id}\t{r.role}\t人员 {r.person_id or '-'}\t{state}{until}\t{r.label}",
                  markup=False)


@users_app.command("set-password")
def set_password(
    person: Annotated[int, typer.Argument(
        help="人员 id（见 `screener accounts show`）。", show_default=False)],
    username: Annotated[str, typer.Option(help="登录用的用户名。", show_default=False)],
    role: Annotated[list[str] | None, typer.Option(
        "--role", help="授予 admin（院长办公室）或 maintainer（词库维护人）角色（其他角色由账号"
                       "登记决定）； 两者都要时重复此选项。")] = None,
    home: HomeOption = None,
) -> None:
    """为人员开设网页登录或设置新密码（从标准输入读取）； 其已登录的会话结束， 锁定解除。"""
    from .usecases import sessions

    password = _read_password()
    _print(_run(home, lambda svc, p: sessions.set_password(svc, p, person, username, password,
                                                           role or None)))


@users_app.command("unlock")
def unlock(person: PersonArg, home: HomeOption = None) -> None:
    """解除多次登录失败后的锁定。"""
    from .usecases import sessions

    _print(_run(home, lambda svc, p: sessions.unlock(svc.engine, p, person)))


@users_app.command("list")
def list_users(home: HomeOption = None) -> None:
    """列出所有网页登录： 人员、用户名、角色、是否锁定（从不显示密码）。"""
    from .queries import sessions

    for u in _run(home, lambda svc, p: sessions.every_user(svc.engine, p)):
        state = f"锁定至 {u['locked_until']}" if u["locked"] else "有效"
        out.print(f"{u['person_id']}\t{u['username']}\t{u['name']}\t"
                  f"{','.join(u['roles']) or '-'}\t{state}", markup=False)


@audit_app.command("head")
def audit_head(
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="另把签名的链头写到这个文件（用于每天导出到别处保存）。")
    ] = None,
    home: HomeOption = None,
) -> None:
    """输出用服务器密钥签名的审计日志链头（行数、哈希、时间）。"""
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
        "--head", help="先前记下的链头哈希： 据此还能发现末尾被删除的行。")
    ] = None,
    home: HomeOption = None,
) -> None:
    """核对审计日志链； 发现被改动、删除或调换顺序的行时指出第一行， 退出码为 1。"""
    from .errors import AuditError
    from .queries import audit

    try:
        svc = _open(home)
        result, missing = audit.check(svc.engine, svc.settings, head)
    except AuditError as exc:
        err.print(f"审计日志已被破坏：{exc.localized(_interface())}", markup=False)
        raise typer.Exit(1) from None
    except ScreenerError as exc:
        raise fail(exc) from None
    if missing:
        err.print(f"审计日志不完整：{len(missing)} 项改动不在其中或与之不符：", markup=False)
        for line in missing:
            err.print(f"  {line}", markup=False)
        raise typer.Exit(1)
    out.print(f"审计日志完好：{result.rows} 行，链头 {result.hash}", markup=False)


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
