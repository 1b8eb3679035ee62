"""``screener corpus ...``: build and inspect the local real-text corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .cli_common import HomeOption, err, fail, out, settings_from
from .errors import ScreenerError

corpus_app = typer.Typer(
    help="真实语料： 从来源仓库的本地副本构建本地语料， 带标注， 分好训练、验证、测试集。 "
         "data/corpora/SOURCES.toml 记录每个来源与校验和； 语料文本不入库。",
    no_args_is_help=True)


@corpus_app.command("build")
def corpus_build(
    source_dir: Annotated[Path, typer.Option(
        "--from", help="来源仓库的本地副本所在目录： 每个仓库一个子目录 owner+name， "
                       "可以是 git 目录（裸仓库或 .git）或文件副本。", show_default=False)],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="语料写到哪里（默认： 状态目录下的 corpus/， 即 corpus_dir 设置）。")
    ] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="只构建这些来源（可重复； 默认全部）。")] = None,
    sources_file: Annotated[Path | None, typer.Option(
        "--sources", help="来源清单（默认 data/corpora/SOURCES.toml）。")] = None,
    home: HomeOption = None,
) -> None:
    """核对每个文件的 sha256， 按规则过滤、去重、标注、划分， 写出本地语料（JSON Lines）。"""
    from rich.progress import BarColumn, Progress, TextColumn

    from .corpus.build import build
    from .corpus.sources import SOURCES_FILE

    try:
        settings = settings_from(home)
        target = output or settings.corpus_folder
        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} 个文件"), console=err,
                      transient=True, disable=not err.is_terminal) as bar:
            tasks: dict[str, int] = {}

            def progress(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(f"读取 {name}", total=total)
                bar.update(tasks[name], completed=done)

            manifest, reports = build(source_dir, target, sources_file or SOURCES_FILE,
                                      only=source or None, progress=progress)
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("来源", "读入", "保留", "commercial", "major_news", "none", "fraud")
    for r in reports:
        table.add_row(r.name, str(r.read), str(r.kept), *(str(r.labels.get(k, 0)) for k in
                      ("commercial", "major_news", "none", "fraud")))
    out.print(table)
    for r in reports:
        for why, n in sorted(r.dropped.items()):
            out.print(f"  {r.name}：剔除 {n} 条（{why}）", markup=False)
    for r in reports:
        if r.expected is not None and r.expected != r.kept:
            err.print(f"注意：{r.name} 保留 {r.kept} 条，SOURCES.toml 记录的是 {r.expected} 条——"
                      "来源文件或标注规则变了，已发布模型的卡片数字不再对应这份语料。",
                      markup=False)
    out.print(f"已写出 {manifest['records']} 条记录到 {target}（sha256 "
              f"{manifest['sha256'][:16]}…）", markup=False)
    if "held_out" in manifest:
        out.print(f"另有 {manifest['held_out']['records']} 条只用于评测的记录（留出来源，"
                  "heldout.jsonl）：不参与训练，也不用于选阈值", markup=False)


@corpus_app.command("show")
def corpus_show(
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="语料目录（默认： corpus_dir 设置， 即状态目录下的 corpus/）。")] = None,
    home: HomeOption = None,
) -> None:
    """显示本地语料各来源、各划分、各标签的条数。"""
    from .corpus import find_corpus, load_corpus

    try:
        settings = settings_from(home)
        folder = find_corpus(corpus, settings)
        if folder is None:
            raise ScreenerError(f"{settings.corpus_folder} 里还没有语料；先运行 "
                                "`screener corpus build --from 镜像目录`")
        loaded = load_corpus(folder)
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("来源", "划分", "commercial", "major_news", "none", "fraud", "合计")
    held_out = loaded.manifest.get("held_out", {}).get("counts", {})
    for name, counts in {**loaded.manifest.get("counts", {}), **held_out}.items():
        for split in ("train", "validation", "test"):
            if name in held_out and split != "test":
                continue
            row = [counts.get(f"{split}/{label}", 0)
                   for label in ("commercial", "major_news", "none", "fraud")]
            table.add_row(name, split, *(str(n) for n in row), str(sum(row)))
    out.print(table)
    if held_out:
        out.print(f"只用于评测的留出来源（不参与训练，也不用于选阈值）：{'、'.join(held_out)}，"
                  f"共 {len(loaded.held_out)} 条", markup=False)
    out.print(f"{folder}: {len(loaded.records)} 条，其中干净参考语料（教育新闻与高校通知标题）"
              f"{len(loaded.clean())} 条；sha256 {loaded.digest[:16]}…", markup=False)


@corpus_app.command("candidates")
def corpus_candidates(
    source_dir: Annotated[Path, typer.Option(
        "--from", help="来源仓库的本地副本所在目录（同 corpus build）。", show_default=False)],
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="本地语料目录（默认： corpus_dir 设置）。")] = None,
    write: Annotated[bool, typer.Option(
        "--write", help="写出 lexicons/public_*.txt 和 lexicons/CANDIDATES.md（否则只显示）。")
    ] = False,
    show: Annotated[int, typer.Option(
        "--show", help="每个类别最多显示多少个入选词条。")] = 30,
    home: HomeOption = None,
) -> None:
    """公开词库（SOURCES.toml 中的候选词表）逐条判定： 能判定类别、不是日常词、
    在干净参考语料上误报率不超过 0.5% 的才入选； 其余按原因计数。"""
    from collections import Counter

    from .lexicon.candidates import PUBLISHED, select, write_lexicons, write_report

    try:
        settings = settings_from(home)
        with err.status("核对候选词表并在干净语料上测误报率…"):
            report = select(source_dir, settings, corpus)
    except ScreenerError as exc:
        raise fail(exc) from None
    out.print(f"干净参考语料：{report.clean_description}", markup=False)
    reasons = Counter(d.reason or f"入选（{d.category}）" for d in report.decisions)
    for reason, n in reasons.most_common():
        out.print(f"{n:7d}  {reason}", markup=False)
    accepted = report.accepted()
    for category in PUBLISHED:
        chosen = sorted(d.term for d in accepted if d.category == category)
        out.print(f"{category}：{len(chosen)} 个，例如 {'、'.join(chosen[:show])}", markup=False)
    if write:
        for path in [*write_lexicons(report), write_report(report)]:
            out.print(f"已写出 {path}", markup=False)
