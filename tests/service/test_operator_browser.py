"""The operator's workspace in Chromium, as a 具体运营人 uses it: a draft with two pictures (one
chosen in the file picker, one pasted into the body) submitted and its findings read with the
explanations the reviewer sees; the 具体负责人 asks for changes; the operator reads the comment,
edits the text, replaces the pictures and submits again; the 具体负责人 approves; the operator
publishes. Then the same pages on a 390-px phone and through axe-core.

Screenshots go to test-artifacts/operator/; with SCREENER_SCREENSHOTS=1 the README's is
refreshed in docs/screenshots/operator.png.
"""

from __future__ import annotations

import base64
import json
import os

import pytest

from screener.settings import REPO_ROOT
from tests.fixtures.browser import ARTIFACTS, SCREENSHOTS, no_horizontal_scroll, serve
from tests.fixtures.images import image_bytes, sample_photos
from tests.fixtures.service import PASSWORD

SHOTS = ARTIFACTS / "operator"
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
AD = json.loads((REPO_ROOT / "data/samples/ad.json").read_text(encoding="utf-8"))
CLEAN = json.loads((REPO_ROOT / "data/samples/clean/clean_weibo_lecture_reminder.json")
                   .read_text(encoding="utf-8"))


def login(page, url: str, world, who: str, lands: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", world.usernames[who])
    page.fill("#password", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{url}{lands}")


def shot(page, name: str, readme: str | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if readme and os.environ.get("SCREENER_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{readme}.png"), full_page=False)


def paste_picture(page, selector: str, data: bytes, kind: str = "image/png") -> None:
    """Paste a picture into ``selector`` as a browser does with a copied screenshot."""
    page.evaluate("""([selector, encoded, kind]) => {
        const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], "clipboard.png", {type: kind}));
        const target = document.querySelector(selector);
        target.focus();
        target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                          cancelable: true}));
    }""", [selector, base64.b64encode(data).decode(), kind])


def pictures() -> dict[str, bytes]:
    photos = sample_photos()
    china, flower = photos["china"], photos["flower"]
    return {"china": image_bytes(china), "flower": image_bytes(flower),
            "china-half": image_bytes(china.crop((0, 0, 320, 240))),
            "flower-half": image_bytes(flower.crop((320, 180, 640, 427)))}


@pytest.fixture
def served(world):
    yield from serve(world.client.app)


def _sign(chromium, url: str, world, draft_id: int, decision: str, comment: str) -> None:
    """The account's 具体负责人 signs the draft off on its page."""
    context = chromium.new_context(**DESK)
    page = context.new_page()
    login(page, url, world, "responsible", "/")
    page.goto(f"{url}/drafts/{draft_id}")
    page.fill("#comment", comment)
    page.click(f"#signoff button[value={decision}]")
    page.wait_for_url(f"**/drafts/{draft_id}")
    context.close()


def test_an_operator_submits_reads_edits_resubmits_and_publishes(world, served, chromium,
                                                                 tmp_path):
    url, files = served, pictures()
    page = chromium.new_page(**DESK)
    login(page, url, world, "operator", "/")  # the operator's home: their drafts
    assert "还没有稿件" in page.inner_text("main")
    page.click("#new-draft")
    page.wait_for_url(f"{url}/write/new")
    page.fill("#title", "二手书交流")
    page.fill("#body", AD["body"])
    chosen = tmp_path / "china.png"
    chosen.write_bytes(files["china"])
    page.set_input_files("#picture-files", str(chosen))
    paste_picture(page, "#body", files["flower"])  # a screenshot pasted into the body
    assert page.locator("#picked li").count() == 2
    assert page.input_value("#body") == AD["body"]  # the picture did not paste as text
    shot(page, "1-new")
    page.click("#submit-button")
    page.wait_for_url(f"{url}/write/*")
    draft_id = int(page.url.rsplit("/", 1)[1])
    stored = world.call("operator", "GET", f"/api/drafts/{draft_id}").json()
    assert [i["name"] for i in stored["images"]][0] == "china.png"
    assert stored["images"][1]["name"].startswith("pasted-")
    assert len(stored["images"]) == 2 and stored["status"] == "pending"

    # The report at once, with the reviewer's explanations, and the two pictures.
    assert page.inner_text("#status") == "待签发"
    verdict = page.inner_text("#verdict")
    assert stored["verdict"] != "pass" and verdict.strip()
    lines = page.locator("#finding-lines > li")
    assert lines.count() == len(stored["report"]["findings"]) > 0
    explanations = page.inner_text("#findings")  # the table: each explanation in full
    assert "商业" in explanations and "第十一条" in explanations
    assert page.locator("#pictures .picture-row").count() == 2
    assert page.locator("#pictures img").first.evaluate("i => i.naturalWidth") > 0
    assert page.locator("#publish-form").count() == 0  # nothing approved yet
    shot(page, "2-report", readme="operator")

    # The 具体负责人 asks for changes; the operator reads why.
    _sign(chromium, url, world, draft_id, "changes", "请删去联系方式和价格，换成活动照片")
    page.goto(f"{url}/write")
    row = page.inner_text(f"#draft-{draft_id}")
    assert "需修改" in row
    page.click(f"#draft-{draft_id} a")
    page.wait_for_url(f"{url}/write/{draft_id}")
    assert "请删去联系方式和价格，换成活动照片" in page.inner_text("#signoffs")

    # Edit: the text without the advert, two new pictures in place of the old ones.
    assert page.input_value("#body") == AD["body"]
    page.fill("#title", CLEAN["title"] or "讲座提醒")
    page.fill("#body", CLEAN["body"])
    new = [tmp_path / "a.png", tmp_path / "b.png"]
    new[0].write_bytes(files["china-half"])
    new[1].write_bytes(files["flower-half"])
    page.set_input_files("#picture-files", [str(p) for p in new])
    page.click("#resubmit-button")
    page.wait_for_url(f"{url}/write/{draft_id}")
    revised = world.call("operator", "GET", f"/api/drafts/{draft_id}").json()
    assert revised["revision"] == 2 and revised["status"] == "pending"
    assert [i["name"] for i in revised["images"]] == ["a.png", "b.png"]
    assert {i["sha256"] for i in revised["images"]}.isdisjoint(
        {i["sha256"] for i in stored["images"]})
    assert page.inner_text("#status") == "待签发"
    assert "第 2 版" in page.inner_text("dl.meta")
    assert page.locator("#changes").count() == 1  # what changed since revision 1
    assert revised["verdict"] == "pass", revised["report"]["findings"]

    # Approved by the 具体负责人, then published by the operator.
    _sign(chromium, url, world, draft_id, "approve", "同意发布")
    page.reload()
    assert page.locator("#publish-form").is_visible()
    page.click("#publish-button")
    page.wait_for_url(f"{url}/write/{draft_id}")
    assert page.inner_text("#status") == "已发布"
    assert page.locator("#edit-form").count() == 0  # a published post is not edited
    audit = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    actions = [a["action"] for a in audit if a["subject"] == f"draft:{draft_id}"]
    assert actions.count("draft.submit") == 1 and actions.count("draft.edit") == 1
    assert actions[-1] == "draft.publish"
    edit = next(a for a in audit if a["action"] == "draft.edit")
    assert edit["details"]["images"] == [i["sha256"] for i in revised["images"]]
    shot(page, "3-published")


def test_a_refused_submission_keeps_what_was_typed(world, served, chromium):
    page = chromium.new_page(**DESK)
    login(page, served, world, "operator", "/")
    page.goto(f"{served}/write/new")
    page.fill("#title", "只有标题的稿件" * 2)
    page.fill("#body", "")
    page.fill("#title", "")
    page.click("#submit-button")
    assert "空" in page.inner_text("#submit-error")  # an empty draft says so, in Chinese
    page.fill("#title", "讲座通知")
    page.fill("#body", "欢迎参加力学前沿讲座。")
    page.click("#submit-button")
    page.wait_for_url(f"{served}/write/*")
    assert page.inner_text("#status") == "待签发"


def test_the_operator_pages_on_a_390_px_phone(world, served, chromium, axe_script):
    draft = world.submit(title="二手书交流", body=AD["body"],
                         pictures=(pictures()["flower"],))
    context = chromium.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    login(page, served, world, "operator", "/")
    for address in ("/write", "/write/new", f"/write/{draft['id']}"):
        page.goto(served + address)
        no_horizontal_scroll(page)
        page.add_script_tag(content=axe_script)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [f"{v['id']}: {v['help']}" for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        assert bad == [], (address, bad)
    shot(page, "4-phone-draft")
    context.close()
