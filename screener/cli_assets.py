"""``screener assets ...``: the bank of copyrighted pictures and official emblems.

Mounted by cli.py as ``app.add_typer(assets_app, name="assets")``. Nothing is deleted: ``retire``
stops an asset matching and keeps its history.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .cli_common import HomeOption, err, fail, out, settings_from
from .errors import ScreenerError
from .plugins import hooks
from .render import visible

assets_app = typer.Typer(
    help="图片库： 有著作权的图片和校徽等官方标识， 稿件中的图片与之比对（第二条、第十二条）。",
    no_args_is_help=True)


# What people read for the bank's codes (the codes stay in --json and the export).
KIND = {"copyright": "著作权图片", "emblem": "校徽标识"}
STATUS = {"active": "有效", "retired": "已停用"}
ACTION = {"add": "登记", "retire": "停用"}


def _bank(home: Path | None):
    return _open(home)[1]


def _open(home: Path | None):
    # OpenCV and PIL (measured: 120 ms of a CLI start); only the asset commands need them.
    from .images.bank import AssetBank
    from .images.config import assets_url, image_config

    settings = settings_from(home)
    return settings, AssetBank(assets_url(settings), image_config(settings))


def _audit(settings, bank, asset, path: Path | None = None) -> None:
    """Tell the plugins (the review service keeps the picture for its review page and appends
    the change to its audit log when this state folder has one)."""
    try:
        hooks().asset_changed(settings=settings, bank=bank, asset=asset, path=path)
    except ScreenerError as exc:
        raise ScreenerError(f"图片 {asset.id} 已更改，但未能写入审计日志（{exc}）；"
                            "`screener audit verify` 会报告这一点") from None


@assets_app.command("add")
def assets_add(
    images: Annotated[list[Path], typer.Argument(help="要登记的图片文件。",
                                                 show_default=False)],
    kind: Annotated[str, typer.Option(
        "--kind", "-k", help="copyright（著作权图片）或 emblem（校徽标识）。")] = "copyright",
    title: Annotated[str, typer.Option("--title", "-t", help="标题（默认： 文件名）。")] = "",
    owner: Annotated[str, typer.Option("--owner", "-o", help="著作权人。")] = "",
    license: Annotated[str, typer.Option("--license", "-l", help="授权条件。")] = "",
    source: Annotated[str, typer.Option("--source", help="图片从哪里来。")] = "",
    by: Annotated[str | None, typer.Option(
        "--by", help="由谁登记（记录在案）。 默认： 当前系统用户。")] = None,
    home: HomeOption = None,
) -> None:
    """登记图片； 与库中已有图片相似时会指出。"""
    try:
        settings, bank = _open(home)
        for path in images:
            added = bank.add(path, kind=kind, title=title, owner=owner, license=license,
                             source=source, by=by)
            _audit(settings, bank, added.asset, path)
            kind_name = KIND.get(added.asset.kind, added.asset.kind)
            out.print(f"已登记图片 {added.asset.id}（{kind_name}）："
                      f"{escape(visible(added.asset.title))}")
            for other, distance in added.near_duplicates:
                what = "同一文件" if distance == 0 else f"哈希距离 {distance}"
                err.print(f"[yellow]注意：[/yellow]图片 {added.asset.id} 与图片 {other.id}"
                          f"「{escape(visible(other.title))}」几乎相同（{what}）")
    except ScreenerError as exc:
        raise fail(exc) from None


@assets_app.command("list")
def assets_list(
    all_: Annotated[bool, typer.Option("--all", help="也列出已停用的图片。")] = False,
    home: HomeOption = None,
) -> None:
    """列出图片库中的图片。"""
    try:
        rows = _bank(home).list_assets(include_retired=all_)
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("编号", "类型", "标题", "著作权人", "授权", "状态", "登记人、时间")
    for a in rows:
        table.add_row(str(a.id), KIND.get(a.kind, a.kind), escape(visible(a.title)),
                      escape(visible(a.owner)), escape(visible(a.license)),
                      STATUS.get(a.status, a.status),
                      f"{escape(visible(a.added_by))} {a.added_at}")
    out.print(table)


@assets_app.command("show")
def assets_show(asset_id: Annotated[int, typer.Argument(help="图片编号。")],
                home: HomeOption = None) -> None:
    """一张图片及其记录（谁、何时、为何）。"""
    try:
        bank = _bank(home)
        asset = bank.get(asset_id)
        history = bank.history(asset_id)
    except ScreenerError as exc:
        raise fail(exc) from None
    for key, value in asset.to_dict().items():
        out.print(f"{key}: {visible(str(value))}", markup=False)
    out.print("记录：")
    for event in history:
        what = ACTION.get(str(event["action"]), event["action"])
        reason = f"（{event['reason']}）" if event["reason"] else ""
        out.print(f"  {event['at']} {what}，{visible(str(event['by']))}{visible(reason)}",
                  markup=False)


@assets_app.command("retire")
def assets_retire(
    asset_id: Annotated[int, typer.Argument(help="图片编号。")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="停用理由（记录在案）。")],
    by: Annotated[str | None, typer.Option(
        "--by", help="由谁操作（记录在案）。 默认： 当前系统用户。")] = None,
    home: HomeOption = None,
) -> None:
    """停用一张图片： 不再用于比对； 图片和记录保留。"""
    try:
        settings, bank = _open(home)
        asset = bank.retire(asset_id, reason=reason, by=by)
        _audit(settings, bank, asset)
    except ScreenerError as exc:
        raise fail(exc) from None
    out.print(f"已停用图片 {asset.id}：{visible(asset.title)}", markup=False)


@assets_app.command("export")
def assets_export(
    active_only: Annotated[bool, typer.Option(
        "--active-only", help="不导出已停用的图片。")] = False,
    home: HomeOption = None,
) -> None:
    """把每张图片及其记录以 JSON Lines 写到标准输出（已停用的也包括在内）。"""
    try:
        bank = _bank(home)
        for asset in bank.list_assets(include_retired=not active_only):
            record = asset.to_dict() | {"history": bank.history(asset.id)}
            print(json.dumps(record, ensure_ascii=False))
    except ScreenerError as exc:
        raise fail(exc) from None
