"""The service side of re-screening: published drafts copied into the archive
(``screener archive import --from-service``), and posts a re-screening newly flags queued for
their responsible person as "published post needs review", through the CLI and the HTTP API on
the state folder's own SQLite database."""

from __future__ import annotations

import json

import pytest
from screener_service.db import SCHEMA_VERSION, SERVICE
from typer.testing import CliRunner

from screener.cli import app as cli_app
from screener.rescreen import db as rsdb
from screener.settings import REPO_ROOT
from tests.fixtures.images import image_bytes, sample_photos
from tests.fixtures.service import World


@pytest.fixture
def cli(own_screener, monkeypatch, env_of):
    """``screener ...`` as a user runs it on the service's state folder and database."""
    for name, value in env_of(own_screener.settings).items():
        monkeypatch.setenv(name, value)
    home = ["--home", str(own_screener.settings.home)]

    def run(*args: str, code: int | None = 0):
        result = CliRunner().invoke(cli_app, [*args, *home])
        if code is not None:
            assert result.exit_code == code, result.output
        return result
    return run


def _publish(world: World, title: str, body: str, pictures: tuple[bytes, ...] = ()) -> dict:
    draft = world.submit(title=title, body=body, pictures=pictures)
    signed = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                        json={"decision": "approve", "report_id": draft["report"]["id"],
                              "comment": "可以发布"})
    assert signed.status_code == 200, signed.text
    published = world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    assert published.status_code == 200, published.text
    return published.json()


def _archived(settings) -> dict[str, dict]:
    engine = rsdb.open_db(settings)
    with engine.connect() as conn:
        return {r.id: dict(r._mapping) for r in conn.execute(rsdb.posts.select())}


def test_archive_import_from_service(own_world, own_screener, cli):
    picture = image_bytes(sample_photos()["flower"])
    first = _publish(own_world, "讲座通知", "欢迎参加力学前沿讲座。", (picture,))
    second = _publish(own_world, "招生宣传", "欢迎报考力学系。")
    own_world.submit(title="未发布", body="还在等待签发的草稿。")  # pending: not archived

    result = cli("archive", "import", "--from-service", "--json")
    # Two one-line posts: archived, too short to join the bank of source texts.
    assert json.loads(result.stdout) == {"imported": 2, "unchanged": 0, "errors": [],
                                         "conflicts": [], "joined_source_bank": 0,
                                         "too_short_for_source_bank": 2}
    posts = _archived(own_screener.settings)
    assert set(posts) == {f"svc:{first['id']}", f"svc:{second['id']}"}
    post = posts[f"svc:{first['id']}"]
    assert (post["title"], post["body"], post["account"], post["platform"]) == (
        "讲座通知", "欢迎参加力学前沿讲座。", "工学院力学系", "wechat")
    assert post["published_at"] == first["published_at"]
    images = json.loads(post["images"])
    assert len(images) == 1 and open(images[0], "rb").read() == picture
    assert json.loads(posts[f"svc:{second['id']}"]["images"]) == []

    # idempotent: the same drafts again import nothing; a newly published one is added
    again = cli("archive", "import", "--from-service")
    assert "已导入 0 篇，已在存档中 2 篇，出错 0 篇，冲突 0 篇" in again.stdout
    third = _publish(own_world, "新闻", "力学系举办开放日。")
    data = json.loads(cli("archive", "import", "--from-service", "--json").stdout)
    assert (data["imported"], data["unchanged"]) == (1, 2)
    assert f"svc:{third['id']}" in _archived(own_screener.settings)

    # a published draft whose stored picture is gone is an error, never a post without it
    lost = _publish(own_world, "图片新闻", "开放日现场。", (image_bytes(sample_photos()["china"]),))
    stored = own_world.call("admin", "GET", f"/api/drafts/{lost['id']}").json()["images"][0]
    upload = next((own_screener.settings.home / "uploads").glob(f"{stored['sha256']}.*"))
    upload.unlink()
    failed = cli("archive", "import", "--from-service", code=30)
    assert f"审核服务稿件 {lost['id']}" in failed.output and "不见了" in failed.output
    assert f"svc:{lost['id']}" not in _archived(own_screener.settings)


def test_archive_import_needs_a_source(cli, tmp_path, own_screener):
    result = cli("archive", "import", code=2)
    assert "--from-service" in result.output
    # a state folder without a service database says so instead of importing nothing
    empty = CliRunner().invoke(cli_app, ["archive", "import", "--from-service",
                                         "--home", str(tmp_path / "no-service")])
    assert empty.exit_code != 0 and "没有审核服务的数据库" in empty.output


TERM = "星云计划"  # not in the shipped lexicon: the change below makes it flag


def _flagged_archive(own_world: World, tmp_path) -> tuple[dict, object]:
    """A published draft and three posts from elsewhere, none flagged for the term yet."""
    published = _publish(own_world, "讲座通知", f"欢迎参加{TERM}讲座。")
    news = json.loads((REPO_ROOT / "data/samples/flagged/major_news_obituary.json")
                      .read_text(encoding="utf-8"))
    posts = [
        {"id": "e1", "body": f"能源系{TERM}招募。", "account": "能源系微博",
         "platform": "weibo", "published_at": "2024-03-01"},
        {"id": "u1", "body": f"{TERM}开放日。", "account": "未登记的账号",
         "published_at": "2024-03-02"},
        {"id": "n1", "title": news["title"], "body": news["body"], "account": "工学院力学系",
         "platform": "wechat", "published_at": "2024-03-03"},
    ]
    path = tmp_path / "older.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                    encoding="utf-8")
    return published, path


def _queue(world: World, who: str) -> list[dict]:
    response = world.call(who, "GET", "/api/queue")
    assert response.status_code == 200, response.text
    return [i for i in response.json()["items"] if i["kind"] == "recheck"]


def test_rescreen_queues_newly_flagged_published_posts(own_world, own_screener, cli, tmp_path):
    published, older = _flagged_archive(own_world, tmp_path)
    cli("archive", "import", "--from-service")
    cli("archive", "import", str(older))

    first = json.loads(cli("rescreen", "--json", code=10).stdout)
    # the obituary is flagged at its first screening (major news): the dean's office gets it
    assert [p["id"] for p in first["newly_flagged_posts"]] == ["n1"]
    assert (first["rechecks_queued"], first["rechecks_unregistered"]) == (1, 0)
    dean = _queue(own_world, "admin")
    assert [(i["post"], i["route"], i["label"]) for i in dean] == [
        ("n1", "dean", "已发布内容需复核")]
    assert _queue(own_world, "responsible") == []

    added = own_world.call("maintainer", "POST", "/api/lexicon/terms",
                           json={"terms": [TERM], "category": "illegal", "reason": "新名目"})
    assert added.status_code in (200, 201), added.text
    second = json.loads(cli("rescreen", "--json", code=10).stdout)
    svc = f"svc:{published['id']}"
    assert sorted(p["id"] for p in second["newly_flagged_posts"]) == ["e1", svc, "u1"]
    # the unregistered account's post is in the summary only
    assert (second["rechecks_queued"], second["rechecks_already_queued"],
            second["rechecks_unregistered"]) == (2, 0, 1)

    # run again: the same summary, nothing queued twice
    third = json.loads(cli("rescreen", "--json", code=10).stdout)
    assert (third["rechecks_queued"], third["rechecks_already_queued"]) == (0, 2)
    text = cli("rescreen", code=10).stdout
    assert ("已作为已发布推文排入审核队列：新排入 0 篇，已在队列中 2 篇，"
            "1 篇所属账号未在服务中登记") in text

    mine = _queue(own_world, "responsible")
    assert [(i["post"], i["draft_id"], i["account"]) for i in mine] == [
        (svc, published["id"], "工学院力学系")]
    assert [f["term"] for f in mine[0]["findings"]] == [TERM]
    theirs = _queue(own_world, "other_responsible")
    assert [(i["post"], i["draft_id"], i["account"]) for i in theirs] == [
        ("e1", None, "能源系微博")]
    assert [i["post"] for i in _queue(own_world, "admin")] == ["n1"]
    # one paged list: the published post first, then the drafts waiting for a sign-off
    pending = own_world.submit(title="待签发", body="新学期选课说明。")
    pages = [own_world.call("responsible", "GET", "/api/queue",
                            params={"limit": 1, "offset": offset}).json() for offset in (0, 1)]
    assert [(p["total"], p["next_offset"]) for p in pages] == [(2, 1), (2, None)]
    assert [(i["kind"], i["id"]) for p in pages for i in p["items"]] == [
        ("recheck", mine[0]["id"]), ("draft", pending["id"])]
    # the queue page shows it, marked, beside the drafts
    page = own_world.page("responsible", "GET", "/")
    assert page.status_code == 200 and "已发布内容需复核" in page.text and TERM in page.text
    assert f'action="/rechecks/{mine[0]["id"]}/resolve"' in page.text

    item, dean_item = mine[0]["id"], dean[0]["id"]

    def resolve(who: str, recheck: int, **body):
        return own_world.call(who, "POST", f"/api/rechecks/{recheck}/resolve", json=body)

    refused = resolve("other_responsible", item, decision="keep")
    assert refused.status_code == 403 and "具体负责人" in refused.json()["error"]["message"]
    assert resolve("responsible", dean_item, decision="keep").status_code == 403
    assert resolve("operator", item, decision="keep").status_code == 403
    no_reason = resolve("responsible", item, decision="take_down", comment=" ")
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "comment"
    done = resolve("responsible", item, decision="take_down", comment="名目不明，先撤下")
    assert done.status_code == 200, done.text
    assert (done.json()["decision"], done.json()["comment"]) == ("take_down", "名目不明，先撤下")
    assert resolve("responsible", item, decision="keep").status_code == 409
    assert _queue(own_world, "responsible") == []
    # the dean's office decides on the queue page's form
    forged = own_world.page("admin", "POST", f"/rechecks/{dean_item}/resolve",
                            data={"decision": "keep"})
    assert forged.status_code == 403  # no CSRF value: another site's form
    kept = own_world.page("admin", "POST", f"/rechecks/{dean_item}/resolve",
                          data={"decision": "keep", "csrf": own_world.csrf("admin"),
                                "comment": ""})
    assert kept.status_code == 303, kept.text
    assert _queue(own_world, "admin") == []

    log = own_world.call("admin", "GET", "/api/audit", params={"subject": f"recheck:{item}"})
    actions = [(r["action"], r["details"]["post"]) for r in log.json()["items"]]
    assert actions == [("recheck.create", svc), ("recheck.take_down", svc)]
    assert "审计日志完好：" in cli("audit", "verify").stdout


def test_a_database_from_before_rechecks_is_migrated(tmp_path):
    from screener_service.db import make_engine, migrate
    from sqlalchemy import inspect, text

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine)
    with engine.begin() as conn:  # as step 2 of the list before Alembic left it
        conn.execute(text("drop table svc_rechecks"))
        conn.execute(text("drop table alembic_version_service"))
        conn.execute(text("create table svc_schema (version integer primary key, name "
                          "varchar(100) not null, applied_at varchar(32) not null)"))
        conn.execute(text("insert into svc_schema values (1, 'initial tables', '2025-01-01'), "
                          "(2, 'token expiry', '2025-02-01')"))
    assert not inspect(engine).has_table("svc_rechecks")
    assert migrate(engine) == SCHEMA_VERSION
    assert inspect(engine).has_table("svc_rechecks")
    with engine.connect() as conn:
        steps = conn.execute(text("select version, name from svc_schema order by version")).all()
        revision = conn.execute(text("select version_num from alembic_version_service")).all()
    assert len(steps) == 2  # the old record is kept as it was
    assert revision == [(SERVICE.head,)]
