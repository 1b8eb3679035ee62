"""The authorization matrix: every role against every endpoint.

A role outside an endpoint's allowed set gets 403 with a reason; a role inside it never gets 403
(it may still get 409/422 for the state of the draft). Without a token every /api endpoint is 401.
Each endpoint gets a fresh registry; refused roles are tried first, so nothing they could have
changed hides a later result.
"""

from __future__ import annotations

import pytest

from .conftest import build_world

ROLES = ("admin", "operator", "responsible", "unit_head", "maintainer", "other_responsible")
READERS = {"admin", "operator", "responsible", "unit_head"}


def _draft(world, dean: bool = False):
    if dean:
        import json

        from screener.settings import REPO_ROOT

        news = json.loads((REPO_ROOT / "data/samples/flagged/major_news_obituary.json")
                          .read_text(encoding="utf-8"))
        return world.submit(title=news["title"], body=news["body"])
    return world.submit()


# (name, method, url template, json body or callable(world, draft) -> body, allowed roles,
#  needs a draft, dean route)
ENDPOINTS = [
    ("me", "GET", "/api/me", None, set(ROLES), False, False),
    ("unit create", "POST", "/api/units", {"name": "新单位"}, {"admin"}, False, False),
    ("unit list", "GET", "/api/units", None, {"admin", "unit_head"}, False, False),
    ("person create", "POST", "/api/people", {"name": "新人", "kind": "staff"}, {"admin"},
     False, False),
    ("person list", "GET", "/api/people", None, {"admin"}, False, False),
    ("account create", "POST", "/api/accounts",
     lambda w, d: {"platform": "weibo", "name": "新账号", "unit_id": w.ids["unit"]},
     {"admin"}, False, False),
    ("account list", "GET", "/api/accounts", None, READERS | {"other_responsible"}, False, False),
    ("account read", "GET", "/api/accounts/{account}", None, READERS, False, False),
    ("account status", "POST", "/api/accounts/{account}/status", {"status": "closing"},
     {"admin"}, False, False),
    ("role assign", "POST", "/api/accounts/{account}/roles",
     lambda w, d: {"person_id": w.ids["person_maintainer"], "role": "operator"},
     {"admin"}, False, False),
    ("role end", "POST", "/api/accounts/{account}/roles/1/end", {}, {"admin"}, False, False),
    ("token create", "POST", "/api/tokens", {"role": "admin"}, {"admin"}, False, False),
    ("token list", "GET", "/api/tokens", None, {"admin"}, False, False),
    ("token revoke", "POST", "/api/tokens/2/revoke", None, {"admin"}, False, False),
    ("draft submit", "POST", "/api/drafts",
     lambda w, d: {"account_id": w.ids["account"], "title": "t", "body": "讲座"},
     {"operator"}, False, False),
    ("draft list", "GET", "/api/drafts", None, READERS | {"other_responsible"}, False, False),
    ("draft read", "GET", "/api/drafts/{draft}", None, READERS, True, False),
    ("draft edit", "PUT", "/api/drafts/{draft}", {"title": "t", "body": "新的正文"},
     {"operator"}, True, False),
    ("queue", "GET", "/api/queue", None, {"admin", "responsible", "other_responsible"},
     False, False),
    ("signoff", "POST", "/api/drafts/{draft}/signoff",
     lambda w, d: {"decision": "approve", "report_id": d["report"]["id"]},
     {"responsible"}, True, False),
    ("signoff major news", "POST", "/api/drafts/{draft}/signoff",
     lambda w, d: {"decision": "approve", "report_id": d["report"]["id"]},
     {"admin"}, True, True),
    ("publish", "POST", "/api/drafts/{draft}/publish", None, {"operator"}, True, False),
    ("audit list", "GET", "/api/audit", None, {"admin"}, False, False),
    ("audit verify", "GET", "/api/audit/verify", None, {"admin"}, False, False),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_role_matrix(endpoint, client, app):
    name, method, template, body, allowed, needs_draft, dean = endpoint
    world = build_world(client, app)
    draft = _draft(world, dean) if needs_draft else None
    url = template.format(account=world.ids["account"], draft=draft["id"] if draft else 0)
    payload = body(world, draft) if callable(body) else body

    anonymous = client.request(method, url, json=payload)
    assert anonymous.status_code == 401, (name, anonymous.text)
    assert anonymous.json()["error"]["message"]

    ordered = sorted(ROLES, key=lambda r: r in allowed)  # refused roles first
    results = {}
    for role in ordered:
        response = world.call(role, method, url, json=payload)
        results[role] = response.status_code
        if role in allowed:
            assert response.status_code != 403, (name, role, response.text)
        else:
            assert response.status_code == 403, (name, role, response.status_code, response.text)
            error = response.json()["error"]
            assert error["code"] == "forbidden" and len(error["message"]) > 10
    assert any(status < 400 for role, status in results.items() if role in allowed) or \
        name == "publish", results


def test_every_api_route_is_in_the_matrix(app):
    covered = {(m, t.split("{")[0].rstrip("/")) for _, m, t, *_ in ENDPOINTS}
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/api"):
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            assert (method, path.split("{")[0].rstrip("/")) in covered, (method, path)
