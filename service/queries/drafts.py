"""Drafts, their reports and sign-offs; the lists and the sign-off queue."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, case, exists, func, or_, select

from screener.i18n import N_

from .. import views
from ..access import READERS, check_read_draft, check_sign, readable_accounts, require
from ..auth import Principal, Role
from ..db import accounts, drafts, people, picture_jobs, read, reports, signoffs
from ..errors import NotFound, ServiceError
from ..roles import AccountRole
from ..schemas import QueueFilter
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
        raise NotFound("no draft with id {id}", field="draft_id", id=draft_id)
    return row


def draft_detail(conn: Connection, draft_id: int) -> dict[str, Any]:
    row = get_draft(conn, draft_id)
    account = conn.execute(select(accounts).where(accounts.c.id == row.account_id)).one()
    submitter = conn.execute(select(people.c.name).where(people.c.id == row.submitted_by)
                             ).scalar()
    rep = conn.execute(select(reports).where(reports.c.id == row.report_id)).first()
    query = (select(signoffs, people.c.name, reports.c.revision)
             .select_from(signoffs.outerjoin(people, signoffs.c.person_id == people.c.id)
                          .join(reports, reports.c.id == signoffs.c.report_id))
             .where(signoffs.c.draft_id == draft_id).order_by(signoffs.c.id))
    revisions = conn.execute(
        select(reports.c.revision, reports.c.revised_by, people.c.name)
        .select_from(reports.outerjoin(people, reports.c.revised_by == people.c.id))
        .where(reports.c.draft_id == draft_id).order_by(reports.c.revision)).all()
    detail = views.draft(row, account, submitter, rep, list(conn.execute(query)), revisions)
    # where the picture stage of this revision is (None: screened within the request)
    detail["picture_screening"] = progress(conn, draft_id, row.revision)
    return detail


def previous_revision(conn: Connection, row: Any) -> dict[str, Any] | None:
    """The revision before the draft's current one: its text (when it was kept), its findings
    and its sign-offs; None for a first revision."""
    if row.revision <= 1:
        return None
    rep = conn.execute(select(reports).where(reports.c.draft_id == row.id,
                                             reports.c.revision == row.revision - 1)
                       .order_by(reports.c.id.desc()).limit(1)).first()
    if rep is None:
        return None
    query = (select(signoffs, people.c.name, reports.c.revision)
             .select_from(signoffs.outerjoin(people, signoffs.c.person_id == people.c.id)
                          .join(reports, reports.c.id == signoffs.c.report_id))
             .where(signoffs.c.report_id == rep.id).order_by(signoffs.c.id))
    return {"revision": rep.revision, "title": rep.title, "body": rep.body,
            "verdict": rep.verdict, "findings": json.loads(rep.report)["findings"],
            "signoffs": [views.signoff(s, row.report_id) for s in conn.execute(query)]}


def read_draft(engine: Engine, p: Principal, draft_id: int) -> dict[str, Any]:
    require(p, *READERS, doing=N_("reading drafts"))
    with read(engine) as conn:
        row = get_draft(conn, draft_id)
        check_read_draft(conn, p, row)
        return draft_detail(conn, draft_id)


def review_page(engine: Engine, p: Principal, draft_id: int) -> dict[str, Any]:
    """A draft for its page: the draft, whether the caller is the one to sign it off (else
    why not: the error, in ``refusal``), the account's 具体负责人 and 第一责任人 (the print
    sheet's signature block), and the previous revision (what changed, its sign-offs)."""
    draft = read_draft(engine, p, draft_id)
    signer, refusal = False, None
    with read(engine) as conn:
        try:
            check_sign(conn, p, get_draft(conn, draft_id))
            signer = True
        except ServiceError as exc:
            refusal = exc
        responsible = holders(conn, draft["account"]["id"], AccountRole.RESPONSIBLE)
        first = holders(conn, draft["account"]["id"], AccountRole.FIRST_RESPONSIBLE)
        previous = previous_revision(conn, get_draft(conn, draft_id))
    return {"draft": draft, "signer": signer, "refusal": refusal, "responsible": responsible,
            "first_responsible": first, "previous": previous}


def picture_path(engine: Engine, p: Principal, draft_id: int, index: int,
                 upload_dir: Path) -> Path | None:
    """The stored file of a draft's picture, if the caller may read the draft; only files
    under the upload folder, whatever the row says."""
    require(p, *READERS, doing=N_("reading drafts"))
    with read(engine) as conn:
        row = get_draft(conn, draft_id)
        check_read_draft(conn, p, row)
    images = json.loads(row.images)
    if not 0 <= index < len(images):
        raise NotFound("draft {draft} has no picture {index}", field="index", draft=draft_id,
                       index=index)
    path = Path(images[index]["path"]).resolve()
    return path if path.parent == upload_dir.resolve() else None


def listing(engine: Engine, p: Principal, *, queue: bool, status: str | None,
            account_id: int | None, limit: int, offset: int) -> dict[str, Any]:
    """Drafts; the queue (``queue``) lists first the published posts a re-screening sent
    back for review (``kind: recheck``), then the drafts to sign off, one paged list."""
    if queue:
        require(p, Role.RESPONSIBLE, Role.ADMIN, doing=N_("the sign-off queue"))
    else:
        require(p, *READERS, doing=N_("reading drafts"))
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


# -- the reviewer's queue page ------------------------------------------------------------------
EXCERPT = 60  # characters of the body shown for a draft without a title
_BEIJING = timedelta(hours=8)
_ORDER = {"verdict": (_VERDICT_ORDER, drafts.c.created_at, drafts.c.id),
          "oldest": (drafts.c.created_at, drafts.c.id),
          "newest": (drafts.c.created_at.desc(), drafts.c.id.desc()),
          "account": (accounts.c.name, _VERDICT_ORDER, drafts.c.created_at, drafts.c.id)}


def _utc_start(day: date) -> str:
    """The first moment of a Beijing calendar day, as the stored UTC timestamps write it."""
    return (datetime.combine(day, time(), UTC) - _BEIJING).isoformat(timespec="seconds")


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _scope(conn: Connection, p: Principal, mine: bool) -> list[Any]:
    """Who sees what: ``mine`` is what waits for this caller's signature (the dean's office gets
    第十三条 drafts), else every draft of the accounts the caller may read."""
    if not mine:
        allowed = readable_accounts(conn, p)
        return [] if allowed is None else [drafts.c.account_id.in_(allowed)]
    conditions = [drafts.c.status == "pending"]
    if p.role is Role.ADMIN:
        return [*conditions, drafts.c.route == "dean"]
    conditions += [drafts.c.route == "responsible",
                   drafts.c.account_id.in_(accounts_of(conn, p.person_id,
                                                       AccountRole.RESPONSIBLE))]
    if p.person_id is not None:  # nobody signs off what they wrote or edited
        # an alias: the queue joins the current report, which must not correlate this one
        authored = reports.alias("authored")
        conditions += [drafts.c.submitted_by != p.person_id, ~exists().where(
            authored.c.draft_id == drafts.c.id, authored.c.revised_by == p.person_id)]
    return conditions


def _filters(f: QueueFilter) -> dict[str, Any]:
    """Each filter's condition, by the facet it narrows (a facet's counts leave its own out)."""
    found: dict[str, Any] = {}
    if f.verdict:
        found["verdict"] = drafts.c.verdict == f.verdict
    if f.status and not f.mine:
        found["status"] = drafts.c.status == f.status
    if f.category:
        found["category"] = reports.c.categories.like(f"%,{f.category},%")
    if f.account_id is not None:
        found["account"] = drafts.c.account_id == f.account_id
    if f.platform:
        found["platform"] = accounts.c.platform == f.platform
    if f.since:
        found["since"] = drafts.c.created_at >= _utc_start(f.since)
    if f.until:
        found["until"] = drafts.c.created_at < _utc_start(f.until + timedelta(days=1))
    if f.q.strip():
        words = _like(f.q.strip())
        found["q"] = or_(drafts.c.title.ilike(words, escape="\\"),
                         drafts.c.body.ilike(words, escape="\\"))
    return found


def browse(engine: Engine, p: Principal, f: QueueFilter, page_size: int) -> dict[str, Any]:
    """The queue page: one page of drafts with a one-line summary each (categories, number of
    findings, the start of the body when there is no title), how many drafts each filter value
    would give with the other filters kept, and, in the caller's own queue, the published posts
    a re-screening sent back."""
    if f.mine:
        require(p, Role.RESPONSIBLE, Role.ADMIN, doing=N_("the sign-off queue"))
    else:
        require(p, *READERS, doing=N_("reading drafts"))
    joined = drafts.join(accounts, drafts.c.account_id == accounts.c.id).outerjoin(
        reports, reports.c.id == drafts.c.report_id)
    with read(engine) as conn:
        scope = _scope(conn, p, f.mine)
        conditions = _filters(f)
        query = (select(drafts.c.id, drafts.c.title, drafts.c.account_id, drafts.c.status,
                        drafts.c.verdict, drafts.c.route, drafts.c.revision,
                        drafts.c.created_at, drafts.c.updated_at, drafts.c.report_id,
                        func.substr(drafts.c.body, 1, EXCERPT + 1).label("excerpt"),
                        accounts.c.name, accounts.c.platform, reports.c.categories,
                        reports.c.findings)
                 .select_from(joined).where(*scope, *conditions.values()))
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(*_ORDER[f.sort]).limit(page_size)
                            .offset(f.offset)).all()
        counts = _facets(conn, joined, scope, conditions)
        rechecked = open_items(conn, p, 200, 0) if f.mine else (0, [])
        account_names = dict(conn.execute(
            select(accounts.c.id, accounts.c.name)
            .where(accounts.c.id.in_([int(a) for a in counts["account"]]))
        ).all()) if counts["account"] else {}
    items = [views.queue_item(r, EXCERPT) for r in rows]
    return {"items": items, "total": total, "offset": f.offset, "limit": page_size,
            "next_offset": f.offset + len(items) if f.offset + len(items) < total else None,
            "counts": counts, "account_names": account_names,
            "rechecks": rechecked[1], "rechecks_total": rechecked[0]}


def _facets(conn: Connection, joined: Any, scope: list[Any],
            conditions: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Drafts per value of each filter, under every other filter."""
    def others(name: str) -> list[Any]:
        return [c for key, c in conditions.items() if key != name]

    counts: dict[str, dict[str, int]] = {}
    for name, column in (("verdict", drafts.c.verdict), ("status", drafts.c.status),
                         ("account", drafts.c.account_id), ("platform", accounts.c.platform)):
        counts[name] = {str(value): n for value, n in conn.execute(
            select(column, func.count()).select_from(joined)
            .where(*scope, *others(name)).group_by(column)).all()}
    categories: dict[str, int] = {}
    for (listed,) in conn.execute(select(reports.c.categories).select_from(joined)
                                  .where(*scope, *others("category"))).all():
        for category in (listed or "").strip(",").split(","):
            if category:
                categories[category] = categories.get(category, 0) + 1
    counts["category"] = categories
    return counts


def next_waiting(engine: Engine, p: Principal, after: int) -> int | None:
    """The draft that waits for the caller next, in queue order, other than ``after``."""
    with read(engine) as conn:
        scope = _scope(conn, p, True)
        return conn.execute(select(drafts.c.id).where(*scope, drafts.c.id != after)
                            .order_by(*_ORDER["verdict"]).limit(1)).scalar()
