"""The command line, run as a user runs it: the installed ``screener`` script."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from screener.render import REPORT_KEYS


@pytest.fixture
def run(home, test_lexicons):
    """Run the CLI in a fresh state folder with the test lexicons."""
    base = {**os.environ, "SCREENER_HOME": str(home), "SCREENER_LEXICONS": str(test_lexicons)}

    def invoke(*args, env: dict[str, str] | None = None):
        return subprocess.run([sys.executable, "-m", "screener.cli", *args],
                              capture_output=True, text=True, env={**base, **(env or {})},
                              timeout=120)

    return invoke


@pytest.fixture
def drafts(tmp_path):
    def write(name, **fields):
        path = tmp_path / name
        path.write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
        return path

    return {
        "clean": write("clean.json", title="讲座通知", body="本周五下午举办材料科学讲座。"),
        "review": write("review.json", title="", body="欢迎加ｖｘ咨询"),
        "block": write("block.json", title="", body="提供代 孕服务", platform="weibo"),
    }


def test_json_lines_in_input_order_with_the_documented_keys(run, drafts):
    result = run("screen", "--format", "json", str(drafts["block"]), str(drafts["clean"]),
                 str(drafts["review"]))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(drafts[k]) for k in
                                                   ("block", "clean", "review")]
    assert [line["verdict"] for line in lines] == ["block", "pass", "review"]
    for line in lines:
        assert tuple(line) == REPORT_KEYS
    finding = lines[0]["findings"][0]
    assert set(finding) == {"stage", "category", "severity", "field", "start", "end", "text",
                            "term", "score", "article", "explanation", "detail", "location"}
    assert finding["location"] is None  # a finding on the draft's text, not in a picture
    assert (finding["text"], finding["term"], finding["start"], finding["end"]) == \
        ("代 孕", "代孕", 2, 5)
    assert result.returncode == 20


@pytest.mark.parametrize(("which", "code"), [("clean", 0), ("review", 10), ("block", 20)])
def test_exit_status_tells_the_worst_verdict(run, drafts, which, code):
    assert run("screen", str(drafts[which])).returncode == code


def test_bad_input_is_reported_and_the_other_drafts_are_still_screened(run, drafts, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run("screen", "-f", "json", str(broken), str(drafts["clean"]),
                 str(tmp_path / "missing.txt"))
    assert result.returncode == 30
    assert [json.loads(x)["source"] for x in result.stdout.splitlines()] == [str(drafts["clean"])]
    errors = result.stderr.strip().splitlines()
    assert errors == [f"错误：{broken}: 不是有效的 JSON（第 1 行第 2 列：Expecting property "
                      "name enclosed in double quotes）",
                      f"错误：{tmp_path / 'missing.txt'}: 找不到文件"]


def test_text_format_marks_the_offending_span(run, drafts):
    result = run("screen", str(drafts["block"]))
    assert "拦截" in result.stdout
    assert "代 孕 → 代孕" in result.stdout
    assert "第十一条（内容）" in result.stdout


# What the issue found on pages and in the CLI: internals a reviewer cannot read.
TECHNICAL = ("matched lexicon term", "word-boundary check", "review threshold", "NFKC",
             "RANSAC", "<lexicon:", "image:0", "lexicon term", "classifier score", "BLOCK",
             "REVIEW", "finding(s)", "scores:")


def test_text_format_is_chinese_and_explain_adds_the_technical_detail(run, drafts, tmp_path):
    """Category, verdict, severity and field names in Chinese; the technical account only with
    --explain; an English interface is the locale setting away."""
    picture = tmp_path / "gone.json"
    picture.write_text(json.dumps({"title": "", "body": "提供代 孕服务，加vx详聊",
                                   "images": ["missing.png"]}), encoding="utf-8")
    plain = run("screen", str(picture)).stdout
    for phrase in TECHNICAL:
        assert phrase not in plain, phrase
    assert "违法" in plain and "正文第 3–5 字" in plain and "图片1" in plain
    assert "拦截" in plain and "需审核" in plain and "分类模型得分" in plain
    explained = run("screen", "--explain", str(picture)).stdout
    assert "lexicon term '代孕' (illegal, illegal.txt:" in explained
    english = run("screen", str(picture), env={"SCREENER_LOCALE": "en"}).stdout
    assert "Illegal content" in english and "Blocked" in english and "body, characters" \
        in english


def test_help_explains_formats_and_exit_status(run):
    result = run("screen", "--help")
    assert result.returncode == 0
    assert "JSON" in result.stdout and "30" in result.stdout


def test_settings_lists_every_setting(run):
    result = run("settings")
    assert result.returncode == 0
    for name in ("home", "lexicon_dir", "max_body_chars", "max_file_bytes"):
        assert name in result.stdout


def test_a_folder_stands_for_the_drafts_below_it(run, tmp_path):
    batch = tmp_path / "batch"
    (batch / "more").mkdir(parents=True)
    (batch / "a.json").write_text('{"body": "普通新闻"}', encoding="utf-8")
    (batch / "b.txt").write_text("讲座\n\n欢迎参加", encoding="utf-8")
    (batch / "more" / "x.md").write_text("# 标题\n\n正文里有代孕", encoding="utf-8")
    (batch / "more" / "notes.csv").write_text("ignored", encoding="utf-8")
    result = run("screen", "-f", "json", str(batch))
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources == [str(batch / "a.json"), str(batch / "b.txt"), str(batch / "more" / "x.md")]
    assert result.returncode == 20
