"""The campus single sign-on (OpenID Connect), against a provider of our own on loopback
(oidc-provider-mock, built on Authlib's server side): a person the provider vouches for is
logged in by their user name; a forged or replayed callback logs nobody in and is audited."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from screener_service import create_app
from screener_service.pagesession import LOGIN_COOKIE, SESSION_COOKIE

from tests.fixtures.service import build_world

oidc = pytest.importorskip("oidc_provider_mock")


@pytest.fixture
def provider():
    users = [oidc.User(sub="campus-0001", claims={"preferred_username": "user-responsible"}),
             oidc.User(sub="campus-0002", claims={"preferred_username": "stranger"})]
    with oidc.run_server_in_thread(user_claims=users, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso_world(provider, service_config, service_screener):
    config = service_config.model_copy(update={
        "sso_issuer": provider, "sso_client_id": "screener", "sso_client_secret": None})
    from pydantic import SecretStr

    config = config.model_copy(update={"sso_client_secret": SecretStr("client-secret")})
    app = create_app(screener=service_screener, config=config)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield build_world(client, app)


def _sign_on(world, sub: str):
    """The browser's way: log-in page, the SSO button, the provider's form, back to us."""
    client = world.client
    client.cookies.clear()
    page = client.get("/login")
    assert "统一身份认证登录" in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    start = client.post("/login/sso", data={"csrf": csrf}, follow_redirects=False,
                        headers={"Cookie": f"{LOGIN_COOKIE}={page.cookies[LOGIN_COOKIE]}"})
    assert start.status_code == 302, start.text
    flow = start.cookies["screener_sso"]
    answer = httpx.post(start.headers["location"], data={"sub": sub}, follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    back = urlsplit(answer.headers["location"])
    assert back.path == "/login/sso/callback"
    callback = f"{back.path}?{back.query}"
    client.cookies.clear()
    done = client.get(callback, headers={"Cookie": f"screener_sso={flow}"},
                      follow_redirects=False)
    client.cookies.clear()
    return done, callback, flow


def test_a_person_the_campus_vouches_for_is_logged_in(sso_world):
    done, callback, flow = _sign_on(sso_world, "campus-0001")
    assert done.status_code == 200, done.text
    assert 'http-equiv="refresh"' in done.text  # onward by a same-site page, not a redirect
    session = done.cookies[SESSION_COOKIE]
    home = sso_world.client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={session}"})
    assert home.status_code == 200 and "李老师" in home.text
    # the same callback again (a replay) opens nothing
    again = sso_world.client.get(callback, headers={"Cookie": f"screener_sso={flow}"},
                                 follow_redirects=False)
    assert again.status_code == 401 and SESSION_COOKIE not in again.cookies
    # a callback without this browser's flow cookie (login CSRF through the sign-on) neither
    sso_world.client.cookies.clear()
    forged, _, _ = _sign_on(sso_world, "campus-0001")
    assert forged.status_code == 200
    stray = sso_world.client.get(callback, follow_redirects=False)
    assert stray.status_code == 401
    rows = sso_world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    logins = [r["details"] for r in rows if r["action"] == "auth.login"]
    assert logins and all(d["method"] == "sso" for d in logins)
    assert sum(r["action"] == "auth.login_failed" for r in rows) == 2


def test_an_unregistered_campus_user_is_refused(sso_world):
    done, _, _ = _sign_on(sso_world, "campus-0002")
    assert done.status_code == 403 and "未在本系统登记" in done.text
    assert SESSION_COOKIE not in done.cookies
