"""What the ``screener`` commands print for people is Chinese: a maintainer's, an operator's and
the dean's office's everyday commands run in one state folder, and every line they print (tables,
success lines, notes, progress, errors) has Chinese and no English sentence; codes, versions,
paths and `code spans` may stay as they are."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from screener.cli import app
from tests.fixtures.images import image_bytes, sample_photos

CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH = re.compile(r"\b[A-Za-z][a-z']+(?: [A-Za-z][a-z']*){2,}\b")  # as in test_cli_help
CODE = re.compile(r"`[^`]*`")
RULE = re.compile(r"^[\s━─┏┓┗┛┃│┡┩└┘┌┐┳┻╇╈┼├┤┬┴═]*$")  # a table's border line


@pytest.fixture
def cli(home, test_lexicons, monkeypatch):
    monkeypatch.setenv("SCREENER_HOME", str(home))
    monkeypatch.setenv("SCREENER_LEXICONS", str(test_lexicons))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("COLUMNS", "200")  # rich tables whole, not cut at 80 columns
    runner = CliRunner()

    def invoke(*args, code=0):
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, (args, result.output)
        return result

    return invoke


def _untranslated(output: str, *, paths: tuple[str, ...] = ()) -> list[str]:
    """Lines a person reads that have no Chinese, or an English sentence in them."""
    found = []
    for line in output.splitlines():
        text = CODE.sub("", line)
        for path in paths:
            text = text.replace(path, "")
        if RULE.match(text):
            continue
        if not CJK.search(text) or ENGLISH.search(text):
            found.append(line)
    return found


def test_everyday_commands_print_chinese(cli, tmp_path):
    temp = str(tmp_path)
    outputs = {}
    outputs["lexicon add"] = cli("lexicon", "add", "-c", "illegal", "出售发票", "-r", "诈骗")
    outputs["lexicon edit (nothing)"] = cli("lexicon", "edit", "出售发票", "-s", "block")
    cli("lexicon", "retire", "办证", "-r", "误报多")
    outputs["lexicon show"] = cli("lexicon", "show", "办证")
    outputs["lexicon history"] = cli("lexicon", "history")
    outputs["lexicon diff"] = cli("lexicon", "diff", "0")
    outputs["lexicon unknown"] = cli("lexicon", "show", "从未有过", code=30)
    outputs["lexicon test"] = cli("lexicon", "test", "量子纠缠态")
    listing = cli("lexicon", "list", "-c", "illegal").output
    assert "词条" in listing and "所引条款" in listing and "出售发票" in listing

    picture = tmp_path / "校园.png"
    picture.write_bytes(image_bytes(sample_photos()["china"]))
    outputs["assets add"] = cli("assets", "add", str(picture), "--title", "校园风景")
    outputs["assets add again"] = cli("assets", "add", str(picture), "--title", "校园风景二")
    outputs["assets retire"] = cli("assets", "retire", "2", "-r", "重复登记")
    assert "著作权人" in cli("assets", "list").output

    posts = tmp_path / "推文.jsonl"
    posts.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [
        {"id": "p1", "body": "本店出售发票", "account": "工学院", "published_at": "2024-01-05"},
        {"id": "p2", "body": "新学期讲座通知", "account": "工学院", "published_at": "2024-02-05"},
    ]), encoding="utf-8")
    outputs["archive import"] = cli("archive", "import", str(posts))
    outputs["archive import (usage)"] = cli("archive", "import", code=2)
    outputs["rescreen"] = cli("rescreen", code=10)
    assert "新被标出的推文" in outputs["rescreen"].output

    outputs["init"] = cli("init")
    outputs["tokens create"] = cli("tokens", "create", "--role", "admin", "--label", "备用")
    outputs["tokens list"] = cli("tokens", "list")
    outputs["audit verify"] = cli("audit", "verify")

    for name, result in outputs.items():
        # the raw tokens are for programs: the line that is only a token is not prose
        text = "\n".join(line for line in result.output.splitlines()
                         if not line.startswith("scr_"))
        assert CJK.search(text), (name, result.output)
        assert not _untranslated(text, paths=(temp,)), (name, _untranslated(text, paths=(temp,)))


def test_settings_table_is_headed_in_chinese(cli):
    # The meaning column is each setting's own description (screener/settings.py); the table
    # around it and the origin of each value are this command's.
    output = cli("settings").output
    header = next(line for line in output.splitlines() if "设置" in line and "取值" in line)
    assert "来源" in header and "含义" in header
    assert "默认值" in output and "设置文件：" in output
