"""Violation records (第十五条): a published post found in breach, the people who held each
role of its account on the day it was published (from the dated role history, so a later
change of people does not shift the blame), and what the college decided: 通报批评, the unit's
申办资格 suspended until a date (no new account may be applied for until then), referral to
人事部 / 学生工作部 under their rules for staff and students.

A re-screened post that its 具体负责人 (or the dean's office) takes down becomes a record in the
same transaction, waiting for the dean's office's decision; the dean's office also enters
records itself, for a published draft or a post of the archive.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, update

from ..access import require
from ..auth import Principal, Role
from ..db import now, violations
from ..errors import BadRequest, Conflict
from ..queries.drafts import get_draft
from ..queries.rows import get_account
from ..queries.violations import get_violation, people_on, violation_detail
from ..roles import parse_day, today
from ..uow import UnitOfWork, unit_of_work
from ..views import local_day

# The article a take-down cites when its findings name none.
DEFAULT_ARTICLE = "第十一条（内容）"


def _insert(uow: UnitOfWork, *, account_id: int, draft_id: int | None,
            recheck_id: int | None, post_key: str, title: str, published_on: str,
            article: str, description: str, source: str) -> int:
    account = get_account(uow.conn, account_id)
    people = people_on(uow.conn, account_id, published_on)
    violation_id = uow.conn.execute(insert(violations).values(
        account_id=account_id, unit_id=account.unit_id, draft_id=draft_id,
        recheck_id=recheck_id, post_key=post_key, title=title, published_on=published_on,
        article=article, description=description, source=source,
        people=json.dumps(people, ensure_ascii=False), recorded_by=uow.actor,
        recorded_at=now(), criticized=0, referred=0)).inserted_primary_key[0]
    uow.audit("violation.record", f"violation:{violation_id}", {
        "account_id": account_id, "unit_id": account.unit_id, "draft_id": draft_id,
        "recheck_id": recheck_id, "post": post_key, "published_on": published_on,
        "article": article, "source": source,
        "people": {role: [h["person_id"] for h in held] for role, held in people.items()}})
    return violation_id


def from_take_down(uow: UnitOfWork, recheck: Any, comment: str) -> int:
    """The record of a re-screened post taken down (called in the take-down's transaction)."""
    findings = json.loads(recheck.findings)
    article = next((f["article"] for f in findings
                    if f.get("severity") == "block" and f.get("article")), None) or next(
        (f["article"] for f in findings if f.get("article")), DEFAULT_ARTICLE)
    return _insert(uow, account_id=recheck.account_id, draft_id=recheck.draft_id,
                   recheck_id=recheck.id, post_key=recheck.post_key, title=recheck.title,
                   published_on=local_day(recheck.published_at).isoformat(), article=article,
                   description=comment, source="recheck")


def record(engine, p: Principal, *, article: str, description: str,
           draft_id: int | None = None, account_id: int | None = None,
           post_key: str = "", title: str = "", published_on: str | None = None
           ) -> dict[str, Any]:
    """The dean's office enters a violation: a published draft (``draft_id``), or a post of
    the archive (``account_id``, ``post_key``, ``title``, ``published_on``)."""
    require(p, Role.ADMIN, doing="recording a violation")
    article, description = article.strip(), description.strip()
    if not article:
        raise BadRequest("写明违反的条款（如 第十一条（内容））", field="article")
    if not description:
        raise BadRequest("写明违规的情况", field="description")
    with unit_of_work(engine, p.actor) as uow:
        if draft_id is not None:
            draft = get_draft(uow.conn, draft_id)
            if draft.status != "published" or not draft.published_at:
                raise Conflict("稿件 {draft_id} 尚未发布（{status}）：违规记录针对已发布的内容",
                               draft_id=draft_id, status=draft.status, field="draft_id")
            fields = {"account_id": draft.account_id, "draft_id": draft_id,
                      "post_key": f"svc:{draft_id}", "title": draft.title,
                      "published_on": local_day(draft.published_at).isoformat()}
        else:
            if account_id is None or not post_key.strip() or not published_on:
                raise BadRequest("给出 draft_id，或 account_id、post 与 published_on",
                                 field="draft_id")
            day = parse_day(published_on, "published_on")
            if day > today():
                raise BadRequest("发布日期 {day} 在今天之后",
                                 day=day, field="published_on")
            get_account(uow.conn, account_id)
            fields = {"account_id": account_id, "draft_id": None,
                      "post_key": post_key.strip()[:200], "title": title.strip(),
                      "published_on": day}
        violation_id = _insert(uow, recheck_id=None, article=article[:100],
                               description=description, source="dean", **fields)
        return violation_detail(uow.conn, violation_id)


def decide(engine, p: Principal, violation_id: int, *, criticized: bool,
           suspended_until: str | None, referred: bool, decided_on: str | None,
           note: str = "") -> dict[str, Any]:
    """What the college decided on a violation (第十五条), recorded by the dean's office."""
    require(p, Role.ADMIN, doing="recording what was decided on a violation")
    day = parse_day(decided_on, "decided_on")
    until = parse_day(suspended_until, "suspended_until") if suspended_until else None
    if until is not None and until <= day:
        raise BadRequest("暂停申办资格的截止日期 {until} 须晚于决定日期 {day}",
                         until=until, day=day,
                         field="suspended_until")
    if not (criticized or until or referred or note.strip()):
        raise BadRequest("至少选一项处理（通报批评、暂停申办资格、提请处理），或写明不予处理的理由",
                         field="note")
    with unit_of_work(engine, p.actor) as uow:
        row = get_violation(uow.conn, violation_id)
        if row.action_at is not None:
            raise Conflict("违规记录 {violation_id} 已于 {action_at} 作出处理",
                           violation_id=violation_id, action_at=row.action_at, field="status")
        uow.conn.execute(update(violations).where(violations.c.id == violation_id).values(
            criticized=int(criticized), suspended_until=until, referred=int(referred),
            action_on=day, action_note=note.strip(), action_by=p.actor, action_at=now()))
        uow.audit("violation.decide", f"violation:{violation_id}", {
            "unit_id": row.unit_id, "criticized": criticized, "suspended_until": until,
            "referred": referred, "decided_on": day, "note": note.strip()})
        return violation_detail(uow.conn, violation_id)


