"""The maintainer's pages for the lexicon and the picture bank (词库维护人; the dean's office
reads them).

Lexicon: search the terms in force; try candidate terms first (a server-rendered preview of
every place they would fire in the clean reference corpus, the same trial as
``screener lexicon test``), then publish them with a reason; a term's page with its whole
history, where it is edited or retired (a reason is required); the versions published and the
difference between any two. Picture bank: add a picture with its owner and licence, retire one
with a reason, an asset's history. Models and lexicon suggestions from review feedback are on the
maintainer's overview page (``/``), not here.

Every form carries the session's CSRF value and calls the same use case as the API
(``usecases.lexicon`` / ``usecases.assets``: authorization, the change and its audit row); a
refused change comes back on its page with the reason and what was typed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from screener.errors import ScreenerError
from screener.labels import CATEGORY

from .errors import BadRequest, ServiceError
from .pagesession import check_csrf, csrf_value, page_principal
from .queries import assets as asset_queries
from .queries import lexicon as lexicon_queries
from .schemas import ASSET_FIELDS, RetireAssetIn, RetireIn, TermEdit, TermsIn
from .templating import render, tr_of
from .uploads import asset_upload
from .usecases import assets, lexicon
from .web import _checked_form, _to_login

router = APIRouter(include_in_schema=False)
CATEGORIES = [c for c in CATEGORY if c not in ("stage_error", "allow")]
LISTED = 100  # terms shown for a search


def _services(request: Request) -> Any:
    return request.app.state.services


def _split(text: str) -> list[str]:
    """Candidate terms typed one a line (or separated by commas)."""
    parts = text.replace("，", "\n").replace(",", "\n").splitlines()
    return [t.strip() for t in parts if t.strip()]


def _boundary(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _message(request: Request, exc: ScreenerError) -> str:
    """What was wrong, in the interface language (the core's lexicon and bank errors say it
    in their own words)."""
    if isinstance(exc, ServiceError):
        return exc.localized(tr_of(request))
    return str(exc)


def _parsed(model: Any, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise BadRequest.invalid(error, ".".join(map(str, error["loc"])) or "form") from None


# -- the lexicon --------------------------------------------------------------------------------
@router.get("/lexicon", response_class=HTMLResponse)
def lexicon_page(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    svc = _services(request)
    q = request.query_params.get("q", "").strip()
    category = request.query_params.get("category") or None
    state = lexicon_queries.state(svc, me)
    found = lexicon_queries.terms(svc, me, category, q or None, LISTED, 0) if q or category \
        else None
    return render(request, "lexicon.html", {
        "me": me, "lexicon": state, "found": found, "q": q, "category": category or "",
        "categories": CATEGORIES, "history": lexicon_queries.history(svc, me, 30),
        "can_change": me.role == "maintainer",
        # "Change the terms" on the preview comes back here with what was typed
        "adding": {k: request.query_params.get(f"add_{k}", "")
                   for k in ("terms", "category", "boundary")}})


@router.get("/lexicon/preview", response_class=HTMLResponse)
async def lexicon_preview(request: Request) -> Any:
    """Where the candidate terms would fire in the clean corpus; the form to publish them."""
    me = page_principal(request)
    if me is None:
        return _to_login()
    params = request.query_params
    typed = {"terms": params.get("terms", ""), "category": params.get("category", "illegal"),
             "boundary": params.get("boundary", ""), "severity": params.get("severity", ""),
             "reason": params.get("reason", "")}
    body = _parsed(TermsIn, {"terms": _split(typed["terms"]) or [""],
                             "category": typed["category"],
                             "boundary": _boundary(typed["boundary"])})
    result = await run_in_threadpool(lexicon_queries.preview, _services(request), me,
                                     body.terms, body.category, body.boundary)
    return render(request, "lexicon_preview.html", {
        "me": me, "result": result, "typed": typed, "categories": CATEGORIES,
        "csrf": csrf_value(request), "error": "", "back": _back(typed)})


def _back(typed: dict[str, str]) -> str:
    """The lexicon page's add form, filled in again with ``typed``."""
    return "/lexicon?" + urlencode({f"add_{k}": typed.get(k, "")
                                    for k in ("terms", "category", "boundary")}) + "#add"


@router.post("/lexicon/add")
async def lexicon_add(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=10)
    typed = {k: str(form.get(k, "")) for k in ("terms", "category", "boundary", "severity",
                                                "reason")}
    body = _parsed(TermsIn, {"terms": _split(typed["terms"]) or [""],
                             "category": typed["category"],
                             "boundary": _boundary(typed["boundary"]),
                             "severity": typed["severity"] or None,
                             "reason": typed["reason"]})
    try:
        if not body.reason.strip():
            raise BadRequest("write why the terms are added: the reason is kept in the "
                             "lexicon's history and the audit log", field="reason")
        done = await run_in_threadpool(
            lexicon.add_terms, _services(request), me, body.terms, body.category,
            reason=body.reason, severity=body.severity, boundary=body.boundary)
    except ScreenerError as exc:
        result = await run_in_threadpool(lexicon_queries.preview, _services(request), me,
                                         body.terms, body.category, body.boundary)
        return render(request, "lexicon_preview.html", {
            "me": me, "result": result, "typed": typed, "categories": CATEGORIES,
            "csrf": csrf_value(request), "error": _message(request, exc),
            "back": _back(typed)},
            status_code=getattr(exc, "status", 422))
    target = {"term": body.terms[0], "done": done.get("version", "")}
    return RedirectResponse("/lexicon/term?" + urlencode(target), status_code=303)


@router.get("/lexicon/term", response_class=HTMLResponse)
def lexicon_term(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    term = request.query_params.get("term", "")
    if not term:
        raise BadRequest("name the term to show", field="term")
    return _term_page(request, me, term)


def _term_page(request: Request, me: Any, term: str, *, error: str = "",
               typed: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    found = lexicon_queries.term_history(_services(request), me, term)
    return render(request, "lexicon_term.html", {
        "me": me, "t": found, "categories": CATEGORIES, "csrf": csrf_value(request),
        "can_change": me.role == "maintainer", "error": error, "typed": typed or {},
        "done": request.query_params.get("done", "")}, status_code=status_code)


@router.post("/lexicon/retire")
async def lexicon_retire(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=6)
    term, reason = str(form.get("term", "")), str(form.get("reason", ""))
    category = str(form.get("category", "")) or None
    try:
        body = _parsed(RetireIn, {"reason": reason, "category": category})
        done = await run_in_threadpool(lexicon.retire_term, _services(request), me, term,
                                       reason=body.reason, category=body.category)
    except ScreenerError as exc:
        return _term_page(request, me, term, error=_message(request, exc),
                          typed={"retire_reason": reason},
                          status_code=getattr(exc, "status", 422))
    return RedirectResponse("/lexicon/term?" + urlencode(
        {"term": term, "done": done.get("version", "")}), status_code=303)


@router.post("/lexicon/edit")
async def lexicon_edit(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=10)
    term = str(form.get("term", ""))
    typed = {k: str(form.get(k, "")) for k in ("severity", "article", "boundary", "reason")}
    try:
        body = _parsed(TermEdit, {"severity": typed["severity"] or None,
                                  "article": typed["article"].strip() or None,
                                  "boundary": _boundary(typed["boundary"]),
                                  "from_category": str(form.get("category", "")) or None,
                                  "reason": typed["reason"]})
        done = await run_in_threadpool(
            lexicon.edit_term, _services(request), me, term, reason=body.reason,
            severity=body.severity, article=body.article, boundary=body.boundary,
            from_category=body.from_category)
    except ScreenerError as exc:
        return _term_page(request, me, term, error=_message(request, exc),
                          typed={f"edit_{k}": v for k, v in typed.items()},
                          status_code=getattr(exc, "status", 422))
    return RedirectResponse("/lexicon/term?" + urlencode(
        {"term": term, "done": done.get("version", "")}), status_code=303)


@router.get("/lexicon/diff", response_class=HTMLResponse)
def lexicon_diff(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    params = request.query_params
    found = lexicon_queries.diff(_services(request), me, params.get("from", ""),
                                 params.get("to", ""))
    return render(request, "lexicon_diff.html", {"me": me, "d": found})


# -- the picture bank ---------------------------------------------------------------------------
@router.get("/assets", response_class=HTMLResponse)
def assets_page(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    return _assets_page(request, me)


def _assets_page(request: Request, me: Any, *, error: str = "",
                 typed: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    every = asset_queries.every_asset(_services(request), me)
    return render(request, "assets_bank.html", {
        "me": me, "assets": every, "csrf": csrf_value(request), "error": error,
        "typed": typed or {}, "can_change": me.role == "maintainer",
        "added": request.query_params.get("added", "")}, status_code=status_code)


@router.post("/assets/add")
async def assets_add(request: Request) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    assets.check_may_change(me)  # before the upload is read
    (name, data), fields = await asset_upload(request, (*ASSET_FIELDS, "csrf"))
    check_csrf(request, fields)
    fields.pop("csrf", None)
    try:
        added = await run_in_threadpool(assets.add_asset, _services(request), me, name, data,
                                        fields)
    except ScreenerError as exc:
        return _assets_page(request, me, error=_message(request, exc), typed=fields,
                            status_code=getattr(exc, "status", 422))
    return RedirectResponse(f"/assets/{added['id']}?added=1", status_code=303)


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_page(request: Request, asset_id: int) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    return _asset_page(request, me, asset_id)


def _asset_page(request: Request, me: Any, asset_id: int, *, error: str = "",
                status_code: int = 200) -> HTMLResponse:
    found = asset_queries.asset_history(_services(request), me, asset_id)
    return render(request, "asset.html", {
        "me": me, **found, "csrf": csrf_value(request), "error": error,
        "can_change": me.role == "maintainer",
        "added": request.query_params.get("added", "")}, status_code=status_code)


@router.post("/assets/{asset_id}/retire")
async def asset_retire(request: Request, asset_id: int) -> Any:
    me = page_principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=4)
    try:
        body = _parsed(RetireAssetIn, {"reason": str(form.get("reason", ""))})
        await run_in_threadpool(assets.retire_asset, _services(request), me, asset_id,
                                body.reason)
    except ScreenerError as exc:
        return _asset_page(request, me, asset_id, error=_message(request, exc),
                           status_code=getattr(exc, "status", 422))
    return RedirectResponse(f"/assets/{asset_id}", status_code=303)


__all__ = ["router"]
