"""The dean's office's workspace in Chromium, as 院长办公室 uses it: people and an account
registered, roles given (one reported late, 第九条), a log-in set for the new operator who then
finds the account on their page; a token created (shown once, working), revoked (refused from
then on); the audit log verified, its head the API's; an account stopped weeks ago shown past
its closing deadline (第十四条); a refused form back with what was typed; the pages on a
390-px phone and through axe-core.

Screenshots go to test-artifacts/office/; with SCREENER_SCREENSHOTS=1 the README's is refreshed
in docs/screenshots/office.png.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest

from tests.fixtures.browser import ARTIFACTS, SCREENSHOTS, no_horizontal_scroll, serve
from tests.fixtures.service import PASSWORD, auth

SHOTS = ARTIFACTS / "office"
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
OPENED = "2019-09-01"  # an account that existed before the rule came into force


def login(page, url: str, username: str, lands: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{url}{lands}")


def shot(page, name: str, readme: str | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if readme and os.environ.get("SCREENER_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{readme}.png"), full_page=False)


@pytest.fixture
def served(world):
    yield from serve(world.client.app)


def _person(page, name: str, kind: str, unit: str) -> int:
    page.fill("#person-name", name)
    page.select_option("#person-kind", kind)
    page.select_option("#person-unit", label=unit)
    page.click("#new-person button[type=submit]")
    page.wait_for_load_state()
    row = page.locator("#people tr", has_text=name)
    return int(row.get_attribute("id").split("-")[1])


def _weeks_ago(weeks: int) -> str:
    return (date.today() - timedelta(weeks=weeks)).isoformat()


def test_the_dean_office_registers_assigns_issues_and_revokes_a_token_and_verifies(
        world, served, chromium):
    url = served
    page = chromium.new_page(**DESK)
    login(page, url, world.usernames["admin"], "/")
    page.click("header a[href='/office']")
    page.wait_for_url(f"{url}/office")

    # People and an account.
    teacher = _person(page, "陈老师", "staff", "力学与工程科学系")
    student = _person(page, "刘同学", "student", "力学与工程科学系")
    page.fill("#account-name", "力学系学生会")
    page.select_option("#account-platform", "weibo")
    page.select_option("#account-unit", label="力学与工程科学系")
    page.fill("#account-opened", OPENED)
    page.click("#new-account button[type=submit]")
    page.wait_for_url(f"{url}/office/accounts/*")
    account = int(page.url.rsplit("/", 1)[1])
    assert "尚无第一责任人" in page.inner_text("main")
    assert "尚无具体负责人" in page.inner_text("main")

    # Roles: the 具体负责人 from two weeks ago (reported late), the unit head, an operator.
    def give(person: int, role: str, since: str = "") -> None:
        page.select_option("#assign-person", str(person))
        page.select_option("#assign-role", role)
        page.fill("#assign-from", since)
        page.click("#assign-button")
        page.wait_for_url(f"{url}/office/accounts/{account}")

    give(teacher, "responsible", _weeks_ago(2))
    give(world.ids["person_head"], "first_responsible")
    give(student, "operator")
    roles = page.inner_text("#roles")
    assert "具体负责人" in roles and "陈老师" in roles and "第一责任人" in roles
    assert "刘同学" in roles and "具体运营人" in roles
    assert "尚无" not in page.inner_text("main")
    late = page.locator("#roles tr", has_text="陈老师").inner_text()
    assert "逾期" in late and "第九条" in late
    assert "逾期" not in page.locator("#roles tr", has_text="刘同学").inner_text()
    detail = world.call("admin", "GET", f"/api/accounts/{account}").json()
    [responsible] = [r for r in detail["roles"] if r["role"] == "responsible"]
    assert responsible["late_working_days"] > 0
    shot(page, "1-account", readme="office")
    # A student cannot be the 具体负责人 (第八条): refused on the page, the choice kept.
    page.select_option("#assign-person", str(student))
    page.select_option("#assign-role", "responsible")
    page.click("#assign-button")
    assert "第八条" in page.inner_text("#office-error")
    assert page.locator("#assign-person").input_value() == str(student)

    # A log-in for the new operator, who then finds the account on their page.
    page.goto(f"{url}/office")
    row = page.locator(f"#person-{student}")
    row.locator("summary").click()
    row.locator("input[name=username]").fill("liu-student")
    row.locator("input[name=password]").fill(PASSWORD)
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{url}/office*")
    assert "liu-student" in page.inner_text(f"#person-{student}")
    operator = chromium.new_context(**DESK).new_page()
    login(operator, url, "liu-student", "/")
    assert "力学系学生会" in operator.inner_text("main")
    operator.context.close()

    # A token: shown once, works, revoked, refused.
    page.click("header a[href='/office/tokens']")
    page.wait_for_url(f"{url}/office/tokens")
    page.select_option("#token-role", "operator")
    page.select_option("#token-person", str(student))
    page.fill("#token-label", "学生会发布脚本")
    page.click("#create-token")
    page.wait_for_load_state()
    token = page.input_value("#token-value")
    assert token.startswith("scr_") and "不会再次显示" in page.inner_text("#new-token")
    me = world.client.get("/api/me", headers=auth(token))
    assert me.status_code == 200 and me.json()["role"] == "operator"
    assert me.json()["accounts"] == [account]
    shot(page, "2-token")
    page.goto(f"{url}/office/tokens")
    assert token not in page.content()  # never shown again
    row = page.locator("#tokens tr", has_text="学生会发布脚本")
    token_id = int(row.get_attribute("id").split("-")[1])
    row.locator("button.reject").click()
    page.wait_for_url(f"{url}/office/tokens*")
    assert "已于" in page.inner_text(f"#token-{token_id}")
    refused = world.client.get("/api/me", headers=auth(token))
    assert refused.status_code == 401 and "撤销" in refused.json()["error"]["message_zh"]

    # The audit log verifies, and its head is the API's.
    page.click("header a[href='/office/audit']")
    page.wait_for_url(f"{url}/office/audit")
    assert "核验通过" in page.inner_text("#verify-result")
    verified = world.call("admin", "GET", "/api/audit/verify").json()
    assert verified["ok"] and page.inner_text("#audit-head") == verified["head"]
    rows = page.inner_text("#audit-rows")
    assert "token.revoke" in rows and "account.assign" in rows and "user.password" in rows
    shot(page, "3-audit")

    # A stopped account still open weeks later is past its closing deadline (第十四条).
    page.goto(f"{url}/office/accounts/{account}")
    page.select_option("#new-status", "closing")
    page.fill("#status-from", _weeks_ago(4))
    page.click("#status-form button[type=submit]")
    page.wait_for_url(f"{url}/office/accounts/{account}")
    assert "第十四条" in page.inner_text("dl.meta") and "超过关闭时限" in page.inner_text("dl.meta")
    page.goto(f"{url}/office")
    assert "超过关闭时限" in page.inner_text(f"#account-{account}")

    # A refused form comes back with what was typed.
    page.fill("#unit-name", "力学与工程科学系")
    page.click("#new-unit button[type=submit]")
    assert "已" in page.inner_text("#office-error")
    assert page.input_value("#unit-name") == "力学与工程科学系"


def test_the_office_pages_on_a_390_px_phone(world, served, chromium, axe_script):
    context = chromium.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    login(page, served, world.usernames["admin"], "/")
    for address in ("/office", f"/office/accounts/{world.ids['account']}", "/office/tokens",
                    "/office/audit"):
        page.goto(served + address)
        no_horizontal_scroll(page)
        page.add_script_tag(content=axe_script)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], (address, bad)
    shot(page, "4-phone-account")
    context.close()
