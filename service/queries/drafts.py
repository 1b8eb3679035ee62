"""Drafts, their reports and sign-offs; the lists and the sign-off queue."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, case, exists, func, select

from .. import views
from ..access import READERS, check_read_draft, check_sign, readable_accounts, require
from ..auth import Principal, Role
from ..db import accounts, drafts, people, picture_jobs, read, reports, signoffs
from ..errors import NotFound, ServiceError
from ..roles import AccountRole
from .picture_jobs import OPEN, progress
from .rechecks import open_items
from .rows import accounts_of, holders

_VERDICT_ORDER = case({"block": 0, "review": 1}, value=drafts.c.verdict, else_=2)


def content_hash(title: str, body: str, image_hashes: list[str]) -> str:
    """What a sign-off binds to: sha256 of the title, the body and every picture's sha256."""
    canonical = json.dumps({"title": title, "body": body, "images": image_hashes},
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def get_draft(conn: Connection, draft_id: int) -> Any:
    row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
    if row is None:
        raise NotFound(f"no draft with id {draft_id}", field="draft_id")
    return row


def draft_detail(conn: Connection, draft_id: int) -> dict[str, Any]:
    row = get_draft(conn, draft_id)
    account = conn.execute(select(accounts).where(accounts.c.id == row.account_id)).one()
    submitter = conn.execute(select(people.c.name).where(people.c.id == row.submitted_by)
                             ).scalar()
    rep = conn.execute(select(reports).where(reports.c.id == row.report_id)).first()
    query = (select(signoffs, people.c.name)
             .select_from(signoffs.outerjoin(people, signoffs.c.person_id == people.c.id))
             .where(signoffs.c.draft_id == draft_id).order_by(signoffs.c.id))
    revisions = conn.execute(
        select(reports.c.revision, reports.c.revised_by, people.c.name)
        .select_from(reports.outerjoin(people, reports.c.revised_by == people.c.id))
        .where(reports.c.draft_id == draft_id).order_by(reports.c.revision)).all()
    detail = views.draft(row, account, submitter, rep, list(conn.execute(query)), revisions)
    # where the picture stage of this revision is (None: screened within the request)
    detail["picture_screening"] = progress(conn, draft_id, row.revision)
    return detail


def read_draft(engine: Engine, p: Principal, draft_id: int) -> dict[str, Any]:
    require(p, *READERS, doing="reading drafts")
    with read(engine) as conn:
        row = get_draft(conn, draft_id)
        check_read_draft(conn, p, row)
        return draft_detail(conn, draft_id)


def review_page(engine: Engine, p: Principal, draft_id: int) -> dict[str, Any]:
    """A draft for its page: the draft, whether the caller is the one to sign it off (else
    why not, in ``refusal``), and the account's 具体负责人 (the print sheet's signature block)."""
    draft = read_draft(engine, p, draft_id)
    signer, refusal = False, ""
    with read(engine) as conn:
        try:
            check_sign(conn, p, get_draft(conn, draft_id))
            signer = True
        except ServiceError as exc:
            refusal = exc.message
        responsible = holders(conn, draft["account"]["id"], AccountRole.RESPONSIBLE)
    return {"draft": draft, "signer": signer, "refusal": refusal, "responsible": responsible}


def picture_path(engine: Engine, p: Principal, draft_id: int, index: int,
                 upload_dir: Path) -> Path | None:
    """The stored file of a draft's picture, if the caller may read the draft; only files
    under the upload folder, whatever the row says."""
    require(p, *READERS, doing="reading drafts")
    with read(engine) as conn:
        row = get_draft(conn, draft_id)
        check_read_draft(conn, p, row)
    images = json.loads(row.images)
    if not 0 <= index < len(images):
        raise NotFound(f"draft {draft_id} has no picture {index}", field="index")
    path = Path(images[index]["path"]).resolve()
    return path if path.parent == upload_dir.resolve() else None


def listing(engine: Engine, p: Principal, *, queue: bool, status: str | None,
            account_id: int | None, limit: int, offset: int) -> dict[str, Any]:
    """Drafts; the queue (``queue``) lists first the published posts a re-screening sent
    back for review (``kind: recheck``), then the drafts to sign off, one paged list."""
    if queue:
        require(p, Role.RESPONSIBLE, Role.ADMIN, doing="the sign-off queue")
    else:
        require(p, *READERS, doing="reading drafts")
    rechecked, first, asked = 0, [], (limit, offset)
    with read(engine) as conn:
        if queue:
            rechecked, first = open_items(conn, p, limit, offset)
            # the drafts' page continues where the rechecks end
            limit, offset = limit - len(first), max(0, offset - rechecked)
        query = select(drafts.c.id, drafts.c.title, drafts.c.account_id, drafts.c.status,
                       drafts.c.verdict, drafts.c.route, drafts.c.revision,
                       drafts.c.created_at, drafts.c.updated_at, accounts.c.name
                       ).select_from(drafts.join(accounts, drafts.c.account_id == accounts.c.id))
        if queue:
            # What waits for this caller's signature: the dean's office gets 第十三条 drafts.
            # a stopped or unapproved account's drafts cannot be signed off: not queued
            query = query.where(drafts.c.status == "pending", accounts.c.status == "active")
            # a draft whose pictures are still being screened joins the queue its complete
            # report calls for (第十三条 pictures go to the dean's office) when it is complete
            query = query.where(~exists().where(
                picture_jobs.c.draft_id == drafts.c.id, picture_jobs.c.status.in_(OPEN)))
            if p.role is Role.ADMIN:
                query = query.where(drafts.c.route == "dean")
            else:
                mine = accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE)
                query = query.where(drafts.c.route == "responsible",
                                    drafts.c.account_id.in_(mine))
                if p.person_id is not None:  # nobody signs off what they wrote or edited
                    query = query.where(drafts.c.submitted_by != p.person_id, ~exists().where(
                        reports.c.draft_id == drafts.c.id, reports.c.revised_by == p.person_id))
            order = (_VERDICT_ORDER, drafts.c.created_at, drafts.c.id)
        else:
            allowed = readable_accounts(conn, p)
            if allowed is not None:
                query = query.where(drafts.c.account_id.in_(allowed))
            order = (drafts.c.id.desc(),)
        if status:
            query = query.where(drafts.c.status == status)
        if account_id is not None:
            query = query.where(drafts.c.account_id == account_id)
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = (conn.execute(query.order_by(*order).limit(limit).offset(offset)).all()
                if limit > 0 else [])
    items = [views.draft_item(r) for r in rows]
    if not queue:
        return views.page(items, total, limit, offset)
    return views.page(first + items, rechecked + total, *asked)
