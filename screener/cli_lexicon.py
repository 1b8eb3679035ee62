"""``screener lexicon ...``: the maintainers' commands.

Every change goes to the lexicon store (``database_url``, by default ``<home>/screener.db``) as
one new version, recorded with who (``--by``, default the OS user), when and why (``--reason``).
Nothing is deleted: ``retire`` stops a term firing and keeps its history.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from .cli_common import Exit, HomeOption, err, fail, out, settings_from
from .errors import ScreenerError
from .lexicon import (
    base_entries,
    current_entries,
    make_entry,
    parse_version,
    store_for,
    version_diff,
)
from .lexicon.clean import RATE_LIMIT, clean_corpus, term_rates, write_rates
from .lexicon.compiled import content_hash, format_version
from .lexicon.maintain import (
    Who,
    add_terms,
    allow_phrases,
    check_entry,
    edit_term,
    import_entries,
    retire_terms,
    unmatchable,
)
from .lexicon.store import default_user
from .lexicon.transfer import export_text, read_import
from .lexicon.trial import lint, straddle_warnings, try_terms
from .plugins import hooks
from .render import visible

lexicon_app = typer.Typer(
    help="维护词库： 加入、停用、修改、试跑词条； 每次改动都是一个新版本， 记下谁、何时、为何。 "
         "加入词条前先用 `lexicon test` 试跑。",
    no_args_is_help=True)

CATEGORY_HELP = ("类别： confidential（涉密）、 commercial（商业）、 illegal（违法）、 "
                 "unhealthy（不健康）、 major_news（重大事项） 或 protected_name（学校名称）"
                 "（适用时可用 allow 表示允许短语）。")
ByOption = Annotated[str | None, typer.Option(
    "--by", help="由谁修改（记录在案）。 默认： 当前系统用户。")]
ReasonOption = Annotated[str, typer.Option(
    "--reason", "-r", help="修改理由（记入历史）。")]


NO_REASON = "未写理由"


def _who(by: str | None, reason: str):
    return Who(by or default_user(), reason)


def _published(change, settings, nothing: str = "没有改动：词库已经如此") -> None:
    if change is None:
        out.print(nothing)
        return
    out.print(f"已发布 {format_version(change.seq, change.content)}：{change.summary}",
              markup=False)
    _audit(settings, change)


def _audit(settings, change) -> None:
    """Tell the plugins (the review service appends the change to its audit log when this
    state folder has one)."""
    try:
        hooks().lexicon_changed(settings=settings, change=change)
    except ScreenerError as exc:
        raise fail(ScreenerError(f"改动已发布，但未能写入审计日志（{exc}）；"
                                 "`screener audit verify` 会报告这一点")) from None


@lexicon_app.command("add")
def lexicon_add(
    terms: Annotated[list[str], typer.Argument(help="要加入的词条。", show_default=False)],
    category: Annotated[str, typer.Option("--category", "-c", help=CATEGORY_HELP)],
    severity: Annotated[str | None, typer.Option(
        "--severity", "-s", help="review（需审核）或 block（拦截）（默认： 该类别在政策表中的"
                                 "级别）。")] = None,
    article: Annotated[str | None, typer.Option(
        "--article", help="所引条款（默认： 该类别的条款）。")] = None,
    boundary: Annotated[bool | None, typer.Option(
        "--boundary/--no-boundary", help="只在 jieba 分词的词边界上命中（用于会跨词误中的"
        "短词， 如“舞台独白”中的“台独”）。 默认： 两个汉字的词条是， 其他否。",
        show_default=False)] = None,
    fillers: Annotated[bool, typer.Option(
        "--fillers", help="字与字之间夹一个虚字也命中（代的孕、代了孕）。")] = False,
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """加入词条（一个新版本）。 无法匹配的词条、含控制字符或不可见字符的词条会被拒绝。"""
    try:
        settings = settings_from(home)
        change = add_terms(settings, terms, category, _who(by, reason),
                           severity=severity, article=article, boundary=boundary,
                           fillers=fillers)
    except ScreenerError as exc:
        raise fail(exc) from None
    _published(change, settings)


@lexicon_app.command("allow")
def lexicon_allow(
    phrases: Annotated[list[str], typer.Argument(
        help="无害短语； 落在其中的命中不报（如“办证大厅”中的“办证”）。",
        show_default=False)],
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """加入允许短语（一个新版本）。"""
    try:
        settings = settings_from(home)
        change = allow_phrases(settings, phrases, _who(by, reason))
    except ScreenerError as exc:
        raise fail(exc) from None
    _published(change, settings)


RetiredTerms = Annotated[list[str], typer.Argument(help="要停用的词条（或允许短语）。",
                                                   show_default=False)]
RetireReason = Annotated[str, typer.Option("--reason", "-r", help="停用理由（必填， 记录在案）。")]
RetireCategory = Annotated[str | None, typer.Option(
    "--category", "-c", help="只停用这个类别中的（默认： 所有类别）。")]


def _retire(terms, category, by, reason, home) -> None:
    try:
        settings = settings_from(home)
        change = retire_terms(settings, terms, _who(by, reason), category)
    except ScreenerError as exc:
        raise fail(exc) from None
    _published(change, settings)


@lexicon_app.command("retire")
def lexicon_retire(
    terms: RetiredTerms,
    reason: RetireReason = "",
    category: RetireCategory = None,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """停用词条（随软件发布的词条也可以）： 不再命中。 历史保留； 用 `lexicon add` 可恢复。"""
    _retire(terms, category, by, reason, home)


@lexicon_app.command("remove", hidden=True)
def lexicon_remove(
    terms: RetiredTerms,
    reason: RetireReason = "",
    category: RetireCategory = None,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """`lexicon retire` 的旧名称。"""
    _retire(terms, category, by, reason, home)


@lexicon_app.command("edit")
def lexicon_edit(
    term: Annotated[str, typer.Argument(help="要修改的词条。", show_default=False)],
    category: Annotated[str | None, typer.Option("--category", "-c",
                                                 help="新类别。")] = None,
    severity: Annotated[str | None, typer.Option("--severity", "-s",
                                                 help="新级别（review 需审核 / block 拦截）。")
                        ] = None,
    article: Annotated[str | None, typer.Option("--article", help="新的所引条款。")] = None,
    boundary: Annotated[bool | None, typer.Option(
        "--boundary/--no-boundary", help="是否只在词边界上命中。")] = None,
    fillers: Annotated[bool | None, typer.Option(
        "--fillers/--no-fillers", help="字与字之间夹虚字时是否也命中。")] = None,
    from_category: Annotated[str | None, typer.Option(
        "--from-category", help="词条在多个类别中时， 改哪一个类别中的。")] = None,
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """修改词条的类别、级别、所引条款、词边界或虚字设置（一个新版本）。"""
    try:
        settings = settings_from(home)
        change = edit_term(settings, term, _who(by, reason), category=category,
                           severity=severity, article=article, boundary=boundary,
                           from_category=from_category, fillers=fillers)
    except ScreenerError as exc:
        raise fail(exc) from None
    _published(change, settings)


@lexicon_app.command("list")
def lexicon_list(
    category: Annotated[str | None, typer.Option(
        "--category", "-c", help="只列这个类别（allow 为允许短语）。")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", "-q", help="只列含有这段文字的词条。")] = None,
    home: HomeOption = None,
) -> None:
    """列出现行词条（随软件发布的词表加上维护人的改动）。"""
    try:
        entries = current_entries(settings_from(home))
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("词条", "类别", "级别", "所引条款", "词边界", "虚字", "来源")
    for e in entries:
        if (category is None or e.category == category) and (not search or search in e.term):
            table.add_row(e.term, e.category, "" if e.is_allow else str(e.severity), e.article,
                          "是" if e.boundary else "", "是" if e.fillers else "", e.source)
    out.print(table)


@lexicon_app.command("show")
def lexicon_show(
    term: Annotated[str, typer.Argument(help="词条。", show_default=False)],
    home: HomeOption = None,
) -> None:
    """一个词条的现状及其每次改动（谁、何时、为何）。"""
    try:
        settings = settings_from(home)
        store = store_for(settings)
        shipped = [e for e in base_entries(settings) if e.term == term]
        now = [e for e in current_entries(settings) if e.term == term]
        events = store.events(term=term)
        changes = {e.seq: store.change(e.seq) for e in events}
    except ScreenerError as exc:
        raise fail(exc) from None
    if not shipped and not events:
        raise fail(ScreenerError(f"{term!r}：不在词库中，也从未在过"))
    for e in shipped:
        out.print(f"随软件发布：{e.category}，{e.severity}，{e.source}", markup=False)
    for e in events:  # plain lines, not a table: long reasons stay whole and greppable
        change = changes[e.seq]
        state = (f"{e.category}，{e.severity}{'，只在词边界命中' if e.boundary else ''}"
                 f"{'，夹虚字也命中' if e.fillers else ''}"
                 if e.active else f"已从 {e.category} 停用")
        out.print(f"版本 {e.seq}  {change.at}  {change.by}  {e.action}：{state}"
                  f"  （{change.reason or NO_REASON}）", markup=False)
    out.print("现行：" + ("；".join(f"{e.category}（{e.severity}）" for e in now)
                         if now else "否（已停用）"), markup=False)


@lexicon_app.command("history")
def lexicon_history(
    limit: Annotated[int, typer.Option("--limit", "-n", help="列出最近多少次改动。")] = 50,
    home: HomeOption = None,
) -> None:
    """已发布的各个版本， 最新的在前： 谁、何时、为何、改了什么。"""
    try:
        changes = store_for(settings_from(home)).changes(limit)
    except ScreenerError as exc:
        raise fail(exc) from None
    for c in changes:
        out.print(f"{format_version(c.seq, c.content)}  {c.at}  {c.by}  {c.summary}"
                  f"  （{c.reason or NO_REASON}）", markup=False)
    if not changes:
        out.print("还没有改动：版本 0 即随软件发布的词表", markup=False)


@lexicon_app.command("diff")
def lexicon_diff(
    old: Annotated[str, typer.Argument(help="较早的版本（12 或 lex-12-3fa9c2d1e0b4； "
                                            "0 为随软件发布的词表）。", show_default=False)],
    new: Annotated[str, typer.Argument(help="较新的版本（默认： 最新版本）。",
                                       show_default=False)] = "",
    home: HomeOption = None,
) -> None:
    """两个版本之间加入、停用和修改的词条（以当前随软件发布的词表为底）。"""
    try:
        settings = settings_from(home)
        store = store_for(settings)
        newest = store.latest_seq()
        v1, v2 = parse_version(old), parse_version(new) if new else newest
        for v in (v1, v2):
            if v > newest:
                raise ScreenerError(f"版本 {v} 还不存在（最新版本：{newest}）")
        differences = version_diff(settings, v1, v2, store)
    except ScreenerError as exc:
        raise fail(exc) from None
    lines = []
    for d in differences:
        x, y = d.before, d.after
        if d.kind == "+":
            lines.append(f"+ {y.term} ({y.category}, {y.severity})")
        elif d.kind == "-":
            lines.append(f"- {x.term} ({x.category})")
        else:
            lines.append(f"~ {y.term} ({y.category}): {x.severity}/{x.article}/boundary="
                         f"{x.boundary}/fillers={x.fillers} -> {y.severity}/{y.article}/"
                         f"boundary={y.boundary}/fillers={y.fillers}")
    out.print(f"{v1} -> {v2}：{len(lines)} 处不同", markup=False)
    for line in sorted(lines, key=lambda s: (s[2:], s[0])):
        out.print(line, markup=False)


@lexicon_app.command("import")
def lexicon_import(
    file: Annotated[Path, typer.Argument(
        help=".txt（词库文件格式， 或配合 --category 每行一个词条）、.csv（列为 term, category, "
             "severity, article, boundary）或 .json（字符串或对象的列表）。", show_default=False)],
    category: Annotated[str | None, typer.Option(
        "--category", "-c", help="没有写类别的行归入这个类别。")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="只显示会有哪些改动和每个被拒绝的行； 不做任何改动。")]
        = False,
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """把一份词表作为一个版本导入。 有问题的行被拒绝并注明原因， 其余照常导入。
    有行被拒绝时退出码为 30。"""
    try:
        settings = settings_from(home)
        with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("核对中", total=None)
            plan = read_import(file, settings, category,
                               lambda done, total: bar.update(task, completed=done, total=total))
        in_force = {(e.term, e.category, e.severity, e.article, e.boundary, e.fillers)
                    for e in current_entries(settings)}
        new = [(line, e) for line, e in plan.accepted
               if (e.term, e.category, e.severity, e.article, e.boundary, e.fillers)
               not in in_force]
        for r in plan.rejected:  # shown, not obeyed: a rejected line may hold any character
            text = visible(r.text if len(r.text) <= 40 else r.text[:40] + "…")
            err.print(f"已拒绝：{file}:{r.line}：{r.reason}：{text}", markup=False)
        if dry_run:
            for line, e in new:
                out.print(f"将加入：{file}:{line}：{e.term}（{e.category}，{e.severity}）",
                          markup=False)
            out.print(f"试运行：将加入 {len(new)} 个，已在现行词库中 "
                      f"{len(plan.accepted) - len(new)} 个，拒绝 {len(plan.rejected)} 个；"
                      "词库未改动", markup=False)
        else:
            _published(import_entries(settings, [e for _, e in new], _who(by, reason)), settings,
                       nothing="没有要导入的：接受的每一行都已在现行词库中")
            out.print(f"加入 {len(new)} 个，拒绝 {len(plan.rejected)} 个", markup=False)
    except ScreenerError as exc:
        raise fail(exc) from None
    if plan.rejected:
        raise typer.Exit(Exit.BAD_INPUT)


@lexicon_app.command("export")
def lexicon_export(
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="lexicon（随软件发布的词库文件格式， 每个类别一个文件）、"
                               "json 或 csv。")] = "lexicon",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="写到文件（json/csv）或目录（lexicon 格式）。 默认： 标准输出。")]
        = None,
    category: Annotated[str | None, typer.Option("--category", "-c",
                                                 help="只导出这个类别。")] = None,
    home: HomeOption = None,
) -> None:
    """导出现行词库。"""
    try:
        settings = settings_from(home)
        entries = [e for e in current_entries(settings)
                   if category is None or e.category == category]
        seq = store_for(settings).latest_seq()
        version = format_version(seq, content_hash(current_entries(settings),
                                                   settings.min_pinyin_letters))
        documents = export_text(entries, fmt, version)
        if output is None:
            for name, text in documents.items():
                if name and len(documents) > 1:
                    sys.stdout.write(f"# ---- {name}\n")
                sys.stdout.write(text)
            return
        if fmt == "lexicon":
            output.mkdir(parents=True, exist_ok=True)
            for name, text in documents.items():
                (output / name).write_text(text, encoding="utf-8")
        else:
            output.write_text(documents[""], encoding="utf-8")
    except BrokenPipeError:
        raise typer.Exit(0) from None  # the reader (head, less) stopped: not an error
    except OSError as exc:
        raise fail(ScreenerError(f"{output}: {exc.strerror or exc}")) from None
    except ScreenerError as exc:
        raise fail(exc) from None
    err.print(f"已把 {version} 的 {len(entries)} 个词条导出到 {output}", markup=False)


@lexicon_app.command("test")
def lexicon_test(
    terms: Annotated[list[str], typer.Argument(help="候选词条。", show_default=False)],
    category: Annotated[str, typer.Option("--category", "-c", help=CATEGORY_HELP)] = "illegal",
    boundary: Annotated[bool | None, typer.Option(
        "--boundary/--no-boundary", help="是否按只在词边界上命中来试（默认： 两个汉字的词条是）。",
        show_default=False)] = None,
    fillers: Annotated[bool, typer.Option("--fillers", help="按夹虚字也命中来试。")]
        = False,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="干净参考语料： 已构建的真实语料（`screener corpus build`）、"
                         "干净稿件的文件夹， 或每行一篇文本的文本文件。 默认： corpus_dir 设置下"
                         "已构建的语料加手写样例， 没有则只用手写样例（data/samples/clean）。")
    ] = None,
    home: HomeOption = None,
) -> None:
    """用候选词条审核干净参考语料， 列出每一处命中： 在那里的每个命中都是误报。 不改动词库。"""
    try:
        settings = settings_from(home)
        candidates = [make_entry(t, category, boundary=boundary, source="candidate",
                                 fillers=fillers) for t in terms]
        for c in candidates:
            check_entry(c)
        bad = unmatchable(terms, settings)
        if bad:
            term, why = next(iter(bad.items()))
            raise ScreenerError(f"{term!r} 无法匹配：{why}")
        allow = [e for e in current_entries(settings) if e.is_allow]
        clean = clean_corpus(settings, corpus)
        result = try_terms(candidates, allow, settings, clean)
    except ScreenerError as exc:
        raise fail(exc) from None
    err.print(f"干净参考语料：{clean.description}", markup=False)
    for hit in result.hits:
        out.print(f"{hit.source} {hit.field}:{hit.start}-{hit.end}  {hit.term}  "
                  f"…{hit.context}…", markup=False)
    out.print(f"{result.drafts_screened} 篇干净稿件中 {result.drafts_hit} 篇命中，共 "
              f"{len(result.hits)} 处：预计误报率 {result.false_alarm_rate:.1%}", markup=False)


@lexicon_app.command("lint")
def lexicon_lint(
    category: Annotated[str | None, typer.Option("--category", "-c",
                                                 help="只报告这个类别。")] = None,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="用来算误报率的干净参考语料（同 `lexicon test`； 默认： 已构建的真实语料"
                         "加手写样例， 没有则只用手写样例）。")] = None,
    rates: Annotated[Path | None, typer.Option(
        "--rates", help="另把每个词条的误报率写到这个 TSV 文件。")] = None,
    home: HomeOption = None,
) -> None:
    """指出可能误中或不起作用的词条： 过短、日常用语、重复、被其他词条覆盖或被允许短语吞掉、
    拼音变体拼出常用词、在干净语料中落在普通词语内部（跨词）； 并报告每个词条在干净参考语料上的
    误报率， 标出超过 0.5% 的。"""
    try:
        settings = settings_from(home)
        entries = current_entries(settings)
        warnings = lint(entries, settings)
        clean = clean_corpus(settings, corpus)
        warnings += straddle_warnings(entries, settings, clean)
        measured = term_rates(entries, settings, clean)
        if rates is not None:
            write_rates(rates, measured, clean)
    except ScreenerError as exc:
        raise fail(exc) from None
    categories = {e.term: e.category for e in entries if not e.is_allow}
    shown = [w for w in warnings if category is None or categories.get(w.term) == category]
    for w in shown:
        out.print(f"{w.kind:9} {w.term}：{w.message}", markup=False)
    out.print(f"共 {len(shown)} 条警告", markup=False)
    chosen = [r for r in measured if category is None or r.category == category]
    firing = sorted((r for r in chosen if r.texts_hit), key=lambda r: (-r.texts_hit, r.term))
    out.print(f"\n干净参考语料：{clean.description}；sha256 {clean.digest[:16]}…", markup=False)
    for r in firing:
        flag = "  超过 0.5%" if r.rate > RATE_LIMIT else ""
        out.print(f"误报率 {r.rate:7.3%}  {r.texts_hit:4d}/{r.of}  {r.term} ({r.category}, "
                  f"{r.source}) 例：{r.example}{flag}", markup=False)
    over = sum(r.rate > RATE_LIMIT for r in chosen)
    out.print(f"{len(chosen)} 个词条中 {len(firing)} 个在干净语料上命中，{over} 个误报率超过 "
              f"{RATE_LIMIT:.1%}", markup=False)
    if rates is not None:
        out.print(f"已写出每个词条的误报率：{rates}", markup=False)


@lexicon_app.command("suggest")
def lexicon_suggest(
    min_count: Annotated[int, typer.Option(
        "--min-count", min=1, help="至少出现在这么多条漏报（或被判误报）的文本中才提出。")] = 2,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="每类最多列出几条。")] = 20,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="干净参考语料（同 `lexicon test`）， 用来估计每条建议的误报率。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象。")] = False,
    home: HomeOption = None,
) -> None:
    """根据审核反馈提出词库修改建议： 漏报的商业、违法内容中反复出现而词库尚未收录的词， 以及审核人
    最常判为误报的词条； 每条附出现次数和在干净参考语料上的误报率。 只提建议， 不改词库： 采纳请用
    `lexicon test` 试过后再 `lexicon add` / `lexicon retire`。"""
    import json

    from .learning.suggest import suggest

    try:
        settings = settings_from(home)
        found = suggest(settings, min_count=min_count, limit=limit, corpus=corpus)
    except ScreenerError as exc:
        raise fail(exc) from None
    if as_json:
        out.print(json.dumps(found.to_json(), ensure_ascii=False), markup=False, soft_wrap=True)
        return
    err.print(f"干净参考语料：{found.clean_description}", markup=False)
    names = {"commercial": "商业", "illegal": "违法"}
    out.print("建议加入词库（来自漏报）："
              + "，".join(f"{names[c]}漏报 {n} 篇" for c, n in found.missed_texts.items()),
              markup=False)
    if not found.additions:
        out.print(f"  （没有在至少 {min_count} 篇漏报文本中出现、且词库尚未收录的词）",
                  markup=False)
    for a in found.additions:
        flag = "  误报率超过 0.5%，不宜加入" if a.clean_rate > RATE_LIMIT else ""
        out.print(f"  {a.term}  类别 {a.category}  漏报文本 {a.missed} 篇  被判误报的文本中 "
                  f"{a.dismissed} 篇  干净语料误报率 {a.clean_rate:.2%}（{a.clean_hits}/"
                  f"{a.clean_texts}）{flag}", markup=False)
    out.print("审核人最常判为误报的词条（考虑 retire 或加允许短语）：", markup=False)
    if not found.dismissals:
        out.print(f"  （没有词条在至少 {min_count} 篇文本中被判为误报）", markup=False)
    for d in found.dismissals:
        out.print(f"  {d.term}  类别 {d.category}  判为误报 {d.dismissed} 篇、属实 {d.confirmed} 篇"
                  f"（误报占 {d.dismissal_rate:.0%}）  干净语料误报率 {d.clean_rate:.2%}",
                  markup=False)
    out.print("以上只是建议，词库未改动。采纳前请用 `screener lexicon test 词 --category 类别` "
              "试跑。", markup=False)
