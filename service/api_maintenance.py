"""The maintainers' API: the lexicon and the asset bank, and the pictures reviewers look at.

Changes are for the 词库维护人 (maintainer) alone; the dean's office may read what is in force.
Each change goes to the screener's own store, then to the audit log (``maintenance``), and the
running screener is reloaded before the response, so the next draft is screened with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import Field, field_validator

from screener.errors import AssetError

from .access import check_read_draft, require
from .api import Body, Caller, Flow, Paging
from .auth import Principal, Role
from .db import read, write
from .errors import BadRequest, NotFound
from .maintenance import (
    MEDIA_TYPES,
    asset_file,
    record_asset,
    record_lexicon,
    save_image,
)
from .workflow import Workflow, page

router = APIRouter(prefix="/api")

CHANGERS = (Role.MAINTAINER,)
READERS = (Role.MAINTAINER, Role.ADMIN)
ALL_ROLES = tuple(Role)


def _who(p: Principal, reason: str):
    from screener.lexicon.maintain import Who

    return Who(f"{p.name} [{p.actor}]", reason.strip())


def _published(request: Request, p: Principal, flow: Workflow, change) -> dict[str, Any]:
    if change is None:
        return {"changed": False, "version": flow.screener.lexicon_version,
                "summary": "nothing changed: the lexicon already says so"}
    with write(request.app.state.engine) as conn:
        audit_id = record_lexicon(conn, p.actor, change)
    # Before answering: the maintainer's next test draft must already see the change.
    version = flow.screener.reload()
    return {"changed": True, "version": version, "seq": change.seq, "summary": change.summary,
            "audit_id": audit_id}


# -- lexicon ------------------------------------------------------------------------------------
def _clean_term(term: str) -> str:
    # An unpaired surrogate cannot be stored or hashed as UTF-8 (the lexicon store would fail
    # half-way); control characters are never part of a term someone could see.
    try:
        term.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a term must be valid Unicode text (no unpaired surrogates)") from None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in term):
        raise ValueError("a term must not contain control characters")
    return term


Category = Literal["confidential", "commercial", "illegal", "unhealthy", "major_news",
                   "protected_name"]


class TermsIn(Body):
    terms: list[str] = Field(min_length=1, max_length=1000)

    @field_validator("terms")
    @classmethod
    def _terms(cls, terms: list[str]) -> list[str]:
        return [_clean_term(t) for t in terms]

    category: Category
    severity: Literal["review", "block"] | None = None
    article: str | None = Field(None, max_length=100)
    boundary: bool | None = None  # None: the default (two Chinese characters: yes)
    fillers: bool = False
    reason: str = Field("", max_length=2000)


class TermEdit(Body):
    # Not 'allow': turning a flagged term into an allow-list phrase is not an edit.
    category: Category | None = None
    severity: Literal["review", "block"] | None = None
    article: str | None = Field(None, max_length=100)
    boundary: bool | None = None
    fillers: bool | None = None
    from_category: str | None = Field(None, max_length=40)
    reason: str = Field("", max_length=2000)


class RetireIn(Body):
    category: str | None = Field(None, max_length=40)
    reason: str = Field(min_length=1, max_length=2000,
                        description="why the term stops firing (required, recorded)")


def _path_term(term: str) -> str:
    try:
        return _clean_term(term)
    except ValueError as exc:
        raise BadRequest(str(exc), field="term") from None


@router.get("/lexicon", tags=["lexicon"],
            summary="The lexicon version in force, its size and the latest changes")
def lexicon_state(p: Caller, flow: Flow) -> dict[str, Any]:
    require(p, *READERS, doing="reading the lexicon")
    from screener.lexicon import current_entries, store_for
    from screener.lexicon.compiled import format_version

    settings = flow.screener.settings
    entries = current_entries(settings)
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.category] = counts.get(e.category, 0) + 1
    changes = store_for(settings).changes(20)
    return {"version": flow.screener.lexicon_version, "entries": len(entries),
            "by_category": counts,
            "changes": [{"seq": c.seq, "version": format_version(c.seq, c.content), "at": c.at,
                         "by": c.by, "reason": c.reason, "action": c.action,
                         "summary": c.summary} for c in changes]}


@router.get("/lexicon/terms", tags=["lexicon"], summary="Terms in force (maintainer, admin)")
def lexicon_terms(p: Caller, flow: Flow, paged: Paging, category: str | None = None,
                  q: str | None = None) -> dict[str, Any]:
    require(p, *READERS, doing="reading the lexicon")
    from screener.lexicon import current_entries

    found = [e for e in current_entries(flow.screener.settings)
             if (category is None or e.category == category) and (not q or q in e.term)]
    limit, offset = paged
    items = [{"term": e.term, "category": e.category,
              "severity": None if e.is_allow else str(e.severity), "article": e.article,
              "boundary": e.boundary, "fillers": e.fillers, "source": e.source}
             for e in found[offset:offset + limit]]
    return page(items, len(found), limit, offset)


@router.post("/lexicon/terms", tags=["lexicon"], status_code=201,
             summary="Add terms (maintainer): one new version, in force for the next draft")
def lexicon_add(body: TermsIn, p: Caller, flow: Flow, request: Request) -> dict[str, Any]:
    require(p, *CHANGERS, doing="changing the lexicon")
    from screener.lexicon.maintain import add_terms

    change = add_terms(flow.screener.settings, body.terms, body.category, _who(p, body.reason),
                       severity=body.severity, article=body.article, boundary=body.boundary,
                       fillers=body.fillers)
    return _published(request, p, flow, change)


# ``:path``: a term may hold a slash (``A/B``), sent as is or as %2F.
@router.patch("/lexicon/terms/{term:path}", tags=["lexicon"],
              summary="Change a term's category, severity, article or boundary (maintainer)")
def lexicon_edit(term: str, body: TermEdit, p: Caller, flow: Flow,
                 request: Request) -> dict[str, Any]:
    require(p, *CHANGERS, doing="changing the lexicon")
    from screener.lexicon.maintain import edit_term

    term = _path_term(term)
    change = edit_term(flow.screener.settings, term, _who(p, body.reason),
                       category=body.category, severity=body.severity, article=body.article,
                       boundary=body.boundary, from_category=body.from_category,
                       fillers=body.fillers)
    return _published(request, p, flow, change)


@router.post("/lexicon/terms/{term:path}/retire", tags=["lexicon"],
             summary="Retire a term (maintainer); its history is kept")
def lexicon_retire(term: str, body: RetireIn, p: Caller, flow: Flow,
                   request: Request) -> dict[str, Any]:
    require(p, *CHANGERS, doing="changing the lexicon")
    from screener.lexicon.maintain import retire_terms

    term = _path_term(term)
    change = retire_terms(flow.screener.settings, [term], _who(p, body.reason), body.category)
    return _published(request, p, flow, change)


# -- assets -------------------------------------------------------------------------------------
def _bank(request: Request, flow: Workflow):
    bank = getattr(request.app.state, "asset_bank", None)
    if bank is None:
        from screener.images.bank import AssetBank
        from screener.images.config import assets_url, image_config

        settings = flow.screener.settings
        bank = request.app.state.asset_bank = AssetBank(assets_url(settings),
                                                        image_config(settings))
    return bank


def _asset(bank, asset_id: int):
    try:
        return bank.get(asset_id)
    except AssetError:
        raise NotFound(f"no asset with id {asset_id}", field="asset_id") from None


def _asset_shape(a) -> dict[str, Any]:
    return {**a.to_dict(), "image_url": f"/api/assets/{a.id}/image"}


class RetireAssetIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/assets", tags=["assets"], summary="The asset bank (maintainer, admin)")
def assets_list(p: Caller, flow: Flow, request: Request, paged: Paging,
                include_retired: bool = False) -> dict[str, Any]:
    require(p, *READERS, doing="reading the asset bank")
    rows = _bank(request, flow).list_assets(include_retired=include_retired)
    limit, offset = paged
    return page([_asset_shape(a) for a in rows[offset:offset + limit]], len(rows), limit,
                offset)


_UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["image"], "properties": {
        "image": {"type": "string", "format": "binary"},
        "kind": {"type": "string", "enum": ["copyright", "emblem"]},
        "title": {"type": "string"}, "owner": {"type": "string"},
        "license": {"type": "string"}, "source": {"type": "string"}}}}}}}
_ASSET_FIELDS = ("kind", "title", "owner", "license", "source")


@router.post("/assets", tags=["assets"], status_code=201, openapi_extra=_UPLOAD_DOC,
             summary="Register a picture in the bank (maintainer, multipart upload)")
async def assets_add(request: Request, p: Caller, flow: Flow) -> dict[str, Any]:
    from fastapi.concurrency import run_in_threadpool

    require(p, *CHANGERS, doing="changing the asset bank")
    if request.headers.get("content-type", "").split(";")[0].strip() != "multipart/form-data":
        raise BadRequest("upload the picture as multipart/form-data", field="image")
    form = await request.form(max_files=1, max_fields=10, max_part_size=64 * 1024)
    fields: dict[str, str] = {}
    upload = None
    for key, value in form.multi_items():
        if isinstance(value, str):
            if key not in _ASSET_FIELDS:
                raise BadRequest(f"unknown form field {key!r}", field=key)
            fields[key] = value[:500]
        elif key == "image":
            upload = (value.filename or "asset", await value.read())
        else:
            raise BadRequest(f"unexpected file field {key!r} (use 'image')", field=key)
    if upload is None:
        raise BadRequest("no picture: send it in the 'image' field", field="image")
    return await run_in_threadpool(_add_asset, request, p, flow, upload, fields)


def _add_asset(request: Request, p: Principal, flow: Workflow, upload: tuple[str, bytes],
               fields: dict[str, str]) -> dict[str, Any]:
    from .maintenance import asset_files

    name, data = upload
    kind = fields.get("kind", "copyright")
    if kind not in ("copyright", "emblem"):
        raise BadRequest("kind must be copyright or emblem", field="kind")
    stored = save_image(asset_files(flow.screener.settings), name, data,
                        flow.config.max_image_bytes, "image")
    bank = _bank(request, flow)
    added = bank.add(Path(stored["path"]), kind=kind,
                     title=fields.get("title") or Path(stored["name"]).stem,
                     owner=fields.get("owner", ""), license=fields.get("license", ""),
                     source=fields.get("source") or f"upload {stored['name']}",
                     by=f"{p.name} [{p.actor}]")
    with write(request.app.state.engine) as conn:
        audit_id = record_asset(conn, p.actor, bank, added.asset)
    return {**_asset_shape(added.asset), "audit_id": audit_id,
            "near_duplicates": [{"id": a.id, "title": a.title, "distance": d}
                                for a, d in added.near_duplicates]}


@router.post("/assets/{asset_id}/retire", tags=["assets"],
             summary="Stop an asset matching (maintainer); it and its history are kept")
def assets_retire(asset_id: int, body: RetireAssetIn, p: Caller, flow: Flow,
                  request: Request) -> dict[str, Any]:
    require(p, *CHANGERS, doing="changing the asset bank")
    bank = _bank(request, flow)
    _asset(bank, asset_id)
    asset = bank.retire(asset_id, reason=body.reason, by=f"{p.name} [{p.actor}]")
    with write(request.app.state.engine) as conn:
        audit_id = record_asset(conn, p.actor, bank, asset)
    return {**_asset_shape(asset), "audit_id": audit_id}


# -- pictures -----------------------------------------------------------------------------------
def _picture(path: Path | None, what: str) -> FileResponse:
    if path is None or not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise NotFound(f"the picture of {what} is not kept on this server", field="image")
    # nosniff: the bytes were checked to be a picture of this type when they were stored.
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix],
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "private, max-age=3600",
                                 "Content-Disposition": "inline"})


def asset_picture(request: Request, p: Principal, asset_id: int) -> FileResponse:
    """Any signed-in role: reviewers compare a draft's picture with the bank's."""
    require(p, *ALL_ROLES, doing="viewing bank pictures")
    flow: Workflow = request.app.state.workflow
    asset = _asset(_bank(request, flow), asset_id)
    return _picture(asset_file(flow.screener.settings, asset.sha256), f"asset {asset_id}")


def draft_picture(request: Request, p: Principal, draft_id: int, index: int) -> FileResponse:
    import json

    require(p, Role.ADMIN, Role.UNIT_HEAD, Role.RESPONSIBLE, Role.OPERATOR,
            doing="reading drafts")
    with read(request.app.state.engine) as conn:
        row = Workflow._draft(conn, draft_id)
        check_read_draft(conn, p, row)
    images = json.loads(row.images)
    if not 0 <= index < len(images):
        raise NotFound(f"draft {draft_id} has no picture {index}", field="index")
    # Only files under the upload folder, whatever the row says.
    root = request.app.state.config.upload_dir.resolve()
    path = Path(images[index]["path"]).resolve()
    return _picture(path if path.parent == root else None, f"draft {draft_id}")


@router.get("/assets/{asset_id}/image", tags=["assets"], response_class=FileResponse,
            summary="The bank's picture of an asset (any role)")
def asset_image(asset_id: int, p: Caller, request: Request) -> FileResponse:
    return asset_picture(request, p, asset_id)


@router.get("/drafts/{draft_id}/images/{index}", tags=["drafts"], response_class=FileResponse,
            summary="A submitted picture of a draft (readers of the draft)")
def draft_image(draft_id: int, index: int, p: Caller, request: Request) -> FileResponse:
    return draft_picture(request, p, draft_id, index)
