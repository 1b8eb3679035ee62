"""``screener sources ...``: the bank of source texts that drafts are checked against for
reprinted text (第十二条).

Mounted by cli.py as ``app.add_typer(sources_app, name="sources")``. Every change is an event
in the bank (who, when, why) and, when the review service is installed, a row of its audit log
(the ``sources_changed`` hook). Nothing is deleted: ``retire`` stops a source matching.

Exit status: 0; 30 when a file could not be read (the others are added) or the bank refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from .cli_common import Exit, HomeOption, err, error_line, fail, out, settings_from
from .errors import InputError, ScreenerError
from .plugins import hooks
from .render import visible

sources_app = typer.Typer(
    help="来源库： 学校和学院已发布的新闻、新闻稿、各单位获授权的文章和本服务发布过的推文。 "
         "稿件与之比对， 找出转载、摘编的段落（第十二条）。",
    no_args_is_help=True)

ByOption = Annotated[str | None, typer.Option(
    "--by", help="由谁操作（记录在案）。 默认： 当前系统用户。")]
STATUS = {"active": "有效", "retired": "已停用"}
KIND = {"file": "文件", "archive": "存档推文", "service": "服务发布"}


def _open(home: Path | None):
    # NumPy and the folding tables: only the source commands need them at start.
    from .normalize import Normalizer, load_tables
    from .sources import SourceBank

    settings = settings_from(home)
    return settings, SourceBank(settings.sources_database_url,
                                lambda: Normalizer(load_tables(settings.cache_dir)))


def _audit(settings, action: str, event_ids: list[int]) -> None:
    """Tell the plugins (the review service appends the change to its audit log when this
    state folder has one)."""
    if not event_ids:
        return
    try:
        hooks().sources_changed(settings=settings, action=action, event_ids=event_ids)
    except ScreenerError as exc:
        raise ScreenerError(f"来源库已更改，但未能写入审计日志（{exc}）；"
                            "`screener audit verify` 会报告这一点") from None


@sources_app.command("add")
def sources_add(
    paths: Annotated[list[Path], typer.Argument(
        help="来源文件或文件夹（.txt、.md、.html、.docx、.json； 文件夹代表其下所有这些文件）。",
        show_default=False)],
    owner: Annotated[str, typer.Option(
        "--owner", "-o", help="著作权人或发布方， 例如“北京大学新闻网”（稿件注明的来源与之比对）。",
        show_default=False)],
    license: Annotated[str, typer.Option(
        "--license", "-l", help="授权情况， 例如“本校新闻， 可注明来源转载”“某单位授权使用”。",
        show_default=False)],
    title: Annotated[str, typer.Option(
        "--title", "-t", help="标题（默认： 文件自己的标题， 否则文件名）。")] = "",
    url: Annotated[str, typer.Option(
        "--url", help="原文网址（稿件中指向它或其网站的链接算作注明来源）。")] = "",
    author: Annotated[str, typer.Option("--author", help="作者。")] = "",
    by: ByOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
    home: HomeOption = None,
) -> None:
    """把文件加入来源库； 已在库中的相同文本不会重复加入。 读不了的文件会逐个指出并跳过。"""
    if not owner.strip() or not license.strip():
        err.print(error_line("--owner 和 --license 不能为空：来源必须写明著作权人和授权情况"))
        raise typer.Exit(2)
    from .sources.files import read_source, source_paths

    try:
        settings, bank = _open(home)
        files = source_paths(paths)
    except ScreenerError as exc:
        raise fail(exc) from None
    known = {"owner": owner.strip(), "license": license.strip(), "url": url.strip(),
             "author": author.strip()}
    added, already, bad, events = [], [], [], []
    progress = Progress(TextColumn("加入来源库"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[name]}"), console=err,
                        disable=as_json or not err.is_terminal or len(files) < 2)
    with progress:
        task = progress.add_task("add", total=len(files), name="")
        for path in files:
            progress.update(task, name=escape(visible(path.name)))
            try:
                item = read_source(path, settings, title=title, **known)
                result = bank.add(item, by=by)
            except InputError as exc:
                bad.append((str(path), exc.problem))
                err.print(error_line(f"{path}: {exc.problem}（已跳过）"))
            except ScreenerError as exc:
                bad.append((str(path), str(exc)))
                err.print(error_line(f"{path}: {exc}（已跳过）"))
            else:
                (added if result.created else already).append(result)
                if result.created:
                    events.append(result.event_id)
            progress.advance(task)
    try:
        _audit(settings, "add", events)
    except ScreenerError as exc:
        raise fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps({
            "added": [a.source.to_dict() | {"passages": a.passages} for a in added],
            "already_in_bank": [a.source.to_dict() for a in already],
            "errors": [{"source": s, "reason": r} for s, r in bad]}, ensure_ascii=False) + "\n")
    else:
        for a in added:
            out.print(f"已加入来源 {a.source.id}：{a.source.label}，{a.passages} 段", markup=False)
        for a in already:
            out.print(f"已在库中（来源 {a.source.id}：{a.source.label}），未重复加入", markup=False)
        out.print(f"共加入 {len(added)} 个，已在库中 {len(already)} 个，跳过 {len(bad)} 个",
                  markup=False)
    raise typer.Exit(Exit.BAD_INPUT if bad else 0)


@sources_app.command("list")
def sources_list(
    all_: Annotated[bool, typer.Option("--all", help="也列出已停用的来源。")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="每行一个 JSON 对象。")] = False,
    home: HomeOption = None,
) -> None:
    """列出来源库中的来源。"""
    try:
        rows = _open(home)[1].list_sources(include_retired=all_)
    except ScreenerError as exc:
        raise fail(exc) from None
    if as_json:
        for source in rows:
            sys.stdout.write(json.dumps(source.to_dict(), ensure_ascii=False) + "\n")
        return
    if not rows:
        out.print("来源库中还没有来源（用 `screener sources add` 添加）", markup=False)
        return
    table = Table("编号", "标题", "著作权人/发布方", "授权", "类型", "字数", "状态", "加入")
    for s in rows:
        table.add_row(str(s.id), escape(visible(s.title)), escape(visible(s.owner)),
                      escape(visible(s.license)), KIND.get(s.kind, s.kind), f"{s.chars:,}",
                      STATUS.get(s.status, s.status), f"{s.added_at} {escape(visible(s.added_by))}")
    out.print(table)


@sources_app.command("show")
def sources_show(source_id: Annotated[int, typer.Argument(help="来源编号。")],
                 home: HomeOption = None) -> None:
    """一个来源及其记录（谁、何时、为何）。"""
    try:
        bank = _open(home)[1]
        source = bank.get(source_id)
        history = bank.history(source_id)
    except ScreenerError as exc:
        raise fail(exc) from None
    for key, value in source.to_dict().items():
        out.print(f"{key}: {visible(str(value))}", markup=False)
    out.print("记录：", markup=False)
    for event in history:
        what = {"add": "加入", "retire": "停用"}.get(str(event["action"]), event["action"])
        reason = f"（{event['reason']}）" if event["reason"] else ""
        out.print(f"  {event['at']} {what}，{visible(str(event['by']))}{visible(reason)}",
                  markup=False)


@sources_app.command("retire")
def sources_retire(
    source_id: Annotated[int, typer.Argument(help="来源编号。")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="停用理由（记录在案）。",
                                        show_default=False)],
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """停用一个来源： 不再用于比对； 来源和记录保留。"""
    try:
        settings, bank = _open(home)
        retired = bank.retire(source_id, reason=reason, by=by)
        _audit(settings, "retire", [retired.event_id])
    except ScreenerError as exc:
        raise fail(exc) from None
    out.print(f"已停用来源 {retired.source.id}：{retired.source.label}", markup=False)
