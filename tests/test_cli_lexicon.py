"""``screener lexicon ...``: the maintainers' commands.

One test runs the installed CLI as a user does; the rest call the typer app in-process (a
subprocess per command would make this file slow).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from screener.cli import app
from screener.lexicon import parse_lexicon_file


@pytest.fixture
def run(home, test_lexicons):
    """Run the CLI in a fresh state folder with the test lexicons."""
    env = {**os.environ, "SCREENER_HOME": str(home), "SCREENER_LEXICONS": str(test_lexicons)}

    def invoke(*args):
        return subprocess.run([sys.executable, "-m", "screener.cli", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    return invoke


@pytest.fixture
def cli(home, test_lexicons, monkeypatch):
    monkeypatch.setenv("SCREENER_HOME", str(home))
    monkeypatch.setenv("SCREENER_LEXICONS", str(test_lexicons))
    monkeypatch.setenv("USER", "tester")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, ["lexicon", *args])

    return invoke


def test_lexicon_changes_change_what_is_screened(run, tmp_path):
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"body": "本店出售发票，去办证大厅办证"}, ensure_ascii=False),
                     encoding="utf-8")
    assert run("screen", str(draft)).returncode == 20  # 办证 outside the allow phrase
    added = run("lexicon", "add", "--category", "illegal", "出售发票", "--by", "alice")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("已发布 lex-1-")
    result = run("screen", "-f", "json", str(draft))
    report = json.loads(result.stdout)
    assert {f["term"] for f in report["findings"]} == {"出售发票", "办证"}
    assert report["lexicon_version"].startswith("lex-1-")
    assert run("lexicon", "allow", "出售发票说明").returncode == 0
    assert run("lexicon", "remove", "办证", "--reason", "old alias of retire").returncode == 0
    listing = run("lexicon", "list", "--category", "illegal").stdout
    assert "出售发票" in listing and "办证" not in listing.replace("办证大厅", "")
    result = run("screen", "-f", "json", str(draft))
    assert [f["term"] for f in json.loads(result.stdout)["findings"]] == ["出售发票"]


def test_bad_input_is_one_line_with_status_30(cli):
    for args, message in [
        (("add", "--category", "gossip", "八卦"), "未知类别 'gossip'"),
        (("add", "-c", "illegal", "-s", "fatal", "八卦"),
         "级别（severity）只能是 review 或 block，不能是 'fatal'"),
        (("add", "-c", "illegal", "★ ★"), "★ ★: 无法匹配：规范化后没有可匹配的内容"),
        (("retire", "不存在的词", "-r", "x"), "词库: 没有这个词条：不存在的词"),
        (("retire", "办证"), "retire: 请写明理由（--reason）"),
        (("edit", "不存在的词", "-s", "review"), "没有这个词条：不存在的词"),
        (("diff", "abc"), "'abc' 不是词库版本"),
        (("diff", "7"), "版本 7 还不存在（最新版本：0）"),
    ]:
        result = cli(*args)
        assert result.exit_code == 30, (args, result.output)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_edit_show_history_and_diff(cli):
    assert cli("add", "-c", "illegal", "出售发票", "--by", "alice", "-r", "scam").exit_code == 0
    assert cli("edit", "出售发票", "-s", "review", "-r", "too harsh").exit_code == 0
    assert cli("retire", "办证", "-r", "false alarms").exit_code == 0
    assert "没有改动：词库已经如此" in cli("edit", "出售发票", "-s", "review").stdout

    shown = cli("show", "出售发票").stdout
    assert "alice" in shown and "scam" in shown and "too harsh" in shown
    assert "现行：illegal（review）" in shown
    shown = cli("show", "办证").stdout
    assert "随软件发布：illegal" in shown and "已从 illegal 停用" in shown
    assert "现行：否（已停用）" in shown

    history = cli("history").stdout
    assert history.index("lex-3-") < history.index("lex-2-") < history.index("lex-1-")
    assert "tester" in history

    diff = cli("diff", "0", "3").stdout
    assert "0 -> 3：2 处不同" in diff
    assert "+ 出售发票 (illegal, review)" in diff and "- 办证 (illegal)" in diff
    diff = cli("diff", "1", "2").stdout
    assert "~ 出售发票 (illegal): block/" in diff and "-> review/" in diff


def test_list_filters_by_category_and_search(cli):
    cli("add", "-c", "commercial", "刷好评", "刷单返现")
    listing = cli("list", "-c", "commercial", "-q", "刷").stdout
    assert "刷好评" in listing and "刷单返现" in listing and "加微信" not in listing


def test_import_dry_run_shows_changes_and_every_bad_line(cli, tmp_path):
    source = tmp_path / "terms.txt"
    source.write_text("# category: commercial\n加盟代理\n\n★★\n加盟代理\n" + "长" * 70 +
                      "\n加微信\n刷好评 | colour\n", encoding="utf-8")
    result = cli("import", str(source), "--dry-run")
    assert result.exit_code == 30
    assert f"将加入：{source}:2：加盟代理（commercial，review）" in result.stdout
    assert "试运行：将加入 1 个，已在现行词库中 1 个，拒绝 4 个；词库未改动" in result.stdout
    rejected = result.stderr.splitlines()
    assert rejected[0].startswith(f"已拒绝：{source}:4：无法匹配")
    assert rejected[1].startswith(f"已拒绝：{source}:5：与第 2 行重复")
    assert rejected[2].startswith(f"已拒绝：{source}:6：太长：70 个字")
    assert rejected[3].startswith(f"已拒绝：{source}:8：未知标记 'colour'")
    assert "加盟代理" not in cli("list").stdout


def test_import_csv_and_json_publish_one_version(cli, tmp_path):
    table = tmp_path / "terms.csv"
    table.write_text("term,category,severity,boundary\n刷好评,commercial,,\n"
                     "赌博网站,gossip,,\n假证,illegal,fatal,\n台独分子,illegal,,yes\n,illegal,,\n",
                     encoding="utf-8")
    result = cli("import", str(table), "--reason", "from the office's list")
    assert result.exit_code == 30  # some lines were rejected, the good ones went in
    assert "已发布 lex-1-" in result.stdout and "加入 2 个，拒绝 3 个" in result.stdout
    assert "未知类别 'gossip'" in result.stderr
    assert "级别（severity）只能是 review 或 block" in result.stderr and "词条为空" in result.stderr
    plain = tmp_path / "terms.json"
    plain.write_text(json.dumps(["出售发票", {"term": "代开发票", "severity": "review"}],
                                ensure_ascii=False), encoding="utf-8")
    result = cli("import", str(plain), "-c", "illegal")
    assert result.exit_code == 0 and "已发布 lex-2-" in result.stdout
    assert "没有要导入的" in cli("import", str(plain), "-c", "illegal").stdout
    missing = cli("import", str(tmp_path / "none.json"))
    assert missing.exit_code == 30 and "none.json: 找不到文件" in missing.stderr


def test_export_round_trips(cli, tmp_path):
    cli("add", "-c", "illegal", "-s", "review", "出售发票")
    data = json.loads(cli("export", "-f", "json").stdout)
    assert data["version"].startswith("lex-1-")
    assert {"term": "出售发票", "category": "illegal", "severity": "review",
            "article": "第十一条（内容）", "boundary": False, "fillers": False,
            "source": "store:1"} \
        in data["entries"]
    assert cli("export", "-f", "csv").stdout.startswith("term,category,severity,article,")
    folder = tmp_path / "out"
    assert cli("export", "-o", str(folder)).exit_code == 0
    entries = [e for p in sorted(folder.glob("*.txt")) for e in parse_lexicon_file(p).entries]
    exported = {(e.term, e.category, str(e.severity), e.boundary) for e in entries}
    assert ("出售发票", "illegal", "review", False) in exported
    assert ("代孕", "illegal", "block", True) in exported
    assert cli("export", "-f", "yaml").exit_code == 30


def test_test_shows_false_alarms_in_context(cli):
    result = cli("test", "讲座", "量子纠缠态", "-c", "commercial")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any("讲座" in line and "[讲座]" in line and ".json body:" in line for line in lines)
    assert lines[-1].startswith("46 篇干净稿件中 ") and "：预计误报率 " in lines[-1]
    quiet = cli("test", "量子纠缠态").stdout
    assert quiet.strip() == "46 篇干净稿件中 0 篇命中，共 0 处：预计误报率 0.0%"


def test_lint_warns_about_risky_terms(cli):
    cli("add", "-c", "commercial", "我", "我们", "加微信号", "加ｖｘ")
    cli("allow", "刷单")
    cli("add", "-c", "commercial", "刷单")
    result = cli("lint")
    assert result.exit_code == 0
    out = result.stdout
    assert "short     我：归一化后只剩 1 个字" in out
    assert "common    我们：日常用语" in out
    assert "duplicate 加ｖｘ：归一化后与 '加vx'" in out
    assert "covered   加微信号：含有同类别的词条 '加微信'" in out
    assert "allowed   刷单：与允许短语 '刷单' 相同，永远不会命中" in out
    assert "pinyin    台独：拼音变体 'taidu'" in out


def test_help_explains(cli):
    result = cli("--help")
    for command in ("add", "retire", "allow", "edit", "list", "show", "history", "diff",
                    "import", "export", "test", "lint"):
        assert command in result.stdout
    assert "dry-run" in cli("import", "--help").stdout
