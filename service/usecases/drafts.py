"""The life of a draft: submit -> screen -> queue -> sign-off -> publish.

A sign-off binds to the exact report it was given on: the draft's content hash (title, body and
every image's sha256), the lexicon version and the model version of that report. Editing the draft
makes a new revision with a new report and puts it back in the queue, so an approval never covers
text its signer did not see. Screening runs outside the write transaction (it can take a second);
the authorization is checked again inside it, so a role removed meanwhile still refuses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from screener import Draft, Report
from screener.checkpoints import checkpoint

from ..access import check_edit, check_publish, check_sign, check_submit
from ..auth import Principal
from ..context import Services
from ..db import accounts, category_list, drafts, now, read, reports, signoffs
from ..errors import BadRequest, Conflict, TooLarge
from ..files import check_image, keep_file, place, staging
from ..queries.drafts import content_hash, draft_detail, get_draft
from ..queries.picture_jobs import incomplete
from ..uow import UnitOfWork, unit_of_work
from . import picture_jobs
from .feedback import checked_judgements, record_signoff
from .picture_jobs import Claim
from .sources import join_published

DECISIONS = ("approve", "changes", "reject")
DECISION_STATUS = {"approve": "approved", "changes": "changes_requested", "reject": "rejected"}


@dataclass(frozen=True, slots=True)
class Image:
    name: str
    data: bytes


def _check_images(svc: Services, images: list[Image]) -> list[dict[str, Any]]:
    """Every picture checked in memory before anything is written."""
    most = svc.config.max_images_per_submission
    if len(images) > most:
        raise TooLarge("{count} images; at most {most} per draft", field="images",
                       count=len(images), most=most)
    return [check_image(image.name, image.data, svc.config.max_image_bytes, f"images[{index}]")
            for index, image in enumerate(images)]


@dataclass
class _Staged:
    """New pictures (a submission's, or an edit's replacing the draft's), written to a staging
    folder to be screened from there; ``place`` moves them to the upload folder inside the
    transaction that stores them."""

    checked: list[dict[str, Any]]
    folder: Path
    paths: list[Path]
    created: list[Path] = field(default_factory=list)  # files ``place`` made

    def place(self, upload_dir: Path) -> list[dict[str, Any]]:
        """Move every picture to its place; the draft's ``images`` entries."""
        stored = []
        for c, path in zip(self.checked, self.paths, strict=True):
            final, made = place(upload_dir, path, c)
            if made:
                self.created.append(final)
            stored.append({"name": c["name"], "sha256": c["sha256"], "size": c["size"],
                           "path": str(final)})
        return stored


@contextmanager
def _staged(svc: Services, checked: list[dict[str, Any]],
            images: list[Image]) -> Iterator[_Staged]:
    """The pictures staged for the block; if it fails, the files it placed are removed again
    (nothing committed refers to them) and so is the staging folder, so a refused request
    leaves no file."""
    with staging(svc.config.upload_dir) as folder:
        paths = []
        for index, (c, image) in enumerate(zip(checked, images, strict=True)):
            path = folder / f"{index}{c['suffix']}"
            keep_file(path, image.data)
            paths.append(path)
        pictures = _Staged(checked, folder, paths)
        try:
            yield pictures
        except BaseException:
            for path in pictures.created:
                path.unlink(missing_ok=True)
            raise


def _check_text(svc: Services, title: str, body: str, pictures: int) -> None:
    limit = svc.screener.settings.max_body_chars
    if len(title) + len(body) > limit:
        raise TooLarge("title and body are {count} characters; the limit is {limit}",
                       field="body", count=format(len(title) + len(body), ","),
                       limit=format(limit, ","))
    if not title.strip() and not body.strip() and not pictures:
        raise BadRequest("empty draft: no title, body or images", field="body")


def _background(svc: Services, paths: list[str]) -> bool:
    """Pictures are screened by the workers of ``screener serve`` (the request answers with
    the text findings), unless the service was set to screen them within the request."""
    return bool(paths) and svc.config.picture_workers > 0


def _screen(svc: Services, account: Any, title: str, body: str, author: str,
            paths: list[str]) -> Report:
    """The report given with the answer: the whole draft, or only its text when its pictures
    go to the background."""
    _check_text(svc, title, body, len(paths))
    draft = Draft(title=title, body=body, account=account.name, platform=account.platform,
                  images=() if _background(svc, paths) else tuple(paths), author=author)
    return svc.screener.screen(draft)


def _refuse_incomplete(conn: Any, row: Any, publishing: bool = False) -> None:
    state = incomplete(conn, row.id, row.revision)
    if state and publishing:
        raise Conflict("the pictures are still being checked ({done} of {total} done): the "
                       "report is incomplete and cannot be published yet; wait until it is "
                       "complete and reload the draft", field="report_id",
                       done=state["done"], total=state["total"])
    if state:
        raise Conflict("the pictures are still being checked ({done} of {total} done): the "
                       "report is incomplete and cannot be signed off yet; wait until it is "
                       "complete and reload the draft", field="report_id",
                       done=state["done"], total=state["total"])


def _hide_paths(svc: Services, text: str, *folders: Path) -> str:
    """A report names a picture it could not read by its file: keep the file name, not the
    server's folders (the staging folder, the upload folder)."""
    for folder in (*folders, svc.config.upload_dir):
        prefix = json.dumps(str(folder) + os.sep, ensure_ascii=False)[1:-1]
        text = text.replace(prefix, "")
    return text


def _store_report(svc: Services, uow: UnitOfWork, draft_id: int, revision: int, digest: str,
                  report: Report, revised_by: int | None, title: str, body: str,
                  *staged: Path) -> int:
    text = _hide_paths(svc, json.dumps(report.to_dict(explain=True), ensure_ascii=False),
                       *staged)
    report_id = uow.conn.execute(insert(reports).values(
        draft_id=draft_id, revision=revision, content_hash=digest, revised_by=revised_by,
        verdict=str(report.verdict), lexicon_version=report.lexicon_version,
        model_version=report.model_version, report=text, created_at=now(), title=title,
        body=body, categories=category_list(f.category for f in report.findings),
        findings=len(report.findings))).inserted_primary_key[0]
    uow.audit("draft.screen", f"draft:{draft_id}",
              {"report_id": report_id, "revision": revision, "content_hash": digest,
               "verdict": str(report.verdict), "lexicon_version": report.lexicon_version,
               "model_version": report.model_version, "findings": len(report.findings)})
    return report_id


def _route(report: Report) -> str:
    # 第十三条: major news is released centrally; the dean's office decides, not the unit.
    return "dean" if any(f.category == "major_news" for f in report.findings) else "responsible"


def _editable(row: Any) -> None:
    if row.status in ("published", "rejected"):
        raise Conflict("the draft is {status}; submit a new draft instead", field="status",
                       status=row.status)


def submit(svc: Services, p: Principal, account_id: int, title: str, body: str,
           author: str = "", images: list[Image] | None = None) -> dict[str, Any]:
    """Check, screen and store a draft. Pictures are checked in memory, screened from a staging
    folder and moved to the upload folder only inside the transaction that stores the draft:
    a refused submission (413, 422, 403, a failed commit) leaves no file."""
    images = images or []
    with read(svc.engine) as conn:
        account = check_submit(conn, p, account_id)
    checked = _check_images(svc, images)
    _check_text(svc, title, body, len(checked))
    digest = content_hash(title, body, [c["sha256"] for c in checked])
    with _staged(svc, checked, images) as pictures:
        report = _screen(svc, account, title, body, author, [str(s) for s in pictures.paths])
        with unit_of_work(svc.engine, p.actor) as uow:
            check_submit(uow.conn, p, account_id)  # still allowed after the screening?
            stored = pictures.place(svc.config.upload_dir)
            stamp = now()
            draft_id = uow.conn.execute(insert(drafts).values(
                account_id=account_id, submitted_by=p.person_id, title=title, body=body,
                author=author, images=json.dumps(stored, ensure_ascii=False),
                content_hash=digest, revision=1, status="pending", route=_route(report),
                verdict=str(report.verdict), created_at=stamp, updated_at=stamp
            )).inserted_primary_key[0]
            uow.audit("draft.submit", f"draft:{draft_id}",
                      {"account_id": account_id, "revision": 1, "content_hash": digest,
                       "images": [c["sha256"] for c in checked]})
            checkpoint("submit.write")
            report_id = _store_report(svc, uow, draft_id, 1, digest, report, p.person_id,
                                      title, body, pictures.folder)
            uow.conn.execute(update(drafts).where(drafts.c.id == draft_id)
                             .values(report_id=report_id))
            if _background(svc, pictures.paths):
                picture_jobs.enqueue(uow, draft_id, 1, len(stored))
            return draft_detail(uow.conn, draft_id)


def edit(svc: Services, p: Principal, draft_id: int, title: str, body: str,
         author: str | None = None, images: list[Image] | None = None) -> dict[str, Any]:
    """A new revision of the draft, screened again. ``images`` replaces the draft's pictures
    (None keeps them); the new ones are checked, staged and placed as ``submit`` does, and a
    refused edit leaves no file."""
    with read(svc.engine) as conn:
        row = get_draft(conn, draft_id)
        check_edit(conn, p, row)
        _editable(row)
        account = conn.execute(select(accounts).where(accounts.c.id == row.account_id)).one()
    author = row.author if author is None else author
    if images is None:
        stored = json.loads(row.images)
        report = _screen(svc, account, title, body, author, [i["path"] for i in stored])
        digest = content_hash(title, body, [i["sha256"] for i in stored])
        return _revise(svc, p, row, title, body, author, report, digest, None)
    checked = _check_images(svc, images)
    _check_text(svc, title, body, len(checked))
    digest = content_hash(title, body, [c["sha256"] for c in checked])
    with _staged(svc, checked, images) as pictures:
        report = _screen(svc, account, title, body, author, [str(s) for s in pictures.paths])
        return _revise(svc, p, row, title, body, author, report, digest, pictures)


def _revise(svc: Services, p: Principal, row: Any, title: str, body: str, author: str,
            report: Report, digest: str, pictures: _Staged | None) -> dict[str, Any]:
    """Store the revision screened from ``row``: its report, and its pictures when they were
    replaced (None: the draft keeps its pictures)."""
    draft_id = row.id
    with unit_of_work(svc.engine, p.actor) as uow:
        current = get_draft(uow.conn, draft_id)
        check_edit(uow.conn, p, current)
        _editable(current)
        if current.revision != row.revision:
            raise Conflict("the draft was changed meanwhile; reload it and edit again")
        revision = row.revision + 1
        values: dict[str, Any] = {}
        details: dict[str, Any] = {"revision": revision, "content_hash": digest,
                                   "previous_hash": row.content_hash}
        staged: tuple[Path, ...] = ()
        if pictures is not None:
            kept = pictures.place(svc.config.upload_dir)
            values["images"] = json.dumps(kept, ensure_ascii=False)
            details["images"] = [c["sha256"] for c in pictures.checked]
            staged = (pictures.folder,)
        uow.audit("draft.edit", f"draft:{draft_id}", details)
        report_id = _store_report(svc, uow, draft_id, revision, digest, report, p.person_id,
                                  title, body, *staged)
        uow.conn.execute(update(drafts).where(drafts.c.id == draft_id).values(
            title=title, body=body, author=author, content_hash=digest, revision=revision,
            status="pending", route=_route(report), verdict=str(report.verdict),
            report_id=report_id, updated_at=now(), **values))
        pictures_now = (pictures.checked if pictures is not None else json.loads(row.images))
        if _background(svc, pictures_now):
            picture_jobs.enqueue(uow, draft_id, revision, len(pictures_now))
        else:
            picture_jobs.discard_open(uow, draft_id, "a new revision was screened")
        return draft_detail(uow.conn, draft_id)


def _blocking_without_comment(findings: list[dict[str, Any]],
                              finding_comments: dict[str, str]) -> list[int]:
    """Numbers (from 1) of the blocking findings that have no comment of their own."""
    return [i + 1 for i, f in enumerate(findings)
            if f["severity"] == "block" and str(i) not in finding_comments]


def _record(uow: UnitOfWork, p: Principal, row: Any, rep: Any, decision: str,
            comment: str, finding_comments: dict[str, str], judgements: dict[str, str],
            **audited: Any) -> None:
    """The sign-off row, its feedback rows, the draft's new status and the audit row, in
    ``uow``'s transaction."""
    draft_id = row.id
    signoff_id = uow.conn.execute(insert(signoffs).values(
        draft_id=draft_id, report_id=rep.id, person_id=p.person_id, token_id=p.token_id,
        session_id=p.session_id, decision=decision, comment=comment,
        finding_comments=json.dumps(finding_comments, ensure_ascii=False),
        content_hash=rep.content_hash, lexicon_version=rep.lexicon_version,
        model_version=rep.model_version, created_at=now())).inserted_primary_key[0]
    # The signer's judgement of each finding is training data: kept with the sign-off.
    record_signoff(uow, p, row, rep, signoff_id, decision, judgements, finding_comments)
    checkpoint("signoff.write")
    uow.conn.execute(update(drafts).where(drafts.c.id == draft_id)
                     .values(status=DECISION_STATUS[decision], updated_at=now()))
    uow.audit(f"draft.{decision}", f"draft:{draft_id}",
              {"signoff_id": signoff_id, "report_id": rep.id,
               "content_hash": rep.content_hash, "lexicon_version": rep.lexicon_version,
               "model_version": rep.model_version, "comment": comment,
               "finding_comments": finding_comments, "finding_judgements": judgements,
               **audited})


def _signable(uow: UnitOfWork, p: Principal, draft_id: int, report_id: int) -> tuple[Any, Any]:
    """The draft and its current report, once the caller may sign it off now, as they saw it."""
    row = get_draft(uow.conn, draft_id)
    check_sign(uow.conn, p, row)
    if row.status != "pending":
        raise Conflict("the draft is {status}, not waiting for sign-off", field="status",
                       status=row.status)
    _refuse_incomplete(uow.conn, row)
    if report_id != row.report_id:
        raise Conflict("the draft changed since you opened it (a new revision was "
                       "screened); reload it and sign off what you see", field="report_id")
    return row, uow.conn.execute(select(reports).where(reports.c.id == row.report_id)).one()


def sign_off(svc: Services, p: Principal, draft_id: int, *, decision: str, comment: str,
             report_id: int, finding_comments: dict[str, str] | None = None,
             finding_judgements: dict[str, str] | None = None) -> dict[str, Any]:
    """Approve, request changes or reject the draft's current revision.

    The "why" a decision needs may be the comment or comments on findings: changes and a
    rejection need one or the other; approving a blocked draft needs the comment or a comment
    on every blocking finding (each says why that finding is acceptable).
    """
    if decision not in DECISIONS:
        raise BadRequest("decision must be one of {decisions}", field="decision",
                         decisions=", ".join(DECISIONS))
    comment = comment.strip()
    finding_comments = {str(k): v.strip() for k, v in (finding_comments or {}).items()
                        if v and v.strip()}
    with unit_of_work(svc.engine, p.actor) as uow:
        row, rep = _signable(uow, p, draft_id, report_id)
        findings = json.loads(rep.report)["findings"]
        count = len(findings)
        for key in finding_comments:
            # ASCII digits only: str.isdigit() also takes "²", which int() refuses
            if not (key.isascii() and key.isdigit()) or int(key) >= count:
                raise BadRequest("no finding {key} in this report ({count} findings)",
                                 field="finding_comments", key=repr(key), count=count)
        judgements = checked_judgements(finding_judgements, count)
        if decision != "approve" and not comment and not finding_comments:
            raise BadRequest("say what must change or why the draft is rejected",
                             field="comment")
        missing = _blocking_without_comment(findings, finding_comments)
        if decision == "approve" and rep.verdict == "block" and not comment and missing:
            raise BadRequest("approving a blocked draft needs a comment saying why, or a "
                             "comment on each blocking finding (missing: {missing})",
                             field="comment", missing=", ".join(map(str, missing)))
        _record(uow, p, row, rep, decision, comment, finding_comments, judgements)
        return draft_detail(uow.conn, draft_id)


def approve_passing(svc: Services, p: Principal, chosen: list[tuple[int, int]],
                    comment: str) -> list[dict[str, Any]]:
    """Approve at once drafts that passed with no finding at all, with one comment; each pair
    is (draft, the report the reviewer saw). One transaction: every draft is checked first and
    nothing is signed if one cannot be (the error names it); each approval has its own sign-off
    and audit row."""
    comment = comment.strip()
    ids = [draft_id for draft_id, _ in chosen]
    if len(set(ids)) != len(ids):
        raise BadRequest("a draft is named twice", field="drafts")
    with unit_of_work(svc.engine, p.actor) as uow:
        ready = []
        for draft_id, report_id in chosen:
            row, rep = _signable(uow, p, draft_id, report_id)
            if rep.verdict != "pass" or json.loads(rep.report)["findings"]:
                raise Conflict("draft {draft} has findings; open it and sign it off on its "
                               "own", field="drafts", draft=draft_id)
            ready.append((row, rep))
        for row, rep in ready:
            _record(uow, p, row, rep, "approve", comment, {}, {}, batch=len(ready))
        return [draft_detail(uow.conn, row.id) for row, _ in ready]


def publish(svc: Services, p: Principal, draft_id: int) -> dict[str, Any]:
    with unit_of_work(svc.engine, p.actor) as uow:
        row = get_draft(uow.conn, draft_id)
        check_publish(uow.conn, p, row)
        if row.status == "published":
            raise Conflict("the draft is already published", field="status")
        _refuse_incomplete(uow.conn, row, publishing=True)
        approval = uow.conn.execute(
            select(signoffs).where(signoffs.c.draft_id == draft_id)
            .order_by(signoffs.c.id.desc()).limit(1)).first()
        if (row.status != "approved" or approval is None or approval.decision != "approve"
                or approval.report_id != row.report_id
                or approval.content_hash != row.content_hash):
            raise Conflict("publishing without an approval of this exact revision is "
                           "refused (the draft is {status}); the 具体负责人 must sign "
                           "it off first (第八条)", field="status", status=row.status)
        stamp = now()
        uow.conn.execute(update(drafts).where(drafts.c.id == draft_id).values(
            status="published", published_at=stamp, published_by=p.person_id,
            updated_at=stamp))
        uow.audit("draft.publish", f"draft:{draft_id}",
                  {"signoff_id": approval.id, "content_hash": row.content_hash})
        published = draft_detail(uow.conn, draft_id)
    # After the publication commits: the bank is another store (第十二条, usecases.sources).
    join_published(svc, p, published)
    return published


def complete_pictures(svc: Services, claim: Claim, report: Report) -> int | None:
    """Store the complete report (text and picture findings, verdict recomputed) that a
    picture job made, with its audit row, and send the draft to the queue its findings call
    for; None when the result is not wanted: the job is no longer this worker's (its lease
    ran out and another took it), or the draft moved on to a newer revision (discarded)."""
    with unit_of_work(svc.engine, claim.worker) as uow:
        if not picture_jobs.still_ours(uow.conn, claim):
            return None
        row = get_draft(uow.conn, claim.draft_id)
        stored = json.loads(row.images)
        if row.revision != claim.revision or row.status != "pending":
            picture_jobs.close(uow, claim, "discarded", None, len(stored))
            return None
        # the revision's author stays its author (nobody signs off what they wrote)
        author = uow.conn.execute(select(reports.c.revised_by).where(
            reports.c.id == row.report_id)).scalar()
        report_id = _store_report(svc, uow, row.id, row.revision, row.content_hash, report,
                                  author, row.title, row.body)
        uow.conn.execute(update(drafts).where(drafts.c.id == row.id).values(
            route=_route(report), verdict=str(report.verdict), report_id=report_id,
            updated_at=now()))
        picture_jobs.close(uow, claim, "done", report_id, len(stored))
        return report_id
