"""The account's life under the rule, through the API: applied for with the 审批表 and the
承诺书 (第六条), approved by the 党政联席会 before it takes a draft, drafts of an account that is
not active refused at every step, a unit's priority order and activity, inactive accounts
listed for 注销 review (第七条), and the closing result (第十四条)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.fixtures.service import World

from .test_authz_complete import PDF, application_form


def _order(world: World, who: str = "unit_head") -> None:
    response = world.call(who, "PUT", f"/api/units/{world.ids['unit']}/priority",
                          json={"accounts": [world.ids["account"]]})
    assert response.status_code == 200, response.text


def _apply(world: World, who: str, name: str, **changes):
    form = application_form(world.ids["unit"], name)
    form["data"].update(changes)
    return world.call(who, "POST", "/api/applications", **form)


def _approve(world: World, account: int, **changes):
    body = {"party_signatory": "党委书记甲", "admin_signatory": "院长乙", **changes}
    return world.call("admin", "POST", f"/api/applications/{account}/approve", json=body)


def _operator_on(world: World, account: int) -> None:
    response = world.call("admin", "POST", f"/api/accounts/{account}/roles",
                          json={"person_id": world.ids["person_operator"], "role": "operator"})
    assert response.status_code == 201, response.text


def test_an_account_is_applied_for_and_takes_drafts_only_once_approved(world, service_config):
    # the unit already has an account: its priority order and a justification come first
    refused = _apply(world, "unit_head", "力学系抖音")
    assert refused.status_code == 409 and "优先顺序表" in refused.json()["error"]["message"]
    _order(world)
    unjustified = _apply(world, "unit_head", "力学系抖音", justification="")
    assert unjustified.status_code == 422
    assert unjustified.json()["error"]["field"] == "justification"
    assert not (service_config.upload_dir / "documents").exists()  # nothing kept of them

    applied = _apply(world, "unit_head", "力学系抖音")
    assert applied.status_code == 201, applied.text
    account = applied.json()
    assert (account["status"], account["platform"]) == ("applied", "douyin")
    application = account["application"]
    assert application["priority_order"]["accounts"] == [world.ids["account"]]
    assert {d["kind"] for d in application["documents"]} == {"approval_form", "pledge"}
    document = application["documents"][0]
    fetched = world.call("admin", "GET",
                         f"/api/applications/{account['id']}/documents/{document['id']}")
    assert fetched.status_code == 200 and fetched.content == PDF
    assert world.call("responsible", "GET", f"/api/applications/{account['id']}"
                      ).status_code == 403

    _operator_on(world, account["id"])
    early = world.call("operator", "POST", "/api/drafts",
                       json={"account_id": account["id"], "title": "首发", "body": "欢迎关注。"})
    assert early.status_code == 403 and "applied" in early.json()["error"]["message"]

    same = _approve(world, account["id"], admin_signatory="党委书记甲")
    assert same.status_code == 422  # two signatures by two people
    approved = _approve(world, account["id"], decided_on=date.today().isoformat())
    assert approved.status_code == 200, approved.text
    detail = approved.json()
    assert detail["status"] == "active"
    assert (detail["application"]["decision"], detail["application"]["party_signatory"],
            detail["application"]["admin_signatory"]) == ("approved", "党委书记甲", "院长乙")
    assert [e["status"] for e in detail["status_history"]] == ["applied", "active"]
    world.ids["douyin"] = account["id"]
    world.submit(account="douyin", title="首发", body="欢迎关注力学系抖音号。")
    again = _approve(world, account["id"])
    assert again.status_code == 409
    # the new account joined the end of the unit's order
    listed = world.call("unit_head", "GET", f"/api/units/{world.ids['unit']}/accounts").json()
    assert [(a["id"], a["priority"]) for a in listed["accounts"]] == [
        (world.ids["account"], 1), (account["id"], 2)]


def test_a_rejected_application_never_posts_and_frees_its_name(world):
    _order(world, "admin")
    applied = _apply(world, "admin", "力学系视频号", platform="wechat_channels").json()
    rejected = world.call("admin", "POST", f"/api/applications/{applied['id']}/reject",
                          json={"reason": "与现有公众号功能重复（第七条）"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    _operator_on(world, applied["id"])
    refused = world.call("operator", "POST", "/api/drafts",
                         json={"account_id": applied["id"], "title": "t", "body": "b"})
    assert refused.status_code == 403 and "rejected" in refused.json()["error"]["message"]
    assert _approve(world, applied["id"]).status_code == 409
    listed = world.call("admin", "GET", "/api/applications?status=rejected").json()
    assert [a["id"] for a in listed["items"]] == [applied["id"]]
    assert _apply(world, "admin", "力学系视频号", platform="wechat_channels").status_code == 201


def test_applications_are_checked_before_anything_is_kept(world, service_config):
    _order(world)
    folder = service_config.upload_dir / "documents"
    page = application_form(world.ids["unit"], "力学系快手")
    page["files"][1] = ("pledge", ("承诺书.html", b"<html><script>x</script></html>",
                                   "application/pdf"))
    bad = world.call("unit_head", "POST", "/api/applications", **page)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "pledge"
    other_unit = application_form(world.ids["other_unit"], "能源系快手")
    assert world.call("unit_head", "POST", "/api/applications",
                      **other_unit).status_code == 403
    missing = application_form(world.ids["unit"], "力学系快手")
    missing["files"] = missing["files"][:1]
    assert world.call("unit_head", "POST", "/api/applications",
                      **missing).status_code == 422
    existing = application_form(world.ids["unit"], "工学院力学系")  # the unit's own name
    existing["data"]["platform"] = "wechat"
    assert world.call("unit_head", "POST", "/api/applications",
                      **existing).status_code == 409
    assert not folder.exists() or not list(folder.iterdir())
    # the existing-account route takes only accounts from before the rule came into force
    late = world.call("admin", "POST", "/api/accounts", json={
        "platform": "weibo", "name": "力学系新微博", "unit_id": world.ids["unit"],
        "opened_on": "2021-05-01"})
    assert late.status_code == 409 and "第六条" in late.json()["error"]["message"]


def _pending_and_approved(world: World) -> tuple[dict, dict]:
    pending = world.submit(title="待签发", body="讲座通知。")
    approved = world.submit(title="已签发", body="开放日通知。")
    signed = world.call("responsible", "POST", f"/api/drafts/{approved['id']}/signoff",
                        json={"decision": "approve", "report_id": approved["report"]["id"]})
    assert signed.status_code == 200, signed.text
    return pending, approved


def _refused_at_every_step(world: World, pending: dict, approved: dict, status: str) -> None:
    steps = {
        "submit": world.call("operator", "POST", "/api/drafts", json={
            "account_id": world.ids["account"], "title": "新", "body": "新的。"}),
        "edit": world.call("operator", "PUT", f"/api/drafts/{pending['id']}",
                           json={"title": "改", "body": "改过的。"}),
        "sign-off": world.call("responsible", "POST", f"/api/drafts/{pending['id']}/signoff",
                               json={"decision": "approve",
                                     "report_id": pending["report"]["id"]}),
        "publish": world.call("operator", "POST", f"/api/drafts/{approved['id']}/publish"),
    }
    for step, response in steps.items():
        assert response.status_code == 403, (step, response.text)
        assert status in response.json()["error"]["message"], step
    queue = world.call("responsible", "GET", "/api/queue").json()["items"]
    assert pending["id"] not in [i["id"] for i in queue if i["kind"] == "draft"]
    for draft in (pending, approved):  # nothing changed
        assert world.call("admin", "GET", f"/api/drafts/{draft['id']}").json()["revision"] == 1


def test_a_closing_account_takes_no_edit_sign_off_or_publication(world):
    pending, approved = _pending_and_approved(world)
    stopped = world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/status",
                         json={"status": "closing"})
    assert stopped.status_code == 200
    _refused_at_every_step(world, pending, approved, "closing")


def test_a_closed_account_takes_no_edit_sign_off_or_publication(world):
    pending, approved = _pending_and_approved(world)
    closed = world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/status",
                        json={"status": "closed", "result": "平台已注销"})
    assert closed.status_code == 200, closed.text
    _refused_at_every_step(world, pending, approved, "closed")


def test_inactive_accounts_are_listed_for_review(world):
    # both accounts were opened in 2019 and have published nothing since
    listed = world.call("admin", "GET", "/api/registry/inactive").json()
    assert listed["threshold_days"] == 180
    assert {a["id"] for a in listed["items"]} == {world.ids["account"],
                                                  world.ids["other_account"]}
    own = world.call("unit_head", "GET", "/api/registry/inactive").json()["items"]
    assert [a["id"] for a in own] == [world.ids["account"]]
    assert own[0]["last_post_on"] is None and own[0]["days_since_last_post"] > 1000
    assert world.call("unit_head", "GET", f"/api/registry/inactive?unit_id="
                      f"{world.ids['other_unit']}").status_code == 403

    draft = world.submit()
    world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
               json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish"
                      ).status_code == 200
    after = world.call("admin", "GET", "/api/registry/inactive").json()["items"]
    assert [a["id"] for a in after] == [world.ids["other_account"]]
    activity = world.call("unit_head", "GET", f"/api/units/{world.ids['unit']}/accounts"
                          ).json()["accounts"][0]
    assert (activity["posts"], activity["days_since_last_post"]) == (1, 0)
    assert activity["last_post_on"] == date.today().isoformat()
    assert activity["monthly_posts"] == {date.today().strftime("%Y-%m"): 1}
    assert activity["posts_per_month"] == round(1 / 12, 2)
    # a shorter period flags nothing that posted today; a threshold of 1 day flags the other
    assert [a["id"] for a in world.call("admin", "GET", "/api/registry/inactive?days=1"
                                        ).json()["items"]] == [world.ids["other_account"]]


def test_a_suspended_unit_cannot_apply_until_the_date(world):
    _order(world)
    until = (date.today() + timedelta(days=30)).isoformat()
    violation = world.call("admin", "POST", "/api/violations", json={
        "account_id": world.ids["account"], "post": "p-1", "published_on": "2024-03-01",
        "article": "第十一条（内容）", "description": "未经许可的商业广告"}).json()
    decided = world.call("admin", "POST", f"/api/violations/{violation['id']}/decision",
                         json={"criticized": True, "suspended_until": until})
    assert decided.status_code == 200, decided.text
    assert decided.json()["actions"] == ["通报批评", f"暂停两微账号申办资格至 {until}"]
    refused = _apply(world, "unit_head", "力学系小红书", platform="xiaohongshu")
    assert refused.status_code == 403
    assert until in refused.json()["error"]["message"] and "第十五条" in \
        refused.json()["error"]["message"]
    # the other unit is not suspended
    other = application_form(world.ids["other_unit"], "能源系小红书")
    other["data"]["platform"] = "xiaohongshu"
    world.call("admin", "PUT", f"/api/units/{world.ids['other_unit']}/priority",
               json={"accounts": [world.ids["other_account"]]})
    assert world.call("admin", "POST", "/api/applications", **other).status_code == 201


def test_a_unit_heads_registry_duties_reach_only_the_units_the_registry_gives_them(world):
    """A unit-head token made out for the other unit neither reads nor writes its applications,
    priority, activity, password duties or violations: 王主任 is 第一责任人 of 力学系's account
    only, whatever the token says."""
    token = world.call("admin", "POST", "/api/tokens", json={
        "role": "unit_head", "person_id": world.ids["person_head"],
        "unit_id": world.ids["other_unit"]}).json()["token"]
    world.tokens["wrong_unit"] = token
    other_unit, other_account = world.ids["other_unit"], world.ids["other_account"]
    for path in (f"/api/units/{other_unit}/accounts",
                 f"/api/registry/inactive?unit_id={other_unit}",
                 f"/api/registry/password-overdue?unit_id={other_unit}",
                 f"/api/violations?unit_id={other_unit}",
                 f"/api/accounts/{other_account}/password"):
        assert world.call("wrong_unit", "GET", path).status_code == 403, path
    assert world.call("wrong_unit", "PUT", f"/api/units/{other_unit}/priority",
                      json={"accounts": [other_account]}).status_code == 403
    assert world.call("wrong_unit", "PUT", f"/api/accounts/{other_account}/password/interval",
                      json={"days": 30}).status_code == 403
    form = application_form(other_unit, "能源系抖音")
    assert world.call("wrong_unit", "POST", "/api/applications", **form).status_code == 403
    # without a unit named, the listings hold the registry's unit, not the token's
    for path, key in (("/api/registry/inactive", "id"),
                      ("/api/registry/password-overdue", "account_id")):
        items = world.call("wrong_unit", "GET", path).json()["items"]
        assert {a[key] for a in items} == {world.ids["account"]}, path
    assert world.call("wrong_unit", "PUT", f"/api/units/{world.ids['unit']}/priority",
                      json={"accounts": [world.ids["account"]]}).status_code == 200
