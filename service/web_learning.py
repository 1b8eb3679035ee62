"""The reviewers' and maintainers' forms for learning: report a category the tools missed (漏报)
on the draft page, put a model in force or roll it back on the maintainer's page. Each form
carries the CSRF value of the other pages' forms and calls the same use case as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from .errors import BadRequest
from .usecases import feedback, models
from .web import _checked_form, _principal, _services, _to_login

router = APIRouter(include_in_schema=False)


def _report_id(form: Any) -> int:
    try:
        return int(str(form.get("report_id", "")))
    except ValueError:
        raise BadRequest("表单缺少报告编号，请刷新页面后重试", field="report_id") from None


@router.post("/drafts/{draft_id}/missed")
async def missed_form(request: Request, draft_id: int) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=10)
    category = str(form.get("category", ""))
    if not category:
        raise BadRequest("请选择漏报的类别", field="category")
    await run_in_threadpool(feedback.report_missed, _services(request), me, draft_id,
                            report_id=_report_id(form), category=category,
                            text=str(form.get("text", "")), comment=str(form.get("comment", "")))
    return RedirectResponse(f"/drafts/{draft_id}#missed", status_code=303)


def _reason(form: Any) -> str:
    reason = str(form.get("reason", "")).strip()
    if not reason:
        raise BadRequest("请写明理由：启用或回退哪个模型、为什么，都记入审计日志", field="reason")
    return reason


@router.post("/models/{version}/promote")
async def promote_form(request: Request, version: str) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=5)
    await run_in_threadpool(models.promote, _services(request), me, version, _reason(form))
    return RedirectResponse("/#models", status_code=303)


@router.post("/models/rollback")
async def rollback_form(request: Request) -> Any:
    me = _principal(request)
    if me is None:
        return _to_login()
    form = await _checked_form(request, max_fields=5)
    await run_in_threadpool(models.rollback, _services(request), me, _reason(form))
    return RedirectResponse("/#models", status_code=303)
