"""The dean's office's pages (院长办公室): the registry (units, people and their log-ins,
accounts), one account with its people and dated history (roles from their effective dates,
changes reported more than 5 working days late per 第九条, a stopped account's 10 working days
to close per 第十四条), API tokens (created and shown once, revoked), and the audit log's
check with its head. The drafts only the dean's office signs off (第十三条) are its queue on
the home page.

Pages parse, call one query or use case and render; a refused form comes back on its page
saying what was wrong, with what was typed kept. Every form carries the session's CSRF value.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from screener.i18n import N_

from .auth import Principal
from .context import Services
from .errors import BadRequest, ServiceError
from .pagesession import check_csrf, csrf_value, page_principal
from .queries import office as office_queries
from .templating import render, tr_of
from .usecases import registry, sessions, tokens

router = APIRouter(prefix="/office", include_in_schema=False)
KINDS = {"staff": N_("Staff"), "student": N_("Student"), "external": N_("From outside")}
PLATFORM_CODES = ("wechat", "weibo", "other")
ACCOUNT_ROLES = ("first_responsible", "responsible", "operator")
TOKEN_ROLES = ("operator", "responsible", "unit_head", "maintainer", "admin")
GRANTABLE = ("admin", "maintainer")
# Not the caller's to do, or nothing there: the error page, not the form again.
REFUSALS = (401, 403, 404)


def _services(request: Request) -> Services:
    return request.app.state.services


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_files=0, max_fields=20)
    check_csrf(request, form)
    return {k: str(v) for k, v in form.items()}


# What each numbered field of the forms chooses, for a message about it.
CHOICES = {"unit_id": N_("a unit"), "person_id": N_("a person"),
           "expires_in_days": N_("a number of days")}


def _number(form: dict[str, str], name: str, *, optional: bool = False) -> int | None:
    value = form.get(name, "").strip()
    if not value and optional:
        return None
    if not (value.isascii() and value.isdigit()):
        raise BadRequest("choose {what} first (a whole number)", field=name,
                         what=CHOICES[name])
    return int(value)


def _common(request: Request, me: Principal) -> dict[str, Any]:
    tr = tr_of(request)
    return {"me": me, "csrf": csrf_value(request),
            "kinds": {k: tr.gettext(v) for k, v in KINDS.items()}}


# -- the registry -----------------------------------------------------------------------------
def _overview(request: Request, me: Principal, *, error: str = "", form: str = "",
              typed: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    found = office_queries.overview(_services(request).engine, me)
    return render(request, "office/registry.html", {
        **_common(request, me), **found, "error": error, "failed_form": form,
        "typed": typed or {}, "platforms": PLATFORM_CODES, "grantable": GRANTABLE},
        status_code=status_code)


@router.get("", response_class=HTMLResponse)
def overview(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    return _overview(request, me)


async def _registry_change(request: Request, which: str, change) -> Any:
    """Call ``change(me, form)``; back to the registry, or to it with the error."""
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await _form(request)
    try:
        target = await run_in_threadpool(change, me, form)
    except ServiceError as exc:
        if exc.status in REFUSALS:
            raise
        return _overview(request, me, error=exc.localized(tr_of(request)), form=which,
                         typed={k: v for k, v in form.items() if k != "password"},
                         status_code=exc.status)
    return RedirectResponse(target, status_code=303)


@router.post("/units")
async def new_unit(request: Request) -> Any:
    def change(me: Principal, form: dict[str, str]) -> str:
        done = registry.create_unit(_services(request).engine, me, form.get("name", ""))
        return f"/office#unit-{done['id']}"
    return await _registry_change(request, "unit", change)


@router.post("/people")
async def new_person(request: Request) -> Any:
    def change(me: Principal, form: dict[str, str]) -> str:
        done = registry.create_person(_services(request).engine, me, form.get("name", ""),
                                      form.get("kind", ""),
                                      _number(form, "unit_id", optional=True))
        return f"/office#person-{done['id']}"
    return await _registry_change(request, "person", change)


@router.post("/people/{person_id}/login")
async def person_login(request: Request, person_id: int) -> Any:
    """Give a person a user name and password (their open sessions end), and the roles only a
    log-in can carry (the dean's office, lexicon maintainer)."""
    def change(me: Principal, form: dict[str, str]) -> str:
        granted = [r for r in GRANTABLE if form.get(f"grant_{r}") == "on"]
        sessions.set_password(_services(request), me, person_id, form.get("username", ""),
                              form.get("password", ""), granted)
        return f"/office#person-{person_id}"
    return await _registry_change(request, f"login-{person_id}", change)


@router.post("/accounts")
async def new_account(request: Request) -> Any:
    def change(me: Principal, form: dict[str, str]) -> str:
        svc = _services(request)
        done = registry.create_account(svc.engine, me, svc.screener,
                                       platform=form.get("platform", ""),
                                       name=form.get("name", ""),
                                       unit_id=_number(form, "unit_id"),
                                       opened_on=form.get("opened_on") or None)
        return f"/office/accounts/{done['id']}"
    return await _registry_change(request, "account", change)


# -- one account ------------------------------------------------------------------------------
def _account_page(request: Request, me: Principal, account_id: int, *, error: str = "",
                  form: str = "", typed: dict[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    found = office_queries.account(_services(request).engine, me, account_id)
    return render(request, "office/account.html", {
        **_common(request, me), **found, "error": error, "failed_form": form,
        "typed": typed or {}, "account_roles": ACCOUNT_ROLES}, status_code=status_code)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(request: Request, account_id: int) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    return _account_page(request, me, account_id)


async def _account_change(request: Request, account_id: int, which: str, change) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await _form(request)
    try:
        await run_in_threadpool(change, me, form)
    except ServiceError as exc:
        if exc.status in REFUSALS:
            raise
        return _account_page(request, me, account_id, error=exc.localized(tr_of(request)),
                             form=which, typed=form, status_code=exc.status)
    return RedirectResponse(f"/office/accounts/{account_id}", status_code=303)


@router.post("/accounts/{account_id}/roles")
async def assign_role(request: Request, account_id: int) -> Any:
    def change(me: Principal, form: dict[str, str]) -> None:
        registry.assign(_services(request).engine, me, account_id,
                        _number(form, "person_id"), form.get("role", ""),
                        form.get("effective_on") or None)
    return await _account_change(request, account_id, "assign", change)


@router.post("/accounts/{account_id}/roles/{assignment_id}/end")
async def end_role(request: Request, account_id: int, assignment_id: int) -> Any:
    def change(me: Principal, form: dict[str, str]) -> None:
        registry.end_assignment(_services(request).engine, me, account_id, assignment_id,
                                form.get("ended_on") or None)
    return await _account_change(request, account_id, f"end-{assignment_id}", change)


@router.post("/accounts/{account_id}/status")
async def account_status(request: Request, account_id: int) -> Any:
    def change(me: Principal, form: dict[str, str]) -> None:
        registry.set_status(_services(request).engine, me, account_id,
                            form.get("status", ""), form.get("effective_on") or None,
                            form.get("result", ""))
    return await _account_change(request, account_id, "status", change)


# -- tokens -----------------------------------------------------------------------------------
def _tokens_page(request: Request, me: Principal, *, created: dict[str, Any] | None = None,
                 error: str = "", typed: dict[str, str] | None = None,
                 status_code: int = 200) -> HTMLResponse:
    found = office_queries.token_list(_services(request).engine, me)
    return render(request, "office/tokens.html", {
        **_common(request, me), **found, "created": created, "error": error,
        "typed": typed or {}, "token_roles": TOKEN_ROLES},
        status_code=status_code, headers={"Cache-Control": "no-store"})


@router.get("/tokens", response_class=HTMLResponse)
def token_page(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    return _tokens_page(request, me)


@router.post("/tokens")
async def new_token(request: Request) -> Any:
    """A new token, shown on this answer only (never stored, never shown again)."""
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await _form(request)
    try:
        days = _number(form, "expires_in_days", optional=True)
        created = await run_in_threadpool(
            tokens.create_token, _services(request).engine, me, role=form.get("role", ""),
            person_id=_number(form, "person_id", optional=True),
            unit_id=_number(form, "unit_id", optional=True),
            label=form.get("label", "").strip(), expires_in_days=days)
    except ServiceError as exc:
        if exc.status in REFUSALS:
            raise
        return _tokens_page(request, me, error=exc.localized(tr_of(request)), typed=form,
                            status_code=exc.status)
    return _tokens_page(request, me, created=created, status_code=201)


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    await _form(request)
    try:
        await run_in_threadpool(tokens.revoke_token, _services(request).engine, me, token_id)
    except ServiceError as exc:
        if exc.status in REFUSALS:
            raise
        return _tokens_page(request, me, error=exc.localized(tr_of(request)),
                            status_code=exc.status)
    return RedirectResponse(f"/office/tokens#token-{token_id}", status_code=303)


# -- the audit log ----------------------------------------------------------------------------
@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Any:
    """``screener audit verify`` on a page: the whole chain checked, its head to note on paper,
    and the latest rows."""
    me = page_principal(request)
    if me is None:
        return _to_login()
    svc = _services(request)
    found = office_queries.audit_page(svc.engine, me, svc.settings)
    return render(request, "office/audit.html", {**_common(request, me), **found})


__all__ = ["router"]
