"""A role change takes effect on its date: dated in the future, it is pending until then; the
outgoing holder keeps signing off and keeps the queue meanwhile, the incoming one waits."""

from __future__ import annotations

from datetime import date, timedelta


def test_a_future_change_of_responsible_is_pending_until_its_day(world):
    new = world.call("admin", "POST", "/api/people", json={
        "name": "周老师", "kind": "staff", "unit_id": world.ids["unit"]}).json()["id"]
    world.tokens["next"] = world.call("admin", "POST", "/api/tokens", json={
        "role": "responsible", "person_id": new}).json()["token"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    detail = world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles", json={
        "person_id": new, "role": "responsible", "effective_on": tomorrow}).json()
    assert [r["person_id"] for r in detail["roles"] if r["role"] == "responsible"] == [
        world.ids["person_responsible"]]
    assert [(r["person_id"], r["effective_on"]) for r in detail["pending_roles"]] == [
        (new, tomorrow)]

    draft = world.submit()
    queue = world.call("responsible", "GET", "/api/queue").json()["items"]
    assert draft["id"] in [i["id"] for i in queue]
    assert world.call("next", "GET", "/api/queue").json()["items"] == []
    early = world.call("next", "POST", f"/api/drafts/{draft['id']}/signoff",
                       json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert early.status_code == 403
    signed = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                        json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert signed.status_code == 200, signed.text
    me = world.call("responsible", "GET", "/api/me").json()
    assert world.ids["account"] in (me["accounts"] or [])


def test_a_future_end_of_an_operators_role_keeps_them_until_then(world):
    detail = world.call("admin", "GET", f"/api/accounts/{world.ids['account']}").json()
    operator = next(r for r in detail["roles"] if r["role"] == "operator")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    ended = world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles/"
                       f"{operator['id']}/end", json={"ended_on": tomorrow})
    assert ended.status_code == 200
    world.submit()  # still theirs today
