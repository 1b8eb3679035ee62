"""Importing the archive: JSON Lines, CSV, folders; idempotence; bad lines reported."""

from __future__ import annotations

import csv
import json

from sqlalchemy import select
from typer.testing import CliRunner

from screener.cli_rescreen import register
from screener.rescreen import db as rsdb
from screener.rescreen import import_paths


def _posts(settings) -> dict[str, dict]:
    engine = rsdb.open_db(settings)
    with engine.connect() as conn:
        return {r.id: dict(r._mapping) for r in conn.execute(select(rsdb.posts))}


def test_jsonl_import_keeps_date_and_account_and_is_idempotent(db_settings, archive_file):
    first = import_paths([archive_file], db_settings)
    assert (first.imported, first.unchanged, first.errors) == (120, 0, [])
    again = import_paths([archive_file], db_settings)
    assert (again.imported, again.unchanged, again.errors, again.conflicts) == (0, 120, [], [])
    posts = _posts(db_settings)
    assert len(posts) == 120
    post = posts["t00001"]
    assert post["account"] == "acct0"
    # 2024-01-01 Beijing time is 2023-12-31 16:00 UTC
    assert post["published_at"] == "2023-12-31T16:00:00+00:00"
    assert post["platform"] == "weibo"


def test_bad_lines_are_reported_with_line_numbers(db_settings, tmp_path):
    good = {"id": "a1", "body": "讲座通知", "account": "工学院", "published_at": "2024-03-01"}
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"body": "x", "account": "a"}),  # no published_at
        json.dumps({"body": "x", "published_at": "yesterday"}),
        json.dumps({"boby": "x", "published_at": "2024-01-01"}),
        json.dumps([1, 2]),
        "",
        json.dumps({"title": "", "body": "", "published_at": "2024-01-01"}),
        json.dumps({"body": "第二篇", "published_at": "2024-03-02T10:00:00+00:00"},
                   ensure_ascii=False),
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_paths([path], db_settings)
    assert result.imported == 2
    reasons = {source.rsplit(":", 1)[1]: reason for source, reason in result.errors}
    assert set(reasons) == {"2", "3", "4", "5", "6", "8"}
    assert "不是有效的 JSON" in reasons["2"]
    assert reasons["3"] == "缺少字段 published_at"
    assert reasons["4"] == "published_at：'yesterday' 不是 ISO 8601 日期"
    assert "未知字段 'boby'" in reasons["5"]
    assert "应为 JSON 对象，而不是 list" in reasons["6"]
    assert "稿件是空的" in reasons["8"]
    posts = _posts(db_settings)
    assert posts["a1"]["published_at"] == "2024-02-29T16:00:00+00:00"
    # no id: the content hash, so importing it again is still idempotent
    assert any(pid.startswith("d-") for pid in posts)
    assert import_paths([path], db_settings).imported == 0


def test_same_id_different_content_is_a_conflict(db_settings, tmp_path, write_jsonl):
    write_jsonl(tmp_path / "a.jsonl", [{"id": "p", "body": "一", "published_at": "2024-01-01"}])
    write_jsonl(tmp_path / "b.jsonl", [{"id": "p", "body": "二", "published_at": "2024-01-01"}])
    import_paths([tmp_path / "a.jsonl"], db_settings)
    result = import_paths([tmp_path / "b.jsonl"], db_settings)
    assert result.imported == 0 and len(result.conflicts) == 1
    assert _posts(db_settings)["p"]["body"] == "一"


def test_csv_import(db_settings, tmp_path):
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "account", "platform", "published_at"])
        writer.writerow(["c1", "标题", "多行\n正文", "工学院", "wechat", "2024-05-01T08:00:00"])
        writer.writerow(["c2", "", "正文", "工学院", "myspace", "2024-05-01"])
        writer.writerow(["c3", "", "正文", "工学院", "weibo", "2024-05-02"])
        writer.writerow(["c4", "", "正文", "工学院", "weibo", "2024-05-02", "extra"])
    result = import_paths([path], db_settings)
    assert result.imported == 2
    assert [(s.rsplit(":", 1)[1], "platform" in r) for s, r in result.errors][0] == ("4", True)
    assert result.errors[1][0].endswith(":6")
    posts = _posts(db_settings)
    assert posts["c1"]["body"] == "多行\n正文"
    assert posts["c1"]["published_at"] == "2024-05-01T00:00:00+00:00"
    assert import_paths([path], db_settings).unchanged == 2


def test_csv_bad_header(db_settings, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,boby,published_at\n1,x,2024-01-01\n", encoding="utf-8")
    result = import_paths([path], db_settings)
    assert result.imported == 0 and "boby" in result.errors[0][1]


def test_folder_import(db_settings, tmp_path):
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({"id": "f1", "body": "通知", "account": "工学院"},
                                              ensure_ascii=False), encoding="utf-8")
    (folder / "b.txt").write_text("标题\n\n正文", encoding="utf-8")
    (folder / "c.json").write_text("{", encoding="utf-8")
    result = import_paths([folder], db_settings, published_at="2024-06-01")
    assert result.imported == 2 and len(result.errors) == 1
    posts = _posts(db_settings)
    assert posts["f1"]["account"] == "工学院"
    assert posts["f1"]["published_at"] == "2024-05-31T16:00:00+00:00"
    assert import_paths([folder], db_settings, published_at="2024-06-01").unchanged == 2


def test_cli_import(db_settings, archive_file, tmp_path, monkeypatch, env_of):
    import typer

    app = typer.Typer()
    register(app)
    for name, value in env_of(db_settings).items():
        monkeypatch.setenv(name, value)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n", encoding="utf-8")
    runner = CliRunner()
    home = ["--home", str(db_settings.home)]
    result = runner.invoke(app, ["archive", "import", str(archive_file), "--json", *home])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 120
    result = runner.invoke(app, ["archive", "import", str(bad), *home])
    assert result.exit_code == 30
    assert "bad.jsonl:1" in result.output


def test_image_paths_are_relative_to_the_archive_file(db_settings, tmp_path, write_jsonl):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "i1", "body": "图", "images": ["p/x.png"],
                                               "published_at": "2024-01-01"}])
    assert import_paths([path], db_settings).imported == 1
    assert json.loads(_posts(db_settings)["i1"]["images"]) == [str(tmp_path / "p" / "x.png")]
