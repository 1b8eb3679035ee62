"""The JSON API under /api. Tokens go in ``Authorization: Bearer <token>``.

Each route parses its input (path, query, a ``schemas`` body or an upload), calls one use case
(a change: ``usecases``) or one query (``queries``) and returns what it gives. Endpoints are
plain (sync) functions: screening is CPU work, so FastAPI runs them in its thread pool. Every
list is paginated with ``limit`` and ``offset`` and returns ``next_offset``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from .auth import Principal
from .context import Services
from .errors import BadRequest
from .queries import audit as audit_queries
from .queries import drafts as draft_queries
from .queries import registry as registry_queries
from .queries import tokens as token_queries
from .schemas import (
    SUBMIT_DOC,
    AccountIn,
    DraftEdit,
    EndRoleIn,
    PersonIn,
    RecheckIn,
    RoleIn,
    SignoffIn,
    StatusIn,
    TokenIn,
    UnitIn,
)
from .uploads import submission
from .usecases import drafts, rechecks, registry, tokens

router = APIRouter(prefix="/api")


def services(request: Request) -> Services:
    return request.app.state.services


def bearer(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    token = raw if scheme.lower() == "bearer" else ""
    return token_queries.principal(services(request).engine, token)


Caller = Annotated[Principal, Depends(bearer)]
Svc = Annotated[Services, Depends(services)]


def paging(request: Request, limit: int | None = Query(None, ge=1, description="page size"),
           offset: int = Query(0, ge=0)) -> tuple[int, int]:
    config = services(request).config
    limit = limit or config.page_size
    if limit > config.max_page_size:
        raise BadRequest("limit is at most {most}", field="limit", most=config.max_page_size)
    return limit, offset


Paging = Annotated[tuple[int, int], Depends(paging)]


# -- who am I ---------------------------------------------------------------------------------
@router.get("/me", tags=["auth"], summary="The caller's person, role and accounts")
def me(p: Caller, svc: Svc) -> dict[str, Any]:
    return token_queries.me(svc.engine, p)


# -- units and people -------------------------------------------------------------------------
@router.post("/units", tags=["registry"], status_code=201, summary="Register a unit (admin)")
def create_unit(body: UnitIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return registry.create_unit(svc.engine, p, body.name)


@router.get("/units", tags=["registry"], summary="List units (admin; a unit head sees theirs)")
def list_units(p: Caller, svc: Svc, paged: Paging) -> dict[str, Any]:
    return registry_queries.list_units(svc.engine, p, *paged)


@router.post("/people", tags=["registry"], status_code=201, summary="Register a person (admin)")
def create_person(body: PersonIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return registry.create_person(svc.engine, p, body.name, body.kind, body.unit_id)


@router.get("/people", tags=["registry"], summary="List people (admin)")
def list_people(p: Caller, svc: Svc, paged: Paging) -> dict[str, Any]:
    return registry_queries.list_people(svc.engine, p, *paged)


# -- accounts ---------------------------------------------------------------------------------
@router.post("/accounts", tags=["registry"], status_code=201,
             summary="Register an account (admin); protected names (第二条) are flagged")
def create_account(body: AccountIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return registry.create_account(svc.engine, p, svc.screener, platform=body.platform,
                                   name=body.name, unit_id=body.unit_id,
                                   opened_on=body.opened_on)


@router.get("/accounts", tags=["registry"], summary="List the accounts the caller may read")
def list_accounts(p: Caller, svc: Svc, paged: Paging) -> dict[str, Any]:
    return registry_queries.list_accounts(svc.engine, p, *paged)


@router.get("/accounts/{account_id}", tags=["registry"],
            summary="An account with its people, dated history and late reports")
def get_account(account_id: int, p: Caller, svc: Svc) -> dict[str, Any]:
    return registry_queries.show_account(svc.engine, p, account_id)


@router.post("/accounts/{account_id}/status", tags=["registry"],
             summary="Mark an account closing or closed (admin, 第十四条)")
def set_status(account_id: int, body: StatusIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return registry.set_status(svc.engine, p, account_id, body.status, body.effective_on,
                               body.result)


@router.post("/accounts/{account_id}/roles", tags=["registry"], status_code=201,
             summary="Give a person a role on an account (admin, 第八条/第九条)")
def assign(account_id: int, body: RoleIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return registry.assign(svc.engine, p, account_id, body.person_id, body.role,
                           body.effective_on)


@router.post("/accounts/{account_id}/roles/{assignment_id}/end", tags=["registry"],
             summary="End a person's role on an account (admin)")
def end_role(account_id: int, assignment_id: int, body: EndRoleIn, p: Caller,
             svc: Svc) -> dict[str, Any]:
    return registry.end_assignment(svc.engine, p, account_id, assignment_id, body.ended_on)


# -- tokens -----------------------------------------------------------------------------------
@router.post("/tokens", tags=["auth"], status_code=201,
             summary="Create a token (admin); the token is in this response only")
def new_token(body: TokenIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return tokens.create_token(svc.engine, p, role=body.role, person_id=body.person_id,
                               unit_id=body.unit_id, label=body.label,
                               expires_in_days=body.expires_in_days)


@router.get("/tokens", tags=["auth"], summary="List tokens (admin); never the tokens themselves")
def list_tokens(p: Caller, svc: Svc, paged: Paging) -> dict[str, Any]:
    return token_queries.listing(svc.engine, p, *paged)


@router.post("/tokens/{token_id}/revoke", tags=["auth"], summary="Revoke a token (admin)")
def revoke_token(token_id: int, p: Caller, svc: Svc) -> dict[str, Any]:
    return tokens.revoke_token(svc.engine, p, token_id)


# -- drafts -----------------------------------------------------------------------------------
@router.post("/drafts", tags=["drafts"], status_code=201, openapi_extra=SUBMIT_DOC,
             summary="Submit a draft (operator): JSON, or multipart with images; screened now")
async def submit(request: Request, p: Caller, svc: Svc) -> dict[str, Any]:
    draft, images = await submission(request, svc.settings, svc.config.max_images_per_submission)
    return await run_in_threadpool(drafts.submit, svc, p, draft.account_id, draft.title,
                                   draft.body, draft.author, images)


@router.get("/drafts", tags=["drafts"], summary="Drafts of the caller's accounts")
def list_drafts(p: Caller, svc: Svc, paged: Paging, status: str | None = None,
                account_id: int | None = None) -> dict[str, Any]:
    return draft_queries.listing(svc.engine, p, queue=False, status=status,
                                 account_id=account_id, limit=paged[0], offset=paged[1])


@router.get("/queue", tags=["drafts"],
            summary="Drafts waiting for the caller's sign-off, blocked and review first")
def queue(p: Caller, svc: Svc, paged: Paging) -> dict[str, Any]:
    return draft_queries.listing(svc.engine, p, queue=True, status=None, account_id=None,
                                 limit=paged[0], offset=paged[1])


@router.get("/drafts/{draft_id}", tags=["drafts"], summary="A draft, its report and sign-offs")
def get_draft(draft_id: int, p: Caller, svc: Svc) -> dict[str, Any]:
    return draft_queries.read_draft(svc.engine, p, draft_id)


@router.put("/drafts/{draft_id}", tags=["drafts"],
            summary="Edit a draft (operator): a new revision, screened again, signed off again")
def edit_draft(draft_id: int, body: DraftEdit, p: Caller, svc: Svc) -> dict[str, Any]:
    return drafts.edit(svc, p, draft_id, body.title, body.body, body.author)


@router.post("/drafts/{draft_id}/signoff", tags=["drafts"],
             summary="Approve, request changes or reject (the account's 具体负责人)")
def signoff(draft_id: int, body: SignoffIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return drafts.sign_off(svc, p, draft_id, decision=body.decision, comment=body.comment,
                           report_id=body.report_id, finding_comments=body.finding_comments,
                           finding_judgements=body.finding_judgements)


@router.post("/drafts/{draft_id}/publish", tags=["drafts"],
             summary="Mark an approved draft published (operator)")
def publish(draft_id: int, p: Caller, svc: Svc) -> dict[str, Any]:
    return drafts.publish(svc, p, draft_id)


# -- published posts a re-screening flagged -----------------------------------------------------
@router.post("/rechecks/{recheck_id}/resolve", tags=["drafts"],
             summary="Keep or take down a published post a re-screening flagged (the "
                     "account's 具体负责人; the dean's office for 第十三条)")
def resolve_recheck(recheck_id: int, body: RecheckIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return rechecks.resolve(svc.engine, p, recheck_id, body.decision, body.comment)


# -- audit ------------------------------------------------------------------------------------
@router.get("/audit", tags=["audit"], summary="The audit log, oldest first (admin)")
def audit_rows(p: Caller, svc: Svc, paged: Paging, subject: str | None = None) -> dict[str, Any]:
    return audit_queries.rows(svc.engine, p, *paged, subject=subject)


@router.get("/audit/verify", tags=["audit"],
            summary="Verify the audit chain, and that every lexicon and asset change is in it "
                    "(admin)")
def audit_verify(p: Caller, svc: Svc) -> dict[str, Any]:
    return audit_queries.verify(svc.engine, p, svc.settings)
