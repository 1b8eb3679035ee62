"""Re-screening: stored report versions, the change summary, filters, --jobs, the CLI."""

from __future__ import annotations

import json
import shutil

import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from screener.cli_rescreen import register
from screener.lexicon.maintain import Who, add_terms, retire_terms
from screener.rescreen import db as rsdb
from screener.rescreen import import_paths, rescreen
from screener.settings import load_settings

WHO = Who("tester", "re-screening, test")


def _archive(tmp_path, write_jsonl, settings):
    posts = [
        {"id": "p1", "body": "欢迎加vx咨询", "account": "工学院", "published_at": "2024-01-05"},
        {"id": "p2", "body": "新学期讲座通知", "account": "工学院", "published_at": "2024-02-05"},
        {"id": "p3", "body": "专业代写论文", "account": "研究生会", "published_at": "2024-03-05"},
    ]
    import_paths([write_jsonl(tmp_path / "a.jsonl", posts)], settings)


def _reports(settings) -> list[tuple]:
    engine = rsdb.open_db(settings)
    with engine.connect() as conn:
        return conn.execute(select(rsdb.reports.c.post_id, rsdb.reports.c.version,
                                   rsdb.reports.c.verdict)
                            .order_by(rsdb.reports.c.seq)).all()


def test_summary_after_lexicon_changes(db_settings, tmp_path, write_jsonl):
    _archive(tmp_path, write_jsonl, db_settings)
    first = rescreen(db_settings, stages=("terms",))
    data = first.to_dict()
    assert (data["screened"], data["screened_now"], data["first_screening"]) == (3, 3, 3)
    # never screened before: compared with 'pass' (they were published)
    assert [p["id"] for p in data["newly_flagged_posts"]] == ["p1"]
    assert data["newly_flagged_posts"][0]["new_findings"][0]["term"] == "加vx"

    # nothing changed: nothing is screened again
    same = rescreen(db_settings, stages=("terms",)).to_dict()
    assert same["screened_now"] == 0 and same["screened"] == 3
    assert len(_reports(db_settings)) == 3

    add_terms(db_settings, ["代写"], "commercial", WHO)
    retire_terms(db_settings, ["加vx"], WHO)
    second = rescreen(db_settings, stages=("terms",)).to_dict()
    assert second["version"] != data["version"]
    assert (second["screened"], second["screened_now"], second["first_screening"]) == (3, 3, 0)
    assert (second["newly_flagged"], second["cleared"], second["changed"],
            second["unchanged"]) == (1, 1, 0, 1)
    new = second["newly_flagged_posts"][0]
    assert new["id"] == "p3" and new["account"] == "研究生会"
    assert new["previous_verdict"] == "pass"
    assert [(f["term"], f["text"], f["start"], f["end"]) for f in new["new_findings"]] == \
        [("代写", "代写", 2, 4)]
    assert second["cleared_posts"] == [{"id": "p1", "previous_verdict": "review"}]
    reports = _reports(db_settings)
    assert len(reports) == 6 and len({(r[0], r[1]) for r in reports}) == 6

    # still flagged, but for something new: 'changed', with the new finding
    add_terms(db_settings, ["专业"], "commercial", WHO)
    third = rescreen(db_settings, stages=("terms",)).to_dict()
    assert (third["newly_flagged"], third["cleared"], third["changed"], third["unchanged"]) == \
        (0, 0, 1, 2)
    assert [f["term"] for f in third["changed_posts"][0]["new_findings"]] == ["专业"]

    # the summary is stored with the run
    engine = rsdb.open_db(db_settings)
    with engine.connect() as conn:
        stored = conn.execute(select(rsdb.runs.c.status, rsdb.runs.c.summary)
                              .order_by(rsdb.runs.c.id.desc())).first()
    assert stored.status == "finished"
    assert json.loads(stored.summary)["changed"] == 1


def test_filters(db_settings, tmp_path, write_jsonl):
    _archive(tmp_path, write_jsonl, db_settings)
    data = rescreen(db_settings, since="2024-02-01", stages=("terms",)).to_dict()
    assert data["in_scope"] == 2 and data["screened_now"] == 2
    data = rescreen(db_settings, account="工学院", stages=("terms",)).to_dict()
    # p2 already has a report for this version; only p1 is new
    assert data["in_scope"] == 2 and data["screened_now"] == 1 and data["screened"] == 2
    assert rescreen(db_settings, stages=("terms",)).to_dict()["screened_now"] == 0


def _by_post(settings) -> dict[str, dict]:
    engine = rsdb.open_db(settings)
    with engine.connect() as conn:
        rows = conn.execute(select(rsdb.reports.c.post_id, rsdb.reports.c.report)).all()
    result = {}
    for post_id, text in rows:
        report = json.loads(text)
        result[post_id] = (report["verdict"], report["findings"], report["scores"],
                           report["lexicon_version"])
    return result


def test_jobs_2_equals_jobs_1(db_settings, tmp_path, archive_file, shared_cache):
    other_home = tmp_path / "home2"
    shutil.copytree(shared_cache, other_home / "cache")
    other = load_settings(home=other_home, lexicon_dir=db_settings.lexicon_dir)
    for settings in (db_settings, other):
        assert import_paths([archive_file], settings).imported == 120
    one = rescreen(db_settings, jobs=1, batch_size=16).to_dict()
    two = rescreen(other, jobs=2, batch_size=16).to_dict()
    assert one["screened_now"] == two["screened_now"] == 120
    for key in ("version", "screened", "newly_flagged", "cleared", "unchanged",
                "newly_flagged_posts"):
        assert one[key] == two[key], key
    assert _by_post(db_settings) == _by_post(other)


def _cli(settings, monkeypatch, env_of):
    """The commands as a user runs them, on this state folder, lexicons and database."""
    for name, value in env_of(settings).items():
        monkeypatch.setenv(name, value)
    app = typer.Typer()
    register(app)
    return CliRunner(), app


def test_cli_rescreen_json(db_settings, tmp_path, write_jsonl, monkeypatch, env_of):
    _archive(tmp_path, write_jsonl, db_settings)
    runner, app = _cli(db_settings, monkeypatch, env_of)
    result = runner.invoke(app, ["rescreen", "--json", "--home", str(db_settings.home)])
    assert result.exit_code == 10, result.output  # something newly flagged
    data = json.loads(result.stdout)
    for key in ("screened", "newly_flagged", "cleared", "unchanged"):
        assert isinstance(data[key], int)
    assert data["screened"] == 3
    # no service database in this state folder: nobody's queue to put the flagged posts in
    assert data["rechecks_queued"] is None
    # run again: nothing to screen; the summary of this version is the same (from the store)
    result = runner.invoke(app, ["rescreen", "--home", str(db_settings.home)])
    assert result.exit_code == 10, result.output
    assert "本次审核" in result.stdout and "新被标出的推文" in result.stdout
    assert "p1" in result.stdout
    result = runner.invoke(app, ["rescreen", "--since", "nonsense",
                                 "--home", str(db_settings.home)])
    assert result.exit_code == 2
    engine = rsdb.open_db(db_settings)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(rsdb.reports)).scalar_one() == 3


def test_cli_incremental_and_option_errors(db_settings, tmp_path, write_jsonl, monkeypatch,
                                            env_of):
    _archive(tmp_path, write_jsonl, db_settings)
    runner, app = _cli(db_settings, monkeypatch, env_of)
    home = ["--home", str(db_settings.home)]
    assert runner.invoke(app, ["rescreen", "--json", *home]).exit_code == 10
    add_terms(db_settings, ["代写"], "commercial", WHO)
    result = runner.invoke(app, ["rescreen", "--incremental", "--json", *home])
    assert result.exit_code == 10, result.output  # p3 is newly flagged
    data = json.loads(result.stdout)
    assert data["incremental"] is True and data["screened_now"] == 3
    assert data["carried_forward"] == 2  # p1 and p2 have no 代写 in them
    assert [p["id"] for p in data["newly_flagged_posts"]] == ["p3"]
    result = runner.invoke(app, ["rescreen", "--jobs", "2", "--dask", "tcp://x:8786", *home])
    assert result.exit_code == 2 and "--jobs 与 --dask 不能同时使用" in result.output
    help_text = runner.invoke(app, ["rescreen", "--help"]).output
    assert "--incremental" in help_text and "--dask" in help_text
