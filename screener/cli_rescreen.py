"""``screener archive import`` and ``screener rescreen``.

``register(app)`` adds both to the main app; ``python -m screener.cli_rescreen`` runs them
standalone (the tests use it for the kill-and-resume check). Plugins add archive sources
(``--from-service``) and act on a finished re-screening (``screener.plugins``).

Exit status: ``archive import`` 0, or 30 if some line or file could not be imported (the good
ones are imported); ``rescreen`` 0 when no post is newly flagged, 10 when some are, 130 when
interrupted (the committed results are kept; the same command resumes), 30 on a setup error.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from .cli_common import VERDICTS, Exit, HomeOption, err, error_line, fail, out, settings_from
from .errors import ScreenerError
from .plugins import hooks

archive_app = typer.Typer(help="已发布推文的存档： `rescreen` 对它们重新审核。",
                          no_args_is_help=True)
INTERRUPTED = 130
TABLE_ROWS = 50  # rows of the newly-flagged table on a terminal; --json has them all


@archive_app.command("import")
def archive_import(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="JSON Lines（.jsonl： 稿件字段加 published_at、account）、CSV（.csv， 列同上）"
             "或稿件文件、文件夹。", show_default=False)] = None,
    from_service: Annotated[bool, typer.Option(
        "--from-service", help="从本状态目录的服务数据库导入审核服务已发布的稿件 （标题、 正文、 "
                               "图片、 账号、 作者、 发布时间）， 存为推文 svc:<稿件 id>。")
    ] = False,
    published_at: Annotated[str | None, typer.Option(
        "--published-at", help="稿件文件的发布时间（默认： 文件修改时间）。 "
                               "ISO 8601； 不带时区偏移即北京时间。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
    home: HomeOption = None,
) -> None:
    """导入已发布的推文； 可重复导入（同一 id 的推文只存一次）。"""
    from .rescreen.archive import import_paths, import_source  # see rescreen()

    if bool(paths) == from_service:
        err.print(error_line("请给出要导入的文件或文件夹，或者用 --from-service（二者只能选一）"))
        raise typer.Exit(2)
    try:
        settings = settings_from(home)
        result = (import_source("service", settings) if from_service else
                  import_paths(paths or [], settings, published_at=published_at))
    except (ScreenerError, ValueError) as exc:
        if isinstance(exc, ValueError):
            err.print(error_line(exc))
            raise typer.Exit(Exit.BAD_INPUT) from None
        raise fail(exc) from None
    for source, reason in result.errors + result.conflicts:
        err.print(error_line(f"{source}: {reason}"), highlight=False)
    if result.join_events:
        try:
            hooks().sources_changed(settings=settings, action="add",
                                    event_ids=result.join_events)
        except ScreenerError as exc:
            raise fail(ScreenerError(f"存档推文已加入来源库，但未能写入审计日志（{exc}）")
                       ) from None
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        out.print(f"已导入 {result.imported} 篇，已在存档中 {result.unchanged} 篇，"
                  f"出错 {len(result.errors)} 篇，冲突 {len(result.conflicts)} 篇", markup=False)
        out.print(f"已加入来源库 {result.joined} 篇"
                  + (f"（{result.too_short} 篇过短，未加入）" if result.too_short else ""),
                  markup=False)
    raise typer.Exit(Exit.BAD_INPUT if result.errors or result.conflicts else 0)


def rescreen(
    since: Annotated[str | None, typer.Option(
        "--since", help="只审核这一时间及以后发布的推文（ISO 8601； 不带时区偏移即北京时间）。")
                    ] = None,
    account: Annotated[str | None, typer.Option("--account", help="只审核这个账号的推文。")
                       ] = None,
    incremental: Annotated[bool, typer.Option(
        "--incremental", help="词库改动后， 每篇推文只查上次审核以来新增、 停用或修改的词条"
                              "（只含差异的小自动机）； 一个也没出现的推文沿用原报告"
                              "（为新版本再存一份， 标为沿用）， 其余完整重审。 "
                              "结果与完整重审相同； 模型换了版本则完整重审。")] = False,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1, help="本机工作进程数， 每个进程只加载一次词库和模型； "
                                    "只由本进程写入结果。")
                    ] = 1,
    dask: Annotated[str | None, typer.Option(
        "--dask", metavar="ADDRESS",
        help="在 Dask 集群上审核（如 tcp://scheduler:8786； 需要 "
             "pip install 'screener\\[dask]'）。 各 worker 须有相同的词库文件、 模型、 缓存路径"
             "和数据库 URL； 由本进程读取推文、写入结果。")] = None,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", min=1, help="每批推文数： 一批是一个工作任务， 提交一次事务。 "
                                    "默认： rescreen.batch_size 设置， 100。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 汇总对象。")
                       ] = False,
    home: HomeOption = None,
) -> None:
    """用现行词库和模型重新审核存档； 中断后可续。

    每篇推文每个版本（词库加模型）存一份报告， 并给出汇总： 新被标出的推文（附新的发现）、
    不再被标出的推文、没有变化的推文。 中断了（Ctrl-C、kill -9）？再运行同一命令，
    它接着审核还没有报告的推文。
    """
    # The runner loads the archive tables and the classifier (measured: 45-80 ms of a CLI
    # start); only these commands need it.
    from .rescreen import rescreen as run_rescreen
    from .rescreen.archive import parse_when

    if dask and jobs > 1:
        err.print(error_line("--jobs 与 --dask 不能同时使用：用 --dask 时由集群的 worker 审核"))
        raise typer.Exit(2)
    try:
        if since:
            parse_when(since)
        settings = settings_from(home)
    except ValueError as exc:
        err.print(error_line(f"--since: {exc}"))
        raise typer.Exit(2) from None
    except ScreenerError as exc:
        raise fail(exc) from None
    label = "增量重审" if incremental else "重新审核"
    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]} 篇/秒"),
                        TextColumn("沿用 {task.fields[kept]}" if incremental else ""),
                        TimeElapsedColumn(), TextColumn("预计剩余"), TimeRemainingColumn(),
                        console=err, disable=as_json or not err.is_terminal)
    task = progress.add_task("rescreen", total=None, rate="-", kept=0)

    def on_start(pending: int, _done: int) -> None:
        progress.update(task, total=pending)

    def on_batch(n: int, carried: int) -> None:
        progress.advance(task, n)
        speed = progress.tasks[0].speed
        kept = progress.tasks[0].fields["kept"] + carried
        progress.update(task, rate=f"{speed:,.0f}" if speed else "-", kept=kept)

    try:
        with progress:
            summary = run_rescreen(settings, since=since, account=account, jobs=jobs,
                                   batch_size=batch_size or settings.rescreen.batch_size,
                                   dask_timeout=settings.rescreen.dask_timeout,
                                   incremental=incremental, dask=dask,
                                   on_start=on_start, on_batch=on_batch)
    except ScreenerError as exc:
        raise fail(exc) from None
    data = summary.to_dict()
    data.update(_after_rescreen(settings, data))
    notes = data.pop("notes")
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        _print_summary(data)
        for line in notes:
            out.print(line, markup=False)
    if summary.interrupted:
        err.print(f"已中断：{data['in_scope']} 篇推文中 {data['screened']} 篇已有本版本的报告；"
                  "再运行同一命令即可接着审核", markup=False)
        raise typer.Exit(INTERRUPTED)
    raise typer.Exit(Exit.REVIEW if summary.newly_flagged else 0)


def _after_rescreen(settings, data: dict) -> dict:
    """What the plugins add to the summary (the review service queues newly flagged posts of
    its registered accounts for review again); lines under ``notes`` are printed, not kept."""
    added: dict = {"notes": []}
    try:
        for extra in hooks().rescreen_finished(settings=settings, summary=data):
            notes = extra.pop("notes", [])
            added.update(extra)
            added["notes"] += notes
    except ScreenerError as exc:
        raise fail(ScreenerError(f"报告已保存，但插件出错（{exc}）；请再运行同一命令")
                   ) from None
    return added


# The summary's rows as people read them (the keys stay in --json).
SUMMARY_ROWS = {"in_scope": "范围内", "screened": "已有本版本报告", "screened_now": "本次审核",
                "carried_forward": "沿用原报告", "newly_flagged": "新被标出",
                "cleared": "不再被标出", "changed": "仍被标出、有新发现", "unchanged": "没有变化"}


def _print_summary(data: dict) -> None:
    table = Table("", "推文", title=f"重新审核（词库 {data['lexicon_version']}，"
                                    f"模型 {data['model_version']}）")
    keys = ["in_scope", "screened", "screened_now", "newly_flagged", "cleared", "changed",
            "unchanged"]
    if data["incremental"]:
        keys.insert(3, "carried_forward")
    for key in keys:
        table.add_row(SUMMARY_ROWS[key], f"{data[key]:,}")
    out.print(table)
    from .rescreen.archive import BEIJING  # loaded by the command already; see rescreen()

    for key, title in (("newly_flagged_posts", "新被标出的推文"),
                       ("changed_posts", "仍被标出、有新发现的推文")):
        if not data[key]:
            continue
        flagged = Table("推文", "账号", "发布日期（北京时间）", "结论", "新的发现", title=title)
        for post in data[key][:TABLE_ROWS]:
            new = "; ".join(_finding(f) for f in post["new_findings"]) or "-"
            published = datetime.fromisoformat(post["published_at"]).astimezone(BEIJING)
            flagged.add_row(post["id"], post["account"], published.date().isoformat(),
                            VERDICTS.get(post["verdict"], post["verdict"]), new)
        out.print(flagged)
        if len(data[key]) > TABLE_ROWS:
            out.print(f"…… 另有 {len(data[key]) - TABLE_ROWS:,} 篇{title}（--json 列出全部）",
                      markup=False)
    if data["cleared_posts"]:
        ids = [p["id"] for p in data["cleared_posts"]]
        more = f" …… 另有 {len(ids) - TABLE_ROWS:,} 篇" if len(ids) > TABLE_ROWS else ""
        out.print("不再被标出：" + "，".join(ids[:TABLE_ROWS]) + more, markup=False)


def _finding(f: dict) -> str:
    if f["field"] == "draft":  # a whole-draft finding: a classifier score or a stage error
        return f"{f['category']}（得分 {f['score']:.2f}）"
    return f"{f['category']} {f['term']!r}，{f['field']} {f['start']}-{f['end']}：{f['text']!r}"


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")
    app.command("rescreen")(rescreen)


def main() -> None:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                      no_args_is_help=True)
    register(app)
    app()


if __name__ == "__main__":
    main()
