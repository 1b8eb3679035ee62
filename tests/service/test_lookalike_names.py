"""Look-alike and duplicate account names are refused (compatibility folding, confusable
skeletons, invisible letters), and every re-flagged post is queued to somebody: to the
dean's office when its account has no 具体负责人 or more than one account could be its."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from screener.cli import app as cli_app

REAL = "工学院力学系"  # the world's WeChat account


@pytest.mark.parametrize("name", [
    "⼯学院力学系",  # U+2F2F KANGXI RADICAL WORK
    "エ学院力学系",  # katakana E
    "工学院\u3164力学系",  # HANGUL FILLER
    "工学院力学系\u2800",  # BRAILLE PATTERN BLANK
    "工學院力學系",  # traditional characters
    "工学院 力学系",
    REAL,  # the very same name on the same platform
])
def test_a_name_that_reads_as_a_registered_one_is_refused(world, name):
    response = world.call("admin", "POST", "/api/accounts", json={
        "platform": "wechat", "name": name, "unit_id": world.ids["other_unit"],
        "opened_on": "2019-09-01"})
    assert response.status_code in (409, 422), response.text
    assert response.json()["error"]["field"] == "name"
    names = [a["name"] for a in world.call("admin", "GET", "/api/accounts").json()["items"]]
    assert names == [REAL, "能源系微博"]


def test_the_same_name_on_another_platform_is_the_units_other_account(world):
    response = world.call("admin", "POST", "/api/accounts", json={
        "platform": "weibo", "name": REAL, "unit_id": world.ids["unit"],
        "opened_on": "2019-09-01"})
    assert response.status_code == 201, response.text
    look_alike = world.call("admin", "POST", "/api/accounts", json={
        "platform": "douyin", "name": "エ学院力学系", "unit_id": world.ids["unit"],
        "opened_on": "2019-09-01"})
    assert look_alike.status_code == 409


def test_look_alike_unit_names_are_refused(world):
    response = world.call("admin", "POST", "/api/units", json={"name": "力学与エ程科学系"})
    assert response.status_code == 409


def test_the_command_line_refuses_them_too(own_world, own_screener, monkeypatch, env_of):
    for key, value in env_of(own_screener.settings).items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli_app, [
        "accounts", "add", "⼯学院力学系", "--unit", str(own_world.ids["other_unit"]),
        "--opened-on", "2019-09-01", "--home", str(own_screener.settings.home)])
    assert result.exit_code == 30 and "形近" in result.output


FINDING = {"category": "illegal", "severity": "review", "term": "代写", "field": "body",
           "start": 0, "end": 2, "text": "代写", "article": "第十一条（内容）", "score": None}


def _flag(app, post: str, account: str, platform: str = "wechat") -> dict:
    from screener_service.usecases.rechecks import queue

    summary = {"lexicon_version": f"L-{post}", "model_version": "m-1", "run_id": 1}
    flagged = [{"id": post, "account": account, "verdict": "review",
                "published_at": "2024-03-01T00:00:00+00:00", "new_findings": [FINDING]}]
    return queue(app.state.engine, "test", summary, flagged,
                 {post: {"title": "旧文", "platform": platform, "categories": {"illegal"}}})


def _rechecks(world, who: str) -> list[str]:
    return [i["post"] for i in world.call(who, "GET", "/api/queue").json()["items"]
            if i["kind"] == "recheck"]


def test_a_post_of_an_account_without_a_responsible_goes_to_the_deans_office(world, app):
    assert _flag(app, "p-other", "能源系微博", "weibo")["queued"] == 1
    assert _rechecks(world, "other_responsible") == ["p-other"]
    detail = world.call("admin", "GET", f"/api/accounts/{world.ids['other_account']}").json()
    held = next(r for r in detail["roles"] if r["role"] == "responsible")
    world.call("admin", "POST", f"/api/accounts/{world.ids['other_account']}/roles/"
               f"{held['id']}/end", json={})
    # queued while it had one, now it has none: the dean's office sees and decides it
    assert _rechecks(world, "admin") == ["p-other"]
    assert _flag(app, "p-later", "能源系微博", "weibo")["queued"] == 1
    assert _rechecks(world, "admin") == ["p-other", "p-later"]
    item = next(i for i in world.call("admin", "GET", "/api/queue").json()["items"]
                if i.get("post") == "p-later")
    assert item["route"] == "dean"
    kept = world.call("admin", "POST", f"/api/rechecks/{item['id']}/resolve",
                      json={"decision": "keep"})
    assert kept.status_code == 200, kept.text


def test_a_post_under_a_look_alike_or_shared_name_is_queued_to_somebody(world, app, raw_db,
                                                                         service_config):
    # spelled with the Kangxi radical in the archive: still the real account's
    assert _flag(app, "p-1", "⼯学院力学系")["queued"] == 1
    assert _rechecks(world, "responsible") == ["p-1"]
    # two accounts with one name on one platform, as a database from before the check holds
    with raw_db(service_config.database_url) as db:
        db.execute("insert into svc_accounts (platform, name, unit_id, status, opened_on, "
                   "name_findings, created_at) values ('wechat', ?, ?, 'active', "
                   "'2019-09-01', '[]', '2024-01-01T00:00:00+00:00')",
                   (REAL, world.ids["other_unit"]))
    assert _flag(app, "p-2", REAL)["queued"] == 1
    assert "p-2" in _rechecks(world, "admin")
    assert "p-2" not in _rechecks(world, "responsible")
