"""What every ``screener`` subcommand shares: consoles, exit codes, the --home option."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from .errors import ScreenerError
from .model import Verdict
from .render import visible
from .settings import load_settings

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Exit(IntEnum):
    PASS = 0
    REVIEW = 10
    BLOCK = 20
    BAD_INPUT = 30


# What people read for a verdict code (the code stays in --json and the reports).
VERDICTS = {"pass": "通过", "review": "需审核", "block": "拦截"}
EXIT_OF = {Verdict.PASS: Exit.PASS, Verdict.REVIEW: Exit.REVIEW, Verdict.BLOCK: Exit.BLOCK}


class Format(StrEnum):
    json = "json"
    text = "text"


HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="状态目录（词库版本库、数据库、缓存）。 "
                                "默认： $SCREENER_HOME， 未设置则 ~/.local/share/screener。"),
]


def settings_from(home: Path | None):
    return load_settings(home=home)


def error_line(exc: object) -> str:
    """One line; brackets and control characters in a file name are shown, never obeyed (a file
    named ``[/x].txt`` would otherwise crash rich's markup, ``\x1b[2J`` clear the screen)."""
    return f"[red]错误：[/red]{escape(visible(str(exc)))}"


def fail(exc: ScreenerError) -> typer.Exit:
    err.print(error_line(exc))
    return typer.Exit(Exit.BAD_INPUT)
