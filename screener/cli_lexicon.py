"""``screener lexicon ...``: the maintainers' commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .cli_common import HomeOption, fail, out, settings_from
from .errors import ScreenerError

lexicon_app = typer.Typer(help="Inspect and change the user's lexicon overlay.",
                          no_args_is_help=True)


def _overlay(home: Path | None):
    from .lexicon import load_overlay

    settings = settings_from(home)
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
        raise fail(exc) from None
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
        raise fail(exc) from None
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
        raise fail(exc) from None
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
        entries = current_entries(settings_from(home))
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("term", "category", "severity", "article", "boundary", "source")
    for e in entries:
        if category is None or e.category == category:
            table.add_row(e.term, e.category, "" if e.is_allow else str(e.severity), e.article,
                          "yes" if e.boundary else "", e.source)
    out.print(table)
