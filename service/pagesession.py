"""Who is on a page: the log-in session behind the cookie, and the CSRF values of its forms.

``page_principal(request)`` is the one function every page calls (the person and role of the
session, or None); ``signed_in`` raises instead. The cookie holds a random session id (HttpOnly,
SameSite=Strict, Secure over HTTPS or when ``cookie_secure`` is set); the server keeps only its
sha256 and ends it on log-out. API tokens never open a page, and a session never opens the API.

Forms carry a CSRF value: HMAC(server key, session) on pages of a session; on the log-in page,
where there is no session yet, HMAC(server key, a random value in a short-lived cookie of its
own), so another site can neither post a sign-off nor log a victim in as the attacker, or out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from screener.i18n import N_

from .auth import Principal
from .context import Services
from .errors import Forbidden, Unauthenticated
from .keys import ServerKeys
from .queries import sessions as session_queries

SESSION_COOKIE = "screener_session"
LOGIN_COOKIE = "screener_login"
CSRF_FIELD = "csrf"
CSRF_REFUSED = N_("the form has expired or did not come from this site (CSRF); reload the page "
                  "and try again")


def services(request: Request) -> Services:
    return request.app.state.services


def csrf_for(keys: ServerKeys, cookie: str) -> str:
    """The CSRF value of the forms of the session whose cookie is ``cookie``."""
    digest = hashlib.sha256(cookie.encode("utf-8")).hexdigest()
    return keys.sign("csrf", "session:" + digest)[:32]


def _login_csrf(keys: ServerKeys, nonce: str) -> str:
    return keys.sign("csrf", "login:" + nonce)[:32]


def page_principal(request: Request) -> Principal | None:
    """The person and role logged in on this request, or None (no, ended or expired session).
    Looked up once per request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    try:
        found = session_queries.principal(services(request).engine,
                                          request.cookies.get(SESSION_COOKIE))
    except Unauthenticated:
        found = None
    request.state.principal = found
    return found


def signed_in(request: Request) -> Principal:
    me = page_principal(request)
    if me is None:
        raise Unauthenticated("please log in first")
    return me


def csrf_value(request: Request) -> str:
    """The value a form of this session's pages must carry."""
    return csrf_for(services(request).keys, request.cookies.get(SESSION_COOKIE, ""))


def check_csrf(request: Request, form: Any) -> None:
    if not hmac.compare_digest(str(form.get(CSRF_FIELD, "")), csrf_value(request)):
        raise Forbidden(CSRF_REFUSED)


def login_csrf(request: Request, response: Response) -> str:
    """The log-in form's CSRF value; gives the browser its log-in cookie when it has none."""
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    if len(nonce) < 20:
        nonce = secrets.token_urlsafe(24)
        response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict",
                            secure=_secure(request), max_age=3600, path="/login")
    return _login_csrf(services(request).keys, nonce)


def check_login_csrf(request: Request, form: Any) -> None:
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    expected = _login_csrf(services(request).keys, nonce) if len(nonce) >= 20 else ""
    if not expected or not hmac.compare_digest(str(form.get(CSRF_FIELD, "")), expected):
        raise Forbidden(CSRF_REFUSED)


def _secure(request: Request) -> bool:
    return services(request).config.cookie_secure or request.url.scheme == "https"


def start_session(request: Request, response: Response, cookie: str) -> None:
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict",
                        secure=_secure(request),
                        max_age=int(services(request).config.session_hours * 3600))


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
