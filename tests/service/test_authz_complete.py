"""The authorization matrix, complete: every route of the app (API, reviewer pages, docs,
static files, the maintainers' lexicon and asset bank, pictures), every role and no token, on the
caller's own account or unit and on another, and on a draft only the dean's office signs off.

``test_every_route_has_a_full_expectation`` enumerates the app's routes (through the routers
FastAPI keeps included, not only ``app.routes``' top level, and cross-checked against the OpenAPI
document) and fails for a route without an expectation for every role, own and other, or for an
expectation whose route is gone. A new endpoint therefore cannot ship without saying who may
call it.

``test_route`` then calls each route as each caller on a registry of its own, on a state folder
of its own (the maintainers' routes change the lexicon and the bank). A refused caller gets 403
with a reason, no token gets 401 with a reason; an allowed caller is served (2xx or a redirect
other than to the login page), not merely let past the check. Refusals are tried first, so
nothing they could have changed hides a later result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from screener_service.auth import Role, local_principal
from screener_service.pagesession import LOGIN_COOKIE, SESSION_COOKIE
from screener_service.usecases.sessions import set_password

from screener.settings import REPO_ROOT
from tests.fixtures.images import image_bytes, sample_photos
from tests.fixtures.service import PASSWORD, World, build_world, login_form

ROLES = ("admin", "operator", "responsible", "unit_head", "maintainer")
CALLERS = (*ROLES, "anonymous")
OK, DENIED, NO_TOKEN, LOGIN = "ok", "403", "401", "login"
SAME = "same"  # the route reaches no account, unit or draft: own and other are one case


def only(*allowed: str, anonymous: str = NO_TOKEN) -> dict[str, str]:
    return {**{r: OK if r in allowed else DENIED for r in ROLES}, "anonymous": anonymous}


EVERYONE = {**{r: OK for r in ROLES}, "anonymous": OK}
READERS = ("admin", "operator", "responsible", "unit_head")


# Path parameters that name something of the whole college, not of an account or unit: a route
# with only these may say SAME. Any other parameter needs an "other" expectation.
COLLEGE_WIDE = {"term", "asset_id", "index", "version"}


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    own: dict[str, str]
    other: dict[str, str] | str
    request: Callable[[World, str, str], tuple[str, dict[str, Any]]]
    # what the world must hold besides a plain draft per side: "asset" (one in the bank),
    # "pictures" (the drafts carry one), "approved" (the own draft is signed off)
    needs: frozenset[str] = frozenset()
    # expectations on a draft of the own account routed to the dean's office (第十三条)
    dean: dict[str, str] | None = None

    def scopes(self) -> dict[str, dict[str, str]]:
        found = {"own": self.own}
        if self.other != SAME:
            found["other"] = self.other
        if self.dean is not None:
            found["dean"] = self.dean
        return found


def plain(url: str, body: Any = None):
    """A request whose url and body do not depend on own/other."""
    return lambda w, scope, role: (url, {} if body is None else {"json": body})


def on_account(template: str, body: Any = None):
    def build(w: World, scope: str, role: str):
        account = w.ids["account" if scope == "own" else "other_account"]
        payload = body(w, scope) if callable(body) else body
        return template.format(account=account), {} if payload is None else {"json": payload}
    return build


def on_draft(template: str, body: Any = None, form: bool = False):
    def build(w: World, scope: str, role: str):
        draft = w.drafts[scope]
        payload = body(w, scope) if callable(body) else body
        url = template.format(draft=draft["id"])
        if form:
            return url, {"data": {**(payload or {}), "csrf": _csrf(w, role)}}
        return url, {} if payload is None else {"json": payload}
    return build


def _sign(w: World, scope: str) -> dict:
    return {"decision": "approve", "report_id": w.drafts[scope]["report"]["id"]}


def _csrf(w: World, role: str) -> str:
    """The form's CSRF value of ``role``'s session (none for no log-in)."""
    return w.csrf(role) if role in w.usernames else ""


def _login(w: World, scope: str, role: str):
    nonce, csrf = login_form(w.client)
    return "/login", {"data": {"username": w.usernames.get(role, "nobody"),
                               "password": PASSWORD, "csrf": csrf},
                      "headers": {"Cookie": f"{LOGIN_COOKIE}={nonce}"}}


def _session_form(url: str, **fields: str):
    return lambda w, scope, role: (url, {"data": {**fields, "csrf": _csrf(w, role),
                                                  **({"role": role} if "role" in fields
                                                     else {})}})


def on_asset(template: str, body: Any = None):
    # Asset 1 when the world added none (test_token_hygiene walks the GET routes on a plain
    # world): the answer is then a 404, which this matrix would count as not served.
    return lambda w, scope, role: (template.format(asset=w.ids.get("asset", 1)),
                                   {} if body is None else {"json": body})


def _new_asset(w: World, scope: str, role: str):
    picture = image_bytes(sample_photos()["flower"])
    return "/api/assets", {"data": {"title": "花"},
                           "files": {"image": ("flower.png", picture, "image/png")}}


def _new_asset_form(w: World, scope: str, role: str):
    picture = image_bytes(sample_photos()["flower"])
    return "/assets/add", {"data": {"title": "花", "owner": "工学院", "license": "院内使用",
                                    "csrf": _csrf(w, role)},
                           "files": {"image": ("flower.png", picture, "image/png")}}


def on_recheck(template: str, form: bool = False):
    """A published post a re-screening flagged: on the own account, the other one, or routed to
    the dean's office (a major-news finding)."""
    def build(w: World, scope: str, role: str):
        url = template.format(recheck=w.ids[f"recheck_{scope}"])
        if form:
            return url, {"data": {"decision": "keep", "csrf": _csrf(w, role)}}
        return url, {"json": {"decision": "keep"}}
    return build


def _queue_rechecks(world: World, app) -> None:
    """What `screener rescreen` queues after a lexicon change, one post per scope."""
    from screener_service.usecases.rechecks import queue

    finding = {"category": "illegal", "severity": "review", "term": "代写", "field": "body",
               "start": 0, "end": 2, "text": "代写", "article": "第五条", "score": None}
    flagged = [{"id": f"p-{scope}", "account": name, "published_at": "2024-03-01T00:00:00+00:00",
                "verdict": "review", "new_findings": [finding]}
               for scope, name in (("own", "工学院力学系"), ("other", "能源系微博"),
                                   ("dean", "工学院力学系"))]
    posts = {"p-dean": {"title": "讣告", "platform": "wechat", "categories": {"major_news"}}}
    summary = {"lexicon_version": "L2", "model_version": "m-1", "run_id": 1}
    assert queue(app.state.engine, "test", summary, flagged, posts)["queued"] == 3
    for item in world.call("admin", "GET", "/api/queue").json()["items"]:
        if item["kind"] == "recheck":
            world.ids["recheck_dean"] = item["id"]
    for scope in ("own", "other"):
        who = "responsible" if scope == "own" else "other_responsible"
        items = world.call(who, "GET", "/api/queue").json()["items"]
        world.ids[f"recheck_{scope}"] = next(i["id"] for i in items if i["kind"] == "recheck")


PICTURES = frozenset({"pictures"})
ASSET = frozenset({"asset"})
CANDIDATE = frozenset({"candidate"})  # a registered candidate model (number 1)
PROMOTED = frozenset({"promoted"})  # ... and in force


def _missed(w: World, scope: str) -> dict:
    return {"report_id": w.drafts[scope]["report"]["id"], "category": "commercial"}


def model_form(url: str):
    return lambda w, scope, role: (url, {"data": {"reason": "测试",
                                                  "csrf": _csrf(w, role)}})


ORDERED = frozenset({"ordered"})
APPLIED = frozenset({"applied"})
VIOLATION = frozenset({"violation"})
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _side(w: World, scope: str) -> tuple[int, int]:
    """(unit, account) of the own or the other side."""
    return ((w.ids["unit"], w.ids["account"]) if scope == "own"
            else (w.ids["other_unit"], w.ids["other_account"]))


def application_form(unit: int, name: str) -> dict[str, Any]:
    """An application's multipart request: its fields and the two files."""
    return {"data": {"unit_id": str(unit), "platform": "douyin", "name": name,
                     "purpose": "发布本单位的科普短视频", "operating_plan": "每周两条，由专人审核",
                     "justification": "现有公众号不发视频"},
            "files": [("approval_form", ("审批表.pdf", PDF, "application/pdf")),
                      ("pledge", ("承诺书.pdf", PDF, "application/pdf"))]}


def _apply(w: World, scope: str, role: str):
    return "/api/applications", application_form(_side(w, scope)[0], f"{scope}{role}抖音号")


def on_application(template: str, body: Any = None):
    # 1 when the world applied for none (test_token_hygiene walks the GET routes on a plain
    # world; a 404 there is fine)
    def build(w: World, scope: str, role: str):
        url = template.format(account=w.ids.get(f"application_{scope}", 1),
                              document=w.ids.get(f"document_{scope}", 1))
        return url, {} if body is None else {"json": body}
    return build


def on_unit(template: str, body: Any = None):
    def build(w: World, scope: str, role: str):
        unit, account = _side(w, scope)
        payload = body(w, scope, role) if callable(body) else body
        return template.format(unit=unit, account=account), \
            {} if payload is None else {"json": payload}
    return build


def _keeper(w: World, scope: str, role: str) -> dict:
    # each allowed caller names someone else, so the second call changes something too
    return {"person_id": w.ids["person_head" if role == "admin" else "person_responsible"]}


def on_violation(template: str, body: Any):
    return lambda w, scope, role: (template.format(violation=w.ids[f"violation_{scope}"]),
                                   {"json": body})


def page_form(url: str, fields: Any = None):
    """A page's form: ``fields`` (or ``fields(world, scope)``) with the caller's CSRF value;
    ``url`` may name the scope's {account}, {unit} or {draft}."""
    def build(w: World, scope: str, role: str):
        found = fields(w, scope) if callable(fields) else dict(fields or {})
        side = "" if scope == "own" else "other_"
        where = url.format(account=w.ids[f"{side}account"], unit=w.ids[f"{side}unit"],
                           draft=w.drafts[scope]["id"] if scope in w.drafts else 0)
        return where, {"data": {**found, "csrf": _csrf(w, role)}}
    return build


OPERATOR_PAGE = only("operator", anonymous=LOGIN)
OFFICE_PAGE = only("admin", anonymous=LOGIN)


RULES = [
    Rule("GET", "/healthz", EVERYONE, SAME, plain("/healthz")),
    Rule("GET", "/openapi.json", EVERYONE, SAME, plain("/openapi.json")),
    Rule("GET", "/docs", EVERYONE, SAME, plain("/docs")),
    Rule("GET", "/redoc", EVERYONE, SAME, plain("/redoc")),
    Rule("MOUNT", "/docs/assets", EVERYONE, SAME, plain("/docs/assets/swagger-ui.css")),
    Rule("MOUNT", "/static", EVERYONE, SAME, plain("/static/style.css")),
    Rule("GET", "/api/me", only(*ROLES), SAME, plain("/api/me")),
    Rule("POST", "/api/units", only("admin"), SAME, plain("/api/units", {"name": "新单位"})),
    Rule("GET", "/api/units", only("admin", "unit_head"), SAME, plain("/api/units")),
    Rule("POST", "/api/people", only("admin"), only("admin"), on_account(
        "/api/people", lambda w, s: {"name": "新人", "kind": "staff",
                                     "unit_id": w.ids["unit" if s == "own" else "other_unit"]})),
    Rule("GET", "/api/people", only("admin"), SAME, plain("/api/people")),
    Rule("POST", "/api/accounts", only("admin"), only("admin"), on_account(
        "/api/accounts", lambda w, s: {"platform": "weibo", "name": f"新账号{s}",
                                       "opened_on": "2019-09-01",
                                       "unit_id": w.ids["unit" if s == "own" else
                                                        "other_unit"]})),
    Rule("GET", "/api/accounts", only(*READERS), SAME, plain("/api/accounts")),
    Rule("GET", "/api/accounts/{account_id}", only(*READERS), only("admin"),
         on_account("/api/accounts/{account}")),
    Rule("POST", "/api/accounts/{account_id}/status", only("admin"), only("admin"),
         on_account("/api/accounts/{account}/status", {"status": "closing"})),
    Rule("POST", "/api/accounts/{account_id}/roles", only("admin"), only("admin"),
         on_account("/api/accounts/{account}/roles",
                    lambda w, s: {"person_id": w.ids["person_maintainer"], "role": "operator"})),
    Rule("POST", "/api/accounts/{account_id}/roles/{assignment_id}/end", only("admin"),
         only("admin"), lambda w, s, r: (
             f"/api/accounts/{w.ids['account' if s == 'own' else 'other_account']}/roles/"
             f"{w.ids[f'assignment_{s}']}/end", {"json": {}})),
    # the account's life under the rule: applications (第六条), priority and activity (第七条),
    # password duties (the first 第十一条), violations (第十五条)
    Rule("POST", "/api/applications", only("admin", "unit_head"), only("admin"), _apply,
         needs=ORDERED),
    Rule("GET", "/api/applications", only("admin", "unit_head"), SAME,
         plain("/api/applications")),
    Rule("GET", "/api/applications/{account_id}", only("admin", "unit_head"), only("admin"),
         on_application("/api/applications/{account}"), needs=APPLIED),
    Rule("GET", "/api/applications/{account_id}/documents/{document_id}",
         only("admin", "unit_head"), only("admin"),
         on_application("/api/applications/{account}/documents/{document}"), needs=APPLIED),
    Rule("POST", "/api/applications/{account_id}/approve", only("admin"), only("admin"),
         on_application("/api/applications/{account}/approve",
                        {"party_signatory": "党委书记甲", "admin_signatory": "院长乙"}),
         needs=APPLIED),
    Rule("POST", "/api/applications/{account_id}/reject", only("admin"), only("admin"),
         on_application("/api/applications/{account}/reject", {"reason": "功能重复"}),
         needs=APPLIED),
    Rule("PUT", "/api/units/{unit_id}/priority", only("admin", "unit_head"), only("admin"),
         on_unit("/api/units/{unit}/priority",
                 lambda w, s, r: {"accounts": [_side(w, s)[1]]})),
    Rule("GET", "/api/units/{unit_id}/accounts", only("admin", "unit_head"), only("admin"),
         on_unit("/api/units/{unit}/accounts")),
    Rule("GET", "/api/registry/inactive", only("admin", "unit_head"), SAME,
         plain("/api/registry/inactive")),
    Rule("GET", "/api/accounts/{account_id}/password", only("admin", "unit_head"),
         only("admin"), on_unit("/api/accounts/{account}/password")),
    Rule("POST", "/api/accounts/{account_id}/password/keeper", only("admin", "unit_head"),
         only("admin"), on_unit("/api/accounts/{account}/password/keeper", _keeper)),
    Rule("POST", "/api/accounts/{account_id}/password/changes", only("admin", "unit_head"),
         only("admin"), on_unit("/api/accounts/{account}/password/changes", {})),
    Rule("PUT", "/api/accounts/{account_id}/password/interval", only("admin", "unit_head"),
         only("admin"), on_unit("/api/accounts/{account}/password/interval", {"days": 60})),
    Rule("GET", "/api/registry/password-overdue", only("admin", "unit_head"), SAME,
         plain("/api/registry/password-overdue")),
    Rule("POST", "/api/violations", only("admin"), only("admin"), on_unit(
        "/api/violations", lambda w, s, r: {
            "account_id": _side(w, s)[1], "post": f"p-{s}", "published_on": "2024-03-01",
            "article": "第十一条（内容）", "description": "发布了未经许可的商业广告"})),
    Rule("POST", "/api/violations/{violation_id}/decision", only("admin"), only("admin"),
         on_violation("/api/violations/{violation}/decision", {"criticized": True}),
         needs=VIOLATION),
    Rule("GET", "/api/violations", only("admin", "unit_head"), SAME, plain("/api/violations")),
    Rule("POST", "/api/tokens", only("admin"), SAME, plain("/api/tokens", {"role": "admin"})),
    Rule("GET", "/api/tokens", only("admin"), SAME, plain("/api/tokens")),
    Rule("POST", "/api/tokens/{token_id}/revoke", only("admin"), only("admin"),
         lambda w, s, r: (f"/api/tokens/{2 if s == 'own' else 3}/revoke", {})),
    Rule("POST", "/api/drafts", only("operator"), only(), on_account(
        "/api/drafts", lambda w, s: {"account_id": w.ids["account" if s == "own" else
                                                         "other_account"],
                                     "title": "通知", "body": "讲座。"})),
    Rule("GET", "/api/drafts", only(*READERS), SAME, plain("/api/drafts")),
    Rule("GET", "/api/queue", only("admin", "responsible"), SAME, plain("/api/queue")),
    Rule("GET", "/api/drafts/{draft_id}", only(*READERS), only("admin"),
         on_draft("/api/drafts/{draft}")),
    Rule("PUT", "/api/drafts/{draft_id}", only("operator"), only(),
         on_draft("/api/drafts/{draft}", {"title": "新", "body": "新的正文。"})),
    Rule("POST", "/api/drafts/{draft_id}/signoff", only("responsible"), only(),
         on_draft("/api/drafts/{draft}/signoff", _sign), dean=only("admin")),
    Rule("POST", "/api/drafts/{draft_id}/publish", only("operator"), only(),
         on_draft("/api/drafts/{draft}/publish"), needs=frozenset({"approved"})),
    Rule("GET", "/api/drafts/{draft_id}/images/{index}", only(*READERS), only("admin"),
         on_draft("/api/drafts/{draft}/images/0"), needs=PICTURES),
    # a published post a re-screening flagged: decided like a sign-off (第八条, 第十三条)
    Rule("POST", "/api/rechecks/{recheck_id}/resolve", only("responsible"), only(),
         on_recheck("/api/rechecks/{recheck}/resolve"), needs=frozenset({"recheck"}),
         dean=only("admin")),
    # 漏报: whoever signs the draft off reports what the tools missed
    Rule("POST", "/api/drafts/{draft_id}/missed", only("responsible"), only(),
         on_draft("/api/drafts/{draft}/missed", _missed), dean=only("admin")),
    Rule("GET", "/api/audit", only("admin"), SAME, plain("/api/audit")),
    Rule("GET", "/api/audit/verify", only("admin"), SAME, plain("/api/audit/verify")),
    # the lexicon and the asset bank: the maintainer changes them, the dean's office reads them
    Rule("GET", "/api/lexicon", only("maintainer", "admin"), SAME, plain("/api/lexicon")),
    Rule("GET", "/api/lexicon/terms", only("maintainer", "admin"), SAME,
         plain("/api/lexicon/terms")),
    Rule("POST", "/api/lexicon/terms", only("maintainer"), SAME, plain(
        "/api/lexicon/terms", {"terms": ["紫微星云贷"], "category": "illegal",
                               "reason": "新名目"})),
    Rule("PATCH", "/api/lexicon/terms/{term:path}", only("maintainer"), SAME,
         plain("/api/lexicon/terms/代孕", {"severity": "review", "reason": "复核"})),
    Rule("POST", "/api/lexicon/terms/{term:path}/retire", only("maintainer"), SAME,
         plain("/api/lexicon/terms/代孕/retire", {"reason": "不再使用"})),
    Rule("GET", "/api/assets", only("maintainer", "admin"), SAME, plain("/api/assets"),
         needs=ASSET),
    Rule("POST", "/api/assets", only("maintainer"), SAME, _new_asset),
    Rule("POST", "/api/assets/{asset_id}/retire", only("maintainer"), SAME,
         on_asset("/api/assets/{asset}/retire", {"reason": "授权到期"}), needs=ASSET),
    # a bank picture is shown beside the draft picture it matched: any signed-in role
    Rule("GET", "/api/assets/{asset_id}/image", only(*ROLES), SAME,
         on_asset("/api/assets/{asset}/image"), needs=ASSET),
    # learning from the reviewers: the maintainer puts models in force, the dean's office reads
    Rule("GET", "/api/feedback", only("maintainer", "admin"), SAME, plain("/api/feedback")),
    Rule("GET", "/api/models", only("maintainer", "admin"), SAME, plain("/api/models")),
    Rule("POST", "/api/models/{version}/promote", only("maintainer"), SAME,
         plain("/api/models/1/promote", {"reason": "测试"}), needs=CANDIDATE),
    Rule("POST", "/api/models/rollback", only("maintainer"), SAME,
         plain("/api/models/rollback", {"reason": "测试"}), needs=PROMOTED),
    # people's pages: a log-in session (a cookie); without one, the page sends the browser to
    # /login. Log-in, log-out and switching role are forms with a CSRF value.
    Rule("GET", "/login", EVERYONE, SAME, plain("/login")),
    Rule("POST", "/login", only(*ROLES), SAME, _login),
    Rule("POST", "/logout", only(*ROLES, anonymous=LOGIN), SAME, _session_form("/logout")),
    Rule("POST", "/session/role", only(*ROLES, anonymous=LOGIN), SAME,
         _session_form("/session/role", role="")),
    # the campus sign-on, not configured here: both send the browser back to the log-in page
    Rule("POST", "/login/sso", dict.fromkeys(CALLERS, LOGIN), SAME, _session_form("/login/sso")),
    Rule("GET", "/login/sso/callback", dict.fromkeys(CALLERS, LOGIN), SAME,
         plain("/login/sso/callback")),
    Rule("GET", "/", only(*ROLES, anonymous=LOGIN), SAME, plain("/")),  # maintainer: overview
    Rule("GET", "/drafts/{draft_id}", only(*READERS, anonymous=LOGIN),
         only("admin", anonymous=LOGIN), on_draft("/drafts/{draft}")),
    Rule("GET", "/drafts/{draft_id}/print", only(*READERS, anonymous=LOGIN),
         only("admin", anonymous=LOGIN), on_draft("/drafts/{draft}/print")),
    # the same sheet printed to PDF by the server's chromium
    Rule("GET", "/drafts/{draft_id}/print.pdf", only(*READERS, anonymous=LOGIN),
         only("admin", anonymous=LOGIN), on_draft("/drafts/{draft}/print.pdf")),
    # approving passing drafts at once: each one as its own sign-off would be (a 第十三条
    # draft always has a finding, so it is never one of them)
    Rule("POST", "/queue/approve", only("responsible", anonymous=LOGIN),
         only(anonymous=LOGIN), on_draft("/queue/approve", lambda w, s: {
             "draft": f"{w.drafts[s]['id']}:{w.drafts[s]['report']['id']}"}, form=True)),
    Rule("POST", "/drafts/{draft_id}/signoff", only("responsible", anonymous=LOGIN),
         only(anonymous=LOGIN),
         on_draft("/drafts/{draft}/signoff", lambda w, s: {**_sign(w, s), "comment": "可以"},
                  form=True), dean=only("admin", anonymous=LOGIN)),
    Rule("POST", "/drafts/{draft_id}/missed", only("responsible", anonymous=LOGIN),
         only(anonymous=LOGIN), on_draft("/drafts/{draft}/missed", _missed, form=True),
         dean=only("admin", anonymous=LOGIN)),
    Rule("POST", "/models/{version}/promote", only("maintainer", anonymous=LOGIN), SAME,
         model_form("/models/1/promote"), needs=CANDIDATE),
    Rule("POST", "/models/rollback", only("maintainer", anonymous=LOGIN), SAME,
         model_form("/models/rollback"), needs=PROMOTED),
    Rule("POST", "/rechecks/{recheck_id}/resolve", only("responsible", anonymous=LOGIN),
         only(anonymous=LOGIN), on_recheck("/rechecks/{recheck}/resolve", form=True),
         needs=frozenset({"recheck"}), dean=only("admin", anonymous=LOGIN)),
    # pictures in an <img>: no login page to send them to, so no cookie is a plain 401
    Rule("GET", "/drafts/{draft_id}/images/{index}", only(*READERS), only("admin"),
         on_draft("/drafts/{draft}/images/0"), needs=PICTURES),
    Rule("GET", "/assets/{asset_id}/image", only(*ROLES), SAME,
         on_asset("/assets/{asset}/image"), needs=ASSET),
    # statistics: the dean's office of any unit, a unit head of the units the registry makes
    # them 第一责任人 of (never the unit a token names), page and every export alike
    *[Rule("GET", path, only("admin", "unit_head", anonymous=LOGIN),
           only("admin", anonymous=LOGIN), on_unit(path + "?unit={unit}" + extra))
      for path, extra in (("/statistics", ""), ("/statistics/export.csv", "&table=accounts"),
                          ("/statistics/export.xlsx", ""),
                          ("/statistics/report.pdf", "&month=2024-05"))],
    # the maintainer's lexicon and picture-bank pages: the dean's office reads them, only the
    # maintainer tries terms and changes anything
    Rule("GET", "/lexicon", only("maintainer", "admin", anonymous=LOGIN), SAME,
         plain("/lexicon?q=代孕")),
    Rule("GET", "/lexicon/preview", only("maintainer", anonymous=LOGIN), SAME,
         plain("/lexicon/preview?terms=紫微星云贷&category=illegal")),
    Rule("GET", "/lexicon/term", only("maintainer", "admin", anonymous=LOGIN), SAME,
         plain("/lexicon/term?term=代孕")),
    Rule("GET", "/lexicon/diff", only("maintainer", "admin", anonymous=LOGIN), SAME,
         plain("/lexicon/diff?from=0&to=0")),
    Rule("POST", "/lexicon/add", only("maintainer", anonymous=LOGIN), SAME,
         _session_form("/lexicon/add", terms="紫微星云贷", category="illegal",
                       reason="新名目")),
    Rule("POST", "/lexicon/edit", only("maintainer", anonymous=LOGIN), SAME,
         _session_form("/lexicon/edit", term="代孕", severity="review", reason="复核")),
    Rule("POST", "/lexicon/retire", only("maintainer", anonymous=LOGIN), SAME,
         _session_form("/lexicon/retire", term="代孕", reason="不再使用")),
    Rule("GET", "/assets", only("maintainer", "admin", anonymous=LOGIN), SAME,
         plain("/assets"), needs=ASSET),
    Rule("POST", "/assets/add", only("maintainer", anonymous=LOGIN), SAME, _new_asset_form),
    Rule("GET", "/assets/{asset_id}", only("maintainer", "admin", anonymous=LOGIN), SAME,
         on_asset("/assets/{asset}"), needs=ASSET),
    Rule("POST", "/assets/{asset_id}/retire", only("maintainer", anonymous=LOGIN), SAME,
         lambda w, s, r: (f"/assets/{w.ids['asset']}/retire",
                          {"data": {"reason": "授权到期", "csrf": _csrf(w, r)}}), needs=ASSET),
    # the operator's pages: their drafts, a new draft, a draft's report, edit, publish
    Rule("GET", "/write", OPERATOR_PAGE, SAME, plain("/write")),
    Rule("GET", "/write/new", OPERATOR_PAGE, SAME, plain("/write/new")),
    Rule("POST", "/write/new", OPERATOR_PAGE, only(anonymous=LOGIN), page_form(
        "/write/new", lambda w, s: {"account_id": str(w.ids["account" if s == "own" else
                                                            "other_account"]),
                                    "title": "通知", "body": "讲座。"})),
    Rule("GET", "/write/{draft_id}", OPERATOR_PAGE, only(anonymous=LOGIN),
         on_draft("/write/{draft}")),
    Rule("POST", "/write/{draft_id}/edit", OPERATOR_PAGE, only(anonymous=LOGIN),
         on_draft("/write/{draft}/edit", {"title": "新", "body": "新的正文。"}, form=True)),
    Rule("POST", "/write/{draft_id}/publish", OPERATOR_PAGE, only(anonymous=LOGIN),
         on_draft("/write/{draft}/publish", form=True), needs=frozenset({"approved"})),
    # the dean's office's pages: the registry, an account, tokens, the audit log
    Rule("GET", "/office", OFFICE_PAGE, SAME, plain("/office")),
    Rule("POST", "/office/units", OFFICE_PAGE, SAME, page_form("/office/units",
                                                                {"name": "新单位"})),
    Rule("POST", "/office/people", OFFICE_PAGE, OFFICE_PAGE, page_form(
        "/office/people", lambda w, s: {"name": "新人", "kind": "staff", "unit_id": str(
            w.ids["unit" if s == "own" else "other_unit"])})),
    Rule("POST", "/office/people/{person_id}/login", OFFICE_PAGE, OFFICE_PAGE,
         lambda w, s, r: page_form(
             f"/office/people/{w.ids['person_head' if s == 'own' else 'person_other_responsible']}"
             "/login", {"username": f"new-{s}", "password": PASSWORD})(w, s, r)),
    Rule("POST", "/office/accounts", OFFICE_PAGE, OFFICE_PAGE, page_form(
        "/office/accounts", lambda w, s: {"platform": "weibo", "name": f"新账号{s}",
                                          "opened_on": "2019-09-01",
                                          "unit_id": str(w.ids["unit" if s == "own" else
                                                               "other_unit"])})),
    Rule("GET", "/office/accounts/{account_id}", OFFICE_PAGE, OFFICE_PAGE,
         on_account("/office/accounts/{account}")),
    Rule("POST", "/office/accounts/{account_id}/roles", OFFICE_PAGE, OFFICE_PAGE, page_form(
        "/office/accounts/{account}/roles",
        lambda w, s: {"person_id": str(w.ids["person_maintainer"]), "role": "operator"})),
    Rule("POST", "/office/accounts/{account_id}/roles/{assignment_id}/end", OFFICE_PAGE,
         OFFICE_PAGE, lambda w, s, r: page_form(
             f"/office/accounts/{{account}}/roles/{w.ids[f'assignment_{s}']}/end")(w, s, r)),
    Rule("POST", "/office/accounts/{account_id}/status", OFFICE_PAGE, OFFICE_PAGE,
         page_form("/office/accounts/{account}/status", {"status": "closing"})),
    Rule("GET", "/office/tokens", OFFICE_PAGE, SAME, plain("/office/tokens")),
    Rule("POST", "/office/tokens", OFFICE_PAGE, SAME, page_form("/office/tokens",
                                                                 {"role": "admin"})),
    Rule("POST", "/office/tokens/{token_id}/revoke", OFFICE_PAGE, OFFICE_PAGE,
         lambda w, s, r: page_form(f"/office/tokens/{2 if s == 'own' else 3}/revoke")(w, s, r)),
    Rule("GET", "/office/audit", OFFICE_PAGE, SAME, plain("/office/audit")),
]


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every route, descending into included routers; mounts as MOUNT."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:  # FastAPI keeps an included router whole
            items = [(c.path, c.methods) for c in contexts()]
        elif getattr(route, "methods", None) is None:
            items = [(route.path, {"MOUNT"})]
        else:
            items = [(route.path, route.methods)]
        for path, methods in items:
            found.update((m, path) for m in methods - {"HEAD", "OPTIONS"})
    return found


def test_every_route_has_a_full_expectation(app):
    routes = app_routes(app)
    assert len(routes) > 30  # the enumeration itself works
    # ... and finds every route the OpenAPI document lists (a second, independent listing)
    documented = {(method.upper(), path) for path, methods in app.openapi()["paths"].items()
                  for method in methods}
    # (the document writes {term} for a route's {term:path})
    unconverted = {(m, re.sub(r"\{(\w+):\w+\}", r"{\1}", path)) for m, path in routes}
    assert documented and not documented - unconverted, sorted(documented - unconverted)
    rules = {(r.method, r.path): r for r in RULES}
    assert len(rules) == len(RULES), "a route has two rules"
    missing = sorted(routes - rules.keys())
    assert not missing, f"routes without an authorization expectation: {missing}"
    stale = sorted(rules.keys() - routes)
    assert not stale, f"expectations for routes that no longer exist: {stale}"
    for rule in RULES:
        if rule.other == SAME:
            # only a route that names no account, unit, draft or token may skip "other"
            params = set(re.findall(r"\{(\w+)\}", rule.path))
            assert params <= COLLEGE_WIDE, (rule.path, params - COLLEGE_WIDE)
        for scope, expected in rule.scopes().items():
            assert set(expected) == set(CALLERS), (rule.path, scope)
            if rule.path.startswith("/api"):
                assert expected["anonymous"] == NO_TOKEN, (rule.path, scope)


def full_world(client, app, needs: frozenset[str] = frozenset()) -> World:
    """build_world plus an operator on the other account, a draft on each side, and what a
    rule ``needs``."""
    world = build_world(client, app)

    def post(url, payload, who="admin"):
        response = world.call(who, "POST", url, json=payload)
        assert response.status_code in (200, 201), response.text
        return response.json()

    person = post("/api/people", {"name": "孙同学", "kind": "student",
                                  "unit_id": world.ids["other_unit"]})["id"]
    post(f"/api/accounts/{world.ids['other_account']}/roles",
         {"person_id": person, "role": "operator"})
    world.tokens["other_operator"] = post("/api/tokens", {"role": "operator",
                                                          "person_id": person})["token"]
    world.usernames["other_operator"] = "user-other_operator"
    set_password(app.state.services, local_principal(Role.ADMIN, "test"), person,
                 "user-other_operator", PASSWORD)
    if "asset" in needs:
        world.ids["asset"] = world.add_asset(image_bytes(sample_photos()["china"]))["id"]
    pictures = (image_bytes(sample_photos()["flower"]),) if "pictures" in needs else ()
    world.drafts.update(own=world.submit(pictures=pictures),
                        other=world.submit("other_operator", "other_account",
                                           pictures=pictures))
    if "dean" in needs:
        news = json.loads((REPO_ROOT / "data/samples/flagged/major_news_obituary.json")
                          .read_text(encoding="utf-8"))
        world.drafts["dean"] = world.submit(title=news["title"], body=news["body"])
        assert world.drafts["dean"]["route"] == "dean", world.drafts["dean"]
    if "recheck" in needs:
        _queue_rechecks(world, app)
    if needs & {"candidate", "promoted"}:
        from screener.classify import registry_for
        from tests.fixtures.learning import register_copy

        settings = app.state.services.settings
        register_copy(settings, "authorization matrix")
        if "promoted" in needs:
            registry_for(settings).promote("1", by="test", reason="set-up")
    if "approved" in needs:
        post(f"/api/drafts/{world.drafts['own']['id']}/signoff", _sign(world, "own"),
             who="responsible")
    if needs & (ORDERED | APPLIED):
        for scope in ("own", "other"):
            unit, account = _side(world, scope)
            response = world.call("admin", "PUT", f"/api/units/{unit}/priority",
                                  json={"accounts": [account]})
            assert response.status_code == 200, response.text
    if "applied" in needs:
        for scope in ("own", "other"):
            response = world.call("admin", "POST", "/api/applications",
                                  **application_form(_side(world, scope)[0], f"{scope}视频号"))
            assert response.status_code == 201, response.text
            world.ids[f"application_{scope}"] = response.json()["id"]
            world.ids[f"document_{scope}"] = \
                response.json()["application"]["documents"][0]["id"]
    if "violation" in needs:
        for scope in ("own", "other"):
            world.ids[f"violation_{scope}"] = post("/api/violations", {
                "account_id": _side(world, scope)[1], "post": f"p-{scope}",
                "published_on": "2024-03-01", "article": "第十一条（内容）",
                "description": "违规"})["id"]
    for scope, account in (("own", "account"), ("other", "other_account")):
        detail = world.call("admin", "GET", f"/api/accounts/{world.ids[account]}").json()
        world.ids[f"assignment_{scope}"] = detail["roles"][0]["id"]
    return world


def _outcome(response) -> str:
    status = response.status_code
    if status in (401, 403):
        return str(status)
    if status in (302, 303) and response.headers.get("location") == "/login":
        return LOGIN
    # An allowed caller must be served: a 404, 409 or 422 would let a matrix pass that never
    # got past the state of the world to the thing it checks.
    return OK if status < 400 else f"not served ({status})"


def _call(world: World, rule: Rule, scope: str, caller: str, swapped: bool = False):
    """The API takes a token as a bearer header, the pages a log-in session's cookie;
    ``swapped`` sends the API the session and the page the token, which must count as no
    credential at all."""
    url, kwargs = rule.request(world, scope, caller)
    headers = kwargs.pop("headers", {})
    if caller != "anonymous" and rule.request is not _login:
        api = url.startswith("/api") != swapped
        headers = {"Authorization": f"Bearer {world.tokens[caller]}"} if api else \
            {"Cookie": f"{SESSION_COOKIE}={world.session(caller)}"}
    method = "GET" if rule.method == "MOUNT" else rule.method
    return world.client.request(method, url, headers=headers, follow_redirects=False, **kwargs)


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.method} {r.path}" for r in RULES])
def test_route(rule: Rule, own_client):
    needs = rule.needs | ({"dean"} if rule.dean is not None else set())
    world = full_world(own_client, own_client.app, needs)
    cases = [(scope, caller, expected[caller], False) for scope, expected in rule.scopes().items()
             for caller in CALLERS]
    # The cookie opens no API route (another site's page could otherwise call it with the
    # reviewer's cookie), and a bearer header opens no page: tried with one allowed role.
    allowed = [r for r in ROLES if rule.own[r] == OK]
    if allowed and rule.own["anonymous"] != OK and rule.request is not _login:
        cases.append(("own", allowed[0], rule.own["anonymous"], True))
    cases.sort(key=lambda c: c[2] == OK)  # refusals first: nothing they did hides a result
    for scope, caller, expected, swapped in cases:
        response = _call(world, rule, scope, caller, swapped)
        got = _outcome(response)
        assert got == expected, (scope, caller, swapped, response.status_code,
                                 response.text[:300])
        if got in (DENIED, NO_TOKEN):
            _says_why(response, got)


def _says_why(response, got: str) -> None:
    """A refusal names its reason: the JSON error clients read, or a page (the login form)."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        assert response.headers["content-type"].startswith("text/html"), response.headers
        # the login form, or the page the form came from with the reason on it
        assert "令牌" in response.text or "登录" in response.text or \
            'role="alert"' in response.text, response.text[:300]
        return
    error = response.json()["error"]
    if got == DENIED:  # what the caller lacks: more than a bare "forbidden"
        assert error["code"] == "forbidden" and len(error["message"]) > 10, error
    else:  # 401: how to sign in ("请先登录" is enough)
        assert error["code"] == "unauthenticated" and error["message"].strip(), error
