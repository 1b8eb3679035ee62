"""The JSON API under /api. Tokens go in ``Authorization: Bearer <token>``.

Endpoints are plain (sync) functions: screening is CPU work, so FastAPI runs them in its thread
pool. Every list is paginated with ``limit`` and ``offset`` and returns ``next_offset``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from . import audit, registry
from .access import check_read_account, readable_accounts, require
from .auth import ROLE_LABELS, Principal, Role, create_token, principal_for
from .auth import revoke as revoke_token_row
from .db import accounts, audit_log, people, read, tokens, units, write
from .errors import AuditError, BadRequest, ServiceError
from .workflow import Image, Workflow, page

router = APIRouter(prefix="/api")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def workflow(request: Request) -> Workflow:
    return request.app.state.workflow


def bearer(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    token = raw if scheme.lower() == "bearer" else ""
    with read(request.app.state.engine) as conn:
        return principal_for(conn, token)


Caller = Annotated[Principal, Depends(bearer)]
Flow = Annotated[Workflow, Depends(workflow)]


def paging(request: Request, limit: int | None = Query(None, ge=1, description="page size"),
           offset: int = Query(0, ge=0)) -> tuple[int, int]:
    config = request.app.state.config
    limit = limit or config.page_size
    if limit > config.max_page_size:
        raise BadRequest(f"limit is at most {config.max_page_size}", field="limit")
    return limit, offset


Paging = Annotated[tuple[int, int], Depends(paging)]


def _count_page(conn, query, limit: int, offset: int, shape) -> dict[str, Any]:
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.limit(limit).offset(offset)).all()
    return page([shape(r) for r in rows], total, limit, offset)


# -- who am I ---------------------------------------------------------------------------------
@router.get("/me", tags=["auth"], summary="The caller's person, role and accounts")
def me(p: Caller, request: Request) -> dict[str, Any]:
    with read(request.app.state.engine) as conn:
        allowed = readable_accounts(conn, p)
    return {"person_id": p.person_id, "name": p.name, "role": p.role,
            "role_label": ROLE_LABELS[p.role], "unit_id": p.unit_id, "token_id": p.token_id,
            "accounts": None if allowed is None else sorted(allowed)}


# -- units and people -------------------------------------------------------------------------
class UnitIn(Body):
    name: str = Field(min_length=1, max_length=200)


class PersonIn(Body):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["staff", "student", "external"]
    unit_id: int | None = None


@router.post("/units", tags=["registry"], status_code=201, summary="Register a unit (admin)")
def create_unit(body: UnitIn, p: Caller, request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="registering units")
    with write(request.app.state.engine) as conn:
        return registry.create_unit(conn, p.actor, body.name)


@router.get("/units", tags=["registry"], summary="List units (admin; a unit head sees theirs)")
def list_units(p: Caller, request: Request, paged: Paging) -> dict[str, Any]:
    require(p, Role.ADMIN, Role.UNIT_HEAD, doing="listing units")
    query = select(units).order_by(units.c.id)
    if p.role is Role.UNIT_HEAD:
        query = query.where(units.c.id == p.unit_id)
    with read(request.app.state.engine) as conn:
        return _count_page(conn, query, *paged, lambda r: {"id": r.id, "name": r.name})


@router.post("/people", tags=["registry"], status_code=201, summary="Register a person (admin)")
def create_person(body: PersonIn, p: Caller, request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="registering people")
    with write(request.app.state.engine) as conn:
        return registry.create_person(conn, p.actor, body.name, body.kind, body.unit_id)


@router.get("/people", tags=["registry"], summary="List people (admin)")
def list_people(p: Caller, request: Request, paged: Paging) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="listing people")
    with read(request.app.state.engine) as conn:
        return _count_page(conn, select(people).order_by(people.c.id), *paged,
                           lambda r: {"id": r.id, "name": r.name, "kind": r.kind,
                                      "unit_id": r.unit_id})


# -- accounts ---------------------------------------------------------------------------------
class AccountIn(Body):
    platform: Literal["wechat", "weibo", "other"]
    name: str = Field(min_length=1, max_length=200)
    unit_id: int
    opened_on: str | None = Field(None, description="YYYY-MM-DD; default today")


class StatusIn(Body):
    status: Literal["closing", "closed"]
    effective_on: str | None = Field(None, description="YYYY-MM-DD the account stopped/closed")


class RoleIn(Body):
    person_id: int
    role: Literal["first_responsible", "responsible", "operator"]
    effective_on: str | None = Field(None, description="YYYY-MM-DD the change took effect")


class EndRoleIn(Body):
    ended_on: str | None = Field(None, description="YYYY-MM-DD the person left the role")


@router.post("/accounts", tags=["registry"], status_code=201,
             summary="Register an account (admin); protected names (第二条) are flagged")
def create_account(body: AccountIn, p: Caller, request: Request, flow: Flow) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="registering accounts")
    with write(request.app.state.engine) as conn:
        return registry.create_account(conn, p.actor, flow.screener, platform=body.platform,
                                       name=body.name, unit_id=body.unit_id,
                                       opened_on=body.opened_on)


@router.get("/accounts", tags=["registry"], summary="List the accounts the caller may read")
def list_accounts(p: Caller, request: Request, paged: Paging) -> dict[str, Any]:
    require(p, Role.ADMIN, Role.UNIT_HEAD, Role.RESPONSIBLE, Role.OPERATOR,
            doing="reading accounts")
    with read(request.app.state.engine) as conn:
        query = select(accounts).order_by(accounts.c.id)
        allowed = readable_accounts(conn, p)
        if allowed is not None:
            query = query.where(accounts.c.id.in_(allowed))
        return _count_page(conn, query, *paged, registry.account_summary)


@router.get("/accounts/{account_id}", tags=["registry"],
            summary="An account with its people, dated history and late reports")
def get_account(account_id: int, p: Caller, request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, Role.UNIT_HEAD, Role.RESPONSIBLE, Role.OPERATOR,
            doing="reading accounts")
    with read(request.app.state.engine) as conn:
        check_read_account(conn, p, account_id)
        return registry.account_detail(conn, account_id)


@router.post("/accounts/{account_id}/status", tags=["registry"],
             summary="Mark an account closing or closed (admin, 第十四条)")
def set_status(account_id: int, body: StatusIn, p: Caller, request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="changing an account's status")
    with write(request.app.state.engine) as conn:
        return registry.set_status(conn, p.actor, account_id, body.status, body.effective_on)


@router.post("/accounts/{account_id}/roles", tags=["registry"], status_code=201,
             summary="Give a person a role on an account (admin, 第八条/第九条)")
def assign(account_id: int, body: RoleIn, p: Caller, request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="changing an account's people")
    with write(request.app.state.engine) as conn:
        return registry.assign(conn, p.actor, account_id, body.person_id, body.role,
                               body.effective_on)


@router.post("/accounts/{account_id}/roles/{assignment_id}/end", tags=["registry"],
             summary="End a person's role on an account (admin)")
def end_role(account_id: int, assignment_id: int, body: EndRoleIn, p: Caller,
             request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="changing an account's people")
    with write(request.app.state.engine) as conn:
        return registry.end_assignment(conn, p.actor, account_id, assignment_id, body.ended_on)


# -- tokens -----------------------------------------------------------------------------------
class TokenIn(Body):
    role: Literal["operator", "responsible", "unit_head", "maintainer", "admin"]
    person_id: int | None = None
    unit_id: int | None = None
    label: str = Field("", max_length=200)
    expires_in_days: int | None = Field(
        None, ge=1, le=3660, description="days until the token stops working; none: until "
                                         "revoked")


def _token_shape(r: Any) -> dict[str, Any]:
    return {"id": r.id, "person_id": r.person_id, "role": r.role, "unit_id": r.unit_id,
            "label": r.label, "created_at": r.created_at, "revoked_at": r.revoked_at,
            "expires_at": r.expires_at}


@router.post("/tokens", tags=["auth"], status_code=201,
             summary="Create a token (admin); the token is in this response only")
def new_token(body: TokenIn, p: Caller, request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="creating tokens")
    with write(request.app.state.engine) as conn:
        if body.person_id is not None:
            registry.get_person(conn, body.person_id)
        if body.unit_id is not None:
            registry.get_unit(conn, body.unit_id)
        token_id, raw = create_token(conn, role=Role(body.role), person_id=body.person_id,
                                     unit_id=body.unit_id, label=body.label,
                                     expires_in_days=body.expires_in_days)
        row = conn.execute(select(tokens).where(tokens.c.id == token_id)).one()
        audit.append(conn, p.actor, "token.create", f"token:{token_id}",
                     {"role": body.role, "person_id": body.person_id, "unit_id": body.unit_id,
                      "label": body.label, "expires_at": row.expires_at})
    return {**_token_shape(row), "token": raw}


@router.get("/tokens", tags=["auth"], summary="List tokens (admin); never the tokens themselves")
def list_tokens(p: Caller, request: Request, paged: Paging) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="listing tokens")
    with read(request.app.state.engine) as conn:
        return _count_page(conn, select(tokens).order_by(tokens.c.id), *paged, _token_shape)


@router.post("/tokens/{token_id}/revoke", tags=["auth"], summary="Revoke a token (admin)")
def revoke_token(token_id: int, p: Caller, request: Request) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="revoking tokens")
    with write(request.app.state.engine) as conn:
        return _token_shape(revoke_token_row(conn, p.actor, token_id))


# -- drafts -----------------------------------------------------------------------------------
class DraftIn(Body):
    account_id: int
    title: str = Field("", max_length=1_000_000)
    body: str = Field("", max_length=10_000_000)
    author: str = Field("", max_length=200)


class DraftEdit(Body):
    title: str = Field(max_length=1_000_000)
    body: str = Field(max_length=10_000_000)
    author: str | None = Field(None, max_length=200)


class SignoffIn(Body):
    decision: Literal["approve", "changes", "reject"]
    report_id: int = Field(description="the report the signer saw (binds the sign-off to it)")
    comment: str = Field("", max_length=20_000)
    finding_comments: dict[str, str] = Field(
        default_factory=dict, description="comments on findings, by index in the report")


_SUBMIT_DOC = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": DraftIn.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "required": ["account_id"],
                                           "properties": {
            "account_id": {"type": "integer"}, "title": {"type": "string"},
            "body": {"type": "string"}, "author": {"type": "string"},
            "file": {"type": "string", "format": "binary",
                     "description": "a draft file (.json, .txt, .md) instead of title/body"},
            "images": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
    }}}


RICH_UPLOADS = (".html", ".htm", ".docx")


def _rich(raw: bytes, name: str, suffix: str, flow: Workflow) -> tuple[Any, list[Image]]:
    """A WeChat HTML export or a .docx, with its embedded pictures.

    Only pictures carried inside the upload (``data:`` URIs, pictures in the .docx) are taken;
    a reference to any other file or URL is refused: the server never reads its own files or
    fetches a link on an uploader's behalf.
    """
    import tempfile
    from pathlib import Path

    from screener.errors import InputError
    from screener.ingest_rich import parse_rich_draft

    settings = flow.screener.settings
    inline = (Path(settings.home) / "cache" / "inline").resolve()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(raw)
        try:
            draft = parse_rich_draft(path, settings)
        except InputError as exc:  # named after the upload, not the server's temporary file
            raise BadRequest(f"{name!r}: {exc.problem}", field="file") from None
    images = []
    for ref in draft.images:
        local = Path(ref).resolve() if "://" not in ref and not ref.startswith("//") else None
        if local is None or local.parent != inline or not local.is_file():
            raise BadRequest(f"{name}: picture {ref[:200]!r} is not inside the file; upload it "
                             "as an image", field="file")
        images.append(Image(local.name, local.read_bytes()))
    return draft, images


async def _multipart(request: Request, flow: Workflow) -> tuple[DraftIn, list[Image]]:
    from screener.ingest import SUFFIXES, decode_utf8, parse_draft

    form = await request.form(max_files=flow.config.max_images_per_submission + 1,
                              max_fields=20,
                              max_part_size=4 * 1024 * 1024)
    fields: dict[str, Any] = {}
    images: list[Image] = []
    for key, value in form.multi_items():
        if isinstance(value, str):
            if key not in ("account_id", "title", "body", "author"):
                raise BadRequest(f"unknown form field {key!r}", field=key)
            fields[key] = value
        elif key == "images":
            images.append(Image(value.filename or "image", await value.read()))
        elif key == "file":
            name = value.filename or "draft"
            suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
            raw = await value.read()
            if suffix in RICH_UPLOADS:
                parsed, embedded = await run_in_threadpool(_rich, raw, name, suffix, flow)
                images.extend(embedded)
                fields.setdefault("title", parsed.title)
                fields.setdefault("body", parsed.body)
                continue
            if suffix not in SUFFIXES:
                raise BadRequest(f"draft file {name!r}: use one of "
                                 f"{', '.join((*SUFFIXES, *RICH_UPLOADS))}", field="file")
            parsed = parse_draft(decode_utf8(raw, name), name, suffix, flow.screener.settings)
            fields.setdefault("title", parsed.title)
            fields.setdefault("body", parsed.body)
            fields.setdefault("author", parsed.author)
        else:
            raise BadRequest(f"unexpected file field {key!r} (use 'images' or 'file')", field=key)
    if "account_id" not in fields:
        raise BadRequest("account_id is required", field="account_id")
    try:
        fields["account_id"] = int(fields["account_id"])
    except ValueError:
        raise BadRequest("account_id must be an integer", field="account_id") from None
    return DraftIn(**fields), images


@router.post("/drafts", tags=["drafts"], status_code=201, openapi_extra=_SUBMIT_DOC,
             summary="Submit a draft (operator): JSON, or multipart with images; screened now")
async def submit(request: Request, p: Caller, flow: Flow) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        draft, images = await _multipart(request, flow)
    elif kind == "application/json":
        raw = await request.body()
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the body is not UTF-8: byte 0x{raw[exc.start]:02x} at offset "
                             f"{exc.start}", field="body") from None
        except RecursionError:
            raise BadRequest("the body is not valid JSON: nested too deeply",
                             field="body") from None
        except ValueError:
            raise BadRequest("the body is not valid JSON", field="body") from None
        if not isinstance(data, dict):
            raise BadRequest("expected a JSON object", field="body")
        try:
            draft = DraftIn.model_validate(data)
        except ValueError as exc:
            err = exc.errors()[0]  # type: ignore[attr-defined]
            field = ".".join(str(x) for x in err["loc"]) or "body"
            raise BadRequest(f"{field}: {err['msg']}", field=field) from None
        images = []
    else:
        raise ServiceError("send application/json or multipart/form-data", field="content-type")
    return await run_in_threadpool(flow.submit, p, draft.account_id, draft.title, draft.body,
                                   draft.author, images)


@router.get("/drafts", tags=["drafts"], summary="Drafts of the caller's accounts")
def list_drafts(p: Caller, flow: Flow, paged: Paging, status: str | None = None,
                account_id: int | None = None) -> dict[str, Any]:
    require(p, Role.ADMIN, Role.UNIT_HEAD, Role.RESPONSIBLE, Role.OPERATOR,
            doing="reading drafts")
    return flow.listing(p, queue=False, status=status, account_id=account_id, limit=paged[0],
                        offset=paged[1])


@router.get("/queue", tags=["drafts"],
            summary="Drafts waiting for the caller's sign-off, blocked and review first")
def queue(p: Caller, flow: Flow, paged: Paging) -> dict[str, Any]:
    require(p, Role.RESPONSIBLE, Role.ADMIN, doing="the sign-off queue")
    return flow.listing(p, queue=True, status=None, account_id=None, limit=paged[0],
                        offset=paged[1])


@router.get("/drafts/{draft_id}", tags=["drafts"], summary="A draft, its report and sign-offs")
def get_draft(draft_id: int, p: Caller, flow: Flow) -> dict[str, Any]:
    require(p, Role.ADMIN, Role.UNIT_HEAD, Role.RESPONSIBLE, Role.OPERATOR,
            doing="reading drafts")
    return flow.get(p, draft_id)


@router.put("/drafts/{draft_id}", tags=["drafts"],
            summary="Edit a draft (operator): a new revision, screened again, signed off again")
def edit_draft(draft_id: int, body: DraftEdit, p: Caller, flow: Flow) -> dict[str, Any]:
    return flow.edit(p, draft_id, body.title, body.body, body.author)


@router.post("/drafts/{draft_id}/signoff", tags=["drafts"],
             summary="Approve, request changes or reject (the account's 具体负责人)")
def signoff(draft_id: int, body: SignoffIn, p: Caller, flow: Flow) -> dict[str, Any]:
    return flow.sign(p, draft_id, decision=body.decision, comment=body.comment,
                     report_id=body.report_id, finding_comments=body.finding_comments)


@router.post("/drafts/{draft_id}/publish", tags=["drafts"],
             summary="Mark an approved draft published (operator)")
def publish(draft_id: int, p: Caller, flow: Flow) -> dict[str, Any]:
    return flow.publish(p, draft_id)


# -- published posts a re-screening flagged -----------------------------------------------------
class RecheckIn(Body):
    decision: Literal["keep", "take_down"]
    comment: str = Field("", max_length=20_000, description="required to take a post down")


@router.post("/rechecks/{recheck_id}/resolve", tags=["drafts"],
             summary="Keep or take down a published post a re-screening flagged (the "
                     "account's 具体负责人; the dean's office for 第十三条)")
def resolve_recheck(recheck_id: int, body: RecheckIn, p: Caller,
                    request: Request) -> dict[str, Any]:
    from .rechecks import resolve

    return resolve(request.app.state.engine, p, recheck_id, body.decision, body.comment)


# -- audit ------------------------------------------------------------------------------------
@router.get("/audit", tags=["audit"], summary="The audit log, oldest first (admin)")
def audit_rows(p: Caller, request: Request, paged: Paging,
               subject: str | None = None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="reading the audit log")
    query = select(audit_log).order_by(audit_log.c.id)
    if subject:
        query = query.where(audit_log.c.subject == subject)
    with read(request.app.state.engine) as conn:
        return _count_page(conn, query, *paged, lambda r: {
            "id": r.id, "at": r.at, "actor": r.actor, "action": r.action,
            "subject": r.subject, "details": json.loads(r.details), "hash": r.hash})


@router.get("/audit/verify", tags=["audit"],
            summary="Verify the audit chain, and that every lexicon and asset change is in it "
                    "(admin)")
def audit_verify(p: Caller, request: Request, flow: Flow) -> dict[str, Any]:
    from .maintenance import unaudited

    require(p, Role.ADMIN, doing="verifying the audit log")
    with read(request.app.state.engine) as conn:
        try:
            head = audit.verify(conn)
        except AuditError as exc:
            return {"ok": False, "row": exc.row, "problem": exc.message}
        missing = unaudited(conn, flow.screener.settings)
    if missing:
        return {"ok": False, "row": None, "unaudited": missing,
                "problem": f"{len(missing)} lexicon or asset change(s) are not in the audit log"}
    return {"ok": True, "rows": head.rows, "head": head.hash}
