"""The operator's and the dean's office's forms through HTTP, as a browser posts them: a .docx
or WeChat .html export submitted from the page (its text and pictures taken), pictures kept,
replaced or removed on edit, a refused edit back with the typed text and nothing written, a
form without its CSRF value refused before anything is written, a token shown once."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.images import image_bytes
from tests.service.test_uploads import _docx, _html

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def _draft_form(world, who, url, data, files=()):
    return world.page(who, "POST", url, data={**data, "csrf": world.csrf(who)},
                      files=list(files) or [("images", ("", b"", "application/octet-stream"))])


@pytest.mark.parametrize(("name", "make"), [("post.docx", _docx), ("post.html", _html)])
def test_a_draft_file_from_the_page(world, photos, name, make):
    picture = image_bytes(photos["flower"].resize((160, 107)))
    response = _draft_form(world, "operator", "/write/new",
                           {"account_id": str(world.ids["account"]), "title": "", "body": ""},
                           [("file", (name, make(picture), "application/octet-stream"))])
    assert response.status_code == 303, response.text
    draft_id = int(response.headers["location"].rsplit("/", 1)[1])
    draft = world.call("operator", "GET", f"/api/drafts/{draft_id}").json()
    assert draft["title"] == "二手书交流" and "图书馆门口" in draft["body"]
    assert [i["size"] for i in draft["images"]] == [len(picture)]
    page = world.page("operator", "GET", f"/write/{draft_id}").text
    assert "违法" in page and f'src="/drafts/{draft_id}/images/0"' in page


def test_pictures_kept_replaced_and_removed_on_edit(world, photos):
    first = image_bytes(photos["flower"].resize((160, 107)))
    draft = world.submit(pictures=(first,))
    url = f"/write/{draft['id']}/edit"
    kept = _draft_form(world, "operator", url, {"title": "讲座通知", "body": "改期到周五。"})
    assert kept.status_code == 303, kept.text
    now = world.call("operator", "GET", f"/api/drafts/{draft['id']}").json()
    assert now["revision"] == 2 and now["images"] == draft["images"]
    second = image_bytes(photos["china"].resize((160, 120)))
    replaced = _draft_form(world, "operator", url, {"title": "讲座通知", "body": "改期到周五。"},
                           [("images", ("new.png", second, "image/png"))])
    assert replaced.status_code == 303, replaced.text
    now = world.call("operator", "GET", f"/api/drafts/{draft['id']}").json()
    assert [i["name"] for i in now["images"]] == ["new.png"] and now["revision"] == 3
    assert now["content_hash"] != draft["content_hash"]
    removed = _draft_form(world, "operator", url, {"title": "讲座通知", "body": "改期到周五。",
                                                   "drop_pictures": "on"})
    assert removed.status_code == 303, removed.text
    assert world.call("operator", "GET", f"/api/drafts/{draft['id']}").json()["images"] == []


def test_a_refused_edit_keeps_the_typed_text_and_writes_nothing(world):
    draft = world.submit()
    world.session("operator")  # logged in first: the log-in is audited
    before = world.call("admin", "GET", "/api/audit").json()["total"]
    refused = _draft_form(world, "operator", f"/write/{draft['id']}/edit",
                          {"title": "", "body": "", "author": "张同学的笔名"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "张同学的笔名" in refused.text
    assert world.call("admin", "GET", "/api/audit").json()["total"] == before
    assert world.call("operator", "GET", f"/api/drafts/{draft['id']}").json()["revision"] == 1


@pytest.mark.parametrize(("who", "url", "data"), [
    ("admin", "/office/units", {"name": "新单位"}),
    ("admin", "/office/tokens", {"role": "admin"}),
    ("operator", "/write/new", {"account_id": "1", "title": "通知", "body": "讲座。"}),
])
def test_a_form_without_its_csrf_value_is_refused_before_anything_is_written(world, who, url,
                                                                              data):
    world.session(who)  # logged in first: the log-in is audited
    before = world.call("admin", "GET", "/api/audit").json()["total"]
    refused = world.page(who, "POST", url, data={**data, "csrf": "0" * 32})
    assert refused.status_code == 403
    assert world.call("admin", "GET", "/api/audit").json()["total"] == before


def test_a_token_is_shown_once_and_not_kept_by_the_browser(world):
    made = world.page("admin", "POST", "/office/tokens",
                      data={"role": "operator", "person_id": str(world.ids["person_operator"]),
                            "label": "脚本", "csrf": world.csrf("admin")})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    token = re.search(r'id="token-value" readonly value="(scr_[^"]+)"', made.text).group(1)
    assert world.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}
                            ).status_code == 200
    assert token not in world.page("admin", "GET", "/office/tokens").text


def test_no_english_sentence_on_the_operator_and_office_pages(world):
    from tests.service.test_pages_chinese import _drafts, english_in

    made = _drafts(world)
    html = {"accept": "text/html"}
    pages = {"operator: list": world.page("operator", "GET", "/").text,
             "operator: new": world.page("operator", "GET", "/write/new").text}
    for name, draft in made.items():
        pages[f"operator: {name}"] = world.page("operator", "GET", f"/write/{draft['id']}").text
    pages["operator: refused edit"] = _draft_form(
        world, "operator", f"/write/{made['terms']['id']}/edit", {"title": "", "body": ""}).text
    pages["operator: publish refused"] = world.page(
        "operator", "POST", f"/write/{made['terms']['id']}/publish",
        data={"csrf": world.csrf("operator")}).text
    pages["responsible: operator page"] = world.page("responsible", "GET", "/write",
                                                     headers=html).text
    for address in ("/office", f"/office/accounts/{world.ids['account']}", "/office/tokens",
                    "/office/audit"):
        pages[f"admin: {address}"] = world.page("admin", "GET", address).text
    pages["admin: refused unit"] = world.page(
        "admin", "POST", "/office/units", data={"name": "力学与工程科学系",
                                                "csrf": world.csrf("admin")}).text
    pages["admin: refused token"] = world.page(
        "admin", "POST", "/office/tokens", data={"role": "operator", "expires_in_days": "x",
                                                 "csrf": world.csrf("admin")}).text
    # The audit rows are the log as stored (actions, subjects and actors are its codes, the same
    # the API and `screener audit` show); everything around them is read.
    audit = pages["admin: /office/audit"]
    pages["admin: /office/audit"] = audit[:audit.index('<table class="queue" id="audit-rows">')]
    found = {name: english_in(page) for name, page in pages.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
