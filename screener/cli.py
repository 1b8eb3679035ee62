"""The ``screener`` command line.

Exit status of ``screener screen`` (the worst over all inputs):
0 every draft passed · 10 some draft needs review · 20 some draft is blocked ·
30 some input could not be read (the others are still screened) · 2 usage error.
"""

from __future__ import annotations

import sys
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .errors import ScreenerError
from .model import Verdict

app = typer.Typer(
    help="Screen draft posts for the college's WeChat and Weibo accounts before they go out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lexicon_app = typer.Typer(help="Inspect and change the user's lexicon overlay.",
                          no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Exit(IntEnum):
    PASS = 0
    REVIEW = 10
    BLOCK = 20
    BAD_INPUT = 30


_EXIT_OF = {Verdict.PASS: Exit.PASS, Verdict.REVIEW: Exit.REVIEW, Verdict.BLOCK: Exit.BLOCK}


class Format(StrEnum):
    json = "json"
    text = "text"


HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="State folder (user lexicon overlay, caches). "
                                "Default: $SCREENER_HOME or ~/.local/share/screener."),
]


def _settings(home: Path | None):
    from .settings import load_settings

    return load_settings(home=home)


def _fail(exc: ScreenerError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}")
    return typer.Exit(Exit.BAD_INPUT)


@app.command()
def screen(
    paths: Annotated[list[Path], typer.Argument(
        help="Draft files: .json ({title, body, images, account, platform, author, id}), "
             ".txt (first line + blank line = title) or .md ('# Title' first line).",
        show_default=False)],
    format: Annotated[Format, typer.Option(
        "--format", "-f", help="json: one JSON object per draft per line, in input order. "
                               "text: a readable summary with the offending spans marked.")
    ] = Format.text,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Also show the evidence behind each classifier score.")] = False,
    home: HomeOption = None,
) -> None:
    """Screen drafts and print one report per draft.

    Exit status: 0 all pass, 10 some review, 20 some block, 30 some input unreadable.
    """
    from .ingest import load_draft
    from .pipeline import Screener
    from .render import print_report, report_json

    try:
        screener = Screener(_settings(home))
    except ScreenerError as exc:
        raise _fail(exc) from None
    worst = Exit.PASS
    show_progress = format is Format.text and len(paths) > 20 and err.is_terminal
    with Progress(TextColumn("screening"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=err, disable=not show_progress) as progress:
        task = progress.add_task("screen", total=len(paths))
        for path in paths:
            progress.advance(task)
            try:
                draft = load_draft(path, screener.settings)
            except ScreenerError as exc:
                err.print(f"[red]error:[/red] {exc}")
                worst = max(worst, Exit.BAD_INPUT)
                continue
            report = screener.screen(draft)
            worst = max(worst, _EXIT_OF[report.verdict])
            if format is Format.json:
                sys.stdout.write(report_json(report, str(path), explain=explain) + "\n")
            else:
                print_report(out, report, draft, str(path), explain=explain)
    sys.stdout.flush()
    raise typer.Exit(int(worst))


@app.command("settings")
def show_settings(home: HomeOption = None) -> None:
    """Show every setting, its current value and what it means."""
    try:
        settings = _settings(home)
    except ScreenerError as exc:
        raise _fail(exc) from None
    table = Table("setting", "value", "meaning")
    for name, info in type(settings).model_fields.items():
        table.add_row(name, str(getattr(settings, name)), info.description or "")
    out.print(table)


def _overlay(home: Path | None):
    from .lexicon import load_overlay

    settings = _settings(home)
    return settings, load_overlay(settings.overlay_path)


def _save_checked(settings, overlay) -> None:
    """Compile the would-be lexicon before saving, so a bad term never reaches the overlay."""
    from .lexicon import compile_lexicon, load_lexicon_dir, save_overlay
    from .normalize import Normalizer, load_tables

    shipped = [e for f in load_lexicon_dir(settings.lexicon_dir) for e in f.entries]
    compiled = compile_lexicon(overlay.apply(shipped), Normalizer(load_tables(settings.cache_dir)),
                               settings.min_pinyin_letters)
    save_overlay(settings.overlay_path, overlay)
    out.print(f"lexicon version now {compiled.version} ({len(compiled.terms)} terms)")


@lexicon_app.command("add")
def lexicon_add(
    terms: Annotated[list[str], typer.Argument(help="Terms to add.", show_default=False)],
    category: Annotated[str, typer.Option(
        "--category", "-c", help="confidential, commercial, illegal, unhealthy, major_news or "
                                 "protected_name.")],
    severity: Annotated[str | None, typer.Option(
        "--severity", "-s", help="review or block (default: the category's, from the policy "
                                 "table).")] = None,
    boundary: Annotated[bool, typer.Option(
        "--boundary", help="Fire only on jieba word boundaries (for short terms that straddle "
                           "words, e.g. 台独 in 舞台独白).")] = False,
    home: HomeOption = None,
) -> None:
    """Add terms to the user's lexicon overlay."""
    from .lexicon import ALLOW, make_entry

    try:
        if category == ALLOW:
            raise ScreenerError("use 'screener lexicon allow' for allow-list phrases")
        settings, overlay = _overlay(home)
        changed = [t for t in terms
                   if overlay.add(make_entry(t, category, severity, None, boundary, "overlay"))]
        _save_checked(settings, overlay)
    except ScreenerError as exc:
        raise _fail(exc) from None
    out.print(f"added {len(changed)} term(s) to {category}")


@lexicon_app.command("remove")
def lexicon_remove(
    terms: Annotated[list[str], typer.Argument(help="Terms to remove.", show_default=False)],
    home: HomeOption = None,
) -> None:
    """Remove terms (shipped ones are hidden by the overlay, not deleted from lexicons/)."""
    from .lexicon import current_entries

    try:
        settings, overlay = _overlay(home)
        known = {e.term for e in current_entries(settings) if not e.is_allow}
        missing = [t for t in terms if t not in known]
        if missing:
            raise ScreenerError(f"not in the lexicon: {', '.join(missing)}")
        for term in terms:
            overlay.remove(term)
        _save_checked(settings, overlay)
    except ScreenerError as exc:
        raise _fail(exc) from None
    out.print(f"removed {len(terms)} term(s)")


@lexicon_app.command("allow")
def lexicon_allow(
    phrases: Annotated[list[str], typer.Argument(
        help="Benign phrases; a hit inside one is suppressed (办证 inside 办证大厅).",
        show_default=False)],
    home: HomeOption = None,
) -> None:
    """Add allow-list phrases."""
    from .lexicon import ALLOW, make_entry

    try:
        settings, overlay = _overlay(home)
        for phrase in phrases:
            overlay.add(make_entry(phrase, ALLOW, source="overlay"))
        _save_checked(settings, overlay)
    except ScreenerError as exc:
        raise _fail(exc) from None
    out.print(f"allowed {len(phrases)} phrase(s)")


@lexicon_app.command("list")
def lexicon_list(
    category: Annotated[str | None, typer.Option(
        "--category", "-c", help="Only this category ('allow' for the allow-list).")] = None,
    home: HomeOption = None,
) -> None:
    """List the terms in force (shipped lexicons with the user's overlay applied)."""
    from .lexicon import current_entries

    try:
        entries = current_entries(_settings(home))
    except ScreenerError as exc:
        raise _fail(exc) from None
    table = Table("term", "category", "severity", "article", "boundary", "source")
    for e in entries:
        if category is None or e.category == category:
            table.add_row(e.term, e.category, "" if e.is_allow else str(e.severity), e.article,
                          "yes" if e.boundary else "", e.source)
    out.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
