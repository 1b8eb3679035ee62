"""The statistics of the dean's office and the unit heads: the counts a person would check by
hand against the drafts seeded (tests/fixtures/statistics.py), on SQLite and PostgreSQL; the
exports carry the same numbers; a unit head never sees another unit's numbers, on the page or in
any export, whatever they ask for."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from screener_service.auth import Principal, Role, local_principal
from screener_service.queries import statistics as stats

from tests.fixtures.statistics import seed_statistics

OWN_ACCOUNT, OTHER_ACCOUNT = "工学院力学系", "能源系微博"


@pytest.fixture
def seeded(world, app):
    return seed_statistics(world, app)


def _unit_head(world, app):
    """The own unit's head, with a token naming the other unit: the registry decides."""
    return Principal(None, world.ids["person_head"], "王主任", Role.UNIT_HEAD,
                     unit_id=world.ids["other_unit"])


def test_counts_of_a_unit_head_are_their_units_own(world, app, seeded):
    found = stats.statistics(app.state.engine, _unit_head(world, app), signoff_hours=48,
                             inactive_days=90, today=date(2024, 12, 1))
    tables = found["tables"]
    assert tables["weekly"] == [
        {"week": "2024-05-06", "screened": 2, "flagged": 1, "approved": 1},
        {"week": "2024-05-13", "screened": 2, "flagged": 1, "approved": 1}]
    (account,) = tables["accounts"]
    assert account == {"account": OWN_ACCOUNT, "unit": "力学与工程科学系", "screened": 4,
                       "flagged": 2, "approved": 2, "signed": 3, "median_hours": 2.0,
                       "late": 1}
    assert found["summary"] | {} == {"screened": 4, "flagged": 2, "approved": 2, "signed": 3,
                                     "late": 1, "median_hours": 2.0, "signoff_hours": 48}
    illegal = next(r for r in tables["categories"] if r["category"] == "illegal")
    assert illegal == {"category": "illegal", "drafts": 2, "approved": 1}
    term = next(r for r in tables["terms"] if r["term"] == seeded.term)
    assert (term["drafts"], term["signed"], term["dismissed"], term["dismissal_rate"]) == \
        (2, 2, 1, 0.5)
    # the own account last published on 2024-05-06: 209 days before 2024-12-01 (第七条)
    assert [(r["account"], r["days"]) for r in tables["inactive"]] == [(OWN_ACCOUNT, 209)]
    assert [u["name"] for u in found["units"]] == ["力学与工程科学系"]


def test_the_deans_office_sees_every_unit_and_a_period(world, app, seeded):
    dean = local_principal(Role.ADMIN, "test")
    found = stats.statistics(app.state.engine, dean, signoff_hours=48, inactive_days=90,
                             today=date(2024, 12, 1))
    assert {r["account"] for r in found["tables"]["accounts"]} == {OWN_ACCOUNT, OTHER_ACCOUNT}
    assert found["tables"]["weekly"][0] == {"week": "2024-05-06", "screened": 4, "flagged": 2,
                                            "approved": 1}
    # median of 1, 2, 72 and 100 hours; two signed later than 48 hours
    assert found["summary"]["median_hours"] == 37.0 and found["summary"]["late"] == 2
    # the other account never published: inactive since it opened
    assert {r["account"]: r["last_post"] == "" for r in found["tables"]["inactive"]} == \
        {OWN_ACCOUNT: False, OTHER_ACCOUNT: True}
    week = stats.statistics(app.state.engine, dean, since=date(2024, 5, 13),
                            until=date(2024, 5, 19), today=date(2024, 12, 1))
    assert week["summary"]["screened"] == 2 and \
        [r["account"] for r in week["tables"]["accounts"]] == [OWN_ACCOUNT]
    one = stats.statistics(app.state.engine, dean, unit_id=world.ids["other_unit"],
                           today=date(2024, 12, 1))
    assert [r["account"] for r in one["tables"]["accounts"]] == [OTHER_ACCOUNT]


def test_weeks_and_periods_are_beijing_time(world, app):
    draft = world.submit()
    from sqlalchemy import text
    with app.state.engine.begin() as conn:  # Sunday 23:30 in Beijing, still Sunday's week
        conn.execute(text("UPDATE svc_drafts SET created_at = '2024-05-12T15:30:00+00:00' "
                          "WHERE id = :id"), {"id": draft["id"]})
    dean = local_principal(Role.ADMIN, "test")
    found = stats.statistics(app.state.engine, dean, since=date(2024, 5, 12),
                             until=date(2024, 5, 12))
    assert [r["week"] for r in found["tables"]["weekly"]] == ["2024-05-06"]
    assert stats.statistics(app.state.engine, dean, since=date(2024, 5, 13))[
        "summary"]["screened"] == 0


def test_others_may_not_read_statistics(world, app, seeded):
    for role in (Role.OPERATOR, Role.RESPONSIBLE, Role.MAINTAINER):
        page = world.page(role.value if role is not Role.OPERATOR else "operator", "GET",
                          "/statistics")
        assert page.status_code == 403, (role, page.status_code)


def _own_unit_head_exports(world, query: str = "") -> dict[str, str]:
    texts = {"page": world.page("unit_head", "GET", f"/statistics?{query}").text}
    for table in stats.TABLES:
        response = world.page("unit_head", "GET", f"/statistics/export.csv?table={table}&{query}")
        assert response.status_code == 200, response.text
        texts[table] = response.content.decode("utf-8-sig")
    book = world.page("unit_head", "GET", f"/statistics/export.xlsx?{query}")
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.content))
    texts["xlsx"] = " ".join(str(c.value) for ws in sheets for row in ws.iter_rows()
                             for c in row)
    return texts


def test_a_unit_head_never_sees_another_units_numbers(world, app, seeded):
    texts = _own_unit_head_exports(world)
    for where, shown in texts.items():
        assert OTHER_ACCOUNT not in shown and "能源与资源工程系" not in shown, where
    assert OWN_ACCOUNT in texts["page"] and OWN_ACCOUNT in texts["accounts"]
    other = world.ids["other_unit"]
    for url in (f"/statistics?unit={other}", f"/statistics/export.xlsx?unit={other}",
                f"/statistics/export.csv?table=accounts&unit={other}",
                f"/statistics/report.pdf?unit={other}&month=2024-05"):
        refused = world.page("unit_head", "GET", url)
        assert refused.status_code == 403, (url, refused.status_code)
        assert OTHER_ACCOUNT not in refused.text


def test_csv_is_the_table_as_excel_reads_it(world, app, seeded):
    response = world.page("admin", "GET", "/statistics/export.csv?table=categories")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel opens the Chinese as Chinese
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["类别", "含此类发现的稿件", "已批准"]
    assert ["违法", "3", "1"] in rows, rows
    bad = world.page("admin", "GET", "/statistics/export.csv?table=secrets")
    assert bad.status_code == 422


def test_the_page_shows_each_chart_with_its_table(world, app, seeded):
    page = world.page("unit_head", "GET", "/statistics")
    assert page.status_code == 200
    html = page.text
    for name in ("weekly", "accounts", "categories", "terms"):
        assert f'id="table-{name}"' in html
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert "<script>" not in html  # the charts are pictures: the CSP stays strict


def test_monthly_report_pdf(world, app, seeded, service_config):
    from tests.fixtures.browser import CHROMIUM, require

    require(CHROMIUM, "Debian's chromium")
    response = world.page("unit_head", "GET", "/statistics/report.pdf?month=2024-05")
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"%PDF")
    assert "monthly-report" in response.headers["content-disposition"]


def test_bad_parameters_are_named(world, app):
    for url, said in (("/statistics?since=yesterday", "统计区间的起始日期应为日期"),
                      ("/statistics/report.pdf?month=May", "月份应为 YYYY-MM"),
                      ("/statistics?since=2024-06-01&until=2024-05-01", "早于开始日期"),
                      ("/statistics?unit=x", "单位应为单位编号")):
        response = world.page("admin", "GET", url)
        assert response.status_code == 422, (url, response.status_code)
        assert said in response.text, (url, response.text[:500])
