"""The life of a draft: submit -> screen -> queue -> sign-off -> publish.

A sign-off binds to the exact report it was given on: the draft's content hash (title, body and
every image's sha256), the lexicon version and the model version of that report. Editing the draft
makes a new revision with a new report and puts it back in the queue, so an approval never covers
text its signer did not see. Screening runs outside the write transaction (it can take a second);
the authorization is checked again inside it, so a role removed meanwhile still refuses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, case, func, insert, select, update

from screener import Draft, Report, Screener
from screener.lexicon.store import pause_point

from . import audit
from .access import (
    check_edit,
    check_publish,
    check_read_draft,
    check_sign,
    check_submit,
    readable_accounts,
)
from .auth import Principal, Role
from .config import ServiceSettings
from .db import accounts, drafts, now, people, read, reports, signoffs, write
from .errors import BadRequest, Conflict, NotFound, TooLarge
from .maintenance import save_image
from .rechecks import open_items
from .registry import AccountRole, accounts_of

DECISIONS = ("approve", "changes", "reject")
DECISION_STATUS = {"approve": "approved", "changes": "changes_requested", "reject": "rejected"}
_VERDICT_ORDER = case({"block": 0, "review": 1}, value=drafts.c.verdict, else_=2)


@dataclass(frozen=True, slots=True)
class Image:
    name: str
    data: bytes


def content_hash(title: str, body: str, image_hashes: list[str]) -> str:
    canonical = json.dumps({"title": title, "body": body, "images": image_hashes},
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def model_version_of(model_dir: Path) -> str:
    """A hash of the classifier manifest (which pins every model file by sha256)."""
    manifest = model_dir / "classify" / "manifest.json"
    try:
        return hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    except OSError:
        return "none"  # the classify stage then fails closed and says so in the report


class Workflow:
    def __init__(self, engine: Engine, screener: Screener, config: ServiceSettings) -> None:
        self.engine = engine
        self.screener = screener
        self.config = config
        self.model_version = model_version_of(screener.settings.model_dir)

    # -- images ---------------------------------------------------------------------------
    def _store_images(self, images: list[Image]) -> list[dict[str, Any]]:
        most = self.config.max_images_per_submission
        if len(images) > most:
            raise TooLarge(f"{len(images)} images; at most {most} per draft", field="images")
        return [save_image(self.config.upload_dir, image.name, image.data,
                           self.config.max_image_bytes, f"images[{index}]")
                for index, image in enumerate(images)]

    def _screen(self, account: Any, title: str, body: str, author: str,
                images: list[dict[str, Any]]) -> Report:
        limit = self.screener.settings.max_body_chars
        if len(title) + len(body) > limit:
            raise TooLarge(f"title and body are {len(title) + len(body):,} characters; the limit "
                           f"is {limit:,}", field="body")
        if not title.strip() and not body.strip() and not images:
            raise BadRequest("empty draft: no title, body or images", field="body")
        draft = Draft(title=title, body=body, account=account.name, platform=account.platform,
                      images=tuple(i["path"] for i in images), author=author)
        return self.screener.screen(draft)

    def _store_report(self, conn: Connection, actor: str, draft_id: int, revision: int,
                      digest: str, report: Report) -> int:
        report_id = conn.execute(insert(reports).values(
            draft_id=draft_id, revision=revision, content_hash=digest,
            verdict=str(report.verdict), lexicon_version=report.lexicon_version,
            model_version=self.model_version,
            report=json.dumps(report.to_dict(explain=True), ensure_ascii=False),
            created_at=now())).inserted_primary_key[0]
        audit.append(conn, actor, "draft.screen", f"draft:{draft_id}",
                     {"report_id": report_id, "revision": revision, "content_hash": digest,
                      "verdict": str(report.verdict), "lexicon_version": report.lexicon_version,
                      "model_version": self.model_version,
                      "findings": len(report.findings)})
        return report_id

    @staticmethod
    def _route(report: Report) -> str:
        # 第十三条: major news is released centrally; the dean's office decides, not the unit.
        return "dean" if any(f.category == "major_news" for f in report.findings) else "responsible"

    # -- submit and edit ------------------------------------------------------------------
    def submit(self, p: Principal, account_id: int, title: str, body: str, author: str = "",
               images: list[Image] | None = None) -> dict[str, Any]:
        with read(self.engine) as conn:
            account = check_submit(conn, p, account_id)
        stored = self._store_images(images or [])
        report = self._screen(account, title, body, author, stored)
        digest = content_hash(title, body, [i["sha256"] for i in stored])
        with write(self.engine) as conn:
            check_submit(conn, p, account_id)  # still allowed after the screening?
            stamp = now()
            draft_id = conn.execute(insert(drafts).values(
                account_id=account_id, submitted_by=p.person_id, title=title, body=body,
                author=author, images=json.dumps(stored, ensure_ascii=False),
                content_hash=digest, revision=1, status="pending", route=self._route(report),
                verdict=str(report.verdict), created_at=stamp, updated_at=stamp
            )).inserted_primary_key[0]
            audit.append(conn, p.actor, "draft.submit", f"draft:{draft_id}",
                         {"account_id": account_id, "revision": 1, "content_hash": digest,
                          "images": [i["sha256"] for i in stored]})
            pause_point("submit.write")
            report_id = self._store_report(conn, p.actor, draft_id, 1, digest, report)
            conn.execute(update(drafts).where(drafts.c.id == draft_id)
                         .values(report_id=report_id))
            return self.view(conn, draft_id)

    def edit(self, p: Principal, draft_id: int, title: str, body: str,
             author: str | None = None) -> dict[str, Any]:
        with read(self.engine) as conn:
            row = self._draft(conn, draft_id)
            check_edit(conn, p, row)
            self._editable(row)
            account = conn.execute(select(accounts).where(accounts.c.id == row.account_id)).one()
        stored = json.loads(row.images)
        author = row.author if author is None else author
        report = self._screen(account, title, body, author, stored)
        digest = content_hash(title, body, [i["sha256"] for i in stored])
        with write(self.engine) as conn:
            current = self._draft(conn, draft_id)
            check_edit(conn, p, current)
            self._editable(current)
            if current.revision != row.revision:
                raise Conflict("the draft was changed meanwhile; reload it and edit again")
            revision = row.revision + 1
            audit.append(conn, p.actor, "draft.edit", f"draft:{draft_id}",
                         {"revision": revision, "content_hash": digest,
                          "previous_hash": row.content_hash})
            report_id = self._store_report(conn, p.actor, draft_id, revision, digest, report)
            conn.execute(update(drafts).where(drafts.c.id == draft_id).values(
                title=title, body=body, author=author, content_hash=digest, revision=revision,
                status="pending", route=self._route(report), verdict=str(report.verdict),
                report_id=report_id, updated_at=now()))
            return self.view(conn, draft_id)

    @staticmethod
    def _editable(row: Any) -> None:
        if row.status in ("published", "rejected"):
            raise Conflict(f"the draft is {row.status}; submit a new draft instead",
                           field="status")

    # -- sign-off and publish -------------------------------------------------------------
    def sign(self, p: Principal, draft_id: int, *, decision: str, comment: str, report_id: int,
             finding_comments: dict[str, str] | None = None) -> dict[str, Any]:
        if decision not in DECISIONS:
            raise BadRequest(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
        comment = comment.strip()
        finding_comments = {str(k): v.strip() for k, v in (finding_comments or {}).items()
                            if v and v.strip()}
        with write(self.engine) as conn:
            row = self._draft(conn, draft_id)
            check_sign(conn, p, row)
            if row.status != "pending":
                raise Conflict(f"the draft is {row.status}, not waiting for sign-off",
                               field="status")
            if report_id != row.report_id:
                raise Conflict("the draft changed since you opened it (a new revision was "
                               "screened); reload it and sign off what you see", field="report_id")
            rep = conn.execute(select(reports).where(reports.c.id == row.report_id)).one()
            count = len(json.loads(rep.report)["findings"])
            for key in finding_comments:
                if not key.isdigit() or int(key) >= count:
                    raise BadRequest(f"no finding {key!r} in this report ({count} findings)",
                                     field="finding_comments")
            if decision != "approve" and not comment and not finding_comments:
                raise BadRequest("say what must change or why the draft is rejected",
                                 field="comment")
            if decision == "approve" and rep.verdict == "block" and not comment:
                raise BadRequest("approving a blocked draft needs a comment saying why each "
                                 "finding is acceptable", field="comment")
            signoff_id = conn.execute(insert(signoffs).values(
                draft_id=draft_id, report_id=rep.id, person_id=p.person_id, token_id=p.token_id,
                decision=decision, comment=comment,
                finding_comments=json.dumps(finding_comments, ensure_ascii=False),
                content_hash=rep.content_hash, lexicon_version=rep.lexicon_version,
                model_version=rep.model_version, created_at=now())).inserted_primary_key[0]
            pause_point("signoff.write")
            conn.execute(update(drafts).where(drafts.c.id == draft_id)
                         .values(status=DECISION_STATUS[decision], updated_at=now()))
            audit.append(conn, p.actor, f"draft.{decision}", f"draft:{draft_id}",
                         {"signoff_id": signoff_id, "report_id": rep.id,
                          "content_hash": rep.content_hash,
                          "lexicon_version": rep.lexicon_version,
                          "model_version": rep.model_version, "comment": comment,
                          "finding_comments": finding_comments})
            return self.view(conn, draft_id)

    def publish(self, p: Principal, draft_id: int) -> dict[str, Any]:
        with write(self.engine) as conn:
            row = self._draft(conn, draft_id)
            check_publish(conn, p, row)
            if row.status == "published":
                raise Conflict("the draft is already published", field="status")
            approval = conn.execute(
                select(signoffs).where(signoffs.c.draft_id == draft_id)
                .order_by(signoffs.c.id.desc()).limit(1)).first()
            if (row.status != "approved" or approval is None or approval.decision != "approve"
                    or approval.report_id != row.report_id
                    or approval.content_hash != row.content_hash):
                raise Conflict("publishing without an approval of this exact revision is "
                               f"refused (the draft is {row.status}); the 具体负责人 must sign "
                               "it off first (第八条)", field="status")
            stamp = now()
            conn.execute(update(drafts).where(drafts.c.id == draft_id).values(
                status="published", published_at=stamp, published_by=p.person_id,
                updated_at=stamp))
            audit.append(conn, p.actor, "draft.publish", f"draft:{draft_id}",
                         {"signoff_id": approval.id, "content_hash": row.content_hash})
            return self.view(conn, draft_id)

    # -- reading ----------------------------------------------------------------------------
    @staticmethod
    def _draft(conn: Connection, draft_id: int) -> Any:
        row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
        if row is None:
            raise NotFound(f"no draft with id {draft_id}", field="draft_id")
        return row

    def get(self, p: Principal, draft_id: int) -> dict[str, Any]:
        with read(self.engine) as conn:
            row = self._draft(conn, draft_id)
            check_read_draft(conn, p, row)
            return self.view(conn, draft_id)

    def view(self, conn: Connection, draft_id: int) -> dict[str, Any]:
        row = self._draft(conn, draft_id)
        account = conn.execute(select(accounts).where(accounts.c.id == row.account_id)).one()
        submitter = conn.execute(select(people.c.name).where(people.c.id == row.submitted_by)
                                 ).scalar()
        rep = conn.execute(select(reports).where(reports.c.id == row.report_id)).first()
        signs = []
        query = (select(signoffs, people.c.name)
                 .select_from(signoffs.outerjoin(people, signoffs.c.person_id == people.c.id))
                 .where(signoffs.c.draft_id == draft_id).order_by(signoffs.c.id))
        for s in conn.execute(query):
            signs.append({"id": s.id, "decision": s.decision, "by": s.name or "院长办公室",
                          "person_id": s.person_id, "comment": s.comment,
                          "finding_comments": json.loads(s.finding_comments),
                          "report_id": s.report_id, "content_hash": s.content_hash,
                          "lexicon_version": s.lexicon_version,
                          "model_version": s.model_version, "at": s.created_at,
                          "current": s.report_id == row.report_id})
        images = [{k: v for k, v in i.items() if k != "path"} for i in json.loads(row.images)]
        return {
            "id": row.id, "account": {"id": account.id, "name": account.name,
                                      "platform": account.platform, "unit_id": account.unit_id},
            "title": row.title, "body": row.body, "author": row.author, "images": images,
            "submitted_by": {"id": row.submitted_by, "name": submitter},
            "content_hash": row.content_hash, "revision": row.revision, "status": row.status,
            "route": row.route, "verdict": row.verdict, "created_at": row.created_at,
            "updated_at": row.updated_at, "published_at": row.published_at,
            "report": ({"id": rep.id, "model_version": rep.model_version,
                        **json.loads(rep.report)} if rep else None),
            "signoffs": signs,
        }

    def listing(self, p: Principal, *, queue: bool, status: str | None, account_id: int | None,
                limit: int, offset: int) -> dict[str, Any]:
        """Drafts; the queue (``queue``) lists first the published posts a re-screening sent
        back for review (``kind: recheck``), then the drafts to sign off, one paged list."""
        rechecked, first, asked = 0, [], (limit, offset)
        with read(self.engine) as conn:
            if queue:
                rechecked, first = open_items(conn, p, limit, offset)
                # the drafts' page continues where the rechecks end
                limit, offset = limit - len(first), max(0, offset - rechecked)
            query = select(drafts.c.id, drafts.c.title, drafts.c.account_id, drafts.c.status,
                           drafts.c.verdict, drafts.c.route, drafts.c.revision,
                           drafts.c.created_at, drafts.c.updated_at, accounts.c.name
                           ).select_from(drafts.join(accounts,
                                                     drafts.c.account_id == accounts.c.id))
            if queue:
                # What waits for this caller's signature: the dean's office gets 第十三条 drafts.
                query = query.where(drafts.c.status == "pending")
                if p.role is Role.ADMIN:
                    query = query.where(drafts.c.route == "dean")
                else:
                    mine = accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE)
                    query = query.where(drafts.c.route == "responsible",
                                        drafts.c.account_id.in_(mine))
                    if p.person_id is not None:
                        query = query.where(drafts.c.submitted_by != p.person_id)
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
        items = [{"kind": "draft", "id": r.id, "title": r.title, "account_id": r.account_id,
                  "account": r.name, "status": r.status, "verdict": r.verdict,
                  "route": r.route, "revision": r.revision, "created_at": r.created_at,
                  "updated_at": r.updated_at} for r in rows]
        if not queue:
            return page(items, total, limit, offset)
        return page(first + items, rechecked + total, *asked)


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    following = offset + len(items)
    return {"items": items, "total": total, "limit": limit, "offset": offset,
            "next_offset": following if following < total else None}
