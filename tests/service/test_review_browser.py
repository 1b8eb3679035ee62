"""The reviewer's workspace in Chromium, used as the account's 具体负责人 would: a queue of 20
drafts filtered, searched and partly approved at once; a 3,000-character article whose only hit
is reached from the summary; a picture finding's box; a sign-off made by keyboard; the sign-off
sheet printed to PDF (A4, the signer's line); the same pages on a 390-px phone without horizontal
scrolling; and an accessibility check of the main pages by axe-core.

Screenshots go to test-artifacts/review/ (ignored by git); with SCREENER_SCREENSHOTS=1 the
README's are refreshed in docs/screenshots/.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata

import pytest

from screener.settings import REPO_ROOT
from tests.fixtures.browser import ARTIFACTS, SCREENSHOTS, no_horizontal_scroll, serve
from tests.fixtures.service import PASSWORD

SHOTS = ARTIFACTS / "review"
CLEAN = REPO_ROOT / "data" / "samples" / "clean"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
A4 = (595.3, 841.9)  # points


def _sample(name: str) -> dict:
    return json.loads((CLEAN / f"{name}.json").read_text(encoding="utf-8"))


PASSING = ["clean_weibo_alumni_talk", "clean_weibo_basketball", "clean_weibo_boardgame",
           "clean_weibo_canteen", "clean_weibo_career_fair", "clean_weibo_exam_week",
           "clean_weibo_first_snow", "clean_weibo_lecture_reminder"]
LONG = ["clean_wechat_admissions_summer_camp", "clean_wechat_alumni_homecoming",
        "clean_wechat_award_robomaster", "clean_wechat_dorm_festival",
        "clean_wechat_graduation"]
BURIED = "另有优惠套餐，详情加vx咨询。"


def long_article() -> str:
    """About 3,000 characters of our own clean notices, one commercial hit three fifths in."""
    parts = [_sample(name)["body"] for name in LONG]
    body = "\n\n".join(parts)
    cut = body.index("。", int(len(body) * 0.6)) + 1
    return body[:cut] + BURIED + body[cut:]


def fill_queue(world) -> dict[str, list[dict]]:
    """Twenty drafts waiting for the 具体负责人: passing notices (two untitled), adverts for
    review, blocked ones, the long article; and a major-news draft for the dean's office."""
    made: dict[str, list[dict]] = {"pass": [], "review": [], "block": [], "long": [],
                                   "untitled": [], "dean": []}
    for name in PASSING:
        sample = _sample(name)
        made["pass"].append(world.submit(title=sample["title"], body=sample["body"]))
    for name in ("clean_weibo_library_weekend", "clean_weibo_lost_found"):
        made["untitled"].append(world.submit(title="", body=_sample(name)["body"]))
    for i in range(4):
        made["review"].append(world.submit(
            title=f"社团招新{i + 1}", body=f"本周六社团招新，名额有限，加vx了解第{i + 1}期活动。"))
    ad = json.loads((REPO_ROOT / "data/samples/ad.json").read_text(encoding="utf-8"))
    for i in range(3):
        made["block"].append(world.submit(title=f"二手书交流{i + 1}", body=ad["body"]))
    made["long"].append(world.submit(title="工学院暑期活动回顾", body=long_article()))
    made["untitled"].append(world.submit(title="",
                                         body="图书馆周末开放时间调整，周六周日九点开馆。"))
    made["pass"].append(world.submit(title="讲座通知", body="欢迎参加力学前沿讲座。"))
    made["dean"].append(world.submit(title="讣告", body="沉痛悼念我院退休教授王某某先生。"))
    return made


def login(page, url: str, world, who: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", world.usernames[who])
    page.fill("#password", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{url}/")


def in_middle(page, selector: str) -> None:
    """The element is on screen, away from the window's edges (not at the very top or bottom)."""
    box = page.locator(selector).first.bounding_box()
    height = page.evaluate("() => window.innerHeight")
    assert box is not None and 0.15 * height < box["y"] < 0.85 * height, (selector, box, height)


def shot(page, name: str, readme: str | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if readme and os.environ.get("SCREENER_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{readme}.png"), full_page=False)


@pytest.fixture
def queue_url(world):
    made = fill_queue(world)
    for url in serve(world.client.app):
        yield url, made


def test_the_queue_filters_searches_counts_and_approves_passing_drafts_at_once(
        world, queue_url, chromium):
    url, made = queue_url
    page = chromium.new_page(**DESK)
    login(page, url, world, "responsible")
    rows = page.locator("table.queue tbody tr.row")
    assert rows.count() == 20  # the dean's office's draft is not the 具体负责人's to sign
    assert "拦截" in rows.nth(0).inner_text()  # blocked first
    first_untitled = made["untitled"][0]
    untitled = page.locator(f"#draft-{first_untitled['id']}").inner_text()
    # the start of the body stands for a missing title
    assert "（无标题）" in untitled and first_untitled["body"][:20] in untitled
    review = made["review"][0]
    review_row = page.locator(f"#draft-{review['id']}").inner_text()
    assert f"{len(review['report']['findings'])} 项发现：商业" in review_row
    verdicts = page.locator("select[name=verdict]").inner_text()
    assert "通过 (12)" in verdicts and "需审核 (5)" in verdicts and "拦截 (3)" in verdicts
    shot(page, "1-queue", readme="queue")

    page.select_option("select[name=verdict]", "pass")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert rows.count() == 12 and "共 12 篇" in page.inner_text("#counts")
    word = "图书馆"
    having = [d for kind, drafts in made.items() if kind != "dean" for d in drafts
              if d["verdict"] == "pass" and (word in d["title"] or word in d["body"])]
    assert having
    page.fill("#q", word)
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert rows.count() == len(having)
    selling = [d for kind, drafts in made.items() if kind != "dean" for d in drafts
               if any(f["category"] == "commercial" for f in d["report"]["findings"])]
    page.goto(f"{url}/?category=commercial")
    assert rows.count() == len(selling) == 8
    assert f"商业 ({len(selling)})" in page.inner_text("select[name=category]")

    # Batch approval: the passing drafts, one comment; each approval audited on its own.
    page.goto(f"{url}/?verdict=pass")
    boxes = page.locator("input[name=draft]")
    assert boxes.count() == 12
    page.keyboard.press("j")
    page.keyboard.press("x")  # the keyboard ticks the first
    assert boxes.nth(0).is_checked()
    for i in range(1, 12):
        boxes.nth(i).check()
    page.fill("#batch-comment", "例行通知，同意发布")
    page.click("#batch-approve")
    page.wait_for_load_state()
    assert "已批准 12 篇" in page.inner_text("#notice")
    assert page.locator("table.queue tbody tr.row").count() == 8
    audit = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    approvals = [a for a in audit if a["action"] == "draft.approve"]
    assert len(approvals) == 12 and all(a["details"]["comment"] == "例行通知，同意发布"
                                        for a in approvals)
    assert {a["subject"] for a in approvals} == {
        f"draft:{d['id']}" for d in made["pass"] + made["untitled"]}

    # A draft with a finding cannot be slipped into a batch, even by a hand-made form.
    review = made["review"][0]
    page.goto(f"{url}/")
    csrf = page.locator("#batch input[name=csrf]").get_attribute("value")
    forged = page.request.post(f"{url}/queue/approve", form={
        "csrf": csrf, "draft": f"{review['id']}:{review['report']['id']}"})
    assert forged.status == 409 and "有检查发现" in forged.text()
    assert world.call("admin", "GET", f"/api/drafts/{review['id']}").json()["status"] == \
        "pending"


def test_a_long_draft_buried_hit_is_reached_from_the_summary(world, queue_url, chromium):
    url, made = queue_url
    draft = made["long"][0]
    body = draft["body"] if "body" in draft else long_article()
    [buried] = [f for f in draft["report"]["findings"] if f["field"] == "body"
                and f["text"] in BURIED]
    assert buried["start"] > 0.5 * len(body) and len(body) > 2800
    page = chromium.new_page(**DESK)
    login(page, url, world, "responsible")
    page.goto(f"{url}/drafts/{draft['id']}")
    summary, text = page.locator("#summary").bounding_box(), page.locator("#draft-body")
    assert summary["y"] < text.bounding_box()["y"]  # the summary comes before the text
    index = draft["report"]["findings"].index(buried)
    line = page.locator(f"#finding-{index}")
    assert "商业" in line.inner_text() and "正文第" in line.inner_text()
    line.locator("a.goto").click()
    mark = page.locator(f"#draft-body a.mark[data-findings~='{index}'], "
                        f"#draft-body a.mark[data-findings^='{index},']").first
    page.wait_for_function("i => document.querySelector(`a.mark.current`)", arg=index)
    assert "current" in mark.get_attribute("class")
    in_middle(page, "a.mark.current")  # not on the window's edge
    shot(page, "2-long-draft-buried-hit")

    # 下一处 / 上一处 go round the findings in order.
    page.goto(f"{url}/drafts/{draft['id']}")
    count = page.locator("#finding-lines > li").count()
    page.click("#next-finding")
    assert page.inner_text("#finding-position") == f"1 / {count}"
    page.click("#prev-finding")
    assert page.inner_text("#finding-position") == f"{count} / {count}"


def test_sign_off_by_keyboard_with_forgiving_errors_and_a_confirmed_rejection(
        world, queue_url, chromium):
    url, made = queue_url
    page = chromium.new_page(**DESK)
    login(page, url, world, "responsible")
    blocked = made["block"][0]
    page.goto(f"{url}/drafts/{blocked['id']}")
    assert page.locator(".count.sev-block").count() == 1
    # block and review look different by shape as well as colour
    styles = page.evaluate("""() => [...document.querySelectorAll('#draft-body a.mark')]
        .map(m => [m.className, getComputedStyle(m).textDecorationStyle])""")
    shapes = {cls.split()[-1]: style for cls, style in styles}
    assert shapes.get("sev-block") == "double" and shapes.get("sev-review") == "wavy", shapes
    shot(page, "3-draft-blocked", readme="draft")

    # Approving a blocked draft without a why: refused on the same page, the typed text kept.
    page.fill("#fc-1", "这是联系方式，已核实")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("a")
    page.wait_for_load_state()
    assert "批准被拦截的稿件须写明理由" in page.inner_text("#signoff-error")
    assert page.input_value("#fc-1") == "这是联系方式，已核实"
    assert page.url.endswith(f"/drafts/{blocked['id']}/signoff")
    blocking = [i for i, f in enumerate(blocked["report"]["findings"])
                if f["severity"] == "block"]
    for i in blocking:  # a comment on each blocking finding is the why
        page.fill(f"#fc-{i}", "已与运营人核实：转载的法规原文")
    page.locator("h1").click()
    page.keyboard.press("a")
    page.wait_for_url(f"**/drafts/{blocked['id']}")
    assert page.inner_text("#status") == "已批准"

    # 退回 asks to confirm; the comment typed before is kept on the confirmation.
    other = made["block"][1]
    page.goto(f"{url}/drafts/{other['id']}")
    page.fill("#comment", "广告内容，不予发布")
    page.locator("h1").click()
    page.keyboard.press("r")
    page.wait_for_selector("#confirm-reject")
    assert page.input_value("#comment") == "广告内容，不予发布"
    assert world.call("admin", "GET", f"/api/drafts/{other['id']}").json()["status"] == \
        "pending"
    page.click("#confirm-reject-button")
    page.wait_for_url(f"**/drafts/{other['id']}")
    assert page.inner_text("#status") == "已退回"

    # 批准并打开下一篇: the next draft of the queue opens.
    review = made["review"][0]
    page.goto(f"{url}/drafts/{review['id']}")
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_url(lambda address: not address.endswith(f"/drafts/{review['id']}"))
    assert re.search(r"/drafts/\d+$", page.url)
    assert world.call("admin", "GET", f"/api/drafts/{review['id']}").json()["status"] == \
        "approved"


def _pdf_text(data: bytes) -> tuple[list[tuple[float, float]], list[str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    # The CJK font maps some characters to their Kangxi radical forms (⼈ for 人): fold them.
    return sizes, [unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages]


def test_the_sign_off_sheet_prints_to_an_a4_pdf_with_the_signer(world, queue_url, chromium):
    url, made = queue_url
    page = chromium.new_page(**DESK)
    login(page, url, world, "responsible")
    draft = made["long"][0]
    page.goto(f"{url}/drafts/{draft['id']}")
    page.fill("#comment", "同意发布，请删去广告句")
    page.click("button[value=approve]")
    page.wait_for_url(f"**/drafts/{draft['id']}")
    page.goto(f"{url}/drafts/{draft['id']}/print")
    sheet = page.inner_text("main")
    assert "北京时间" in sheet and "同意发布" in sheet and "修改后发布" in sheet
    assert "不予发布" in sheet and draft["content_hash"] in sheet
    assert "具体负责人" in page.inner_text("#signature")
    assert "李老师" in page.inner_text("#signature")
    page.emulate_media(media="print")
    shot(page, "4-print", readme="print")

    response = page.request.get(f"{url}/drafts/{draft['id']}/print.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    (SHOTS / "sheet.pdf").write_bytes(response.body())
    sizes, pages = _pdf_text(response.body())
    assert len(pages) >= 2  # a 3,000-character article runs over a page
    for width, height in sizes:
        assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2, (width, height)
    text = "".join(pages)
    assert "具体负责人" in text and "李老师" in text and "同意发布" in text
    for number, page_text in enumerate(pages, 1):
        # the draft number and hash head every page, and the page is numbered
        assert f"稿件 {draft['id']} 第 1 版" in page_text and draft["content_hash"][:16] in \
            page_text, number
        assert f"{number} / {len(pages)}" in page_text

    # A 第十三条 draft is signed by the dean's office: its sheet has that line, not the unit's.
    dean = made["dean"][0]
    admin = chromium.new_page(**DESK)
    login(admin, url, world, "admin")
    admin.goto(f"{url}/drafts/{dean['id']}/print")
    signature = admin.inner_text("#signature")
    assert "院长办公室" in signature and "具体负责人" not in signature


def test_a_picture_finding_shows_its_box_on_the_picture(own_world, chromium, photos):
    """A bank asset pasted into a poster: its finding links to the outline drawn on the
    picture, in the picture's own pixels, and the picture opens full size."""
    from PIL import ImageOps

    from tests.fixtures.images import image_bytes

    w = own_world
    w.call("maintainer", "POST", "/api/assets",
           data={"kind": "copyright", "title": "颐和园", "owner": "图片社"},
           files={"image": ("temple.png", image_bytes(photos["china"]), "image/png")})
    pasted = image_bytes(ImageOps.mirror(photos["china"]).crop((60, 40, 600, 400)), "JPEG",
                         quality=60)
    draft = w.call("operator", "POST", "/api/drafts",
                   data={"account_id": str(w.ids["account"]), "title": "校园风景",
                         "body": "一张照片。"},
                   files=[("images", ("pasted.jpg", pasted, "image/jpeg"))]).json()
    [index] = [i for i, f in enumerate(draft["report"]["findings"])
               if f["category"] == "copyright"]
    location = draft["report"]["findings"][index].get("location")
    if location is not None:
        assert location["image"] == 0 and location["size"] == [540, 360]
    for url in serve(w.client.app):
        page = chromium.new_page(**DESK)
        login(page, url, w, "responsible")
        page.goto(f"{url}/drafts/{draft['id']}")
        page.wait_for_load_state("networkidle")
        line = page.locator(f"#finding-{index}")
        assert "图片1" in line.inner_text() and "著作权" in line.inner_text()
        assert page.locator("#picture-0 a.full").get_attribute("href") == \
            f"/drafts/{draft['id']}/images/0"
        if location is None:
            # a picture finding without a located box still leads to its picture
            assert line.locator("a.goto").get_attribute("href") == "#picture-0"
            continue
        line.locator("a.goto").click()
        box = page.locator(f"polygon#f-{index}")
        assert box.is_visible()
        picture = page.locator("#picture-0 a.full img").bounding_box()
        drawn = box.bounding_box()
        assert drawn["width"] > 0.5 * picture["width"]  # the pasted photo fills the picture
        # the highlighted outline's stroke (and its miter corners) widens its box by up to 12 px
        slack = 14
        assert picture["x"] - slack <= drawn["x"] and drawn["x"] + drawn["width"] <= \
            picture["x"] + picture["width"] + slack
        in_middle(page, f"polygon#f-{index}")
        shot(page, "5-picture-box")
    if location is None:
        pytest.skip("this pipeline's picture findings carry no location box yet")


def test_on_a_390_px_phone(world, queue_url, chromium):
    url, made = queue_url
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    login(page, url, world, "responsible")
    no_horizontal_scroll(page)
    shot(page, "6-phone-queue")
    draft = made["block"][2]
    page.goto(f"{url}/drafts/{draft['id']}")
    no_horizontal_scroll(page)
    page.locator("#draft-body a.mark").first.tap()  # tap a mark: its finding opens
    assert page.locator("#finding-panel").is_visible()
    assert "依据第十一条" in page.inner_text("#finding-panel")
    shot(page, "7-phone-finding")
    page.locator("[data-close=finding-panel]").tap()
    dock = page.locator("#dock a.to-signoff")
    assert dock.is_visible()  # the sign-off form is one tap away wherever one is
    dock.tap()
    page.wait_for_timeout(300)
    assert page.locator("#signoff button[value=approve]").is_visible()
    page.goto(f"{url}/drafts/{made['long'][0]['id']}")
    no_horizontal_scroll(page)
    page.goto(f"{url}/drafts/{draft['id']}/print")
    no_horizontal_scroll(page)
    context.close()


def test_the_main_pages_have_no_serious_accessibility_violation(world, queue_url, chromium,
                                                                 axe_script):
    url, made = queue_url
    found = {}
    for size in (DESK, PHONE):
        # axe is put into the page by the test; the page's own policy allows no such script
        context = chromium.new_context(**size, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{url}/login")
        for address in ("/login",):
            found[(address, size["viewport"]["width"])] = _axe(page, axe_script)
        login(page, url, world, "responsible")
        for address in ("/", "/?mine=false", f"/drafts/{made['block'][0]['id']}",
                        f"/drafts/{made['long'][0]['id']}",
                        f"/drafts/{made['block'][0]['id']}/print", "/drafts/999999"):
            page.goto(url + address)
            found[(address, size["viewport"]["width"])] = _axe(page, axe_script)
        context.close()
    bad = {where: v for where, v in found.items() if v}
    assert bad == {}


def _axe(page, script: str) -> list[str]:
    page.add_script_tag(content=script)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
