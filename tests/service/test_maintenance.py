"""Lexicon and asset-bank changes, through HTTP and through the CLI: each is in force for the
next draft, each is in the hash-chained audit log, and ``audit verify`` catches an edited audit
row or a change that never reached the log."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from PIL import ImageOps
from screener_service.cli import register
from typer.testing import CliRunner

from screener.cli_assets import assets_app
from screener.cli_lexicon import lexicon_app
from tests.fixtures.images import image_bytes

NEW_TERM = "紫微星云贷"  # not in the shipped lists


def _terms(report: dict) -> set[str]:
    return {f["term"] for f in report["findings"]}


def _audit(world, prefix: str) -> list[dict]:
    rows = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    return [r for r in rows if r["action"].startswith(prefix)]


def test_a_term_added_over_http_flags_the_next_draft(own_world):
    w = own_world
    before = w.call("maintainer", "GET", "/api/lexicon").json()["version"]
    clean = w.submit(title="通知", body=f"本周举办{NEW_TERM}讲座。")
    assert NEW_TERM not in _terms(clean["report"])

    added = w.call("maintainer", "POST", "/api/lexicon/terms",
                   json={"terms": [NEW_TERM], "category": "illegal", "severity": "block",
                         "reason": "新出现的非法借贷名目"})
    assert added.status_code == 201, added.text
    version = added.json()["version"]
    assert added.json()["changed"] and version != before
    assert w.call("maintainer", "GET", "/api/lexicon").json()["version"] == version
    listed = w.call("admin", "GET", "/api/lexicon/terms", params={"q": NEW_TERM}).json()
    assert [(t["term"], t["category"], t["severity"]) for t in listed["items"]] == [
        (NEW_TERM, "illegal", "block")]

    flagged = w.submit(title="通知", body=f"本周举办{NEW_TERM}讲座。")
    assert flagged["verdict"] == "block" and NEW_TERM in _terms(flagged["report"])
    assert flagged["report"]["lexicon_version"] == version
    hit = next(f for f in flagged["report"]["findings"] if f["term"] == NEW_TERM)
    assert flagged["body"][hit["start"]:hit["end"]] == NEW_TERM

    edited = w.call("maintainer", "PATCH", f"/api/lexicon/terms/{NEW_TERM}",
                    json={"severity": "review", "reason": "先人工复核"})
    assert edited.status_code == 200 and edited.json()["changed"]
    assert w.submit(body=f"{NEW_TERM}。")["verdict"] == "review"
    no_reason = w.call("maintainer", "POST", f"/api/lexicon/terms/{NEW_TERM}/retire", json={})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    retired = w.call("maintainer", "POST", f"/api/lexicon/terms/{NEW_TERM}/retire",
                     json={"reason": "误报太多"})
    assert retired.status_code == 200 and retired.json()["changed"]
    assert NEW_TERM not in _terms(w.submit(body=f"{NEW_TERM}。")["report"])

    rows = _audit(w, "lexicon.")
    assert [r["action"] for r in rows] == ["lexicon.add", "lexicon.edit", "lexicon.retire"]
    assert rows[0]["details"]["version"] == version
    assert rows[0]["details"]["reason"] == "新出现的非法借贷名目"
    assert rows[0]["actor"].startswith(f"person:{w.ids['person_maintainer']}/maintainer/")
    assert w.call("admin", "GET", "/api/audit/verify").json()["ok"] is True

    unmatchable = w.call("maintainer", "POST", "/api/lexicon/terms",
                         json={"terms": ["！！"], "category": "illegal"})
    assert unmatchable.status_code == 422 and "无法匹配" in unmatchable.json()["error"]["message"]


def test_an_asset_uploaded_over_http_is_matched_and_shown(own_world, photos):
    w = own_world
    original = image_bytes(photos["china"])
    uploaded = w.call("maintainer", "POST", "/api/assets",
                      data={"kind": "copyright", "title": "颐和园", "owner": "图片社"},
                      files={"image": ("temple.png", original, "image/png")})
    assert uploaded.status_code == 201, uploaded.text
    asset = uploaded.json()
    assert asset["title"] == "颐和园" and asset["status"] == "active"

    pasted = image_bytes(ImageOps.mirror(photos["china"]).crop((60, 40, 600, 400)), "JPEG",
                         quality=50)
    draft = w.call("operator", "POST", "/api/drafts",
                   data={"account_id": str(w.ids["account"]), "title": "风景", "body": "见图。"},
                   files=[("images", ("pasted.jpg", pasted, "image/jpeg"))]).json()
    match = [f for f in draft["report"]["findings"] if f["category"] == "copyright"]
    assert [f["field"] for f in match] == ["image:0"]
    assert f"asset {asset['id']}" in match[0]["term"]

    shown = w.call("responsible", "GET", asset["image_url"])
    assert shown.status_code == 200 and shown.content == original
    assert shown.headers["content-type"] == "image/png"
    submitted = w.call("responsible", "GET", f"/api/drafts/{draft['id']}/images/0")
    assert submitted.status_code == 200 and submitted.content == pasted
    assert w.call("other_responsible", "GET",
                  f"/api/drafts/{draft['id']}/images/0").status_code == 403
    assert w.call("responsible", "GET",
                  f"/api/drafts/{draft['id']}/images/5").status_code == 404

    not_image = w.call("maintainer", "POST", "/api/assets",
                       files={"image": ("x.png", b"not a picture", "image/png")})
    assert not_image.status_code == 422 and not_image.json()["error"]["field"] == "image"
    retired = w.call("maintainer", "POST", f"/api/assets/{asset['id']}/retire",
                     json={"reason": "已购买版权"})
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    again = w.call("operator", "POST", "/api/drafts",
                   data={"account_id": str(w.ids["account"]), "body": "见图。"},
                   files=[("images", ("pasted.jpg", pasted, "image/jpeg"))]).json()
    assert not [f for f in again["report"]["findings"] if f["category"] == "copyright"]

    rows = _audit(w, "asset.")
    assert [(r["action"], r["subject"]) for r in rows] == [
        ("asset.add", f"asset:{asset['id']}"), ("asset.retire", f"asset:{asset['id']}")]
    assert rows[0]["details"]["sha256"] == asset["sha256"]
    assert rows[1]["details"]["reason"] == "已购买版权"
    assert w.call("admin", "GET", "/api/audit/verify").json()["ok"] is True


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(lexicon_app, name="lexicon")
    app.add_typer(assets_app, name="assets")
    register(app)
    return app


def test_cli_changes_are_audited_and_tampering_is_caught(own_screener, photos, tmp_path,
                                                        raw_db, env_of):
    from screener_service.config import load_service_settings

    settings = own_screener.settings
    home = str(settings.home)
    runner = CliRunner()

    def run(*args, code: int = 0):
        result = runner.invoke(_cli(), [*args, "--home", home], env=env_of(settings))
        assert result.exit_code == code, result.output
        return result

    # Before the service exists there is no audit log: the change is simply made.
    run("lexicon", "add", "早期词条甲", "-c", "illegal", "-r", "before the service")
    assert run("init").stdout.strip().startswith("院长办公室（admin）令牌只显示这一次")
    db_url = load_service_settings(settings).database_url

    run("lexicon", "add", NEW_TERM, "-c", "illegal", "-r", "新名目", "--by", "钱老师")
    run("lexicon", "edit", NEW_TERM, "-s", "review", "-r", "复核")
    run("lexicon", "retire", NEW_TERM, "-r", "误报")
    picture = tmp_path / "emblem.png"
    photos["flower"].save(picture)
    run("assets", "add", str(picture), "--kind", "emblem", "--title", "院徽")
    run("assets", "retire", "1", "--reason", "换了新院徽")
    assert "审计日志完好：" in run("audit", "verify").stdout

    db = db_url
    with raw_db(db) as conn:
        rows = conn.execute("select id, actor, action, subject, details from svc_audit "
                            "where action like 'lexicon.%' or action like 'asset.%' "
                            "order by id").fetchall()
    assert [r[2] for r in rows] == ["lexicon.add", "lexicon.edit", "lexicon.retire",
                                    "asset.add", "asset.retire"]
    assert all(r[1].startswith("cli:") and r[1].endswith("/maintainer") for r in rows)
    assert json.loads(rows[0][4])["by"] == "钱老师"
    assert rows[3][3] == "asset:1"
    # The bank keeps only hashes; the service kept the picture for the review page.
    from screener_service.files import asset_file

    kept = asset_file(settings, json.loads(rows[3][4])["sha256"])
    assert kept is not None and kept.read_bytes() == picture.read_bytes()

    with raw_db(db) as conn:
        conn.execute("update svc_audit set details = ? where id = ?",
                     (json.dumps({"reason": "nothing to see"}), rows[0][0]))
    broken = run("audit", "verify", code=1)
    assert f"审计日志已被破坏：审计日志第 {rows[0][0]} 行" in broken.output


def test_a_change_behind_the_audits_back_is_reported(own_screener, env_of):
    from screener.lexicon.maintain import Who, add_terms

    settings = own_screener.settings
    runner = CliRunner(env=env_of(settings))
    assert runner.invoke(_cli(), ["init", "--home", str(settings.home)]).exit_code == 0
    add_terms(settings, [NEW_TERM], "illegal", Who("script", "no audit"))  # the core alone
    result = runner.invoke(_cli(), ["audit", "verify", "--home", str(settings.home)])
    assert result.exit_code == 1
    assert "审计日志不完整" in result.output and "词库改动 1（" in result.output


def test_a_tiff_asset_is_kept_as_a_picture_browsers_show(own_screener, photos, tmp_path):
    import hashlib

    from PIL import Image
    from screener_service.files import asset_file

    picture = tmp_path / "emblem.tiff"
    photos["flower"].resize((200, 133)).save(picture, "TIFF")
    home = str(own_screener.settings.home)
    result = CliRunner().invoke(_cli(), ["assets", "add", str(picture), "--home", home])
    assert result.exit_code == 0, result.output
    kept = asset_file(own_screener.settings, hashlib.sha256(picture.read_bytes()).hexdigest())
    assert kept is not None and kept.suffix == ".png"
    with Image.open(kept) as shown:
        assert shown.size == (200, 133)


def test_terms_that_cannot_be_stored_are_refused_with_a_reason(own_world):
    w = own_world
    headers = {"Authorization": f"Bearer {w.tokens['maintainer']}",
               "content-type": "application/json"}
    for raw, problem, zh in [
        (b'{"terms": ["\\ud800x"], "category": "illegal"}', "surrogate",
         "terms：词条须是有效的 Unicode 文本（不能有不成对的代理码位）"),
        (b'{"terms": ["a\\nb"], "category": "illegal"}', "control", "terms：词条不能含有控制字符"),
    ]:
        response = w.client.post("/api/lexicon/terms", content=raw, headers=headers)
        assert response.status_code == 422 and problem in response.json()["error"]["message"]
        assert response.json()["error"]["message_zh"] == zh
    to_allow = w.call("maintainer", "PATCH", "/api/lexicon/terms/代孕",
                      json={"category": "allow", "reason": "x"})
    assert to_allow.status_code == 422 and to_allow.json()["error"]["field"] == "category"
    assert w.call("admin", "GET", "/api/audit/verify").json()["ok"] is True
    assert not _audit(w, "lexicon.")


def test_editing_or_cutting_off_a_change_row_is_caught_over_http(own_world, photos, raw_db):
    w = own_world
    asset = w.call("maintainer", "POST", "/api/assets", data={"title": "院徽"},
                   files={"image": ("a.png", image_bytes(photos["flower"]), "image/png")}
                   ).json()
    w.call("maintainer", "POST", f"/api/assets/{asset['id']}/retire", json={"reason": "旧版"})
    db = w.client.app.state.config.database_url
    with raw_db(db) as conn:
        last, details = conn.execute("select id, details from svc_audit order by id desc "
                                     "limit 1").fetchone()
        assert json.loads(details)["reason"] == "旧版"
        # The last row removed: the signed head outside the database names it ...
        conn.execute("delete from svc_audit where id = ?", (last,))
    cut = w.call("admin", "GET", "/api/audit/verify").json()
    assert cut["ok"] is False and "removed" in cut["problem"]
    assert "末尾的记录被删除" in cut["problem_zh"]
    # ... and with the head files deleted too, the bank's event still has no row.
    for head in Path(w.client.app.state.config.audit_dir).glob("head*.json"):
        head.unlink()
    cut = w.call("admin", "GET", "/api/audit/verify").json()
    assert cut["ok"] is False and len(cut["unaudited"]) == 1
    assert f"图片库改动：图片 {asset['id']} retire" in cut["unaudited"][0]
    assert cut["problem_zh"] == "1 项改动不在审计日志中，或与之不符"
    page = w.page("admin", "GET", "/office/audit").text  # the office's page says it in Chinese
    assert "1 项改动不在审计日志中，或与之不符" in page
    assert f"图片库改动：图片 {asset['id']} retire" in page
    with raw_db(db) as conn:
        conn.execute("update svc_audit set actor = 'someone else' where id = ?", (last - 1,))
    edited = w.call("admin", "GET", "/api/audit/verify").json()
    assert edited["ok"] is False and edited["row"] == last - 1


def test_a_term_with_a_slash_can_be_edited_and_retired(own_world):
    w = own_world
    term = "校园贷/网贷平台"
    added = w.call("maintainer", "POST", "/api/lexicon/terms",
                   json={"terms": [term], "category": "illegal", "reason": "新名目"})
    assert added.status_code == 201, added.text
    edited = w.call("maintainer", "PATCH", f"/api/lexicon/terms/{term}",
                    json={"severity": "review", "reason": "先人工复核"})
    assert edited.status_code == 200 and edited.json()["changed"], edited.text
    listed = w.call("admin", "GET", "/api/lexicon/terms", params={"q": term}).json()["items"]
    assert [(t["term"], t["severity"]) for t in listed] == [(term, "review")]
    assert w.submit(body="警惕校园贷 / 网贷平台。")["verdict"] == "review"
    retired = w.call("maintainer", "POST",
                     f"/api/lexicon/terms/{term.replace('/', '%2F')}/retire",
                     json={"reason": "合并到其他词条"})
    assert retired.status_code == 200 and retired.json()["changed"], retired.text
    assert w.call("admin", "GET", "/api/lexicon/terms", params={"q": term}).json()["items"] == []
