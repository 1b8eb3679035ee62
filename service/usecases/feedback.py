"""Reviewers' feedback: the judgements a sign-off makes on each finding, and the categories a
reviewer reports the tools missed (漏报).

Feedback rows go into the core's ``feedback`` table (``screener.feedback``) in the same
transaction as the sign-off and its audit row; a reported miss, and labelled texts imported
from the command line, with their own audit row in one transaction: the service database holds
that table (the service migrates it on start).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from screener.errors import ConfigError
from screener.feedback import CATEGORIES, add_rows, missed_row, signoff_rows

from ..access import check_sign
from ..auth import Principal
from ..context import Services, cli_actor
from ..db import migrate_feedback, reports
from ..errors import BadRequest, Conflict
from ..queries.drafts import get_draft
from ..uow import UnitOfWork, unit_of_work
from .audit import keyed_engine

FINDING_JUDGEMENTS = ("confirmed", "false_alarm")


def reviewer(p: Principal) -> str:
    return f"{p.name} [{p.actor}]"


def checked_judgements(judgements: dict[str, str] | None, count: int) -> dict[str, str]:
    """Per-finding judgements of a sign-off, by index; refused before anything is written."""
    found = {str(k): v for k, v in (judgements or {}).items() if v}
    for key, value in found.items():
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses
        if not (key.isascii() and key.isdigit()) or int(key) >= count:
            raise BadRequest("no finding {key} in this report ({count} findings)",
                             field="finding_judgements", key=repr(key), count=count)
        if value not in FINDING_JUDGEMENTS:
            raise BadRequest("a finding is judged {allowed}, not {value}",
                             field="finding_judgements",
                             allowed=" or ".join(FINDING_JUDGEMENTS), value=repr(value))
    return found


def record_signoff(uow: UnitOfWork, p: Principal, draft: Any, rep: Any, signoff_id: int,
                   decision: str, judgements: dict[str, str],
                   comments: dict[str, str]) -> int:
    """One feedback row per finding of the report signed off, in the sign-off's transaction;
    how many."""
    findings = json.loads(rep.report)["findings"]
    return add_rows(uow.conn, signoff_rows(
        decision=decision, findings=findings, title=draft.title, body=draft.body,
        reviewer=reviewer(p), signoff_ref=f"signoff:{signoff_id}", report_ref=f"report:{rep.id}",
        draft_ref=f"draft:{draft.id}", model_version=rep.model_version,
        lexicon_version=rep.lexicon_version, judgements=judgements, comments=comments))


def report_missed(svc: Services, p: Principal, draft_id: int, *, report_id: int,
                  category: str, text: str = "", comment: str = "") -> dict[str, Any]:
    """漏报: the reviewer who signs a draft off names a category the tools did not find in the
    report they see (optionally the words that show it). Recorded once per report, category,
    words and reviewer."""
    if category not in CATEGORIES:
        raise BadRequest("category must be one of {value}",
                         value=', '.join(CATEGORIES), field="category")
    with unit_of_work(svc.engine, p.actor) as uow:
        row = get_draft(uow.conn, draft_id)
        check_sign(uow.conn, p, row)
        if report_id != row.report_id:
            raise Conflict("the draft changed since you opened it (a new revision was "
                           "screened); reload it and report what you see", field="report_id")
        rep = uow.conn.execute(select(reports).where(reports.c.id == row.report_id)).one()
        if text.strip() and text.strip() not in row.title and text.strip() not in row.body:
            raise BadRequest("the words given do not occur in the draft's title or body",
                             field="text")
        feedback = missed_row(category=category, title=row.title, body=row.body,
                              reviewer=reviewer(p), report_ref=f"report:{rep.id}",
                              draft_ref=f"draft:{draft_id}", model_version=rep.model_version,
                              lexicon_version=rep.lexicon_version, span=text, comment=comment)
        added = add_rows(uow.conn, [feedback])
        if added:
            uow.audit("feedback.missed", f"draft:{draft_id}",
                      {"report_id": rep.id, "category": category, "text": feedback["span"],
                       "comment": feedback["comment"], "model_version": rep.model_version,
                       "lexicon_version": rep.lexicon_version, "key": feedback["key"]})
    return {"draft_id": draft_id, "report_id": report_id, "category": category,
            "text": feedback["span"], "recorded": bool(added)}


def import_from_cli(settings, rows: list[dict[str, Any]], summary: dict[str, Any]
                    ) -> int | None:
    """``screener feedback import``: the rows and, if any is new, the import's audit row (which
    file, its sha256, rows added) in one transaction; how many were new. None if the state
    folder has no service database (no audit log: the core adds the rows alone)."""
    engine = keyed_engine(settings)
    if engine is None:
        return None
    try:
        migrate_feedback(engine)  # before our write lock: it takes one of its own
        with unit_of_work(engine, cli_actor("maintainer")) as uow:
            added = add_rows(uow.conn, rows)
            if added:
                uow.audit("feedback.import", f"feedback-file:{summary['sha256'][:16]}",
                          {**summary, "added": added, "already_known": len(rows) - added})
    except SQLAlchemyError as exc:
        raise ConfigError(f"无法写入反馈表或审计日志：{exc}") from None
    finally:
        engine.dispose()
    return added
