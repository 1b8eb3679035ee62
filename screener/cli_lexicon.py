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
    help="Maintain the lexicon: add, retire, edit and test terms; every change is a new "
         "version with who, when and why. Try terms with 'lexicon test' before adding them.",
    no_args_is_help=True)

CATEGORY_HELP = ("confidential, commercial, illegal, unhealthy, major_news or protected_name "
                 "('allow' for allow-list phrases where it makes sense).")
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who makes the change (recorded). Default: the OS user.")]
ReasonOption = Annotated[str, typer.Option(
    "--reason", "-r", help="Why (recorded in the history).")]


def _who(by: str | None, reason: str):
    return Who(by or default_user(), reason)


def _published(change, settings, nothing: str = "nothing changed: the lexicon already says so"
               ) -> None:
    if change is None:
        out.print(nothing)
        return
    out.print(f"published {format_version(change.seq, change.content)}: {change.summary}")
    _audit(settings, change)


def _audit(settings, change) -> None:
    """Tell the plugins (the review service appends the change to its audit log when this
    state folder has one)."""
    try:
        hooks().lexicon_changed(settings=settings, change=change)
    except ScreenerError as exc:
        raise fail(ScreenerError(f"the change is published but NOT in the audit log ({exc}); "
                                 "`screener audit verify` will report it")) from None


@lexicon_app.command("add")
def lexicon_add(
    terms: Annotated[list[str], typer.Argument(help="Terms to add.", show_default=False)],
    category: Annotated[str, typer.Option("--category", "-c", help=CATEGORY_HELP)],
    severity: Annotated[str | None, typer.Option(
        "--severity", "-s", help="review or block (default: the category's, from the policy "
                                 "table).")] = None,
    article: Annotated[str | None, typer.Option(
        "--article", help="Article cited (default: the category's).")] = None,
    boundary: Annotated[bool | None, typer.Option(
        "--boundary/--no-boundary", help="Fire only on jieba word boundaries (for short terms "
        "that straddle words, e.g. 台独 in 舞台独白). Default: yes for a two-character Chinese "
        "term, no otherwise.", show_default=False)] = None,
    fillers: Annotated[bool, typer.Option(
        "--fillers", help="Also fire with a filler character between the characters "
                          "(代的孕, 代了孕).")] = False,
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """Add terms (one new version). A term that cannot be matched, or that holds a control or
    invisible character, is refused."""
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
        help="Benign phrases; a hit inside one is suppressed (办证 inside 办证大厅).",
        show_default=False)],
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """Add allow-list phrases (one new version)."""
    try:
        settings = settings_from(home)
        change = allow_phrases(settings, phrases, _who(by, reason))
    except ScreenerError as exc:
        raise fail(exc) from None
    _published(change, settings)


def _retire(terms, category, by, reason, home) -> None:
    try:
        settings = settings_from(home)
        change = retire_terms(settings, terms, _who(by, reason), category)
    except ScreenerError as exc:
        raise fail(exc) from None
    _published(change, settings)


@lexicon_app.command("retire")
def lexicon_retire(
    terms: Annotated[list[str], typer.Argument(help="Terms (or allow-list phrases) to retire.",
                                               show_default=False)],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (required, recorded).")] = "",
    category: Annotated[str | None, typer.Option(
        "--category", "-c", help="Only in this category (default: every category).")] = None,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """Stop terms from firing (shipped ones too). Their history is kept; 'add' brings them back."""
    _retire(terms, category, by, reason, home)


@lexicon_app.command("remove", hidden=True)
def lexicon_remove(
    terms: Annotated[list[str], typer.Argument(show_default=False)],
    reason: Annotated[str, typer.Option("--reason", "-r")] = "",
    category: Annotated[str | None, typer.Option("--category", "-c")] = None,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """Old name of 'retire'."""
    _retire(terms, category, by, reason, home)


@lexicon_app.command("edit")
def lexicon_edit(
    term: Annotated[str, typer.Argument(help="The term to change.", show_default=False)],
    category: Annotated[str | None, typer.Option("--category", "-c",
                                                 help="New category.")] = None,
    severity: Annotated[str | None, typer.Option("--severity", "-s",
                                                 help="New severity (review/block).")] = None,
    article: Annotated[str | None, typer.Option("--article", help="New article.")] = None,
    boundary: Annotated[bool | None, typer.Option(
        "--boundary/--no-boundary", help="Make it boundary-sensitive or not.")] = None,
    fillers: Annotated[bool | None, typer.Option(
        "--fillers/--no-fillers", help="Let it fire with filler characters between its "
                                       "characters, or not.")] = None,
    from_category: Annotated[str | None, typer.Option(
        "--from-category", help="Which entry, if the term is in several categories.")] = None,
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """Change a term's category, severity, article, boundary or fillers flag (one new
    version)."""
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
        "--category", "-c", help="Only this category ('allow' for the allow-list).")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", "-q", help="Only terms containing this text.")] = None,
    home: HomeOption = None,
) -> None:
    """List the terms in force (shipped lists with the maintainers' changes)."""
    try:
        entries = current_entries(settings_from(home))
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("term", "category", "severity", "article", "boundary", "fillers", "source")
    for e in entries:
        if (category is None or e.category == category) and (not search or search in e.term):
            table.add_row(e.term, e.category, "" if e.is_allow else str(e.severity), e.article,
                          "yes" if e.boundary else "", "yes" if e.fillers else "", e.source)
    out.print(table)


@lexicon_app.command("show")
def lexicon_show(
    term: Annotated[str, typer.Argument(help="The term.", show_default=False)],
    home: HomeOption = None,
) -> None:
    """A term's state now and every change to it (who, when, why)."""
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
        raise fail(ScreenerError(f"{term!r}: not in the lexicon and never was"))
    for e in shipped:
        out.print(f"shipped: {e.category}, {e.severity}, {e.source}")
    for e in events:  # plain lines, not a table: long reasons stay whole and greppable
        change = changes[e.seq]
        state = (f"{e.category}, {e.severity}{', boundary' if e.boundary else ''}"
                 f"{', fillers' if e.fillers else ''}"
                 if e.active else f"retired from {e.category}")
        out.print(f"version {e.seq}  {change.at}  {change.by}  {e.action}: {state}"
                  f"  ({change.reason or 'no reason given'})", markup=False)
    out.print("in force: " + ("; ".join(f"{e.category} ({e.severity})" for e in now)
                              if now else "no (retired)"))


@lexicon_app.command("history")
def lexicon_history(
    limit: Annotated[int, typer.Option("--limit", "-n", help="Newest N changes.")] = 50,
    home: HomeOption = None,
) -> None:
    """The versions published, newest first: who, when, why and what."""
    try:
        changes = store_for(settings_from(home)).changes(limit)
    except ScreenerError as exc:
        raise fail(exc) from None
    for c in changes:
        out.print(f"{format_version(c.seq, c.content)}  {c.at}  {c.by}  {c.summary}"
                  f"  ({c.reason or 'no reason given'})", markup=False)
    if not changes:
        out.print("no changes yet: version 0 is the shipped lists")


@lexicon_app.command("diff")
def lexicon_diff(
    old: Annotated[str, typer.Argument(help="Older version (12, or lex-12-3fa9c2d1e0b4; "
                                            "0 = shipped lists).", show_default=False)],
    new: Annotated[str, typer.Argument(help="Newer version (default: the newest).",
                                       show_default=False)] = "",
    home: HomeOption = None,
) -> None:
    """Terms added, retired and changed between two versions (over today's shipped lists)."""
    try:
        settings = settings_from(home)
        store = store_for(settings)
        newest = store.latest_seq()
        v1, v2 = parse_version(old), parse_version(new) if new else newest
        for v in (v1, v2):
            if v > newest:
                raise ScreenerError(f"version {v} does not exist yet (newest: {newest})")
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
    out.print(f"{v1} -> {v2}: {len(lines)} difference(s)")
    for line in sorted(lines, key=lambda s: (s[2:], s[0])):
        out.print(line, markup=False)


@lexicon_app.command("import")
def lexicon_import(
    file: Annotated[Path, typer.Argument(
        help=".txt (lexicon file format, or one term a line with --category), .csv (columns "
             "term, category, severity, article, boundary) or .json (list of strings or "
             "objects).", show_default=False)],
    category: Annotated[str | None, typer.Option(
        "--category", "-c", help="Category for lines that name none.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would change and every rejected line; change nothing.")]
        = False,
    by: ByOption = None,
    reason: ReasonOption = "",
    home: HomeOption = None,
) -> None:
    """Import a term list as one version. Bad lines are rejected with their reason; the rest go
    in. Exit status 30 if any line was rejected."""
    try:
        settings = settings_from(home)
        with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("checking", total=None)
            plan = read_import(file, settings, category,
                               lambda done, total: bar.update(task, completed=done, total=total))
        in_force = {(e.term, e.category, e.severity, e.article, e.boundary, e.fillers)
                    for e in current_entries(settings)}
        new = [(line, e) for line, e in plan.accepted
               if (e.term, e.category, e.severity, e.article, e.boundary, e.fillers)
               not in in_force]
        for r in plan.rejected:  # shown, not obeyed: a rejected line may hold any character
            text = visible(r.text if len(r.text) <= 40 else r.text[:40] + "…")
            err.print(f"rejected: {file}:{r.line}: {r.reason}: {text}", markup=False)
        if dry_run:
            for line, e in new:
                out.print(f"would add: {file}:{line}: {e.term} ({e.category}, {e.severity})",
                          markup=False)
            out.print(f"dry run: {len(new)} to add, {len(plan.accepted) - len(new)} already in "
                      f"force, {len(plan.rejected)} rejected; nothing changed")
        else:
            _published(import_entries(settings, [e for _, e in new], _who(by, reason)), settings,
                       nothing="nothing to import: every accepted line is already in force")
            out.print(f"{len(new)} added, {len(plan.rejected)} rejected")
    except ScreenerError as exc:
        raise fail(exc) from None
    if plan.rejected:
        raise typer.Exit(Exit.BAD_INPUT)


@lexicon_app.command("export")
def lexicon_export(
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="lexicon (the shipped file format, one file per category), "
                               "json or csv.")] = "lexicon",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File (json/csv) or folder (lexicon format). Default: stdout.")]
        = None,
    category: Annotated[str | None, typer.Option("--category", "-c",
                                                 help="Only this category.")] = None,
    home: HomeOption = None,
) -> None:
    """Write out the lexicon in force."""
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
    err.print(f"exported {len(entries)} entries of {version} to {output}")


@lexicon_app.command("test")
def lexicon_test(
    terms: Annotated[list[str], typer.Argument(help="Candidate terms.", show_default=False)],
    category: Annotated[str, typer.Option("--category", "-c", help=CATEGORY_HELP)] = "illegal",
    boundary: Annotated[bool | None, typer.Option(
        "--boundary/--no-boundary", help="Test as boundary-sensitive or not (default: yes for "
        "two Chinese characters).", show_default=False)] = None,
    fillers: Annotated[bool, typer.Option("--fillers", help="Test with the fillers flag.")]
        = False,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="Clean reference corpus: a built real corpus (screener corpus build), a "
                         "folder of clean drafts or a text file with one text a line. Default: "
                         "the built corpus of the corpus_dir setting plus the hand-written "
                         "samples, or the hand-written samples alone (data/samples/clean).")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Screen the clean reference corpus with candidate terms and show every place they would
    fire: each hit there is a false alarm. Changes nothing."""
    try:
        settings = settings_from(home)
        candidates = [make_entry(t, category, boundary=boundary, source="candidate",
                                 fillers=fillers) for t in terms]
        for c in candidates:
            check_entry(c)
        bad = unmatchable(terms, settings)
        if bad:
            term, why = next(iter(bad.items()))
            raise ScreenerError(f"{term!r} cannot be matched: {why}")
        allow = [e for e in current_entries(settings) if e.is_allow]
        clean = clean_corpus(settings, corpus)
        result = try_terms(candidates, allow, settings, clean)
    except ScreenerError as exc:
        raise fail(exc) from None
    err.print(f"干净参考语料：{clean.description}", markup=False)
    for hit in result.hits:
        out.print(f"{hit.source} {hit.field}:{hit.start}-{hit.end}  {hit.term}  "
                  f"…{hit.context}…", markup=False)
    out.print(f"{len(result.hits)} hit(s) in {result.drafts_hit} of {result.drafts_screened} "
              f"clean drafts: expected false-alarm rate {result.false_alarm_rate:.1%}")


@lexicon_app.command("lint")
def lexicon_lint(
    category: Annotated[str | None, typer.Option("--category", "-c",
                                                 help="Only report this category.")] = None,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="Clean reference corpus for the false-alarm rates (as for `lexicon "
                         "test`; default: the built real corpus plus the hand-written samples, "
                         "or the hand-written samples alone).")] = None,
    rates: Annotated[Path | None, typer.Option(
        "--rates", help="Also write every term's false-alarm rate to this TSV file.")] = None,
    home: HomeOption = None,
) -> None:
    """Warn about terms likely to misfire or do nothing: too short, everyday words, duplicates,
    terms covered by another term or swallowed by an allow-list phrase, pinyin variants that
    spell a common word, terms that fire inside ordinary words of the clean corpus (straddles);
    and report every term's false-alarm rate on the clean reference corpus, flagging those over
    0.5 %."""
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
        out.print(f"{w.kind:9} {w.term}: {w.message}", markup=False)
    out.print(f"{len(shown)} warning(s)")
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
        "--corpus", help="干净参考语料（同 `lexicon test`），用来估计每条建议的误报率。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象。")] = False,
    home: HomeOption = None,
) -> None:
    """根据审核反馈提出词库修改建议：漏报的商业、违法内容中反复出现而词库尚未收录的词，以及审核人
    最常判为误报的词条；每条附出现次数和在干净参考语料上的误报率。只提建议，不改词库：采纳请用
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
