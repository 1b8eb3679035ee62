"""The reviewer's pages: the queue, a draft with its findings marked and its pictures (a
matched bank asset beside the picture that copies it), the sign-off form, and a printable report
with the signature block for the paper file; the maintainer's overview page. Pictures are served
by routes that check the log-in session, never by file path.

Who is on the page is the log-in session (``pagesession.page_principal``; log-in and log-out are
in ``login``); every form carries the session's CSRF value, so another site cannot post a
sign-off in the reviewer's name.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from .api_maintenance import asset_picture, draft_picture
from .auth import ROLE_LABELS, Principal, Role
from .context import Services
from .errors import Forbidden
from .highlight import highlight
from .pagesession import check_csrf, csrf_value, page_principal, signed_in
from .queries import assets as asset_queries
from .queries import drafts as draft_queries
from .queries import learning as learning_queries
from .queries import lexicon as lexicon_queries
from .templating import templates
from .usecases import drafts, rechecks

router = APIRouter(include_in_schema=False)

CATEGORY_LABELS = {
    "confidential": "涉密", "illegal": "违法", "unhealthy": "不健康", "commercial": "商业",
    "major_news": "重大事项", "protected_name": "学校名称", "copyright": "著作权",
    "emblem": "校徽标识", "stage_error": "需人工检查", "contact": "联系方式（提示）",
    "personal_info": "个人信息", "hidden_text": "隐藏字符",
}
VERDICT_LABELS = {"pass": "通过", "review": "需审核", "block": "拦截"}
STATUS_LABELS = {"pending": "待签发", "approved": "已批准", "changes_requested": "需修改",
                 "rejected": "已退回", "published": "已发布"}
ASSET_KINDS = ("copyright", "emblem")
DECISION_LABELS = {"approve": "批准发布", "changes": "要求修改", "reject": "退回"}
# What a reviewer may report missed (漏报): the content categories.
MISSABLE = ("commercial", "confidential", "major_news", "illegal", "unhealthy")
templates.env.globals.update(CATEGORY_LABELS=CATEGORY_LABELS, VERDICT_LABELS=VERDICT_LABELS,
                             STATUS_LABELS=STATUS_LABELS, DECISION_LABELS=DECISION_LABELS,
                             ROLE_LABELS=ROLE_LABELS, MISSABLE=MISSABLE)


def _services(request: Request) -> Services:
    return request.app.state.services


_principal = page_principal


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"status": status,
                                                              "message": message, "me": None},
                                      status_code=status)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, offset: int = 0) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    svc = _services(request)
    queue = me.role in (Role.RESPONSIBLE, Role.ADMIN)
    if me.role is Role.MAINTAINER:
        return _maintainer_home(request, me)
    listing = draft_queries.listing(svc.engine, me, queue=queue, status=None, account_id=None,
                                    limit=svc.config.page_size, offset=max(0, offset))
    return templates.TemplateResponse(request, "queue.html",
                                      {"me": me, "listing": listing, "queue": queue,
                                       "csrf": csrf_value(request)})


def _maintainer_home(request: Request, me: Principal) -> HTMLResponse:
    """The maintainer's page: the lexicon in force, its latest changes, the asset bank, the
    reviewers' feedback and the models (promote with a reason). Changes go through the API, the
    CLI or this page's forms, which record them in the audit log."""
    svc = _services(request)
    lexicon = lexicon_queries.state(svc, me)
    assets = asset_queries.every_asset(svc, me)
    return templates.TemplateResponse(request, "maintain.html", {
        "me": me, "lexicon": lexicon, "assets": assets,
        "feedback": learning_queries.feedback_summary(svc, me),
        "models": learning_queries.models(svc, me),
        "csrf": csrf_value(request)})


def _context(request: Request, me: Principal, draft_id: int) -> dict[str, Any]:
    found = draft_queries.review_page(_services(request).engine, me, draft_id)
    draft, responsible = found["draft"], found["responsible"]
    findings = draft["report"]["findings"] if draft["report"] else []
    indexed = list(enumerate(findings))
    can_sign = found["signer"] and draft["status"] == "pending"
    why_not = found["refusal"]
    if found["signer"] and not can_sign:
        why_not = f"草稿状态为「{STATUS_LABELS.get(draft['status'], draft['status'])}」"
    stage = draft.get("picture_screening")
    if can_sign and stage and not stage["complete"]:
        can_sign = False
        why_not = (f"图片检查尚未完成（已检查 {stage['done']}/{stage['total']} 张），"
                   "报告完整后才能签发")
    texts = {"title": draft["title"], "body": draft["body"]}
    pictures = _pictures(draft, indexed)
    evidence = []
    for i, f in indexed:
        for e in f.get("evidence", []):
            snippets = [texts[field][start:end] for field, start, end in e["spans"]
                        if field in texts][:3]
            evidence.append({"finding": i, "category": f["category"], "feature": e["feature"],
                             "weight": e["weight"], "snippets": snippets})
    return {
        "me": me, "draft": draft, "findings": indexed,
        "title_html": highlight(draft["title"], [(i, f) for i, f in indexed
                                                 if f["field"] == "title"]),
        "body_html": highlight(draft["body"], [(i, f) for i, f in indexed
                                               if f["field"] == "body"]),
        "evidence": evidence, "can_sign": can_sign, "why_not": why_not, "pictures": pictures,
        "csrf": csrf_value(request), "responsible": responsible,
        "current_signoff": next((s for s in reversed(draft["signoffs"]) if s["current"]), None),
        "can_report_missed": found["signer"] and draft["report"] is not None,
        "missed": learning_queries.missed_on(_services(request), draft_id),
    }


_ASSET_TERM = re.compile(r"^asset (\d+): (.*)$", re.S)


def _pictures(draft: dict[str, Any], indexed: list[tuple[int, dict]]) -> list[dict[str, Any]]:
    """Each submitted picture, with the bank assets it matched to show beside it."""
    pictures = []
    for number, image in enumerate(draft["images"]):
        matches = []
        for i, f in indexed:
            found = _ASSET_TERM.match(f["term"] or "")
            if f["field"] == f"image:{number}" and found and f["category"] in ASSET_KINDS:
                matches.append({"finding": i, "category": f["category"],
                                "asset_id": int(found.group(1)), "title": found.group(2),
                                "url": f"/assets/{found.group(1)}/image"})
        pictures.append({"index": number, "name": image["name"], "sha256": image["sha256"],
                         "url": f"/drafts/{draft['id']}/images/{number}", "matches": matches})
    return pictures


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
    return templates.TemplateResponse(request, "draft.html", _context(request, me, draft_id))


@router.get("/drafts/{draft_id}/print", response_class=HTMLResponse)
def print_page(request: Request, draft_id: int) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    return templates.TemplateResponse(request, "print.html", _context(request, me, draft_id))


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
        raise Forbidden("表单缺少报告编号，请刷新页面后重试") from None
    comments = {key[3:]: str(value) for key, value in form.multi_items()
                if key.startswith("fc-") and str(value).strip()}
    judgements = {key[3:]: str(value) for key, value in form.multi_items()
                  if key.startswith("fj-") and str(value).strip()}
    await run_in_threadpool(drafts.sign_off, _services(request), me, draft_id,
                            decision=str(form.get("decision", "")),
                            comment=str(form.get("comment", "")), report_id=report_id,
                            finding_comments=comments, finding_judgements=judgements)
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
