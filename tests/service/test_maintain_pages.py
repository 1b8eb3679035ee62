"""The maintainer's lexicon and picture-bank pages, used through their forms: search, preview
then publish, edit, retire with a reason, a term's history and the difference between two
versions; add a picture with owner and licence, retire it, its history. Each change is the same
use case as the API's (the audit log has it); a refused form comes back with the reason."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.fixtures.images import image_bytes, sample_photos

CANDIDATE = "紫微星云贷"


def _form(world, url: str, data: dict, who: str = "maintainer", **kwargs):
    return world.page(who, "POST", url, data={**data, "csrf": world.csrf(who)}, **kwargs)


def test_search_preview_publish_edit_retire_and_history(own_world):
    w = own_world
    found = w.page("maintainer", "GET", "/lexicon?q=代孕")
    assert found.status_code == 200 and 'id="terms-found"' in found.text and "代孕" in found.text

    preview = w.page("maintainer", "GET", "/lexicon/preview?" +
                     f"terms={quote(CANDIDATE)}%0A{quote('讲座')}&category=illegal")
    assert preview.status_code == 200, preview.text[:500]
    # 讲座 is in every clean lecture notice: the preview shows where, before anything changes
    hits = re.findall(r"<tr><td>讲座</td>", preview.text)
    assert hits and "预计误报率" in preview.text
    assert CANDIDATE not in w.page("maintainer", "GET", "/lexicon?q=紫微").text.split(
        'id="lexicon-history"')[0].split("找到")[1][:20]  # nothing published yet

    # publishing without a reason is refused, on the preview page, with the terms kept
    refused = _form(w, "/lexicon/add", {"terms": CANDIDATE, "category": "illegal",
                                        "reason": " "})
    assert refused.status_code == 422 and "请写明添加理由" in refused.text
    added = _form(w, "/lexicon/add", {"terms": CANDIDATE, "category": "illegal",
                                      "severity": "block", "reason": "新出现的网贷名目"})
    assert added.status_code == 303, added.text[:300]
    page = w.page("maintainer", "GET", added.headers["location"])
    assert "已发布为版本" in page.text and 'id="term-in-force"' in page.text
    assert "新出现的网贷名目" in page.text
    # the next draft is screened with it
    draft = w.submit(title="通知", body=f"谨防{CANDIDATE}诈骗。")
    assert any(f["term"] == CANDIDATE for f in draft["report"]["findings"])

    edited = _form(w, "/lexicon/edit", {"term": CANDIDATE, "category": "illegal",
                                        "severity": "review", "reason": "先人工复核"})
    assert edited.status_code == 303
    no_reason = _form(w, "/lexicon/retire", {"term": CANDIDATE, "category": "illegal",
                                             "reason": ""})
    assert no_reason.status_code == 422 and 'role="alert"' in no_reason.text
    retired = _form(w, "/lexicon/retire", {"term": CANDIDATE, "category": "illegal",
                                           "reason": "名目已消失"})
    assert retired.status_code == 303
    history = w.page("maintainer", "GET", f"/lexicon/term?term={quote(CANDIDATE)}").text
    assert 'id="not-in-force"' in history
    rows = history.split('id="term-history"')[1]
    assert rows.count("<tr") == 4  # heading, added, edited, retired
    assert "名目已消失" in rows and "先人工复核" in rows

    versions = w.call("maintainer", "GET", "/api/lexicon").json()["changes"]
    newest = versions[0]["seq"]
    diff = w.page("maintainer", "GET", f"/lexicon/diff?from={newest - 3}&to={newest - 1}").text
    assert re.search(rf"<td>新增</td><td><a [^>]+>{CANDIDATE}</a>", diff), diff[-800:]
    same = w.page("maintainer", "GET", f"/lexicon/diff?from={newest - 3}&to={newest}").text
    assert 'id="no-differences"' in same  # added, then retired: as before
    audit = [e["action"] for e in w.call("admin", "GET", "/api/audit?limit=200").json()["items"]]
    assert {"lexicon.add", "lexicon.edit", "lexicon.retire"} <= set(audit)


def test_the_deans_office_reads_but_does_not_change(own_world):
    w = own_world
    assert w.page("admin", "GET", "/lexicon").status_code == 200
    assert "试用并添加词条" not in w.page("admin", "GET", "/lexicon").text
    refused = _form(w, "/lexicon/add", {"terms": CANDIDATE, "category": "illegal",
                                        "reason": "x"}, who="admin")
    assert refused.status_code == 403
    assert w.page("admin", "GET", f"/lexicon/preview?terms={CANDIDATE}").status_code == 403
    assert w.page("operator", "GET", "/lexicon").status_code == 403
    assert w.page("operator", "GET", "/assets").status_code == 403


def test_a_form_without_its_csrf_value_is_refused(own_world):
    response = own_world.page("maintainer", "POST", "/lexicon/add",
                              data={"terms": CANDIDATE, "category": "illegal", "reason": "x"})
    assert response.status_code == 403
    assert CANDIDATE not in own_world.page("maintainer", "GET", "/lexicon?q=紫微").text.split(
        "找到")[1][:30]


def test_picture_bank_add_retire_history(own_world):
    w = own_world
    picture = image_bytes(sample_photos()["flower"])
    added = w.page("maintainer", "POST", "/assets/add",
                   data={"csrf": w.csrf("maintainer"), "title": "院徽照片", "owner": "工学院",
                         "license": "仅限院内使用", "kind": "copyright"},
                   files={"image": ("flower.png", picture, "image/png")})
    assert added.status_code == 303, added.text[:300]
    page = w.page("maintainer", "GET", added.headers["location"]).text
    assert "院徽照片" in page and "仅限院内使用" in page and 'id="retire-asset"' in page
    asset_id = int(re.search(r"/assets/(\d+)", added.headers["location"]).group(1))
    no_csrf = w.page("maintainer", "POST", "/assets/add", data={"title": "x"},
                     files={"image": ("flower.png", picture, "image/png")})
    assert no_csrf.status_code == 403
    refused = _form(w, f"/assets/{asset_id}/retire", {"reason": ""})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    retired = _form(w, f"/assets/{asset_id}/retire", {"reason": "授权到期"})
    assert retired.status_code == 303
    page = w.page("maintainer", "GET", f"/assets/{asset_id}").text
    history = page.split('id="asset-history"')[1]
    assert "授权到期" in history and history.count("<tr") == 3
    assert 'id="retire-asset"' not in page
    listing = w.page("admin", "GET", "/assets").text
    assert "院徽照片" in listing and 'id="add-asset"' not in listing
