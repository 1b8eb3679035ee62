"""``screener accounts apply|approve|reject|applications|priority|activity|inactive|
password-keeper|password-changed|password-interval|password-overdue`` and ``screener
violations record|decide|report``: the account's life under the rule from the command line.

Like the other registry commands they act as the dean's office (``cli:<os user>/admin`` in
the audit log) and call the same use cases and queries as the API.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer

from screener.cli_common import HomeOption, err, fail, out
from screener.errors import ScreenerError

from .cli import PLATFORM_HELP, AccountArg, PersonArg, UnitArg, _print, _run

violations_app = typer.Typer(help="违规记录（第十五条）： 记录、处理决定、按单位和期间汇总。",
                             no_args_is_help=True)


def _read(path: Path, kind: str):
    from .usecases.applications import Document

    try:
        return Document(kind, path.name, path.read_bytes())
    except OSError as exc:
        raise fail(ScreenerError(f"{path}：无法读取（{exc.strerror or exc}）")) from None


def apply(
    name: Annotated[str, typer.Argument(help="账号名称。", show_default=False)],
    unit: Annotated[int, typer.Option(help="申请单位 id")],
    purpose: Annotated[str, typer.Option(help="账号的用途与定位（第五条）")],
    plan: Annotated[str, typer.Option(help="运营计划")],
    approval_form: Annotated[Path, typer.Option(help="《审批表》文件（PDF、PNG 或 JPEG）")],
    pledge: Annotated[Path, typer.Option(help="《保密及不侵权承诺书》文件（PDF、PNG 或 JPEG）")],
    platform: Annotated[str, typer.Option(help=PLATFORM_HELP)] = "wechat",
    justification: Annotated[str, typer.Option(
        help="新增账号的必要性（本单位已有账号时必填， 第七条）")] = "",
    home: HomeOption = None,
) -> None:
    """申请开设新账号（第五条、第六条）： 经党政联席会批准前， 账号不能提交稿件。"""
    from .usecases import applications

    files = [_read(approval_form, "approval_form"), _read(pledge, "pledge")]
    detail = _run(home, lambda svc, p: applications.apply(
        svc, p, unit_id=unit, platform=platform, name=name, purpose=purpose,
        operating_plan=plan, justification=justification, files=files))
    _print(detail)
    err.print(f"已提交申请：账号 {detail['id']}「{detail['name']}」待党政联席会审批", markup=False)


def approve(
    account: AccountArg,
    party_signatory: Annotated[str, typer.Option(help="签字的院党委负责人")],
    admin_signatory: Annotated[str, typer.Option(help="签字的行政负责人")],
    decided_on: Annotated[str | None, typer.Option(help="党政联席会日期 YYYY-MM-DD")] = None,
    opened_on: Annotated[str | None, typer.Option(help="开通日期， 默认会议日期")] = None,
    note: Annotated[str, typer.Option(help="备注")] = "",
    home: HomeOption = None,
) -> None:
    """登记党政联席会的批准（第六条）： 账号自此运营中。"""
    from .usecases import applications

    _print(_run(home, lambda svc, p: applications.approve(
        svc.engine, p, account, decided_on=decided_on, party_signatory=party_signatory,
        admin_signatory=admin_signatory, opened_on=opened_on, note=note)))


def reject(
    account: AccountArg,
    reason: Annotated[str, typer.Option(help="不予批准的理由")],
    decided_on: Annotated[str | None, typer.Option(help="党政联席会日期 YYYY-MM-DD")] = None,
    home: HomeOption = None,
) -> None:
    """登记党政联席会不予批准。"""
    from .usecases import applications

    _print(_run(home, lambda svc, p: applications.reject(
        svc.engine, p, account, decided_on=decided_on, reason=reason)))


def list_applications(
    status: Annotated[str | None, typer.Option(
        help="只列这种状态： applied（待审批）、approved（已批准）或 rejected（未批准）。")] = None,
    home: HomeOption = None,
) -> None:
    """列出账号申请及其审批情况。"""
    from .queries import applications

    found = _run(home, lambda svc, p: applications.list_applications(
        svc.engine, p, status, svc.config.max_page_size, 0))
    for a in found["items"]:
        decision = a["application"]["decision"] or "待审批"
        out.print(f"{a['id']}\t{a['platform']}\t{a['status']}\t{decision}\t{a['name']}",
                  markup=False)


def priority(
    unit: UnitArg,
    accounts: Annotated[list[int], typer.Argument(help="本单位全部现有账号 id， 按优先顺序",
                                                  show_default=False)],
    home: HomeOption = None,
) -> None:
    """设定本单位账号优先顺序表（第七条）。"""
    from .usecases import applications

    _print(_run(home, lambda svc, p: applications.set_priority(svc.engine, p, unit, accounts)))


def activity(unit: UnitArg, home: HomeOption = None) -> None:
    """本单位账号： 优先顺序与活跃度（发文总数、近一年月均、距上次发文天数）。"""
    from .queries import applications

    found = _run(home, lambda svc, p: applications.unit_accounts(svc.engine, p, unit))
    out.print(f"{found['unit']['name']}（优先顺序表 {found['priority_set_at'] or '未设定'}）",
              markup=False)
    out.print("顺序\t账号\t状态\t发文\t月均\t距上次发文（天）", markup=False)
    for a in found["accounts"]:
        out.print(f"{a['priority'] or '-'}\t{a['id']} {a['name']}\t{a['status_label']}\t"
                  f"{a['posts']}\t{a['posts_per_month']}\t{a['days_since_last_post']}",
                  markup=False)


def inactive(
    days: Annotated[int | None, typer.Option(help="无发文天数（默认设置 "
                                                  "service.inactive_days）")] = None,
    unit: Annotated[int | None, typer.Option(help="只看这个单位")] = None,
    home: HomeOption = None,
) -> None:
    """列出长期未发文、待注销审查的账号（第七条）。"""
    from .queries import applications

    found = _run(home, lambda svc, p: applications.inactive(
        svc.engine, p, days or svc.config.inactive_days, unit))
    if not found["items"]:
        err.print(f"没有 {found['threshold_days']} 天以上未发文的账号", markup=False)
    for a in found["items"]:
        out.print(f"{a['id']}\t{a['unit']}\t{a['name']}\t{a['days_since_last_post']} 天未发文\t"
                  f"最近一次 {a['last_post_on'] or '从未发文'}", markup=False)


def password_keeper(
    account: AccountArg, person: PersonArg,
    effective_on: Annotated[str | None, typer.Option(help="生效日期 YYYY-MM-DD。")] = None,
    home: HomeOption = None,
) -> None:
    """指定账号密码的保管人（第十一条： 账号密码由专人负责）。 不记录密码本身。"""
    from .usecases import passwords

    _print(_run(home, lambda svc, p: passwords.set_keeper(svc.engine, p, account, person,
                                                          effective_on)))


def password_changed(
    account: AccountArg,
    changed_on: Annotated[str | None, typer.Option(help="修改日期 YYYY-MM-DD， 默认今天")] = None,
    home: HomeOption = None,
) -> None:
    """登记账号密码已修改（只记日期， 不记密码）。"""
    from .usecases import passwords

    _print(_run(home, lambda svc, p: passwords.record_change(svc.engine, p, account,
                                                             changed_on)))


def password_interval(
    account: AccountArg,
    days: Annotated[int, typer.Argument(help="两次修改之间的最长天数")],
    home: HomeOption = None,
) -> None:
    """设定本单位对该账号的密码更新间隔。"""
    from .usecases import passwords

    _print(_run(home, lambda svc, p: passwords.set_interval(svc.engine, p, account, days)))


def password_overdue(
    unit: Annotated[int | None, typer.Option(help="只看这个单位")] = None,
    home: HomeOption = None,
) -> None:
    """列出逾期未改密码或没有保管人的账号。"""
    from .queries import passwords

    found = _run(home, lambda svc, p: passwords.overdue(
        svc.engine, p, svc.config.password_interval_days, unit))
    if not found["items"]:
        err.print("没有逾期未改密码的账号", markup=False)
    for a in found["items"]:
        keeper = a["keeper"]["name"] if a["keeper"] else "无保管人"
        out.print(f"{a['account_id']}\t{a['unit']}\t{a['account']}\t{keeper}\t"
                  f"上次修改 {a['last_changed_on'] or '未登记'}\t应于 {a['due_on']} 前\t"
                  f"逾期 {a['overdue_days']} 天", markup=False)


@violations_app.command("record")
def record(
    article: Annotated[str, typer.Option(help="违反的条款， 如 第十一条（内容）")],
    description: Annotated[str, typer.Option(help="违规情况")],
    draft: Annotated[int | None, typer.Option(help="已发布的稿件 id")] = None,
    account: Annotated[int | None, typer.Option(help="账号 id（存档中的帖子）")] = None,
    post: Annotated[str, typer.Option(help="存档帖子 id")] = "",
    title: Annotated[str, typer.Option(help="帖子标题")] = "",
    published_on: Annotated[str | None, typer.Option(help="发布日期 YYYY-MM-DD")] = None,
    home: HomeOption = None,
) -> None:
    """记录一条违规（第十五条）， 并列出发布当日各岗位的责任人。"""
    from .usecases import violations

    _print(_run(home, lambda svc, p: violations.record(
        svc.engine, p, article=article, description=description, draft_id=draft,
        account_id=account, post_key=post, title=title, published_on=published_on)))


@violations_app.command("decide")
def decide(
    violation: Annotated[int, typer.Argument(help="违规记录 id。", show_default=False)],
    criticize: Annotated[bool, typer.Option("--criticize", help="通报批评")] = False,
    suspend_until: Annotated[str | None, typer.Option(
        help="暂停该单位两微账号申办资格至 YYYY-MM-DD")] = None,
    refer: Annotated[bool, typer.Option("--refer", help="提请人事部、学生工作部处理")] = False,
    decided_on: Annotated[str | None, typer.Option(help="决定日期 YYYY-MM-DD")] = None,
    note: Annotated[str, typer.Option(help="说明")] = "",
    home: HomeOption = None,
) -> None:
    """登记对违规的处理决定。"""
    from .usecases import violations

    _print(_run(home, lambda svc, p: violations.decide(
        svc.engine, p, violation, criticized=criticize, suspended_until=suspend_until,
        referred=refer, decided_on=decided_on, note=note)))


REPORT_COLUMNS = ("id", "unit", "account_id", "title", "published_on", "article",
                  "first_responsible", "responsible", "operator", "actions", "description")


def _names(item: dict, role: str) -> str:
    return "、".join(h["name"] for h in item["people"].get(role, []))


@violations_app.command("report")
def report(
    unit: Annotated[int | None, typer.Option(help="单位 id")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="发布日期起 YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="发布日期止 YYYY-MM-DD")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="以 CSV 输出每条记录")] = False,
    home: HomeOption = None,
) -> None:
    """按单位和期间汇总违规记录（第十五条）。"""
    from .queries import violations

    found = _run(home, lambda svc, p: violations.report(
        svc.engine, p, unit_id=unit, date_from=date_from, date_to=date_to))
    if as_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(REPORT_COLUMNS)
        for item in found["items"]:
            writer.writerow([item["id"], item["unit"], item["account_id"], item["title"],
                             item["published_on"], item["article"],
                             _names(item, "first_responsible"), _names(item, "responsible"),
                             _names(item, "operator"), "；".join(item["actions"]) or "待处理",
                             item["description"]])
        out.print(buffer.getvalue(), markup=False, end="")
        return
    _print(found)


def register(app: typer.Typer, accounts_app: typer.Typer) -> None:
    for name, command in (("apply", apply), ("approve", approve), ("reject", reject),
                          ("applications", list_applications), ("priority", priority),
                          ("activity", activity), ("inactive", inactive),
                          ("password-keeper", password_keeper),
                          ("password-changed", password_changed),
                          ("password-interval", password_interval),
                          ("password-overdue", password_overdue)):
        accounts_app.command(name)(command)
    app.add_typer(violations_app, name="violations")
