"""The account registry: protected names (第二条), who may hold which role (第八条, 第九条),
dated changes with late reports, closing deadlines (第十四条)."""

from __future__ import annotations

from datetime import date, timedelta

from screener_service.workdays import working_days_between


def test_protected_name_is_flagged_at_registration(world):
    created = world.call("admin", "POST", "/api/accounts",
                         json={"platform": "wechat", "name": "北大工学院学生会",
                               "unit_id": world.ids["unit"], "opened_on": "2019-09-01"}).json()
    assert created["protected_name"] is True
    assert created["name_findings"][0]["article"] == "第二条（名称与标识）"
    plain = world.call("admin", "GET", f"/api/accounts/{world.ids['account']}").json()
    assert plain["protected_name"] is False


def test_responsible_must_be_staff(world):
    refused = world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
                         json={"person_id": world.ids["person_operator"],
                               "role": "responsible"})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "person_id"
    assert "第八条" in refused.json()["error"]["message"]


def test_a_new_responsible_replaces_the_old_and_late_reports_show(world):
    new = world.call("admin", "POST", "/api/people",
                     json={"name": "周老师", "kind": "staff"}).json()["id"]
    account = world.call("admin", "POST", "/api/accounts", json={
        "platform": "weibo", "name": "力学系微博", "unit_id": world.ids["unit"],
        "opened_on": "2019-09-01"}).json()["id"]
    url = f"/api/accounts/{account}/roles"
    earlier = (date.today() - timedelta(days=90)).isoformat()
    long_ago = (date.today() - timedelta(days=30)).isoformat()
    for person, role, day in ((world.ids["person_responsible"], "responsible", earlier),
                              (world.ids["person_operator"], "operator", None)):
        assert world.call("admin", "POST", url, json={"person_id": person, "role": role,
                                                      "effective_on": day}).status_code == 201
    detail = world.call("admin", "POST", url, json={"person_id": new, "role": "responsible",
                                                    "effective_on": long_ago}).json()
    current = [r for r in detail["roles"] if r["role"] == "responsible"]
    assert [r["person_id"] for r in current] == [new]
    assert current[0]["late_working_days"] > 10
    ended = [r for r in detail["role_history"] if r["person_id"] ==
             world.ids["person_responsible"]][0]
    assert ended["ended_on"] == long_ago and ended["end_late_working_days"] > 10
    assert detail["late_reports"] >= 1
    on_time = [r for r in detail["role_history"] if r["role"] == "operator"][0]
    assert on_time["late_working_days"] == 0
    dup = world.call("admin", "POST", url, json={"person_id": new, "role": "responsible"})
    assert dup.status_code == 409
    # a change dated before the holder's own start is refused, not written as a negative period
    before = world.call("admin", "POST", url, json={
        "person_id": world.ids["person_head"], "role": "responsible", "effective_on": earlier})
    assert before.status_code == 409 and before.json()["error"]["field"] == "effective_on"


def test_closing_and_closed_accounts(world):
    url = f"/api/accounts/{world.ids['account']}/status"
    stopped = (date.today() - timedelta(days=40)).isoformat()
    closing = world.call("admin", "POST", url, json={"status": "closing",
                                                     "effective_on": stopped}).json()
    assert closing["status"] == "closing" and closing["closing_overdue_working_days"] > 0
    refused = world.call("operator", "POST", "/api/drafts",
                         json={"account_id": world.ids["account"], "body": "x"})
    assert refused.status_code == 403 and "closing" in refused.json()["error"]["message"]
    no_result = world.call("admin", "POST", url, json={"status": "closed"})
    assert no_result.status_code == 422 and no_result.json()["error"]["field"] == "result"
    closed = world.call("admin", "POST", url, json={
        "status": "closed", "result": "平台注销确认函 2024-11-20"}).json()
    assert closed["status"] == "closed" and closed["closing_overdue_working_days"] == 0
    assert [e["status"] for e in closed["status_history"]] == ["active", "closing", "closed"]
    assert closed["status_history"][-1]["note"] == "平台注销确认函 2024-11-20"
    backwards = world.call("admin", "POST", url, json={"status": "closing"})
    assert backwards.status_code == 409


def test_bad_dates_are_named(world):
    response = world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
                          json={"person_id": world.ids["person_maintainer"], "role": "operator",
                                "effective_on": "2024-13-01"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "effective_on"


def test_unit_head_reads_only_their_unit(world):
    accounts = world.call("unit_head", "GET", "/api/accounts").json()["items"]
    assert [a["id"] for a in accounts] == [world.ids["account"]]
    assert world.call("unit_head", "GET",
                      f"/api/accounts/{world.ids['other_account']}").status_code == 403


def test_working_days():
    friday = date(2024, 11, 8)
    assert working_days_between(friday, friday) == 0
    assert working_days_between(friday, date(2024, 11, 11)) == 1  # the weekend does not count
    assert working_days_between(friday, date(2024, 11, 15)) == 5
    assert working_days_between(friday, date(2024, 11, 1)) == 0
