"""``screener sources add/list/show/retire`` and ``screener screen`` against the bank, as a
maintainer and an operator use them: files of every kind added, bad ones named and skipped,
every change recorded, and a draft that copies a source flagged on the copied spans."""

from __future__ import annotations

import json

import pytest
from docx import Document
from typer.testing import CliRunner

from screener.cli import app
from tests.fixtures.sources import LAB, LAB_TITLE, OPENING, OPENING_TITLE, UNRELATED

runner = CliRunner()


@pytest.fixture
def cli(home, test_lexicons, monkeypatch):
    monkeypatch.setenv("SCREENER_HOME", str(home))
    monkeypatch.setenv("SCREENER_LEXICONS", str(test_lexicons))

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture
def folder(tmp_path):
    """A maintainer's folder of published news: markdown, html, docx, json, and two files
    that cannot be sources (an empty one, a picture)."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "opening.md").write_text(f"# {OPENING_TITLE}\n\n" + "\n\n".join(OPENING),
                                     encoding="utf-8")
    (news / "lab.html").write_text(
        f"<html><head><title>{LAB_TITLE}</title></head><body>"
        + "".join(f"<p>{p}</p>" for p in LAB) + "</body></html>", encoding="utf-8")
    doc = Document()
    for paragraph in UNRELATED[:2]:
        doc.add_paragraph(paragraph)
    doc.save(news / "notice.docx")
    (news / "sports.json").write_text(json.dumps({"title": "秋季运动会", "body": UNRELATED[0]},
                                                 ensure_ascii=False), encoding="utf-8")
    (news / "empty.txt").write_text("", encoding="utf-8")
    (news / "short.txt").write_text("通知\n\n明天停电。", encoding="utf-8")
    return news


def test_add_a_folder_names_and_skips_bad_files_and_records_who_and_why(cli, folder):
    result = cli("sources", "add", str(folder), "--owner", "北京大学工学院新闻网",
                 "--license", "本校新闻，注明来源可转载", "--by", "王老师", "--json")
    assert result.exit_code == 30  # some files could not be added; the others were
    report = json.loads(result.stdout)
    assert sorted(a["title"] for a in report["added"]) == sorted(
        [OPENING_TITLE, LAB_TITLE, "秋季运动会", "notice"])
    assert {a["owner"] for a in report["added"]} == {"北京大学工学院新闻网"}
    skipped = {e["source"].rsplit("/", 1)[-1]: e["reason"] for e in report["errors"]}
    assert set(skipped) == {"empty.txt", "short.txt"}
    assert "少于 20 个字" in skipped["short.txt"]
    assert "empty.txt" in result.stderr and "已跳过" in result.stderr

    # Added again: nothing is added twice.
    again = cli("sources", "add", str(folder / "opening.md"), "--owner", "北京大学工学院新闻网",
                "--license", "本校新闻，注明来源可转载")
    assert again.exit_code == 0 and "已在库中" in again.stdout

    listed = [json.loads(line) for line in cli("sources", "list", "--json").stdout.splitlines()]
    assert len(listed) == 4 and {s["added_by"] for s in listed} == {"王老师"}
    opening = next(s for s in listed if s["title"] == OPENING_TITLE)

    retired = cli("sources", "retire", str(opening["id"]), "--reason", "原文已撤稿",
                  "--by", "李老师")
    assert retired.exit_code == 0 and OPENING_TITLE in retired.stdout
    assert len(cli("sources", "list", "--json").stdout.splitlines()) == 3
    everything = [json.loads(line)
                  for line in cli("sources", "list", "--all", "--json").stdout.splitlines()]
    assert {s["status"] for s in everything} == {"active", "retired"}
    shown = cli("sources", "show", str(opening["id"])).stdout
    assert "加入，王老师" in shown and "停用，李老师（原文已撤稿）" in shown

    # Retired once: a second retirement is refused, with the reason why.
    twice = cli("sources", "retire", str(opening["id"]), "--reason", "再次")
    assert twice.exit_code == 30 and "已经停用" in twice.stderr


def test_owner_and_license_are_required(cli, folder):
    result = cli("sources", "add", str(folder / "opening.md"), "--owner", " ",
                 "--license", "x")
    assert result.exit_code == 2 and "--owner" in result.stderr


def test_list_on_an_empty_bank_says_how_to_fill_it(cli):
    result = cli("sources", "list")
    assert result.exit_code == 0 and "screener sources add" in result.stdout


def _draft(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"title": "新学期寄语", "body": body}, ensure_ascii=False),
                    encoding="utf-8")
    return str(path)


def test_screen_flags_copied_paragraphs_and_a_source_line_makes_them_informational(
        cli, folder, tmp_path):
    cli("sources", "add", str(folder / "opening.md"), "--owner", "北京大学工学院新闻网",
        "--license", "本校新闻，注明来源可转载",
        "--url", "https://www.coe.pku.edu.cn/news/2024/opening")
    intro = "新学年开始了，我们系也迎来了新同学。"
    body = f"{intro}\n\n{OPENING[0]}\n\n{OPENING[1]}"
    copied = cli("screen", "--format", "json", _draft(tmp_path, "copied.json", body))
    assert copied.exit_code == 10
    report = json.loads(copied.stdout)
    found = [f for f in report["findings"] if f["category"] == "copyright"]
    first = len(intro) + 2
    second = first + len(OPENING[0]) + 2
    assert [(f["start"], f["end"]) for f in found] == [(first, first + len(OPENING[0])),
                                                        (second, second + len(OPENING[1]))]
    assert {f["severity"] for f in found} == {"review"}
    assert all(f["article"] == "第十二条（著作权）" for f in found)
    assert "未注明来源" in found[0]["explanation"]

    credited = cli("screen", "--format", "json",
                   _draft(tmp_path, "credited.json", body + "\n\n来源：北京大学工学院新闻网"))
    assert credited.exit_code == 0
    found = [f for f in json.loads(credited.stdout)["findings"] if f["category"] == "copyright"]
    assert len(found) == 2 and {f["severity"] for f in found} == {"info"}

    marker = cli("screen", "--format", "json",
                 _draft(tmp_path, "marker.json", "【转载】\n\n" + "\n\n".join(UNRELATED)))
    assert marker.exit_code == 10
    found, = [f for f in json.loads(marker.stdout)["findings"] if f["category"] == "copyright"]
    assert found["text"] == "转载" or "转载" in found["text"]
    assert "没有注明来源" in found["explanation"]


def test_archived_posts_join_the_bank_and_another_account_reprinting_one_is_flagged(
        cli, tmp_path, write_jsonl):
    posts = [{"id": "post-1", "title": OPENING_TITLE, "body": "\n\n".join(OPENING),
              "account": "工学院力学系", "published_at": "2024-09-01T10:00:00+08:00"},
             {"id": "post-2", "title": "停电", "body": "明天停电。", "account": "工学院力学系",
              "published_at": "2024-09-02T10:00:00+08:00"}]
    result = cli("archive", "import", str(write_jsonl(tmp_path / "archive.jsonl", posts)),
                 "--json")
    assert result.exit_code == 0, result.stderr
    imported = json.loads(result.stdout)
    assert (imported["joined_source_bank"], imported["too_short_for_source_bank"]) == (1, 1)
    joined, = [json.loads(line) for line in cli("sources", "list", "--json").stdout.splitlines()]
    assert (joined["kind"], joined["origin"], joined["owner"]) == ("archive", "post-1",
                                                                 "工学院力学系")
    # Imported again: the post is in the bank once.
    again = json.loads(cli("archive", "import", str(tmp_path / "archive.jsonl"),
                           "--json").stdout)
    assert again["joined_source_bank"] == 0

    body = "\n\n".join(OPENING[:2])
    for account, expected in (("能源系微博", 10), ("工学院力学系", 0)):
        path = tmp_path / f"{account}.json"
        path.write_text(json.dumps({"title": "转发", "body": body, "account": account},
                                   ensure_ascii=False), encoding="utf-8")
        screened = cli("screen", "--format", "json", str(path))
        assert screened.exit_code == expected, account
