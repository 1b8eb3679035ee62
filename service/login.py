"""Log-in and log-out pages: user name and password, the campus single sign-on (OpenID Connect
through Authlib, when ``service.sso_issuer`` is set), switching role, and log-out.

Every form here is CSRF-checked (``pagesession``): the log-in form with a value bound to a
cookie of the log-in page, log-out and role switch with the session's value. The page shows
only messages of its own: nothing a link can put into the query string reaches the page.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from screener.i18n import N_

from .errors import ServiceError, TooManyRequests
from .pagesession import (
    check_csrf,
    check_login_csrf,
    end_session,
    login_csrf,
    page_principal,
    services,
    start_session,
)
from .templating import render, tr_of
from .usecases import sessions

router = APIRouter(include_in_schema=False)

# What /login?reason=... may show: fixed sentences, never the query's own text.
REASONS = {"logged_out": N_("You have logged out."),
           "expired": N_("The session has ended or expired; please log in again.")}
SSO_COOKIE = "screener_sso"
SSO_SECONDS = 600


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(request: Request, error: str = "", status: int = 200,
                notice: str = "") -> HTMLResponse:
    response = HTMLResponse("")
    csrf = login_csrf(request, response)
    config = services(request).config
    page = render(request, "login.html",
                  {"error": error, "notice": notice, "csrf": csrf, "me": None,
                   "sso": config.sso_label if config.sso_issuer else None}, status_code=status)
    for name, value in response.raw_headers:
        if name == b"set-cookie":
            page.raw_headers.append((name, value))
    return page


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, reason: str = "") -> HTMLResponse:
    notice = tr_of(request).gettext(REASONS[reason]) if reason in REASONS else ""
    return _login_page(request, notice=notice)


def _refused(request: Request, exc: ServiceError) -> HTMLResponse:
    page = _login_page(request, exc.localized(tr_of(request)), exc.status)
    if isinstance(exc, TooManyRequests):
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


@router.post("/login")
async def login(request: Request) -> Any:
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    check_login_csrf(request, form)
    try:
        opened = await run_in_threadpool(
            sessions.login, services(request), str(form.get("username", "")),
            str(form.get("password", "")), _client(request))
    except ServiceError as exc:
        return _refused(request, exc)
    response = RedirectResponse("/", status_code=303)
    start_session(request, response, opened.cookie)
    return response


@router.post("/logout")
async def logout(request: Request) -> Any:
    me = page_principal(request)
    response = RedirectResponse("/login?reason=logged_out", status_code=303)
    if me is None:
        end_session(response)
        return RedirectResponse("/login", status_code=303)
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    check_csrf(request, form)
    await run_in_threadpool(sessions.logout, services(request), me)
    end_session(response)
    return response


@router.post("/session/role")
async def switch_role(request: Request) -> Any:
    """Act in another of one's roles (the header's role menu)."""
    me = page_principal(request)
    if me is None:
        return RedirectResponse("/login", status_code=303)
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    check_csrf(request, form)
    await run_in_threadpool(sessions.switch_role, services(request), me,
                            str(form.get("role", "")))
    return RedirectResponse("/", status_code=303)


# -- campus single sign-on (OpenID Connect) ----------------------------------------------------
def _oidc(request: Request) -> Any:
    svc = services(request)
    client = svc.state.get("oidc")
    if client is None:
        from authlib.integrations.starlette_client import OAuth

        config = svc.config
        oauth = OAuth()
        secret = config.sso_client_secret.get_secret_value() if config.sso_client_secret \
            else None
        client = oauth.register(
            "campus", client_id=config.sso_client_id, client_secret=secret,
            server_metadata_url=config.sso_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"})
        svc.state["oidc"] = client
    return client


def _flow_state(request: Request) -> dict[str, Any]:
    """The sign-on's state (Authlib keeps state, nonce and PKCE verifier in ``session``), read
    from its signed cookie; a cookie not signed with our key counts as none."""
    keys = services(request).keys
    raw = request.cookies.get(SSO_COOKIE, "")
    payload, _, signature = raw.rpartition(".")
    if payload and hmac.compare_digest(signature, keys.sign("sso", payload)):
        try:
            data = json.loads(base64.urlsafe_b64decode(payload.encode()))
            if data.get("exp", 0) > time.time():
                return data.get("session", {})
        except ValueError:
            pass
    return {}


def _keep_flow(request: Request, response: Response, session: dict[str, Any]) -> None:
    payload = base64.urlsafe_b64encode(json.dumps(
        {"session": session, "exp": time.time() + SSO_SECONDS}).encode()).decode()
    # Lax, not Strict: the browser comes back from the campus sign-on by a cross-site redirect.
    response.set_cookie(SSO_COOKIE, payload + "." + services(request).keys.sign("sso", payload),
                        httponly=True, samesite="lax", max_age=SSO_SECONDS,
                        path="/login/sso", secure=services(request).config.cookie_secure
                        or request.url.scheme == "https")


@router.post("/login/sso")
async def sso_start(request: Request) -> Any:
    """Go to the campus sign-on (a form of the log-in page, CSRF-checked like the password)."""
    if not services(request).config.sso_issuer:
        return RedirectResponse("/login", status_code=303)
    form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    check_login_csrf(request, form)
    request.scope["session"] = {}
    redirect = await _oidc(request).authorize_redirect(
        request, str(request.url_for("sso_callback")))
    _keep_flow(request, redirect, request.scope["session"])
    return redirect


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(request: Request) -> Any:
    from authlib.integrations.base_client import OAuthError

    svc = services(request)
    if not svc.config.sso_issuer:
        return RedirectResponse("/login", status_code=303)
    request.scope["session"] = _flow_state(request)
    try:
        token = await _oidc(request).authorize_access_token(request)
        claims = token.get("userinfo") or {}
        username = str(claims.get(svc.config.sso_username_claim) or "")
        if not username:
            raise OAuthError(description=f"no {svc.config.sso_username_claim} claim")
    except (OAuthError, KeyError, TypeError, ValueError) as exc:
        await run_in_threadpool(sessions.sso_refused, svc, _client(request),
                                type(exc).__name__)
        page = _login_page(request, tr_of(request).gettext(
            N_("The campus sign-on did not finish or has expired; please log in again.")), 401)
        page.delete_cookie(SSO_COOKIE, path="/login/sso")
        return page
    try:
        opened = await run_in_threadpool(sessions.login_sso, svc, username, _client(request),
                                         str(claims.get("iss", "")))
    except ServiceError as exc:
        return _refused(request, exc)
    # The way back from the sign-on is a cross-site navigation: a SameSite=Strict cookie set
    # now is not sent on a redirect of it, so the browser moves on by a page of our own.
    response = render(request, "signed_in.html", {"me": None})
    start_session(request, response, opened.cookie)
    response.delete_cookie(SSO_COOKIE, path="/login/sso")
    return response
