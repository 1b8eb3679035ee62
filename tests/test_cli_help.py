"""Every ``screener`` command's ``--help`` is in Chinese: the core's commands and those the
review service adds as a plugin, walked from the assembled command tree so that a command added
later is checked too."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from screener.cli import app

CJK = re.compile(r"[\u3400-\u9fff]")
# Three English words in a row outside a `code span` is a sentence left untranslated; codes,
# option names, file names and single English terms (JSON Lines, Dask) are allowed.
ENGLISH = re.compile(r"\b[A-Za-z][a-z']+(?: [A-Za-z][a-z']*){2,}\b")
CODE = re.compile(r"`[^`]*`")


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def _texts(command) -> list[tuple[str, str | None]]:
    """What ``--help`` shows in prose: the command's own help and each parameter's."""
    return [("help", command.help)] + [
        (param.name, getattr(param, "help", None)) for param in command.params
        if param.name != "help"]


def test_the_walk_reaches_core_and_plugin_commands():
    names = {" ".join(path) for path, _ in COMMANDS}
    for expected in ("screen", "rescreen", "lexicon add", "assets add", "archive import",
                     "serve", "init", "accounts assign", "tokens create", "users set-password",
                     "audit verify", "violations record"):
        assert expected in names


@pytest.mark.parametrize(("path", "command"), COMMANDS,
                         ids=[" ".join(path) or "screener" for path, _ in COMMANDS])
def test_help_is_chinese(path, command):
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    first_line = command.help.strip().split("\n")[0]
    assert first_line.split("（")[0] in result.output  # the short help shown to the user
    untranslated = []
    for what, text in _texts(command):
        if not text or not CJK.search(text):
            untranslated.append((what, text))
        elif found := ENGLISH.search(CODE.sub("", text)):
            untranslated.append((what, found.group()))
    assert not untranslated, untranslated


def test_a_group_lists_its_commands_with_chinese_short_help():
    output = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    for path, command in COMMANDS:
        if len(path) == 1 and not command.hidden:
            line = next(x for x in output.splitlines() if f"│ {path[0]} " in x)
            assert CJK.search(line), line
