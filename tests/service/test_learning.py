"""Learning from the reviewers in the service: a sign-off's judgements become feedback in the
sign-off's own transaction, a reviewer reports what the tools missed (漏报), and the maintainer's
page shows the feedback and the models and puts one in force."""

from __future__ import annotations

import pytest
from screener_service.pagesession import SESSION_COOKIE

from screener import checkpoints
from screener.classify import registry_for
from screener.feedback import FeedbackStore
from tests.fixtures.learning import register_copy

ADVERT = ("暑期雅思冲刺班限时优惠", "报名即送教材，加微信领取优惠券，扫码购买立减300元。")


def _feedback(world) -> list[dict]:
    return FeedbackStore(str(world.client.app.state.engine.url.render_as_string(
        hide_password=False))).rows()


def _advert(world) -> dict:
    draft = world.submit(title=ADVERT[0], body=ADVERT[1])
    findings = draft["report"]["findings"]
    assert {f["category"] for f in findings} >= {"commercial"}, findings
    return draft


def test_a_sign_off_judges_every_finding_in_the_sign_offs_transaction(world):
    draft = _advert(world)
    findings = draft["report"]["findings"]
    url = f"/api/drafts/{draft['id']}/signoff"
    # a judgement of a finding the report does not have: refused, nothing written
    bad = world.call("responsible", "POST", url, json={
        "decision": "reject", "report_id": draft["report"]["id"], "comment": "广告",
        "finding_judgements": {str(len(findings)): "false_alarm"}})
    assert bad.status_code == 422 and _feedback(world) == []
    # the sign-off fails after its feedback rows were written: neither stays
    def fail(name):
        if name == "signoff.write":
            raise RuntimeError("disk gone")
    checkpoints.install(fail)
    try:
        crashed = world.call("responsible", "POST", url, json={
            "decision": "reject", "report_id": draft["report"]["id"], "comment": "广告"})
    finally:
        checkpoints.install(None)
    assert crashed.status_code == 500 and _feedback(world) == []
    assert world.call("admin", "GET", f"/api/drafts/{draft['id']}").json()["signoffs"] == []
    # a rejection says the findings were right, unless the signer says otherwise
    signed = world.call("responsible", "POST", url, json={
        "decision": "reject", "report_id": draft["report"]["id"], "comment": "广告",
        "finding_judgements": {"0": "false_alarm"}})
    assert signed.status_code == 200, signed.text
    rows = _feedback(world)
    content = [f for f in findings if f["category"] != "stage_error" and f["severity"] != "info"]
    assert len(rows) == len(content)
    assert [r["judgement"] for r in rows] == ["false_alarm"] + ["confirmed"] * (len(rows) - 1)
    assert [(r["category"], r["span"], r["stage"]) for r in rows] == \
        [(f["category"], f["text"], f["stage"]) for f in content]
    signoff = signed.json()["signoffs"][-1]
    for row in rows:
        assert row["origin"] == "signoff" and "李老师" in row["reviewer"]
        assert (row["title"], row["body"]) == ADVERT
        assert row["report_ref"] == f"report:{draft['report']['id']}"
        assert row["model_version"] == draft["report"]["model_version"] == \
            signoff["model_version"]
        assert row["lexicon_version"] == draft["report"]["lexicon_version"]
    audit = world.call("admin", "GET", "/api/audit", params={"subject": f"draft:{draft['id']}"})
    rejected = [r for r in audit.json()["items"] if r["action"] == "draft.reject"]
    assert rejected[0]["details"]["finding_judgements"] == {"0": "false_alarm"}


def test_approving_says_the_findings_were_false_alarms(world):
    draft = _advert(world)
    answer = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                        json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert answer.status_code == 200, answer.text
    assert {r["judgement"] for r in _feedback(world)} == {"false_alarm"}


def test_a_reviewer_reports_what_the_tools_missed(world):
    draft = world.submit(title="通知", body="本周五举办讲座，会后出售发票，欢迎参加。")
    url = f"/api/drafts/{draft['id']}/missed"
    body = {"report_id": draft["report"]["id"], "category": "illegal", "text": "出售发票",
            "comment": "卖发票"}
    assert world.call("other_responsible", "POST", url, json=body).status_code == 403
    assert world.call("responsible", "POST", url, json={**body, "text": "不在文中"}
                      ).status_code == 422
    assert world.call("responsible", "POST", url, json={**body, "category": "gossip"}
                      ).status_code == 422
    answer = world.call("responsible", "POST", url, json=body)
    assert answer.status_code == 201 and answer.json()["recorded"] is True
    again = world.call("responsible", "POST", url, json=body)
    assert again.status_code == 201 and again.json()["recorded"] is False
    (row,) = _feedback(world)
    assert (row["origin"], row["judgement"], row["category"]) == ("missed", "missed", "illegal")
    assert (row["field"], row["span"], row["comment"]) == ("body", "出售发票", "卖发票")
    assert draft["body"][row["span_start"]:row["span_end"]] == "出售发票"
    audit = world.call("admin", "GET", "/api/audit", params={"subject": f"draft:{draft['id']}"})
    assert [r["action"] for r in audit.json()["items"]].count("feedback.missed") == 1


def _login(world, role: str) -> str:
    """Log ``role`` in through the log-in form; the client then carries its session. The
    session's CSRF value."""
    csrf, session = world.csrf(role), world.session(role)
    world.client.cookies.clear()
    world.client.cookies.set(SESSION_COOKIE, session)
    return csrf


def test_the_draft_page_has_a_missed_control(world):
    draft = world.submit(title="通知", body="会后出售发票。")
    csrf = _login(world, "responsible")
    page = world.client.get(f"/drafts/{draft['id']}").text
    assert 'id="missed"' in page and "报告漏报" in page and '<label for="missed-category">' in page
    form = {"report_id": str(draft["report"]["id"]), "category": "illegal", "text": "出售发票"}
    forged = world.client.post(f"/drafts/{draft['id']}/missed", data={**form, "csrf": "0" * 32})
    assert forged.status_code == 403 and _feedback(world) == []
    sent = world.client.post(f"/drafts/{draft['id']}/missed", data={**form, "csrf": csrf},
                             follow_redirects=False)
    assert sent.status_code == 303
    assert [r["category"] for r in _feedback(world)] == ["illegal"]
    _login(world, "unit_head")  # reads the draft, does not sign it off: no control
    assert 'id="missed"' not in world.client.get(f"/drafts/{draft['id']}").text


def test_the_sign_off_form_takes_a_judgement_per_finding(world):
    draft = _advert(world)
    csrf = _login(world, "responsible")
    page = world.client.get(f"/drafts/{draft['id']}").text
    assert 'name="fj-0"' in page and "误报" in page
    world.client.post(f"/drafts/{draft['id']}/signoff", data={
        "csrf": csrf, "report_id": str(draft["report"]["id"]), "decision": "reject",
        "comment": "广告", "fj-0": "false_alarm", "confirm": "reject"})
    judged = [r["judgement"] for r in _feedback(world)]
    assert judged[0] == "false_alarm" and set(judged[1:]) <= {"confirmed"}


def test_the_maintainers_page_shows_feedback_and_models_and_promotes(own_world):
    world = own_world
    settings = world.client.app.state.services.settings
    draft = _advert(world)
    world.call("responsible", "POST", f"/api/drafts/{draft['id']}/missed",
               json={"report_id": draft["report"]["id"], "category": "major_news"})
    candidate = register_copy(settings, "page")
    csrf = _login(world, "maintainer")
    page = world.client.get("/").text
    assert "<title>词库与图库 · 两微账号发布审核</title>" in page
    assert 'id="feedback-weeks"' in page and "重大事项" in page
    assert 'id="model-in-force"' in page and "模型 0" in page
    assert f"/models/{candidate.number}/promote" in page and "启用理由（必填）" in page
    url = f"/models/{candidate.number}/promote"
    assert world.client.post(url, data={"csrf": "0" * 32, "reason": "试用"}).status_code == 403
    missing = world.client.post(url, data={"csrf": csrf, "reason": " "})
    assert missing.status_code == 422 and registry_for(settings).in_force().number == 0
    done = world.client.post(url, data={"csrf": csrf, "reason": "试用"}, follow_redirects=False)
    assert done.status_code == 303
    assert registry_for(settings).in_force().version == candidate.version
    page = world.client.get("/").text
    assert 'id="rollback"' in page and "试用" in page and f"模型 {candidate.number}" in page
    assert world.call("admin", "GET", "/api/models").json()["in_force"]["number"] == 1
    weeks = world.call("maintainer", "GET", "/api/feedback").json()
    assert weeks["totals"]["major_news"]["missed"] == 1


@pytest.mark.parametrize("role", ["operator", "responsible", "unit_head"])
def test_only_maintainers_and_the_deans_office_read_models_and_feedback(world, role):
    for url in ("/api/models", "/api/feedback"):
        assert world.call(role, "GET", url).status_code == 403


def test_a_promotion_and_its_audit_row_commit_together(own_world):
    """The service database is the state folder's (as `screener serve` lays it out): a
    promotion or rollback, from the page, the API or the command line, and its audit row are
    one transaction."""
    from screener_service.usecases.models import audited_change

    from tests.learning.test_promotion import _cli

    world = own_world
    svc = world.client.app.state.services
    registry = registry_for(svc.settings)
    candidate = register_copy(svc.settings, "together")

    def fail(name):
        if name == "model.change":
            raise RuntimeError("disk gone")
    checkpoints.install(fail)
    try:
        with pytest.raises(RuntimeError):
            audited_change(svc.engine, svc.settings, "test", lambda conn: registry.promote(
                "1", by="钱老师", reason="试用", conn=conn))
    finally:
        checkpoints.install(None)
    assert registry.changes() == [] and registry.in_force().number == 0
    checkpoints.install(fail)
    try:
        crashed = _cli(svc.settings, "model", "promote", "1", "--reason", "试用")
    finally:
        checkpoints.install(None)
    assert crashed.exit_code != 0 and registry.changes() == []
    assert _cli(svc.settings, "model", "promote", "1", "--reason", "试用").exit_code == 0
    done = world.call("maintainer", "POST", "/api/models/rollback", json={"reason": "回退"})
    assert done.status_code == 200, done.text
    assert [(c.action, c.number) for c in registry.changes()] == \
        [("rollback", 0), ("promote", candidate.number)]
    rows = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    assert [(r["action"], r["subject"]) for r in rows if r["action"].startswith("model.")] == \
        [("model.promote", f"model:{candidate.number}"), ("model.rollback", "model:0")]
    assert world.call("admin", "GET", "/api/audit/verify").json()["ok"] is True


def test_an_import_from_the_command_line_and_its_audit_row_commit_together(own_world, tmp_path):
    from tests.learning.test_promotion import _cli

    world = own_world
    settings = world.client.app.state.services.settings
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"title": "雅思冲刺班", "body": "报名立减300元，加微信咨询。", '
                      '"label": "commercial"}\n{"title": "讲座", "body": "欢迎参加。", '
                      '"label": "gossip"}\n', encoding="utf-8")
    first = _cli(settings, "feedback", "import", str(labels), "--by", "钱老师")
    assert first.exit_code == 30, first.output  # one bad line, named and skipped
    assert [(r["origin"], r["category"]) for r in _feedback(world)] == [("import", "commercial")]
    again = _cli(settings, "feedback", "import", str(labels))
    assert again.exit_code == 30 and len(_feedback(world)) == 1
    rows = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    (row,) = [r for r in rows if r["action"] == "feedback.import"]
    assert (row["details"]["added"], row["details"]["bad_lines"]) == (1, 1)
    assert row["details"]["file"] == "labels.jsonl"
    assert world.call("admin", "GET", "/api/audit/verify").json()["ok"] is True
