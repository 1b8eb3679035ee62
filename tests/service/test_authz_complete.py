"""The authorization matrix, complete: every route of the app (API, reviewer pages, docs,
static files), every role and no token, on the caller's own account or unit and on another.

``test_every_route_has_a_full_expectation`` enumerates the app's routes (through the routers
FastAPI keeps included, not only ``app.routes``' top level) and fails for a route without an
expectation for every role, own and other, or for an expectation whose route is gone. A new
endpoint therefore cannot ship without saying who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from service.web import COOKIE, csrf_of

from .conftest import World, build_world

ROLES = ("admin", "operator", "responsible", "unit_head", "maintainer")
CALLERS = (*ROLES, "anonymous")
OK, DENIED, NO_TOKEN, LOGIN = "ok", "403", "401", "login"
SAME = "same"  # the route reaches no account, unit or draft: own and other are one case


def only(*allowed: str, anonymous: str = NO_TOKEN) -> dict[str, str]:
    return {**{r: OK if r in allowed else DENIED for r in ROLES}, "anonymous": anonymous}


EVERYONE = {**{r: OK for r in ROLES}, "anonymous": OK}
READERS = ("admin", "operator", "responsible", "unit_head")


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    own: dict[str, str]
    other: dict[str, str] | str
    request: Callable[[World, str, str], tuple[str, dict[str, Any]]]


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
        url = template.format(draft=draft["id"], assignment=w.ids[f"assignment_{scope}"])
        if form:
            token = w.tokens.get(role, "")
            return url, {"data": {**(payload or {}), "csrf": csrf_of(token)}}
        return url, {} if payload is None else {"json": payload}
    return build


def _sign(w: World, scope: str) -> dict:
    return {"decision": "approve", "report_id": w.drafts[scope]["report"]["id"]}


def _login(w: World, scope: str, role: str):
    return "/login", {"data": {"token": w.tokens.get(role, "scr_not_a_token")}}


RULES = [
    Rule("GET", "/healthz", EVERYONE, SAME, plain("/healthz")),
    Rule("GET", "/openapi.json", EVERYONE, SAME, plain("/openapi.json")),
    Rule("GET", "/docs", EVERYONE, SAME, plain("/docs")),
    Rule("GET", "/docs/oauth2-redirect", EVERYONE, SAME, plain("/docs/oauth2-redirect")),
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
         on_draft("/api/drafts/{draft}/signoff", _sign)),
    Rule("POST", "/api/drafts/{draft_id}/publish", only("operator"), only(),
         on_draft("/api/drafts/{draft}/publish")),
    Rule("GET", "/api/audit", only("admin"), SAME, plain("/api/audit")),
    Rule("GET", "/api/audit/verify", only("admin"), SAME, plain("/api/audit/verify")),
    # reviewer pages: the token is a cookie; without one, the page sends the browser to /login
    Rule("GET", "/login", EVERYONE, SAME, plain("/login")),
    Rule("POST", "/login", only(*ROLES), SAME, _login),
    Rule("POST", "/logout", dict.fromkeys(CALLERS, LOGIN), SAME, plain("/logout")),
    Rule("GET", "/", only(*READERS, anonymous=LOGIN), SAME, plain("/")),
    Rule("GET", "/drafts/{draft_id}", only(*READERS, anonymous=LOGIN),
         only("admin", anonymous=LOGIN), on_draft("/drafts/{draft}")),
    Rule("GET", "/drafts/{draft_id}/print", only(*READERS, anonymous=LOGIN),
         only("admin", anonymous=LOGIN), on_draft("/drafts/{draft}/print")),
    Rule("POST", "/drafts/{draft_id}/signoff", only("responsible", anonymous=LOGIN),
         only(anonymous=LOGIN),
         on_draft("/drafts/{draft}/signoff", lambda w, s: {**_sign(w, s), "comment": "可以"},
                  form=True)),
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
    rules = {(r.method, r.path): r for r in RULES}
    assert len(rules) == len(RULES), "a route has two rules"
    missing = sorted(routes - rules.keys())
    assert not missing, f"routes without an authorization expectation: {missing}"
    stale = sorted(rules.keys() - routes)
    assert not stale, f"expectations for routes that no longer exist: {stale}"
    for rule in RULES:
        assert set(rule.own) == set(CALLERS), rule.path
        if rule.other == SAME:
            # only a route that names no account, unit or draft may skip "other"
            assert "{" not in rule.path, rule.path
        else:
            assert set(rule.other) == set(CALLERS), rule.path


def full_world(client, app) -> World:
    """build_world plus an operator on the other account and a draft on each side."""
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
    world.drafts = {"own": world.submit(), "other": world.submit("other_operator",
                                                                 "other_account")}
    for scope, account in (("own", "account"), ("other", "other_account")):
        detail = world.call("admin", "GET", f"/api/accounts/{world.ids[account]}").json()
        world.ids[f"assignment_{scope}"] = detail["roles"][0]["id"]
    return world


def _outcome(response) -> str:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code == 303 and response.headers.get("location") == "/login":
        return LOGIN
    assert response.status_code < 500, response.text
    return OK


def _call(client, world: World, rule: Rule, scope: str, caller: str):
    url, kwargs = rule.request(world, scope, caller)
    headers = {}
    if caller != "anonymous":
        token = world.tokens[caller]
        headers = ({"Authorization": f"Bearer {token}"} if url.startswith("/api")
                   else {"Cookie": f"{COOKIE}={token}"})
    method = "GET" if rule.method == "MOUNT" else rule.method
    return client.request(method, url, headers=headers, follow_redirects=False, **kwargs)


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.method} {r.path}" for r in RULES])
def test_route(rule: Rule, client, app):
    world = full_world(client, app)
    cases = [(scope, caller, (rule.own if scope == "own" else rule.other)[caller])
             for scope in ("other", "own") if scope == "own" or rule.other != SAME
             for caller in CALLERS]
    cases.sort(key=lambda c: c[2] == OK)  # refusals first: nothing they did hides a result
    for scope, caller, expected in cases:
        response = _call(client, world, rule, scope, caller)
        got = _outcome(response)
        if expected == OK:
            assert got == OK, (scope, caller, response.status_code, response.text[:300])
        else:
            assert got == expected, (scope, caller, response.status_code, response.text[:300])
            if got == DENIED and response.headers.get("content-type", "").startswith(
                    "application/json"):
                assert len(response.json()["error"]["message"]) > 10  # says why
