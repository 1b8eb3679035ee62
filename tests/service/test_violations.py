"""Accountability (第十五条): a violation record names the people who held each role on the
day the post was published, from the dated role history, whatever changed since; a
re-screened post taken down becomes a record; the report per unit and period."""

from __future__ import annotations

from tests.fixtures.service import World


def _staff(world: World, name: str) -> int:
    return world.call("admin", "POST", "/api/people", json={
        "name": name, "kind": "staff", "unit_id": world.ids["unit"]}).json()["id"]


def _history(world: World) -> tuple[int, dict[str, int]]:
    """An account whose 具体负责人 changed on 2024-06-01 and whose operator left then."""
    account = world.call("admin", "POST", "/api/accounts", json={
        "platform": "weibo", "name": "力学系学生会微博", "unit_id": world.ids["unit"],
        "opened_on": "2019-09-01"}).json()["id"]
    people = {"first": _staff(world, "院长丙"), "old": _staff(world, "吴老师"),
              "new": _staff(world, "郑老师"), "operator": world.ids["person_operator"]}
    url = f"/api/accounts/{account}/roles"
    for person, role, day in (("first", "first_responsible", "2023-09-01"),
                              ("old", "responsible", "2023-09-01"),
                              ("operator", "operator", "2023-09-01"),
                              ("new", "responsible", "2024-06-01")):
        response = world.call("admin", "POST", url, json={
            "person_id": people[person], "role": role, "effective_on": day})
        assert response.status_code == 201, response.text
    operator = next(r for r in world.call("admin", "GET", f"/api/accounts/{account}"
                                          ).json()["roles"] if r["role"] == "operator")
    world.call("admin", "POST", f"{url}/{operator['id']}/end", json={"ended_on": "2024-06-01"})
    return account, people


def _record(world: World, account: int, published_on: str) -> dict:
    response = world.call("admin", "POST", "/api/violations", json={
        "account_id": account, "post": f"wb-{published_on}", "title": "招生广告",
        "published_on": published_on, "article": "第十一条（内容）",
        "description": "未经许可的商业推广"})
    assert response.status_code == 201, response.text
    return response.json()


def _names(record: dict) -> dict[str, list[str]]:
    return {role: [h["name"] for h in held] for role, held in record["people"].items()}


def test_a_violation_names_the_people_in_each_role_on_the_publication_day(world):
    account, _ = _history(world)
    before = _record(world, account, "2024-03-01")
    assert _names(before) == {"first_responsible": ["院长丙"], "responsible": ["吴老师"],
                              "operator": ["张同学"]}
    after = _record(world, account, "2024-07-01")
    assert _names(after) == {"first_responsible": ["院长丙"], "responsible": ["郑老师"],
                             "operator": []}
    on_the_day = _record(world, account, "2024-06-01")  # the change's own day: the new holder
    assert _names(on_the_day)["responsible"] == ["郑老师"]
    assert before["action_pending"] and before["actions"] == []
    # a later change of people does not rewrite a record
    world.call("admin", "POST", f"/api/accounts/{account}/roles", json={
        "person_id": world.ids["person_head"], "role": "responsible"})
    again = world.call("admin", "GET", "/api/violations").json()["items"]
    assert _names(next(v for v in again if v["id"] == before["id"]))["responsible"] == ["吴老师"]


def test_a_take_down_becomes_a_record_and_the_report_sums_it_per_unit(world, app):
    from screener_service.usecases.rechecks import queue

    account, people = _history(world)
    token = world.call("admin", "POST", "/api/tokens", json={
        "role": "responsible", "person_id": people["new"]}).json()["token"]
    world.tokens["new_responsible"] = token
    finding = {"category": "commercial", "severity": "review", "term": "代写", "field": "body",
               "start": 0, "end": 2, "text": "代写", "article": "第十一条（内容）",
               "score": None}
    flagged = [{"id": "wb-1", "account": "力学系学生会微博", "verdict": "review",
                "published_at": "2024-03-01T02:00:00+00:00", "new_findings": [finding]}]
    summary = {"lexicon_version": "L9", "model_version": "m-1", "run_id": 1}
    assert queue(app.state.engine, "test", summary, flagged,
                 {"wb-1": {"title": "代写服务", "platform": "weibo",
                           "categories": {"commercial"}}})["queued"] == 1
    item = next(i for i in world.call("new_responsible", "GET", "/api/queue").json()["items"]
                if i["kind"] == "recheck")
    taken = world.call("new_responsible", "POST", f"/api/rechecks/{item['id']}/resolve",
                       json={"decision": "take_down", "comment": "商业广告，已删除"})
    assert taken.status_code == 200, taken.text
    report = world.call("admin", "GET", "/api/violations?from=2024-01-01&to=2024-12-31").json()
    [record] = report["items"]
    assert record["id"] == taken.json()["violation_id"]
    assert (record["source"], record["published_on"], record["article"]) == (
        "recheck", "2024-03-01", "第十一条（内容）")
    assert _names(record)["responsible"] == ["吴老师"]  # who held it then, not who took it down
    decided = world.call("admin", "POST", f"/api/violations/{record['id']}/decision",
                         json={"criticized": True, "referred": True})
    assert decided.json()["actions"] == ["通报批评", "提请人事部、学生工作部处理"]
    assert world.call("admin", "POST", f"/api/violations/{record['id']}/decision",
                      json={"criticized": True}).status_code == 409
    summed = world.call("unit_head", "GET", "/api/violations").json()
    assert summed["units"] == [{"unit_id": world.ids["unit"], "unit": "力学与工程科学系",
                                "violations": 1, "criticized": 1, "suspended_until": None,
                                "referred": 1}]
    assert world.call("unit_head", "GET", f"/api/violations?unit_id={world.ids['other_unit']}"
                      ).status_code == 403
    outside = world.call("admin", "GET", "/api/violations?from=2024-04-01").json()
    assert outside["items"] == []
