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
from rich.table import Table

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
    help="Screen draft posts for the college's WeChat and Weibo accounts before they go out.",
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
        help="Draft files: .json ({title, body, images, account, platform, author, id}), "
             ".txt (first line + blank line = title), .md ('# Title' first line, image links), "
             ".html (WeChat export with <img>) or .docx. "
             "A folder stands for every draft file below it.",
        show_default=False)],
    format: Annotated[Format, typer.Option(
        "--format", "-f", help="json: one JSON object per draft per line, in input order. "
                               "text: a readable summary with the offending spans marked.")
    ] = Format.text,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Also show each finding's technical detail and the evidence behind "
                          "each classifier score.")] = False,
    home: HomeOption = None,
) -> None:
    """Screen drafts and print one report per draft.

    Exit status: 0 all pass, 10 some review, 20 some block, 30 some input unreadable.
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
    with Progress(TextColumn("screening"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
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
        "--output", "-o", help="Models folder to write (default: the model_dir setting).")
    ] = None,
    data: Annotated[Path, typer.Option(
        "--data", help="Folder with train.jsonl and heldout.jsonl.")
    ] = Path("data/samples/corpus"),
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same model.")
                    ] = 0,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="Local real corpus (from `screener corpus build`); default: the "
                         "corpus_dir setting if a corpus was built there, else synthetic only.")
    ] = None,
    synthetic_only: Annotated[bool, typer.Option(
        "--synthetic-only", help="Ignore any real corpus (the models shipped are NOT made "
                                 "this way).")] = False,
    home: HomeOption = None,
) -> None:
    """Train the confidential, commercial and major_news classifiers and write model cards.

    Reproducible: the same data (synthetic corpus + real corpus) and seed give byte-identical
    model files.
    """
    # Training loads scikit-learn and scipy (measured: 150-190 ms); no other command needs them.
    from .classify.cli import format_summary
    from .classify.cli import train as run_training
    from .corpus import find_corpus

    try:
        settings = settings_from(home)
        folder = None if synthetic_only else find_corpus(corpus, settings)
        err.print(f"real corpus: {folder}" if folder else
                  "no real corpus (synthetic data only): the shipped models were trained with "
                  "the real corpus too; build it with `screener corpus build`", markup=False)
        with err.status("training (cross-validation takes a minute or two)…"):
            report = run_training(output or settings.model_dir, data, seed, corpus_dir=folder)
    except ScreenerError as exc:
        raise fail(exc) from None
    out.print(format_summary(report), markup=False)


@app.command("settings")
def show_settings(home: HomeOption = None) -> None:
    """Show every setting, its value, where it came from and what it means.

    Sections are dotted (service.max_request_bytes); a value comes from a flag, the
    environment, the settings file or the default.
    """
    try:
        settings = settings_from(home)
        origin = sources(home=home)
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("setting", "value", "from", "meaning")

    def rows(model: BaseModel, prefix: str) -> None:
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                rows(value, f"{prefix}{name}.")
                continue
            key = prefix + name
            table.add_row(key, str(value), origin.get(key, "default"), info.description or "")

    rows(settings, "")
    out.print(table)
    out.print(f"settings file: {settings.settings_file}"
              + ("" if settings.settings_file.is_file() else " (none)"), markup=False)


# Plugins' commands last (the review service adds serve, init, accounts, tokens, audit).
hooks().register_commands(app=app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
