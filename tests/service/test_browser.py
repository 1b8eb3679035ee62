"""The reviewer's page end to end in headless Chromium (Playwright): log in with a token, see
the queue, open a blocked draft with its findings marked, request changes on a finding, approve
the edited revision, and print the sign-off sheet. Screenshots go to test-artifacts/service/.

Needs Debian's chromium at /usr/bin/chromium (CI installs it); skipped, saying so, without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.settings import REPO_ROOT
from tests.fixtures.browser import serve
from tests.fixtures.service import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts" / "service"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                       "(apt-get install -y chromium)")


@pytest.fixture
def live_url(app):
    yield from serve(app)


def _log_in(page, username: str, password: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


def test_review_page(world, live_url, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ad = json.loads((REPO_ROOT / "data/samples/ad.json").read_text(encoding="utf-8"))
    blocked = world.submit(title="二手书交流", body=ad["body"])
    clean = world.submit(title="讲座通知", body="欢迎参加力学前沿讲座。")

    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(f"{live_url}/")
    assert page.url.endswith("/login")
    _log_in(page, world.usernames["responsible"], "not the password")
    assert "用户名或密码不正确" in page.inner_text("main")
    _log_in(page, world.usernames["responsible"], PASSWORD)
    page.wait_for_url(f"{live_url}/")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    assert "拦截" in rows.nth(0).inner_text()  # blocked first
    page.screenshot(path=str(ARTIFACTS / "1-queue.png"), full_page=True)

    page.click(f"a[href='/drafts/{blocked['id']}']")
    page.wait_for_url(f"**/drafts/{blocked['id']}")
    marks = page.locator("#draft-body a.mark")
    assert marks.count() >= 2
    illegal = page.locator("#draft-body a.mark.cat-illegal").first
    assert "代" in illegal.inner_text()
    assert "违法" in illegal.get_attribute("title")  # the category; its article is in the table
    assert "第十一条" in page.inner_text("#findings")
    colour = illegal.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("#findings tbody tr").count() == len(blocked["report"]["findings"])
    assert page.locator("#evidence tbody tr").count() >= 1  # the commercial score's n-grams
    page.screenshot(path=str(ARTIFACTS / "2-draft-blocked.png"), full_page=True)

    page.fill("input[name=fc-0]", "违法内容，删除")
    page.fill("textarea[name=comment]", "请删去广告后重新提交")
    page.click("button[value=changes]")
    page.wait_for_url(f"**/drafts/{blocked['id']}")
    assert page.inner_text("#status") == "需修改"
    assert "违法内容，删除" in page.inner_text("#signoffs")

    edited = world.call("operator", "PUT", f"/api/drafts/{blocked['id']}",
                        json={"title": "二手书交流", "body": "本周六在图书馆门口交换二手书。"})
    assert edited.status_code == 200
    page.reload()
    assert page.inner_text("#verdict").endswith("通过")
    page.click("button[value=approve]")
    page.wait_for_url(f"**/drafts/{blocked['id']}")
    assert page.inner_text("#status") == "已批准"
    assert "针对第 1 版" in page.inner_text("#signoffs")  # signed off an earlier revision

    page.click("#print-link")
    page.wait_for_url(f"**/drafts/{blocked['id']}/print")
    signature = page.inner_text("#signature")
    assert all(word in signature for word in ("具体负责人", "签字", "日期", "李老师"))
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "3-print.png"), full_page=True)
    assert page.locator("header.top").is_hidden()

    # The operator sees the draft but has no sign-off buttons, and is told why.
    other = browser.new_page()
    other.goto(f"{live_url}/login")
    _log_in(other, world.usernames["operator"], PASSWORD)
    other.wait_for_url(f"{live_url}/")
    other.goto(f"{live_url}/drafts/{clean['id']}")
    assert other.locator("button[value=approve]").count() == 0
    assert "具体负责人" in other.inner_text("#cannot-sign")
    other.screenshot(path=str(ARTIFACTS / "4-operator-view.png"), full_page=True)


@pytest.fixture
def own_live_url(own_world):
    yield from serve(own_world.client.app)


def test_matched_asset_beside_the_submitted_picture(own_world, own_live_url, browser, photos):
    """A picture that copies a bank asset is shown next to the asset, both served through the
    service's authenticated picture routes (no file paths in the page)."""
    from PIL import ImageOps

    from tests.fixtures.images import image_bytes

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    w = own_world
    asset = w.call("maintainer", "POST", "/api/assets",
                   data={"kind": "copyright", "title": "颐和园", "owner": "图片社"},
                   files={"image": ("temple.png", image_bytes(photos["china"]), "image/png")}
                   ).json()
    pasted = image_bytes(ImageOps.mirror(photos["china"]).crop((60, 40, 600, 400)), "JPEG",
                         quality=60)
    own = image_bytes(photos["flower"].resize((320, 213)), "JPEG")
    draft = w.call("operator", "POST", "/api/drafts",
                   data={"account_id": str(w.ids["account"]), "title": "校园风景",
                         "body": "两张照片。"},
                   files=[("images", ("own.jpg", own, "image/jpeg")),
                          ("images", ("pasted.jpg", pasted, "image/jpeg"))]).json()
    assert draft["verdict"] != "pass"

    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(f"{own_live_url}/login")
    _log_in(page, w.usernames["responsible"], PASSWORD)
    page.wait_for_url(f"{own_live_url}/")
    page.goto(f"{own_live_url}/drafts/{draft['id']}")
    page.wait_for_load_state("networkidle")

    first = page.locator("#picture-0 figure.submitted img")
    submitted = page.locator("#picture-1 figure.submitted img")
    banked = page.locator("#picture-1 figure.asset img")
    assert page.locator("#picture-0 figure.asset").count() == 0  # the own photo matched nothing
    for image in (first, submitted, banked):
        assert image.is_visible()
        assert image.evaluate("e => e.complete && e.naturalWidth") > 0  # it really loaded
    assert banked.evaluate("e => e.naturalWidth") == photos["china"].width
    assert submitted.evaluate("e => e.naturalWidth") == 540
    left, right = submitted.bounding_box(), banked.bounding_box()
    assert right["x"] > left["x"] + left["width"] - 1  # side by side, the asset on the right
    assert abs(right["y"] - left["y"]) < left["height"]  # on the same row
    caption = page.inner_text("#picture-1 figure.asset figcaption")
    assert f"图库资产 {asset['id']}" in caption and "颐和园" in caption
    html = page.content()
    assert "/uploads/" not in html and str(w.client.app.state.config.upload_dir) not in html
    page.screenshot(path=str(ARTIFACTS / "5-pictures-side-by-side.png"), full_page=True)

    # The picture routes need the login: a fresh browser context gets no picture.
    stranger = browser.new_page()
    response = stranger.goto(f"{own_live_url}{banked.get_attribute('src')}")
    assert response.status == 401
