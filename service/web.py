"""The reviewer's pages: the queue (filters, search, sort, counts, approval of several passing
drafts at once), a draft with a summary of its findings, each finding marked in the text or
outlined on its picture, the changes since the previous revision and the sign-off form, the
sign-off sheet for the paper file (A4, Beijing time, and as a PDF printed by Chromium); the
maintainer's overview page. Pictures are served by routes that check the log-in session, never
by file path.

Pages parse, call one query or use case, and render through ``templating.render`` (one Jinja
environment, the interface language of the settings). A refused sign-off comes back on the
draft page with what was typed kept; rejecting asks to confirm first.

Who is on the page is the log-in session (``pagesession.page_principal``; log-in and log-out are
in ``login``); every form carries the session's CSRF value, so another site cannot post a
sign-off in the reviewer's name.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from screener.i18n import N_
from screener.labels import label

from . import reviewpage
from .api_maintenance import asset_picture, draft_picture
from .auth import Principal, Role
from .context import Services
from .errors import BadRequest, ServiceError
from .labels import ACCOUNT_ROLE, STATUS
from .pagesession import check_csrf, csrf_value, page_principal, signed_in
from .pdf import print_pdf
from .queries import assets as asset_queries
from .queries import drafts as draft_queries
from .queries import learning as learning_queries
from .queries import lexicon as lexicon_queries
from .schemas import BatchApprovalIn, QueueFilter
from .templating import beijing, render, templates_for, tr_of
from .usecases import drafts, rechecks

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)
MARKS = {"block": "✖", "review": "▲", "pass": "✔", "info": "ℹ"}  # shapes beside the colours
# The queue's filters by name, for a message about one of them.
FILTER_NAMES = {"verdict": N_("Result"), "category": N_("Category"), "account_id": N_("Account"),
                "platform": N_("Platform"), "status": N_("Status"), "since": N_("Submitted from"),
                "until": N_("to"), "q": N_("Search the title and body"), "sort": N_("Order"),
                "offset": N_("Pages"), "mine": N_("Waiting for my sign-off")}
SORTS = {"verdict": N_("Blocked first"), "oldest": N_("Oldest first"),
         "newest": N_("Newest first"), "account": N_("By account")}
# What a reviewer may report missed (漏报): the content categories.
MISSABLE = ("commercial", "confidential", "major_news", "illegal", "unhealthy")


def _services(request: Request) -> Services:
    return request.app.state.services


_principal = page_principal


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message,
                                          "me": _principal(request)}, status_code=status)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def _csrf(request: Request) -> str:
    return csrf_value(request)


# -- the queue ----------------------------------------------------------------------------------
def _queue_filter(request: Request, me: Principal) -> QueueFilter:
    params = dict(request.query_params)
    if me.role not in (Role.RESPONSIBLE, Role.ADMIN):
        params["mine"] = "false"  # only those who sign off have a queue of their own
    try:
        return QueueFilter.model_validate(params)
    except ValidationError as exc:
        where = ".".join(map(str, exc.errors()[0]["loc"])) or "query"
        raise BadRequest("the filter “{name}” has a value the list cannot use; clear the "
                         "filters and choose again", field=where,
                         name=FILTER_NAMES.get(where, where)) from None


def _link(f: QueueFilter):
    """A link to the queue with ``f``'s filters and the changes given."""
    def link(**changes: Any) -> str:
        values = {**f.model_dump(), **changes}
        shown = {k: ("true" if v else "false") if isinstance(v, bool) else v
                 for k, v in values.items()
                 if v not in (None, "") and not (k == "offset" and v == 0)
                 and not (k == "sort" and v == "verdict")}
        return "/?" + urlencode(shown)
    return link


def _queue(request: Request, me: Principal, f: QueueFilter, *, status_code: int = 200,
           batch_error: str = "", batch_comment: str = "", selected: set[int] | None = None,
           notice: str = "") -> HTMLResponse:
    svc = _services(request)
    listing = draft_queries.browse(svc.engine, me, f, svc.config.page_size)
    _ = tr_of(request).gettext
    can_queue = me.role in (Role.RESPONSIBLE, Role.ADMIN)
    return render(request, "queue.html", {
        "me": me, "listing": listing, "f": f, "link": _link(f), "can_queue": can_queue,
        "heading": _("Waiting for my sign-off") if f.mine else _("Drafts"),
        "batchable": can_queue and f.mine, "csrf": _csrf(request), "marks": MARKS,
        "sorts": [(key, _(name)) for key, name in SORTS.items()],
        "reset": "/" if f.mine or not can_queue else "/?mine=false",
        "batch_error": batch_error, "batch_comment": batch_comment,
        "selected": selected or set(), "notice": notice}, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    if me.role is Role.MAINTAINER:
        return _maintainer_home(request, me)
    if me.role is Role.OPERATOR:  # the operator's own page: their drafts
        from .web_operator import my_drafts  # it imports this module's marks

        params = request.query_params
        offset = params.get("offset", "0")
        return my_drafts(request, params.get("status", ""),
                         int(offset) if offset.isascii() and offset.isdigit() else 0)
    return _queue(request, me, _queue_filter(request, me))


def _maintainer_home(request: Request, me: Principal) -> HTMLResponse:
    """The maintainer's page: the lexicon in force, its latest changes, the asset bank, the
    reviewers' feedback and the models (promote with a reason). Changes go through the API, the
    CLI or this page's forms, which record them in the audit log."""
    svc = _services(request)
    lexicon = lexicon_queries.state(svc, me)
    assets = asset_queries.every_asset(svc, me)
    return render(request, "maintain.html", {
        "me": me, "lexicon": lexicon, "assets": assets,
        "feedback": learning_queries.feedback_summary(svc, me),
        "models": learning_queries.models(svc, me),
        "csrf": csrf_value(request)})


@router.post("/queue/approve")
async def batch_approve(request: Request) -> Any:
    """Approve the ticked drafts (each passed with no finding) with one comment."""
    me = _principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=210)
    comment = str(form.get("comment", ""))
    chosen, selected = [], set()
    for value in form.getlist("draft"):
        draft_id, _, report_id = str(value).partition(":")
        if not (draft_id.isdigit() and report_id.isdigit()):
            raise BadRequest("each ticked draft must be sent as draft:report", field="draft")
        chosen.append((int(draft_id), int(report_id)))
        selected.add(int(draft_id))
    f = QueueFilter()
    _ = tr_of(request).gettext
    if not chosen:
        return _queue(request, me, f, status_code=422, batch_comment=comment,
                      batch_error=_("Tick the drafts to approve first."))
    body = BatchApprovalIn(drafts=chosen, comment=comment)
    try:
        done = await run_in_threadpool(drafts.approve_passing, _services(request), me,
                                       body.drafts, body.comment)
    except ServiceError as exc:
        return _queue(request, me, f, status_code=exc.status, batch_comment=comment,
                      batch_error=exc.localized(tr_of(request)), selected=selected)
    notice = tr_of(request).ngettext("%(num)d draft approved.", "%(num)d drafts approved.",
                                     len(done)) % {"num": len(done)}
    return _queue(request, me, f, notice=notice)


# -- a draft ------------------------------------------------------------------------------------
def _list_page(value: str | None) -> int:
    """The page of a draft's findings list a link or the sign-off form names (from 1)."""
    if value is None or value == "":
        return 1
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses
    if not (value.isascii() and value.isdigit()) or int(value) < 1 or len(value) > 9:
        # The value is not repeated: a crafted link would put its words on our page.
        raise BadRequest("the page of the findings list must be a whole number from 1",
                         field="page")
    return int(value)


def _context(request: Request, me: Principal, draft_id: int,
             page: int | None = None) -> dict[str, Any]:
    """What the draft page shows: ``page`` of its findings list; every finding (the print
    sheet) without."""
    found = draft_queries.review_page(_services(request).engine, me, draft_id)
    draft = found["draft"]
    tr = tr_of(request)
    can_sign = found["signer"] and draft["status"] == "pending"
    refusal = found["refusal"]
    why_not = refusal.localized(tr) if refusal is not None else ""
    if found["signer"] and not can_sign:
        why_not = tr.gettext(N_("The draft is “%(status)s”: there is nothing to sign off.")) % {
            "status": label(STATUS, draft["status"], tr)}
    shown = reviewpage.review_lines(draft, tr, page=page)
    stage = draft.get("picture_screening")
    if can_sign and stage and not stage["complete"]:
        can_sign = False
        why_not = tr.gettext(N_("The pictures are still being checked (%(done)s of "
                                "%(total)s done): the report can be signed off once it is "
                                "complete.")) % {"done": stage["done"], "total": stage["total"]}
    return {
        "me": me, "draft": draft, **shown, "marks": MARKS,
        "pictures": reviewpage.pictures(draft, shown["lines"], "/drafts/{draft}/images/{index}"),
        "evidence_lines": [line for line in shown["lines"] if line.evidence],
        "changes": reviewpage.changes(draft, found["previous"]),
        "can_sign": can_sign, "why_not": why_not, "csrf": _csrf(request),
        "responsible": found["responsible"], "first_responsible": found["first_responsible"],
        "current_signoff": next((s for s in reversed(draft["signoffs"]) if s["current"]), None),
        "can_report_missed": found["signer"] and draft["report"] is not None,
        "missed": learning_queries.missed_on(_services(request), draft_id),
        "missable": MISSABLE,
        "typed": {"comment": "", "finding_comments": {}}, "error": "", "confirm_reject": False,
    }


_signed_in = signed_in


@router.get("/drafts/{draft_id}/images/{index}")
def draft_image(request: Request, draft_id: int, index: int) -> Any:
    return draft_picture(_services(request), _signed_in(request), draft_id, index)


@router.get("/assets/{asset_id}/image")
def asset_image(request: Request, asset_id: int) -> Any:
    return asset_picture(_services(request), _signed_in(request), asset_id)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, draft_id: int) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    page = _list_page(request.query_params.get("page"))
    return render(request, "draft.html", _context(request, me, draft_id, page))


def _signers(request: Request, context: dict[str, Any]) -> list[dict[str, str]]:
    """The signature lines the draft's route needs: the dean's office for a 第十三条 draft, else
    the account's 具体负责人, and the 第一责任人 where the unit countersigns."""
    tr = tr_of(request)
    draft = context["draft"]
    svc = _services(request)
    if draft["route"] == "dean":
        lines = [{"role": tr.gettext(N_("Dean's office")), "names": ""}]
    else:
        lines = [{"role": tr.gettext(ACCOUNT_ROLE["responsible"]),
                  "names": "、".join(context["responsible"])}]
    if draft["account"]["unit_id"] in svc.config.countersigning_units:
        lines.append({"role": tr.gettext(ACCOUNT_ROLE["first_responsible"]),
                      "names": "、".join(context["first_responsible"])})
    return lines


def _sheet(request: Request, me: Principal, draft_id: int, *, pdf: bool) -> dict[str, Any]:
    context = _context(request, me, draft_id)
    context["signers"] = _signers(request, context)
    context["printed_at"] = beijing(datetime.now(UTC).isoformat())
    if pdf:  # the page must stand alone: Chromium prints it from a file, offline
        context["css"] = (HERE / "static" / "style.css").read_text(encoding="utf-8")
        svc = _services(request)
        for picture in context["pictures"]:
            path = draft_queries.picture_path(svc.engine, me, draft_id, picture["index"],
                                              svc.config.upload_dir)
            if path is not None and path.is_file():
                kind = {".jpg": "jpeg"}.get(path.suffix, path.suffix.lstrip("."))
                picture["data_uri"] = (f"data:image/{kind};base64,"
                                       + base64.b64encode(path.read_bytes()).decode())
    return context


@router.get("/drafts/{draft_id}/print", response_class=HTMLResponse)
def print_page(request: Request, draft_id: int) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    return render(request, "print.html", _sheet(request, me, draft_id, pdf=False))


@router.get("/drafts/{draft_id}/print.pdf")
async def print_as_pdf(request: Request, draft_id: int) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    context = await run_in_threadpool(_sheet, request, me, draft_id, pdf=True)
    html = templates_for(request.app.state.services.settings.locale) \
        .get_template("print.html").render({**context, "request": request})
    data = await run_in_threadpool(print_pdf, html, _services(request).config.chromium)
    name = f"draft-{draft_id}-r{context['draft']['revision']}.pdf"
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def _checked_form(request: Request, max_fields: int) -> Any:
    """The posted form, once its CSRF value shows it comes from our own page."""
    form = await request.form(max_files=0, max_fields=max_fields)
    check_csrf(request, form)
    return form


@router.post("/drafts/{draft_id}/signoff")
async def signoff_form(request: Request, draft_id: int) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=500)
    try:
        report_id = int(str(form.get("report_id", "")))
    except ValueError:
        raise BadRequest("the form lacks the report number; reload the page and try again",
                         field="report_id") from None
    comment = str(form.get("comment", ""))
    comments = {key[3:]: str(value) for key, value in form.multi_items()
                if key.startswith("fc-") and str(value).strip()}
    judgements = {key[3:]: str(value) for key, value in form.multi_items()
                  if key.startswith("fj-") and str(value).strip()}
    decision = str(form.get("decision", ""))
    page = _list_page(str(form.get("page", "")))
    then_next = decision == "approve-next"
    decision = "approve" if then_next else decision
    typed = {"comment": comment, "finding_comments": comments}
    if decision == "reject" and form.get("confirm") != "reject":
        context = await run_in_threadpool(_context, request, me, draft_id, page)
        return render(request, "draft.html", {**context, "typed": typed,
                                              "confirm_reject": True})
    try:
        await run_in_threadpool(drafts.sign_off, _services(request), me, draft_id,
                                decision=decision, comment=comment, report_id=report_id,
                                finding_comments=comments, finding_judgements=judgements)
    except ServiceError as exc:
        # Back on the draft page, saying what was wrong, with what was typed kept.
        context = await run_in_threadpool(_context, request, me, draft_id, page)
        return render(request, "draft.html",
                      {**context, "typed": typed, "error": exc.localized(tr_of(request))},
                      status_code=exc.status)
    if then_next:
        following = await run_in_threadpool(draft_queries.next_waiting,
                                            _services(request).engine, me, draft_id)
        if following is not None:
            return RedirectResponse(f"/drafts/{following}", status_code=303)
        return RedirectResponse("/", status_code=303)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/rechecks/{recheck_id}/resolve")
async def recheck_form(request: Request, recheck_id: int) -> Any:
    """Keep or take down a published post from the queue page (the API's resolve, by form)."""
    me = _principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=10)
    await run_in_threadpool(rechecks.resolve, _services(request).engine, me, recheck_id,
                            str(form.get("decision", "")), str(form.get("comment", "")))
    return RedirectResponse("/", status_code=303)


__all__ = ["render_error", "router"]
