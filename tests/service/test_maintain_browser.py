"""The maintainer in Chromium: from the overview to the lexicon, a candidate term previewed on
the clean corpus (where it would fire, before anything changes), published with a reason,
found in force and on the next draft, then retired with a reason; its history shows both. The
page runs no inline script (the CSP would refuse it) and fits a 390-px phone.

Screenshots go to test-artifacts/maintain/; with SCREENER_SCREENSHOTS=1 the README's is refreshed
in docs/screenshots/.
"""

from __future__ import annotations

import os

from tests.fixtures.browser import ARTIFACTS, SCREENSHOTS, serve

from .test_review_browser import DESK, PHONE, login, no_horizontal_scroll

SHOTS = ARTIFACTS / "maintain"
CANDIDATE = "紫微星云贷"


def test_a_maintainer_previews_a_term_adds_it_and_retires_it(own_world, chromium):
    w = own_world
    refused: list[str] = []

    def csp_refusal(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    SHOTS.mkdir(parents=True, exist_ok=True)
    for url in serve(w.client.app):
        page = chromium.new_page(**DESK)
        page.on("console", csp_refusal)
        login(page, url, w, "maintainer")
        page.get_by_role("link", name="词库", exact=True).first.click()
        page.wait_for_url(f"{url}/lexicon")
        page.fill("#terms", f"{CANDIDATE}\n讲座")
        page.select_option("form.add-terms select[name=category]", "illegal")
        page.click("#preview-terms")
        page.wait_for_url(f"{url}/lexicon/preview**")
        summary = page.locator("#preview-summary").inner_text()
        assert "预计误报率" in summary
        # 讲座 fires in the clean lecture notices: the maintainer sees it and drops it
        assert page.locator("#preview-hits tbody tr", has_text="讲座").count() > 0
        page.screenshot(path=str(SHOTS / "preview.png"), full_page=True)
        page.click("#change-terms")  # back to the form, as it was typed
        page.wait_for_url(f"{url}/lexicon?**#add")
        assert page.input_value("#terms") == f"{CANDIDATE}\n讲座"
        assert page.input_value("form.add-terms select[name=category]") == "illegal"
        page.fill("#terms", CANDIDATE)
        page.click("#preview-terms")
        page.wait_for_url(f"{url}/lexicon/preview**")
        assert page.locator("#no-hits").is_visible()
        if os.environ.get("SCREENER_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "maintainer.png"), full_page=False)
        page.fill("#reason", "新出现的网贷名目")
        page.click("#publish-terms")
        page.wait_for_url(f"{url}/lexicon/term**")
        assert "已发布为版本" in page.locator("#notice").inner_text()
        assert "违法" in page.locator("#term-in-force").inner_text()
        draft = w.submit(title="提醒", body=f"谨防{CANDIDATE}。")
        assert any(f["term"] == CANDIDATE for f in draft["report"]["findings"])

        page.locator("details.term-forms summary").click()
        page.fill("#retire-reason-1", "名目已消失")
        page.click("#retire-illegal")
        page.wait_for_url(f"{url}/lexicon/term**")
        assert page.locator("#not-in-force").is_visible()
        history = page.locator("#term-history tbody tr")
        assert history.count() == 2
        assert "名目已消失" in history.nth(1).inner_text()
        page.screenshot(path=str(SHOTS / "term.png"), full_page=True)
        draft = w.submit(title="提醒", body=f"谨防{CANDIDATE}。")
        assert not any(f["term"] == CANDIDATE for f in draft["report"]["findings"])
        assert not refused, refused

        phone = chromium.new_context(**PHONE)
        small = phone.new_page()
        login(small, url, w, "maintainer")
        for path in ("/lexicon", f"/lexicon/term?term={CANDIDATE}", "/assets"):
            small.goto(url + path)
            no_horizontal_scroll(small)
        phone.close()
