"""The operator's pages (具体运营人): the drafts of their accounts with status and last change;
a new draft (title, body, pictures chosen or pasted, or a .docx / .html / .md file) screened at
once; a draft's report with the explanations the reviewer reads, the reviewer's comments, the
edit form (the pictures can be replaced) and publishing once the 具体负责人 approved it.

Pages parse, call one query or use case and render. Every form carries the session's CSRF
value; a refused submission or edit comes back on its page with what was typed kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from . import reviewpage
from .auth import Principal
from .context import Services
from .errors import ServiceError
from .pagesession import check_csrf, csrf_value, page_principal
from .queries import operator as operator_queries
from .templating import render, tr_of
from .uploads import draft_fields, draft_in, strict_form
from .usecases import drafts
from .usecases.drafts import Image
from .web import MARKS

router = APIRouter(include_in_schema=False)
DRAFT_FILES = ".docx,.html,.htm,.md,.txt,.json"
# Not the caller's to do, or nothing there: the error page, not the form again.
REFUSALS = (401, 403, 404)
STATUSES = ("pending", "changes_requested", "approved", "rejected", "published")


def _services(request: Request) -> Services:
    return request.app.state.services


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _draft_form(request: Request) -> tuple[dict[str, Any], list[Image]]:
    """The posted draft form (multipart with pictures, or a plain form), once its CSRF value
    shows it comes from our own page."""
    svc = _services(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await strict_form(request, max_files=svc.config.max_images_per_submission + 1,
                                 max_fields=20, max_part_size=4 * 1024 * 1024)
    else:
        form = await request.form(max_files=0, max_fields=20)
    check_csrf(request, form)
    fields, images = await draft_fields(form, svc.settings,
                                        extra=("csrf", "drop_pictures"))
    return fields, images


# -- the list -------------------------------------------------------------------------------
@router.get("/write", response_class=HTMLResponse)
def my_drafts(request: Request, status: str = "", offset: int = 0) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    svc = _services(request)
    status = status if status in STATUSES else ""
    found = operator_queries.workspace(svc.engine, me, status, svc.config.page_size,
                                       max(0, offset))
    return render(request, "operator/list.html", {
        "me": me, **found, "status": status, "statuses": STATUSES})


# -- a new draft ----------------------------------------------------------------------------
def _new_page(request: Request, me: Principal, *, typed: dict[str, Any] | None = None,
              error: str = "", status_code: int = 200) -> HTMLResponse:
    accounts = operator_queries.own_accounts(_services(request).engine, me)
    return render(request, "operator/new.html", {
        "me": me, "accounts": [a for a in accounts if a["status"] == "active"],
        "typed": typed or {}, "error": error, "csrf": csrf_value(request),
        "draft_files": DRAFT_FILES,
        "max_images": _services(request).config.max_images_per_submission},
        status_code=status_code)


@router.get("/write/new", response_class=HTMLResponse)
def new_draft(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    return _new_page(request, me)


@router.post("/write/new")
async def submit_draft(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    fields, images = await _draft_form(request)
    try:
        body = draft_in(fields)
        done = await run_in_threadpool(drafts.submit, _services(request), me, body.account_id,
                                       body.title, body.body, body.author, images)
    except ServiceError as exc:
        if exc.status in REFUSALS:
            raise
        return _new_page(request, me, typed=fields, error=exc.localized(tr_of(request)),
                         status_code=exc.status)
    return RedirectResponse(f"/write/{done['id']}", status_code=303)


# -- a draft --------------------------------------------------------------------------------
def _draft_page(request: Request, me: Principal, draft_id: int, *,
                typed: dict[str, Any] | None = None, error: str = "",
                status_code: int = 200) -> HTMLResponse:
    found = operator_queries.draft_page(_services(request).engine, me, draft_id)
    draft = found["draft"]
    shown = reviewpage.review_lines(draft, tr_of(request))
    current = [s for s in draft["signoffs"] if s["current"]]
    return render(request, "operator/draft.html", {
        "me": me, "draft": draft, **shown, "marks": MARKS,
        "pictures": reviewpage.pictures(draft, shown["lines"],
                                        "/drafts/{draft}/images/{index}"),
        "changes": reviewpage.changes(draft, found["previous"]),
        "responsible": found["responsible"],
        "comments": current[-1]["finding_comments"] if current else {},
        "editable": draft["status"] not in ("published", "rejected"),
        "publishable": draft["status"] == "approved",
        "typed": typed or {"title": draft["title"], "body": draft["body"],
                           "author": draft["author"]},
        "error": error, "csrf": csrf_value(request),
        "max_images": _services(request).config.max_images_per_submission},
        status_code=status_code)


@router.get("/write/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, draft_id: int) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    return _draft_page(request, me, draft_id)


@router.post("/write/{draft_id}/edit")
async def edit_draft(request: Request, draft_id: int) -> Any:
    """A new revision: the typed title and body; the pictures chosen here replace the draft's
    (none chosen keeps them, unless "remove every picture" is ticked)."""
    me = page_principal(request)
    if me is None:
        return _to_login()
    fields, images = await _draft_form(request)
    replaced: list[Image] | None = images or (
        [] if fields.get("drop_pictures") == "on" else None)
    typed = {"title": fields.get("title", ""), "body": fields.get("body", ""),
             "author": fields.get("author", "")}
    try:
        await run_in_threadpool(drafts.edit, _services(request), me, draft_id, typed["title"],
                                typed["body"], typed["author"], replaced)
    except ServiceError as exc:
        if exc.status in REFUSALS:
            raise
        return _draft_page(request, me, draft_id, typed=typed,
                           error=exc.localized(tr_of(request)), status_code=exc.status)
    return RedirectResponse(f"/write/{draft_id}", status_code=303)


@router.post("/write/{draft_id}/publish")
async def publish_draft(request: Request, draft_id: int) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await request.form(max_files=0, max_fields=5)
    check_csrf(request, form)
    try:
        await run_in_threadpool(drafts.publish, _services(request), me, draft_id)
    except ServiceError as exc:
        if exc.status in REFUSALS:
            raise
        return _draft_page(request, me, draft_id, error=exc.localized(tr_of(request)),
                           status_code=exc.status)
    return RedirectResponse(f"/write/{draft_id}", status_code=303)


__all__ = ["router"]
