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
    ("draft image", "GET", "/api/drafts/{draft}/images/0", None, READERS, True, False),
    ("lexicon state", "GET", "/api/lexicon", None, {"maintainer", "admin"}, False, False),
    ("lexicon terms", "GET", "/api/lexicon/terms", None, {"maintainer", "admin"}, False, False),
    ("lexicon add", "POST", "/api/lexicon/terms",
     {"terms": ["紫微星云贷"], "category": "illegal", "reason": "r"}, {"maintainer"},
     False, False),
    ("lexicon edit", "PATCH", "/api/lexicon/terms/代孕", {"severity": "review", "reason": "r"},
     {"maintainer"}, False, False),
    ("lexicon retire", "POST", "/api/lexicon/terms/代孕/retire", {"reason": "r"},
     {"maintainer"}, False, False),
    ("asset list", "GET", "/api/assets", None, {"maintainer", "admin"}, False, False),
    ("asset add", "POST", "/api/assets", None, {"maintainer"}, False, False),
    ("asset retire", "POST", "/api/assets/1/retire", {"reason": "r"}, {"maintainer"},
     False, False),
    ("asset image", "GET", "/api/assets/1/image", None, set(ROLES), False, False),
    ("audit verify", "GET", "/api/audit/verify", None, {"admin"}, False, False),
]


def _with_picture(world, photos):
    """A draft with a picture, and asset 1 in the bank (added through the API)."""
    from .conftest import image_bytes

    added = world.call("maintainer", "POST", "/api/assets", data={"title": "颐和园"},
                       files={"image": ("a.png", image_bytes(photos["china"]), "image/png")})
    assert added.status_code == 201, added.text
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"]), "body": "见图。"},
                          files=[("images", ("b.png", image_bytes(photos["flower"]),
                                             "image/png"))])
    assert response.status_code == 201, response.text
    return response.json()


def _request(world, who, method, url, payload, name, photos):
    if name == "asset add":  # multipart, a fresh picture each time
        from PIL import ImageOps

        from .conftest import image_bytes

        picture = image_bytes(ImageOps.mirror(photos["flower"]))
        kwargs = {"files": {"image": ("c.png", picture, "image/png")}}
    else:
        kwargs = {"json": payload}
    if who is None:
        return world.client.request(method, url, **kwargs)
    return world.call(who, method, url, **kwargs)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_role_matrix(endpoint, own_screener, photos):
    from fastapi.testclient import TestClient

    from service import create_app
    from service.config import load_service_settings

    name, method, template, body, allowed, needs_draft, dean = endpoint
    # Its own state folder: the maintainers' endpoints change the lexicon and the bank.
    app = create_app(screener=own_screener,
                     config=load_service_settings(own_screener.settings))
    with TestClient(app) as client:
        world = build_world(client, app)
        _check_endpoint(world, photos, name, method, template, body, allowed, needs_draft,
                        dean)


def _check_endpoint(world, photos, name, method, template, body, allowed, needs_draft, dean):
    if name in ("draft image", "asset image", "asset retire"):
        draft = _with_picture(world, photos)
    else:
        draft = _draft(world, dean) if needs_draft else None
    url = template.format(account=world.ids["account"], draft=draft["id"] if draft else 0)
    payload = body(world, draft) if callable(body) else body

    anonymous = _request(world, None, method, url, payload, name, photos)
    assert anonymous.status_code == 401, (name, anonymous.text)
    assert anonymous.json()["error"]["message"]

    ordered = sorted(ROLES, key=lambda r: r in allowed)  # refused roles first
    results = {}
    for role in ordered:
        response = _request(world, role, method, url, payload, name, photos)
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
    # From the OpenAPI document: FastAPI no longer lists an included router's routes in
    # ``app.routes``, so walking those checked nothing.
    import re

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}|(?<=/)(\d+|代孕)(?=/|$)", "{}", path)

    covered = {(m, shape(t)) for _, m, t, *_ in ENDPOINTS}
    paths = app.openapi()["paths"]
    api = [(method.upper(), shape(path)) for path, methods in paths.items()
           if path.startswith("/api") for method in methods]
    assert set(api) == covered
