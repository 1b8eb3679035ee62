"""The unit head's statistics in Chromium: log in, open the statistics from the header, see each
chart drawn (a picture the browser decoded, under the page's strict CSP) beside its table,
download the Excel workbook and read it with openpyxl: the counts are the ones seeded
(tests/fixtures/statistics.py), and nothing of the other unit is in it. The same page on a
390-px phone has no horizontal scrolling.

Screenshots go to test-artifacts/statistics/; with SCREENER_SCREENSHOTS=1 the README's is
refreshed in docs/screenshots/.
"""

from __future__ import annotations

import os

from openpyxl import load_workbook

from tests.fixtures.browser import ARTIFACTS, SCREENSHOTS, serve
from tests.fixtures.statistics import seed_statistics

from .test_review_browser import DESK, PHONE, login, no_horizontal_scroll

SHOTS = ARTIFACTS / "statistics"


def test_a_unit_head_opens_the_statistics_and_downloads_the_excel_workbook(
        world, app, chromium, tmp_path):
    seeded = seed_statistics(world, app)
    refused: list[str] = []

    def csp_refusal(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    for url in serve(world.client.app):
        page = chromium.new_page(**DESK, accept_downloads=True)
        page.on("console", csp_refusal)
        login(page, url, world, "unit_head")
        page.get_by_role("link", name="统计").click()
        page.wait_for_url(f"{url}/statistics")
        assert page.locator("h1").inner_text() == "两微账号统计"
        assert page.locator("#sum-screened").inner_text() == "4"
        assert page.locator("#sum-late").inner_text() == "1"
        charts = page.locator("figure.chart img")
        assert charts.count() == 4
        for i in range(4):  # each chart decoded and drawn, not a broken picture
            assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        account_row = page.locator("#table-accounts tbody tr").first.inner_text()
        assert "工学院力学系" in account_row and "能源系微博" not in page.content()
        term_row = page.locator("#table-terms tbody tr", has_text=seeded.term).inner_text()
        assert "50%" in term_row
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "statistics.png"), full_page=True)
        if os.environ.get("SCREENER_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "statistics.png"), full_page=False)

        with page.expect_download() as download:
            page.click("#export-xlsx")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".xlsx"
        book = load_workbook(saved)
        assert book.sheetnames == ["按周", "按账号", "按类别", "高频词条", "不活跃账号"]
        weekly = [list(r) for r in book["按周"].iter_rows(values_only=True)]
        assert weekly == [["周（自周一起）", "送审稿件", "有发现", "已批准"],
                          ["2024-05-06", 2, 1, 1], ["2024-05-13", 2, 1, 1]]
        accounts = [list(r) for r in book["按账号"].iter_rows(values_only=True)]
        assert accounts[1] == ["工学院力学系", "力学与工程科学系", 4, 2, 2, 3, 2, 1]
        assert len(accounts) == 2
        terms = {r[0]: r for r in book["高频词条"].iter_rows(min_row=2, values_only=True)}
        assert terms[seeded.term][2:] == (2, 2, 1, 0.5)
        everything = " ".join(str(c) for ws in book for r in ws.iter_rows(values_only=True)
                              for c in r)
        assert "能源" not in everything
        assert not refused, refused

        phone = chromium.new_context(**PHONE)
        small = phone.new_page()
        login(small, url, world, "unit_head")
        small.goto(f"{url}/statistics")
        no_horizontal_scroll(small)
        small.screenshot(path=str(SHOTS / "statistics-390.png"), full_page=True)
        phone.close()
