"""How the service shows what it stores: rows shaped into the JSON the API returns and the pages
render. No database access here; the queries fetch, these shape."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from screener.lexicon.compiled import format_version

from .roles import (
    ACCOUNT_ROLE_LABELS,
    STATUS_LABELS,
    AccountRole,
    AccountStatus,
    held_on,
    late,
    today,
    unchecked,
)
from .workdays import CLOSE_DAYS, Count, count_working_days

RECHECK_LABEL = "已发布内容需复核"


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    following = offset + len(items)
    return {"items": items, "total": total, "limit": limit, "offset": offset,
            "next_offset": following if following < total else None}


# -- registry -------------------------------------------------------------------------------------
def unit(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name}


def person(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "unit_id": row.unit_id}


def account_summary(row: Any) -> dict[str, Any]:
    findings = json.loads(row.name_findings)
    overdue = Count(0, ())
    if row.status == AccountStatus.CLOSING and row.closing_on:
        counted = count_working_days(date.fromisoformat(row.closing_on), date.today())
        overdue = Count(max(0, counted.days - CLOSE_DAYS), counted.uncovered)
    return {"id": row.id, "platform": row.platform, "name": row.name, "unit_id": row.unit_id,
            "status": row.status, "status_label": STATUS_LABELS[AccountStatus(row.status)],
            "opened_on": row.opened_on, "closing_on": row.closing_on,
            "closed_on": row.closed_on, "name_findings": findings,
            "protected_name": bool(findings),
            "closing_overdue_working_days": overdue.days,
            "closing_deadline_unchecked": unchecked([overdue])}


def assignment(a: Any) -> dict[str, Any]:
    """A role held for a period (``a`` joined with the person's name and kind)."""
    on_time = late(a.effective_on, a.reported_at)
    end_late = late(a.ended_on, a.end_reported_at) if a.ended_on else Count(0, ())
    return {"id": a.id, "person_id": a.person_id, "name": a.name, "kind": a.kind,
            "role": a.role, "role_label": ACCOUNT_ROLE_LABELS[AccountRole(a.role)],
            "effective_on": a.effective_on, "reported_at": a.reported_at,
            "late_working_days": on_time.days,
            "ended_on": a.ended_on, "end_reported_at": a.end_reported_at,
            "end_late_working_days": end_late.days,
            "deadline_unchecked": unchecked([on_time, end_late]),
            "current": held_on(a.effective_on, a.ended_on, today()),
            "pending": a.effective_on > today()}


def account_detail(row: Any, history: list[dict[str, Any]], events: list[Any]
                   ) -> dict[str, Any]:
    detail = account_summary(row)
    detail["roles"] = [h for h in history if h["current"]]
    detail["pending_roles"] = [h for h in history if h["pending"]]
    detail["role_history"] = history
    detail["status_history"] = [{"status": e.status, "effective_on": e.effective_on,
                                 "reported_at": e.reported_at, "note": e.note}
                                for e in events]
    detail["late_reports"] = sum(1 for h in history
                                 if h["late_working_days"] or h["end_late_working_days"])
    detail["unchecked_deadlines"] = sum(1 for h in history if h["deadline_unchecked"]) + \
        bool(detail["closing_deadline_unchecked"])
    detail["missing_roles"] = [str(r) for r in (AccountRole.FIRST_RESPONSIBLE,
                                                AccountRole.RESPONSIBLE)
                               if not any(h["role"] == r for h in detail["roles"])]
    return detail


def local_day(stamp: str) -> date:
    """The calendar day (the server's, as the registry's dates are) of a stored time; a bare
    date is that day."""
    moment = datetime.fromisoformat(stamp)
    return (moment.astimezone() if moment.tzinfo else moment).date()


def application(row: Any, files: list[Any], order: Any) -> dict[str, Any]:
    """An account's application: what the unit said, its files, the 党政联席会's decision."""
    return {"purpose": row.purpose, "operating_plan": row.operating_plan,
            "justification": row.justification, "applied_by": row.applied_by,
            "applied_at": row.applied_at,
            "priority_order": ({"id": order.id, "accounts": json.loads(order.accounts),
                                "set_at": order.set_at} if order is not None else None),
            "documents": [{"id": f.id, "kind": f.kind, "name": f.name, "sha256": f.sha256,
                           "size": f.size, "media_type": f.media_type,
                           "uploaded_at": f.uploaded_at} for f in files],
            "decision": row.decision, "decided_on": row.decided_on,
            "party_signatory": row.party_signatory, "admin_signatory": row.admin_signatory,
            "decision_note": row.decision_note, "decided_by": row.decided_by,
            "decided_at": row.decided_at}


def activity(row: Any, priority: int | None, posts: int, last: date | None, idle_days: int,
             per_month: float, monthly: dict[str, int]) -> dict[str, Any]:
    """An account's place in its unit's order and how active it is (第七条)."""
    return {"id": row.id, "name": row.name, "platform": row.platform, "unit_id": row.unit_id,
            "status": row.status, "status_label": STATUS_LABELS[AccountStatus(row.status)],
            "opened_on": row.opened_on, "priority": priority, "posts": posts,
            "last_post_on": last.isoformat() if last else None,
            "days_since_last_post": idle_days, "posts_per_month": per_month,
            "monthly_posts": monthly}


VIOLATION_ACTIONS = {"criticized": "通报批评", "suspended_until": "暂停两微账号申办资格",
                     "referred": "提请人事部、学生工作部处理"}


def violation(row: Any, unit: str | None, people: dict[str, list[dict]]) -> dict[str, Any]:
    """A violation record (第十五条) with the people in each role on the publication day."""
    actions = [VIOLATION_ACTIONS["criticized"]] if row.criticized else []
    if row.suspended_until:
        actions.append(f"{VIOLATION_ACTIONS['suspended_until']}至 {row.suspended_until}")
    if row.referred:
        actions.append(VIOLATION_ACTIONS["referred"])
    return {"id": row.id, "account_id": row.account_id, "unit_id": row.unit_id, "unit": unit,
            "draft_id": row.draft_id, "recheck_id": row.recheck_id, "post": row.post_key,
            "title": row.title, "published_on": row.published_on, "article": row.article,
            "description": row.description, "source": row.source, "people": people,
            "recorded_by": row.recorded_by, "recorded_at": row.recorded_at,
            "criticized": bool(row.criticized), "suspended_until": row.suspended_until,
            "referred": bool(row.referred), "actions": actions,
            "action_on": row.action_on, "action_note": row.action_note,
            "action_by": row.action_by, "action_at": row.action_at,
            "action_pending": row.action_at is None}


def token(row: Any) -> dict[str, Any]:
    """A token's record: never the token itself (only its hash is stored, and not shown)."""
    return {"id": row.id, "person_id": row.person_id, "role": row.role, "unit_id": row.unit_id,
            "label": row.label, "created_at": row.created_at, "revoked_at": row.revoked_at,
            "expires_at": row.expires_at}


# -- drafts ---------------------------------------------------------------------------------------
def signoff(s: Any, current_report: int | None) -> dict[str, Any]:
    return {"id": s.id, "decision": s.decision, "by": s.name or "院长办公室",
            "person_id": s.person_id, "comment": s.comment,
            "finding_comments": json.loads(s.finding_comments),
            "report_id": s.report_id, "content_hash": s.content_hash,
            "lexicon_version": s.lexicon_version, "model_version": s.model_version,
            "at": s.created_at, "current": s.report_id == current_report,
            "revision": getattr(s, "revision", None)}


def editors(revisions: list[Any]) -> list[dict[str, Any]]:
    """Everyone who wrote a revision, in the order they first did, with their revisions."""
    found: dict[Any, dict[str, Any]] = {}
    for r in revisions:
        if r.revised_by is None:
            continue
        entry = found.setdefault(r.revised_by, {"person_id": r.revised_by, "name": r.name,
                                                "revisions": []})
        if r.revision not in entry["revisions"]:
            entry["revisions"].append(r.revision)
    return list(found.values())


def draft(row: Any, account: Any, submitter: str | None, report: Any,
          signoffs: list[Any], revisions: list[Any] = ()) -> dict[str, Any]:
    images = [{k: v for k, v in i.items() if k != "path"} for i in json.loads(row.images)]
    return {
        "id": row.id, "account": {"id": account.id, "name": account.name,
                                  "platform": account.platform, "unit_id": account.unit_id},
        "title": row.title, "body": row.body, "author": row.author, "images": images,
        "submitted_by": {"id": row.submitted_by, "name": submitter},
        "content_hash": row.content_hash, "revision": row.revision, "status": row.status,
        "route": row.route, "verdict": row.verdict, "created_at": row.created_at,
        "updated_at": row.updated_at, "published_at": row.published_at,
        "report": ({"id": report.id, "model_version": report.model_version,
                    **json.loads(report.report)} if report else None),
        "signoffs": [signoff(s, row.report_id) for s in signoffs],
        "editors": editors(revisions),
    }


def draft_item(r: Any) -> dict[str, Any]:
    return {"kind": "draft", "id": r.id, "title": r.title, "account_id": r.account_id,
            "account": r.name, "status": r.status, "verdict": r.verdict,
            "route": r.route, "revision": r.revision, "created_at": r.created_at,
            "updated_at": r.updated_at}


def queue_item(r: Any, excerpt: int) -> dict[str, Any]:
    """A draft's row in the queue, with what its one-line summary says."""
    text = r.excerpt or ""
    return {**draft_item(r), "platform": r.platform, "report_id": r.report_id,
            "categories": [c for c in (r.categories or "").strip(",").split(",") if c],
            "findings": r.findings, "excerpt": text[:excerpt] + ("…" if len(text) > excerpt
                                                                 else "")}


def recheck(row: Any, account: str) -> dict[str, Any]:
    return {"kind": "recheck", "label": RECHECK_LABEL, "id": row.id, "post": row.post_key,
            "draft_id": row.draft_id, "title": row.title, "account_id": row.account_id,
            "account": account, "route": row.route, "verdict": row.verdict,
            "published_at": row.published_at, "created_at": row.created_at,
            "lexicon_version": row.lexicon_version, "model_version": row.model_version,
            "findings": json.loads(row.findings), "resolved_at": row.resolved_at,
            "resolved_by": row.resolved_by, "decision": row.decision, "comment": row.comment}


# -- audit, lexicon, assets -------------------------------------------------------------------
def audit_row(r: Any) -> dict[str, Any]:
    return {"id": r.id, "at": r.at, "actor": r.actor, "action": r.action,
            "subject": r.subject, "details": json.loads(r.details), "hash": r.hash}


def term(e: Any) -> dict[str, Any]:
    return {"term": e.term, "category": e.category,
            "severity": None if e.is_allow else str(e.severity), "article": e.article,
            "boundary": e.boundary, "fillers": e.fillers, "source": e.source}


def lexicon_change(c: Any) -> dict[str, Any]:
    return {"seq": c.seq, "version": format_version(c.seq, c.content), "at": c.at, "by": c.by,
            "reason": c.reason, "action": c.action, "summary": c.summary}


def asset(a: Any) -> dict[str, Any]:
    return {**a.to_dict(), "image_url": f"/api/assets/{a.id}/image"}


def published(change: Any, version: str, audit_id: int) -> dict[str, Any]:
    return {"changed": True, "version": version, "seq": change.seq, "summary": change.summary,
            "audit_id": audit_id}


def unchanged(version: str) -> dict[str, Any]:
    return {"changed": False, "version": version,
            "summary": "nothing changed: the lexicon already says so"}


# -- models and feedback --------------------------------------------------------------------------
def model_change(change: Any, in_force: str, audit_id: int | None) -> dict[str, Any]:
    return {"action": change.action, "seq": change.seq, "number": change.number,
            "version": change.version, "previous_number": change.previous_number,
            "previous_version": change.previous_version, "by": change.by,
            "reason": change.reason, "at": change.at, "in_force": in_force,
            "audit_id": audit_id}


def registered_model(entry: Any, in_force: int) -> dict[str, Any]:
    return {"number": entry.number, "version": entry.version, "created_at": entry.created_at,
            "created_by": entry.created_by, "compared_with": entry.base_version,
            "in_force": entry.number == in_force, "feedback": entry.summary.get("feedback", {}),
            "brief": entry.summary.get("brief", {}),
            "changed_counts": entry.summary.get("changed_counts", {})}
