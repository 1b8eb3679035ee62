"""Account security (the first 第十一条): who keeps each account's platform password, when it
was last changed and the interval the unit sets; overdue changes listed for the unit and the
dean's office. The password itself is never taken, stored or shown."""

from __future__ import annotations

from datetime import date, timedelta


def test_keeper_changes_and_overdue_listing(world):
    url = f"/api/accounts/{world.ids['account']}/password"
    start = (date.today() - timedelta(days=100)).isoformat()
    kept = world.call("unit_head", "POST", f"{url}/keeper",
                      json={"person_id": world.ids["person_responsible"],
                            "effective_on": start})
    assert kept.status_code == 200, kept.text
    assert kept.json()["keeper"]["name"] == "李老师"
    # the default interval is 90 days: counted from the keeper's start, 10 days overdue
    overdue = world.call("admin", "GET", "/api/registry/password-overdue").json()
    mine = {i["account_id"]: i for i in overdue["items"]}
    assert mine[world.ids["account"]]["overdue_days"] == 10
    assert mine[world.ids["other_account"]]["no_keeper"] is True  # nobody keeps it: listed
    unit = world.call("unit_head", "GET", "/api/registry/password-overdue").json()["items"]
    assert [i["account_id"] for i in unit] == [world.ids["account"]]

    # the keeper records the change (the responsible token's person), the unit sets 30 days
    changed = world.call("responsible", "POST", f"{url}/changes",
                         json={"changed_on": (date.today() - timedelta(days=40)).isoformat()})
    assert changed.status_code == 200, changed.text
    assert world.call("operator", "POST", f"{url}/changes", json={}).status_code == 403
    assert world.call("admin", "GET", "/api/registry/password-overdue").json()["items"][0][
        "account_id"] != world.ids["account"]
    interval = world.call("unit_head", "PUT", f"{url}/interval", json={"days": 30}).json()
    assert interval["interval_days"] == 30
    again = world.call("unit_head", "GET", url).json()
    assert (again["overdue_days"], again["interval_is_default"]) == (10, False)
    assert world.call("unit_head", "GET",
                      f"/api/accounts/{world.ids['other_account']}/password").status_code == 403


def test_a_password_is_refused_and_stored_nowhere(world, raw_db, service_config):
    url = f"/api/accounts/{world.ids['account']}/password"
    secret = "Pku-Secret-2024!"
    for path, body in ((f"{url}/changes", {"changed_on": None, "new_password": secret}),
                       (f"{url}/keeper", {"person_id": world.ids["person_responsible"],
                                          "password": secret}),
                       (f"{url}/changes", {"密码": secret})):
        refused = world.call("admin", "POST", path, json=body)
        assert refused.status_code == 422, refused.text
        assert "不保存账号密码" in refused.json()["error"]["message"]
        assert secret not in refused.text
    with raw_db(service_config.database_url) as db:
        assert secret not in db.dump()
    assert world.call("admin", "GET", url).json()["last_changed_on"] is None
