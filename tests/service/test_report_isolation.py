"""A report cannot be read by an operator (or 具体负责人) of another account: not directly, not
through a list, a filter, a page offset, the queue, the reviewer pages, nor by trying ids."""

from __future__ import annotations

from .test_authz_complete import full_world

SECRET = "力学系内部评审名单"  # in the own account's draft only


def test_operator_of_another_account_never_sees_the_report(client, app):
    world = full_world(client, app)
    own = world.submit(title=SECRET, body=f"{SECRET}：张三、李四。")
    assert world.call("operator", "GET", f"/api/drafts/{own['id']}").status_code == 200
    seen = []

    def as_(who: str, method: str, url: str, **kwargs):
        response = world.call(who, method, url, **kwargs)
        seen.append((who, url, response))
        return response

    for who in ("other_operator", "other_responsible"):
        assert as_(who, "GET", f"/api/drafts/{own['id']}").status_code == 403
        listing = as_(who, "GET", "/api/drafts", params={"limit": 200}).json()
        assert own["id"] not in [d["id"] for d in listing["items"]]
        assert all(d["account_id"] == world.ids["other_account"] for d in listing["items"])
        for params in ({"account_id": world.ids["account"]},
                       {"account_id": world.ids["account"], "status": "pending"},
                       {"status": "pending", "offset": 1}, {"offset": 50}):
            page = as_(who, "GET", "/api/drafts", params=params).json()
            assert own["id"] not in [d["id"] for d in page["items"]]
            if "account_id" in params:  # not even how many there are
                assert page["total"] == 0 and page["items"] == []
        assert as_(who, "GET", f"/api/accounts/{world.ids['account']}").status_code == 403
        assert world.ids["account"] not in (as_(who, "GET", "/api/me").json()["accounts"] or [])
        assert as_(who, "GET", "/api/audit").status_code == 403
        for page_url in (f"/drafts/{own['id']}", f"/drafts/{own['id']}/print", "/"):
            response = world.page(who, "GET", page_url)
            seen.append((who, page_url, response))
            assert response.status_code in (200, 403), response.status_code
            if page_url != "/":
                assert response.status_code == 403
        for draft_id in range(1, own["id"] + 5):  # walking the ids finds nothing
            response = as_(who, "GET", f"/api/drafts/{draft_id}")
            if response.status_code == 200:
                assert response.json()["account"]["id"] == world.ids["other_account"]
    queue = as_("other_responsible", "GET", "/api/queue", params={"limit": 200}).json()
    assert own["id"] not in [d["id"] for d in queue["items"]]
    assert as_("other_operator", "GET", "/api/queue").status_code == 403

    for who, url, response in seen:  # the title never crossed, in any answer
        assert SECRET not in response.text, (who, url)
