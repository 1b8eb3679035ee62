"""Issue 7, the service side of re-screening: published drafts copied into the archive
(``screener archive import --from-service``), and posts a re-screening newly flags queued for
their responsible person as "published post needs review", through the CLI and the HTTP API on
the state folder's own SQLite database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from screener.cli import app as cli_app
from screener.rescreen import db as rsdb

from .conftest import World, image_bytes, sample_photos


@pytest.fixture
def cli(own_screener, monkeypatch):
    """``screener ...`` as a user runs it on the service's state folder."""
    monkeypatch.setenv("SCREENER_LEXICONS", str(own_screener.settings.lexicon_dir))
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
    assert json.loads(result.stdout) == {"imported": 2, "unchanged": 0, "errors": [],
                                         "conflicts": []}
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
    assert "imported 0, already archived 2, errors 0, conflicts 0" in again.stdout
    third = _publish(own_world, "新闻", "力学系举办开放日。")
    data = json.loads(cli("archive", "import", "--from-service", "--json").stdout)
    assert (data["imported"], data["unchanged"]) == (1, 2)
    assert f"svc:{third['id']}" in _archived(own_screener.settings)


def test_archive_import_needs_a_source(cli, tmp_path, own_screener):
    result = cli("archive", "import", code=2)
    assert "--from-service" in result.output
    # a state folder without a service database says so instead of importing nothing
    empty = CliRunner().invoke(cli_app, ["archive", "import", "--from-service",
                                         "--home", str(tmp_path / "no-service")])
    assert empty.exit_code != 0 and "no service database" in empty.output
