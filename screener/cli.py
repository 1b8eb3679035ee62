"""The ``screener`` command line.

Exit status of ``screener screen`` (the worst over all inputs):
0 every draft passed · 10 some draft needs review · 20 some draft is blocked ·
30 some input could not be read (the others are still screened) · 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table

from .cli_assets import assets_app
from .cli_common import (
    EXIT_OF,
    Exit,
    Format,
    HomeOption,
    err,
    error_line,
    fail,
    out,
    settings_from,
)
from .cli_corpus import corpus_app
from .cli_learning import feedback_app, model_app
from .cli_lexicon import lexicon_app
from .cli_rescreen import register as register_rescreen_commands
from .cli_sources import sources_app
from .errors import ScreenerError
from .i18n import translations
from .ingest import expand_paths, load_draft
from .pipeline import Screener, freeze_long_lived
from .plugins import hooks
from .render import print_report, report_json
from .settings import sources

app = typer.Typer(
    help="学院微信公众号、微博账号的稿件在发布前审核。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(lexicon_app, name="lexicon")
app.add_typer(assets_app, name="assets")
app.add_typer(corpus_app, name="corpus")
app.add_typer(sources_app, name="sources")
app.add_typer(model_app, name="model")
app.add_typer(feedback_app, name="feedback")
register_rescreen_commands(app)
@app.command()
def screen(
    paths: Annotated[list[Path], typer.Argument(
        help="稿件文件： .json（{title, body, images, account, platform, author, id}）、"
             ".txt（第一行加一个空行为标题）、.md（第一行 '# 标题'， 图片链接）、"
             ".html（微信导出的网页， 含 <img>）或 .docx。 "
             "文件夹代表其下所有稿件文件。",
        show_default=False)],
    format: Annotated[Format, typer.Option(
        "--format", "-f", help="json： 每篇稿件一行 JSON 对象， 按输入顺序。 "
                               "text： 便于阅读的摘要， 标出有问题的文字。")
    ] = Format.text,
    explain: Annotated[bool, typer.Option(
        "--explain", help="同时显示每项发现的技术细节和每个分类模型得分的依据。")] = False,
    home: HomeOption = None,
) -> None:
    """审核稿件， 每篇稿件输出一份审核报告。

    退出码： 0 全部通过， 10 有稿件需审核， 20 有稿件被拦截， 30 有输入无法读取。
    """
    try:
        screener = Screener(settings_from(home))
    except ScreenerError as exc:
        raise fail(exc) from None
    tr = translations(screener.settings.locale)
    paths = expand_paths(paths)
    if len(paths) > 1:
        freeze_long_lived()
    worst = Exit.PASS
    show_progress = format is Format.text and len(paths) > 20 and err.is_terminal
    with Progress(TextColumn("审核中"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=err, disable=not show_progress) as progress:
        task = progress.add_task("screen", total=len(paths))
        for path in paths:
            progress.advance(task)
            try:
                draft = load_draft(path, screener.settings)
            except ScreenerError as exc:
                err.print(error_line(exc))
                worst = max(worst, Exit.BAD_INPUT)
                continue
            report = screener.screen(draft)
            worst = max(worst, EXIT_OF[report.verdict])
            if format is Format.json:
                sys.stdout.write(report_json(report, str(path), explain=explain) + "\n")
            else:
                print_report(out, report, draft, str(path), explain=explain, tr=tr)
    sys.stdout.flush()
    raise typer.Exit(int(worst))


@app.command()
def train(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="模型写到哪个目录（默认： model_dir 设置）。")
    ] = None,
    data: Annotated[Path, typer.Option(
        "--data", help="合成数据目录， 内有 train.jsonl 和 heldout.jsonl。")
    ] = Path("data/samples/corpus"),
    seed: Annotated[int, typer.Option(help="随机种子； 种子相同， 训练出的模型相同。")
                    ] = 0,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="本地真实语料（由 `screener corpus build` 构建）； 默认为 corpus_dir "
                         "设置下已构建的语料， 没有则只用合成数据。")
    ] = None,
    synthetic_only: Annotated[bool, typer.Option(
        "--synthetic-only", help="不用真实语料（随软件发布的模型不是这样训练的）。")] = False,
    home: HomeOption = None,
) -> None:
    """训练涉密（confidential）、商业（commercial）、重大事项（major_news）分类模型， 写出模型卡。

    可复现： 数据（合成语料加真实语料）和随机种子相同， 模型文件逐字节相同。
    """
    # Training loads scikit-learn and scipy (measured: 150-190 ms); no other command needs them.
    from .classify.cli import format_summary
    from .classify.cli import train as run_training
    from .corpus import find_corpus

    try:
        settings = settings_from(home)
        folder = None if synthetic_only else find_corpus(corpus, settings)
        err.print(f"真实语料：{folder}" if folder else
                  "没有真实语料，只用合成数据训练；随软件发布的模型还用了真实语料，"
                  "可用 `screener corpus build` 构建", markup=False)
        with err.status("训练中（交叉验证约需一两分钟）…"):
            report = run_training(output or settings.model_dir, data, seed, corpus_dir=folder)
    except ScreenerError as exc:
        raise fail(exc) from None
    out.print(format_summary(report), markup=False)


# Where a setting's value came from (the keys are settings.sources()'s).
ORIGIN = {"default": "默认值", "file": "设置文件", "environment": "环境变量", "flag": "命令行选项"}


@app.command("settings")
def show_settings(home: HomeOption = None) -> None:
    """列出每项设置： 取值、来源和含义。

    分节的设置名用点连接（如 service.max_request_bytes）； 取值来自命令行选项、环境变量、
    设置文件或默认值。
    """
    try:
        settings = settings_from(home)
        origin = sources(home=home)
    except ScreenerError as exc:
        raise fail(exc) from None
    # Chinese has no spaces to wrap at: fold the meaning rather than cut it off.
    table = Table("设置", "取值", "来源", Column("含义", overflow="fold"))

    def rows(model: BaseModel, prefix: str) -> None:
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                rows(value, f"{prefix}{name}.")
                continue
            key = prefix + name
            table.add_row(key, str(value), ORIGIN[origin.get(key, "default")],
                          info.description or "")

    rows(settings, "")
    out.print(table)
    out.print(f"设置文件：{settings.settings_file}"
              + ("" if settings.settings_file.is_file() else "（不存在）"), markup=False)


# Plugins' commands last (the review service adds serve, init, accounts, tokens, audit).
hooks().register_commands(app=app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
