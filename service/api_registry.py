"""The API of the account's life under the rule: applications and the 党政联席会's decision
(第五条/第六条), the units' priority orders, activity and inactive accounts (第七条), password
keepers and changes (the first 第十一条), violation records and their report (第十五条).

Like ``api``: each route parses, calls one use case or query, and returns what it gives.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from .api import Caller, Paging, Svc
from .queries import applications as application_queries
from .queries import passwords as password_queries
from .queries import violations as violation_queries
from .schemas import (
    APPLICATION_DOC,
    ApproveIn,
    IntervalIn,
    KeeperIn,
    PasswordChangeIn,
    PriorityIn,
    RejectIn,
    ViolationDecisionIn,
    ViolationIn,
)
from .uploads import application_upload
from .usecases import applications, passwords, violations

router = APIRouter(prefix="/api")


# -- applications (第五条/第六条) ---------------------------------------------------------------
@router.post("/applications", tags=["registry"], status_code=201, openapi_extra=APPLICATION_DOC,
             summary="Apply for a new account (the unit's 第一责任人 or admin), with the 审批表 "
                     "and the 保密及不侵权承诺书")
async def apply(request: Request, p: Caller, svc: Svc) -> dict[str, Any]:
    fields, files = await application_upload(request, svc.config.max_document_bytes)
    return await run_in_threadpool(
        applications.apply, svc, p, unit_id=int(fields["unit_id"]),
        platform=fields["platform"], name=fields["name"], purpose=fields.get("purpose", ""),
        operating_plan=fields.get("operating_plan", ""),
        justification=fields.get("justification", ""), files=files)


@router.get("/applications", tags=["registry"],
            summary="Applications (admin; a unit head sees the unit's): applied, approved, "
                    "rejected")
def list_applications(p: Caller, svc: Svc, paged: Paging,
                      status: str | None = Query(None, pattern="^(applied|approved|rejected)$")
                      ) -> dict[str, Any]:
    return application_queries.list_applications(svc.engine, p, status, *paged)


@router.get("/applications/{account_id}", tags=["registry"],
            summary="An application with its files and decision")
def show_application(account_id: int, p: Caller, svc: Svc) -> dict[str, Any]:
    return application_queries.show_application(svc.engine, p, account_id)


@router.get("/applications/{account_id}/documents/{document_id}", tags=["registry"],
            summary="A file of an application (admin, the unit's head)")
def document(account_id: int, document_id: int, p: Caller, svc: Svc) -> FileResponse:
    path, name, media = application_queries.document_path(
        svc.engine, p, account_id, document_id, svc.config.upload_dir / "documents")
    return FileResponse(path, media_type=media, filename=name,
                        headers={"X-Content-Type-Options": "nosniff"})


@router.post("/applications/{account_id}/approve", tags=["registry"],
             summary="Record the 党政联席会's approval: date and the two signatories (admin)")
def approve(account_id: int, body: ApproveIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return applications.approve(svc.engine, p, account_id, decided_on=body.decided_on,
                                party_signatory=body.party_signatory,
                                admin_signatory=body.admin_signatory,
                                opened_on=body.opened_on, note=body.note)


@router.post("/applications/{account_id}/reject", tags=["registry"],
             summary="Record that the 党政联席会 did not approve the account (admin)")
def reject(account_id: int, body: RejectIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return applications.reject(svc.engine, p, account_id, decided_on=body.decided_on,
                               reason=body.reason)


# -- priority order and activity (第七条) -------------------------------------------------------
@router.put("/units/{unit_id}/priority", tags=["registry"],
            summary="Set the unit's 账号优先顺序表 (the unit's head or admin)")
def set_priority(unit_id: int, body: PriorityIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return applications.set_priority(svc.engine, p, unit_id, body.accounts)


@router.get("/units/{unit_id}/accounts", tags=["registry"],
            summary="The unit's accounts in priority order, with their activity")
def unit_accounts(unit_id: int, p: Caller, svc: Svc) -> dict[str, Any]:
    return application_queries.unit_accounts(svc.engine, p, unit_id)


@router.get("/registry/inactive", tags=["registry"],
            summary="Accounts without a post for the set period, for 注销 review")
def inactive(p: Caller, svc: Svc, days: int | None = Query(None, ge=1, le=3650),
             unit_id: int | None = None) -> dict[str, Any]:
    return application_queries.inactive(svc.engine, p, days or svc.config.inactive_days,
                                        unit_id)


# -- password duties (the first 第十一条) ---------------------------------------------------------
@router.get("/accounts/{account_id}/password", tags=["registry"],
            summary="Who keeps the account's password, when it last changed (never the password)")
def password(account_id: int, p: Caller, svc: Svc) -> dict[str, Any]:
    return password_queries.security(svc.engine, p, account_id,
                                     svc.config.password_interval_days)


@router.post("/accounts/{account_id}/password/keeper", tags=["registry"],
             summary="Name the password's keeper (the unit's head or admin)")
def set_keeper(account_id: int, body: KeeperIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return passwords.set_keeper(svc.engine, p, account_id, body.person_id, body.effective_on)


@router.post("/accounts/{account_id}/password/changes", tags=["registry"],
             summary="Record that the password was changed (its keeper, the unit's head, admin)")
def password_changed(account_id: int, body: PasswordChangeIn, p: Caller,
                     svc: Svc) -> dict[str, Any]:
    return passwords.record_change(svc.engine, p, account_id, body.changed_on)


@router.put("/accounts/{account_id}/password/interval", tags=["registry"],
            summary="The unit's interval between password changes (the unit's head or admin)")
def password_interval(account_id: int, body: IntervalIn, p: Caller,
                      svc: Svc) -> dict[str, Any]:
    return passwords.set_interval(svc.engine, p, account_id, body.days)


@router.get("/registry/password-overdue", tags=["registry"],
            summary="Accounts whose password change is overdue, or that have no keeper")
def password_overdue(p: Caller, svc: Svc, unit_id: int | None = None) -> dict[str, Any]:
    return password_queries.overdue(svc.engine, p, svc.config.password_interval_days, unit_id)


# -- violations (第十五条) ----------------------------------------------------------------------
@router.post("/violations", tags=["registry"], status_code=201,
             summary="Record a published post found in breach (admin)")
def record_violation(body: ViolationIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return violations.record(svc.engine, p, article=body.article, description=body.description,
                             draft_id=body.draft_id, account_id=body.account_id,
                             post_key=body.post, title=body.title,
                             published_on=body.published_on)


@router.post("/violations/{violation_id}/decision", tags=["registry"],
             summary="Record what was decided: 通报批评, 暂停申办资格, referral (admin)")
def decide_violation(violation_id: int, body: ViolationDecisionIn, p: Caller,
                     svc: Svc) -> dict[str, Any]:
    return violations.decide(svc.engine, p, violation_id, criticized=body.criticized,
                             suspended_until=body.suspended_until, referred=body.referred,
                             decided_on=body.decided_on, note=body.note)


@router.get("/violations", tags=["registry"],
            summary="Violations per unit and period (admin; a unit head sees the unit's)")
def violation_report(p: Caller, svc: Svc, unit_id: int | None = None,
                     date_from: str | None = Query(None, alias="from"),
                     date_to: str | None = Query(None, alias="to")) -> dict[str, Any]:
    return violation_queries.report(svc.engine, p, unit_id=unit_id, date_from=date_from,
                                    date_to=date_to)
