"""The whole workflow through HTTP on a real SQLite file: submit, screen, queue, sign-off, edit,
publish; 第十三条 routing; binding a sign-off to what the signer saw."""

from __future__ import annotations

import io
import json

from PIL import Image
from screener_service import create_app

from screener.settings import REPO_ROOT

SAMPLES = REPO_ROOT / "data" / "samples"


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_submit_sign_publish_round_trip(world, service_config, raw_db):
    draft = world.submit(title="力学前沿讲座", body="欢迎参加讲座。")
    assert draft["status"] == "pending" and draft["verdict"] == "pass"
    assert draft["route"] == "responsible" and draft["revision"] == 1
    report = draft["report"]
    assert report["lexicon_version"] and report["model_version"]

    queue = world.call("responsible", "GET", "/api/queue").json()
    assert [d["id"] for d in queue["items"]] == [draft["id"]]

    refused = world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    assert refused.status_code == 409 and "approval" in refused.json()["error"]["message"]

    signed = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                        json={"decision": "approve", "report_id": report["id"]})
    assert signed.status_code == 200, signed.text
    sign = signed.json()["signoffs"][0]
    assert sign["content_hash"] == draft["content_hash"]
    assert sign["lexicon_version"] == report["lexicon_version"]
    assert sign["model_version"] == report["model_version"]
    assert world.call("responsible", "GET", "/api/queue").json()["items"] == []

    published = world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"

    # A real file: a second app on the same database sees everything.
    with raw_db(service_config.database_url) as db:
        assert db.execute("select status from svc_drafts").fetchall() == [("published",)]
        assert db.execute("select count(*) from svc_reports").fetchone() == (1,)


def test_queue_puts_blocked_and_review_first(world):
    ad = _sample("ad.json")
    clean = world.submit(title="讲座", body="欢迎参加讲座。")
    blocked = world.submit(title=ad["title"], body=ad["body"])
    assert blocked["verdict"] == "block"
    commercial = world.submit(title="", body="扫码购买课程，优惠价299元，加微信了解")
    items = world.call("responsible", "GET", "/api/queue").json()["items"]
    order = [d["id"] for d in items]
    assert order[0] == blocked["id"] and order[-1] == clean["id"]
    assert commercial["id"] in order


def test_edit_needs_new_screening_and_new_signoff(world):
    ad = _sample("ad.json")
    draft = world.submit(title=ad["title"], body=ad["body"])
    first_report = draft["report"]["id"]
    changes = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                         json={"decision": "changes", "report_id": first_report,
                               "comment": "删去代孕广告", "finding_comments": {"0": "违法"}})
    assert changes.status_code == 200 and changes.json()["status"] == "changes_requested"

    edited = world.call("operator", "PUT", f"/api/drafts/{draft['id']}",
                        json={"title": "二手书交换", "body": "周六下午在图书馆门口交换二手书。"})
    assert edited.status_code == 200, edited.text
    data = edited.json()
    assert data["revision"] == 2 and data["status"] == "pending" and data["verdict"] == "pass"
    assert data["report"]["id"] != first_report
    assert data["content_hash"] != draft["content_hash"]
    assert [s["current"] for s in data["signoffs"]] == [False]

    stale = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                       json={"decision": "approve", "report_id": first_report})
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "report_id"
    ok = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                    json={"decision": "approve", "report_id": data["report"]["id"]})
    assert ok.status_code == 200

    # Editing after the approval puts it back in the queue: the approval no longer covers it.
    again = world.call("operator", "PUT", f"/api/drafts/{draft['id']}",
                       json={"title": "二手书交换", "body": "周日下午在图书馆门口交换二手书。"})
    assert again.json()["status"] == "pending"
    refused = world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    assert refused.status_code == 409


def test_signoff_rules(world):
    ad = _sample("ad.json")
    blocked = world.submit(title=ad["title"], body=ad["body"])
    url = f"/api/drafts/{blocked['id']}/signoff"
    rid = blocked["report"]["id"]
    no_reason = world.call("responsible", "POST", url, json={"decision": "reject",
                                                             "report_id": rid})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "comment"
    override = world.call("responsible", "POST", url, json={"decision": "approve",
                                                            "report_id": rid})
    assert override.status_code == 422  # approving a blocked draft needs a reason
    bad_index = world.call("responsible", "POST", url, json={
        "decision": "changes", "report_id": rid, "finding_comments": {"99": "?"}})
    assert bad_index.status_code == 422
    rejected = world.call("responsible", "POST", url, json={"decision": "reject",
                                                            "report_id": rid,
                                                            "comment": "违法内容"})
    assert rejected.json()["status"] == "rejected"
    twice = world.call("responsible", "POST", url, json={"decision": "approve",
                                                         "report_id": rid, "comment": "x"})
    assert twice.status_code == 409
    assert world.call("operator", "PUT", f"/api/drafts/{blocked['id']}",
                      json={"title": "a", "body": "b"}).status_code == 409


def test_major_news_goes_to_the_deans_office(world):
    news = _sample("flagged/major_news_obituary.json")
    draft = world.submit(title=news["title"], body=news["body"])
    assert draft["route"] == "dean"
    assert world.call("responsible", "GET", "/api/queue").json()["items"] == []
    assert [d["id"] for d in world.call("admin", "GET", "/api/queue").json()["items"]] == \
        [draft["id"]]
    refused = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                         json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert refused.status_code == 403 and "第十三条" in refused.json()["error"]["message"]
    ok = world.call("admin", "POST", f"/api/drafts/{draft['id']}/signoff",
                    json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert ok.status_code == 200


def test_nobody_signs_off_their_own_draft(world):
    # A staff member who is both operator and 具体负责人 of the account, with two tokens.
    person = world.ids["person_responsible"]
    world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
               json={"person_id": person, "role": "operator"})
    token = world.call("admin", "POST", "/api/tokens",
                       json={"role": "operator", "person_id": person}).json()["token"]
    world.tokens["responsible_as_operator"] = token
    draft = world.submit(who="responsible_as_operator")
    assert world.call("responsible", "GET", "/api/queue").json()["items"] == []
    refused = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                         json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert refused.status_code == 403
    assert "wrote or edited" in refused.json()["error"]["message"]


def test_replaced_responsible_can_no_longer_sign(world):
    draft = world.submit()
    new = world.call("admin", "POST", "/api/people",
                     json={"name": "孙老师", "kind": "staff"}).json()["id"]
    world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
               json={"person_id": new, "role": "responsible"})
    refused = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                         json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert refused.status_code == 403


def test_multipart_with_images_and_a_file(world, service_config):
    files = [("images", ("poster.png", _png("red"), "image/png")),
             ("images", ("qr.png", _png("blue"), "image/png"))]
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"]), "title": "海报",
                                "body": "见图。"}, files=files)
    assert response.status_code == 201, response.text
    draft = response.json()
    assert [i["name"] for i in draft["images"]] == ["poster.png", "qr.png"]
    assert all("path" not in i for i in draft["images"])
    assert "images" in draft["report"]["timings"]  # the images went through the pipeline
    stored = sorted(p.name for p in service_config.upload_dir.iterdir() if p.is_file())
    assert len(stored) == 2 and all(name.endswith(".png") for name in stored)

    # Same text, another image: another content hash (the hash covers the images).
    other = world.call("operator", "POST", "/api/drafts",
                       data={"account_id": str(world.ids["account"]), "title": "海报",
                             "body": "见图。"},
                       files=[("images", ("poster.png", _png("green"), "image/png"))]).json()
    assert other["content_hash"] != draft["content_hash"]

    md = world.call("operator", "POST", "/api/drafts",
                    data={"account_id": str(world.ids["account"])},
                    files=[("file", ("notice.md", "# 讲座通知\n\n欢迎参加。".encode(),
                                     "text/markdown"))])
    assert md.status_code == 201 and md.json()["title"] == "讲座通知"

    not_image = world.call("operator", "POST", "/api/drafts",
                           data={"account_id": str(world.ids["account"]), "body": "x"},
                           files=[("images", ("evil.png", b"not an image", "image/png"))])
    assert not_image.status_code == 422
    assert not_image.json()["error"]["field"] == "images[0]"


def test_state_survives_a_restart(world, service_config, service_screener):
    draft = world.submit()
    again = create_app(screener=service_screener, config=service_config)
    from fastapi.testclient import TestClient

    with TestClient(again) as client:
        response = client.get(f"/api/drafts/{draft['id']}",
                              headers={"Authorization": f"Bearer {world.tokens['responsible']}"})
    assert response.status_code == 200
    assert response.json()["content_hash"] == draft["content_hash"]


def test_html_upload_takes_inline_pictures_and_refuses_outside_ones(world):
    import base64

    inline = base64.b64encode(_png("yellow")).decode()
    html = (f"<html><body><h1>海报</h1><p>见下图。</p><img src='data:image/png;base64,{inline}'>"
            "</body></html>")
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files=[("file", ("post.html", html.encode(), "text/html"))])
    assert response.status_code == 201, response.text
    assert len(response.json()["images"]) == 1
    assert "见下图" in response.json()["body"]

    for ref in ("/etc/passwd", "https://example.invalid/a.png"):
        outside = f"<html><body><p>x</p><img src='{ref}'></body></html>"
        refused = world.call("operator", "POST", "/api/drafts",
                             data={"account_id": str(world.ids["account"])},
                             files=[("file", ("post.html", outside.encode(), "text/html"))])
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "file"
