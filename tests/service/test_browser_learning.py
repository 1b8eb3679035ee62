"""Learning from the reviewers in headless Chromium: a reviewer reports what the tools missed
(漏报) and judges a finding while signing off; the maintainer sees the feedback and a candidate's
comparison and promotes it with a reason. Screenshots go to test-artifacts/service/."""

from __future__ import annotations

import pytest

from screener.classify import registry_for
from screener.learning.candidate import train_candidate
from tests.fixtures.browser import serve
from tests.fixtures.service import PASSWORD

from .test_browser import ARGS, ARTIFACTS, CHROMIUM, _log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def url(own_world):
    yield from serve(own_world.client.app)


def _login(page, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    _log_in(page, username, PASSWORD)
    page.wait_for_url(f"{url}/")


def test_missed_report_judgement_and_promotion(own_world, url, chromium, small_data):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    w = own_world
    draft = w.submit(title="暑期雅思冲刺班", body="报名即送教材，加微信领取优惠券。另售发票。")
    page = chromium.new_page(viewport={"width": 1100, "height": 1400})
    _login(page, url, w.usernames["responsible"])
    page.goto(f"{url}/drafts/{draft['id']}")
    # the control is reachable by its labels (screen readers announce them)
    page.get_by_label("漏报的类别").select_option("illegal")
    page.get_by_label("原文中的相关文字（可选，须与原文一致）").fill("另售发票")
    page.get_by_role("button", name="报告漏报").click()
    page.wait_for_url(f"**/drafts/{draft['id']}#missed")
    reported = page.inner_text("#missed-list")
    assert "违法" in reported and "另售发票" in reported
    page.select_option("select[name=fj-0]", "false_alarm")
    page.screenshot(path=str(ARTIFACTS / "6-missed-and-judgement.png"), full_page=True)
    page.click("button[value=approve]")
    page.wait_for_url(f"**/drafts/{draft['id']}")
    assert page.inner_text("#status") == "已批准"

    settings = w.client.app.state.services.settings
    candidate = train_candidate(settings, by="钱老师", data_dir=small_data, synthetic_only=True)
    maintainer = chromium.new_page(viewport={"width": 1200, "height": 1600})
    _login(maintainer, url, w.usernames["maintainer"])
    weeks = maintainer.inner_text("#feedback-weeks")
    assert "违法" in weeks and "商业" in weeks
    assert maintainer.locator("#model-comparison tbody tr").count() >= 3
    assert "模型 0" in maintainer.inner_text("#model-in-force")
    number = candidate.entry.number
    button = maintainer.get_by_role("button", name=f"启用模型 {number}")
    button.click()  # no reason: the browser asks for one, nothing is sent
    assert registry_for(settings).in_force().number == 0
    maintainer.get_by_label("启用理由（必填）").fill("加入首批审核反馈")
    button.click()
    maintainer.wait_for_url(f"{url}/#models")
    assert f"模型 {number}" in maintainer.inner_text("#model-in-force")
    assert "加入首批审核反馈" in maintainer.inner_text("#model-changes")
    maintainer.screenshot(path=str(ARTIFACTS / "7-maintainer-models.png"), full_page=True)
    assert registry_for(settings).in_force().version == candidate.entry.version
