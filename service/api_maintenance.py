"""The maintainers' API: the lexicon and the asset bank, and the pictures reviewers look at.

Changes are for the 词库维护人 (maintainer) alone; the dean's office may read what is in force.
Routes parse and call ``usecases.lexicon`` / ``usecases.assets`` (which audit each change and
reload the running screener) or the queries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from .api import Caller, Paging, Svc
from .auth import Principal
from .context import Services
from .errors import BadRequest, NotFound
from .files import MEDIA_TYPES
from .queries import assets as asset_queries
from .queries import drafts as draft_queries
from .queries import lexicon as lexicon_queries
from .schemas import ASSET_FIELDS, UPLOAD_DOC, RetireAssetIn, RetireIn, TermEdit, TermsIn
from .schemas import clean_term as _clean_term
from .uploads import asset_upload
from .usecases import assets, lexicon

router = APIRouter(prefix="/api")


def _path_term(term: str) -> str:
    try:
        return _clean_term(term)
    except ValueError as exc:
        raise BadRequest("{problem}", field="term", problem=str(exc)) from None


# -- lexicon ------------------------------------------------------------------------------------
@router.get("/lexicon", tags=["lexicon"],
            summary="The lexicon version in force, its size and the latest changes")
def lexicon_state(p: Caller, svc: Svc) -> dict[str, Any]:
    return lexicon_queries.state(svc, p)


@router.get("/lexicon/terms", tags=["lexicon"], summary="Terms in force (maintainer, admin)")
def lexicon_terms(p: Caller, svc: Svc, paged: Paging, category: str | None = None,
                  q: str | None = None) -> dict[str, Any]:
    return lexicon_queries.terms(svc, p, category, q, *paged)


@router.post("/lexicon/terms", tags=["lexicon"], status_code=201,
             summary="Add terms (maintainer): one new version, in force for the next draft")
def lexicon_add(body: TermsIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return lexicon.add_terms(svc, p, body.terms, body.category, reason=body.reason,
                             severity=body.severity, article=body.article,
                             boundary=body.boundary, fillers=body.fillers)


# ``:path``: a term may hold a slash (``A/B``), sent as is or as %2F.
@router.patch("/lexicon/terms/{term:path}", tags=["lexicon"],
              summary="Change a term's category, severity, article or boundary (maintainer)")
def lexicon_edit(term: str, body: TermEdit, p: Caller, svc: Svc) -> dict[str, Any]:
    return lexicon.edit_term(svc, p, _path_term(term), reason=body.reason,
                             category=body.category, severity=body.severity,
                             article=body.article, boundary=body.boundary,
                             from_category=body.from_category, fillers=body.fillers)


@router.post("/lexicon/terms/{term:path}/retire", tags=["lexicon"],
             summary="Retire a term (maintainer); its history is kept")
def lexicon_retire(term: str, body: RetireIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return lexicon.retire_term(svc, p, _path_term(term), reason=body.reason,
                               category=body.category)


# -- assets -------------------------------------------------------------------------------------
@router.get("/assets", tags=["assets"], summary="The asset bank (maintainer, admin)")
def assets_list(p: Caller, svc: Svc, paged: Paging,
                include_retired: bool = False) -> dict[str, Any]:
    return asset_queries.listing(svc, p, include_retired, *paged)


@router.post("/assets", tags=["assets"], status_code=201, openapi_extra=UPLOAD_DOC,
             summary="Register a picture in the bank (maintainer, multipart upload)")
async def assets_add(request: Request, p: Caller, svc: Svc) -> dict[str, Any]:
    assets.check_may_change(p)  # before the upload is read
    (name, data), fields = await asset_upload(request, ASSET_FIELDS)
    return await run_in_threadpool(assets.add_asset, svc, p, name, data, fields)


@router.post("/assets/{asset_id}/retire", tags=["assets"],
             summary="Stop an asset matching (maintainer); it and its history are kept")
def assets_retire(asset_id: int, body: RetireAssetIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return assets.retire_asset(svc, p, asset_id, body.reason)


# -- pictures -----------------------------------------------------------------------------------
def _picture(path: Path | None, missing: NotFound) -> FileResponse:
    if path is None or not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise missing
    # nosniff: the bytes were checked to be a picture of this type when they were stored.
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix],
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "private, max-age=3600",
                                 "Content-Disposition": "inline"})


def asset_picture(svc: Services, p: Principal, asset_id: int) -> FileResponse:
    return _picture(asset_queries.picture(svc, p, asset_id),
                    NotFound("the picture of asset {id} is not kept on this server",
                             field="image", id=asset_id))


def draft_picture(svc: Services, p: Principal, draft_id: int, index: int) -> FileResponse:
    path = draft_queries.picture_path(svc.engine, p, draft_id, index, svc.config.upload_dir)
    return _picture(path, NotFound("the picture of draft {id} is not kept on this server",
                                   field="image", id=draft_id))


@router.get("/assets/{asset_id}/image", tags=["assets"], response_class=FileResponse,
            summary="The bank's picture of an asset (any role)")
def asset_image(asset_id: int, p: Caller, svc: Svc) -> FileResponse:
    return asset_picture(svc, p, asset_id)


@router.get("/drafts/{draft_id}/images/{index}", tags=["drafts"], response_class=FileResponse,
            summary="A submitted picture of a draft (readers of the draft)")
def draft_image(draft_id: int, index: int, p: Caller, svc: Svc) -> FileResponse:
    return draft_picture(svc, p, draft_id, index)
