"""The audit log: its rows, its chain, and whether every lexicon, asset and source-bank change
and every model promotion is in it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, select

from screener.classify import registry_for
from screener.i18n import N_
from screener.images.bank import AssetBank
from screener.images.bank import events as asset_events
from screener.images.config import image_config
from screener.lexicon import store_for
from screener.settings import Settings
from screener.sources import SourceBank
from screener.sources.bank import events as source_events

from .. import audit, views
from ..access import require
from ..auth import Principal, Role
from ..db import audit_log, drafts, read, reports, signoffs
from ..errors import AuditError, zh_translations
from ..usecases.audit import BASELINE
from . import count_page
from .drafts import content_hash


def rows(engine: Engine, p: Principal, limit: int, offset: int,
         subject: str | None = None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing=N_("reading the audit log"))
    query = select(audit_log).order_by(audit_log.c.id)
    if subject:
        query = query.where(audit_log.c.subject == subject)
    with read(engine) as conn:
        return count_page(conn, query, limit, offset, views.audit_row)


def unaudited(conn: Connection, settings: Settings) -> list[str]:
    """Lexicon changes, asset events and model promotions or rollbacks after the baseline that
    have no audit row, as readable lines (empty: every change is accounted for)."""
    found = conn.execute(select(audit_log.c.action, audit_log.c.subject, audit_log.c.details)
                         .where(audit_log.c.action.like("lexicon.%")
                                | audit_log.c.action.like("asset.%")
                                | audit_log.c.action.like("source.%")
                                | audit_log.c.action.like("model.%")
                                | (audit_log.c.action == BASELINE))
                         .order_by(audit_log.c.id)).all()
    base = next((json.loads(r.details) for r in found if r.action == BASELINE), None)
    if base is None:
        return ["审计日志没有基准行：请启动一次服务或运行一次 `screener init`，"
                "之后词库和图片库的改动才能与之核对"]
    seen_seqs = {r.subject for r in found if r.action.startswith("lexicon.")}
    seen_events = {json.loads(r.details).get("event_id") for r in found
                   if r.action.startswith("asset.")}
    missing = [f"词库改动 {c.seq}（{c.at}，{c.by}：{c.summary}）"
               for c in reversed(store_for(settings).changes())
               if c.seq > base["lexicon_seq"] and f"lexicon:{c.seq}" not in seen_seqs]
    seen_models = {json.loads(r.details).get("seq") for r in found
                   if r.action.startswith("model.")}
    # A baseline written before models were promoted has no model_seq: every change counts.
    missing += [f"模型改动 {c.seq}（{c.action}，模型 {c.number}，{c.at}，{c.by}）"
                for c in reversed(registry_for(settings).changes())
                if c.seq > base.get("model_seq", 0) and c.seq not in seen_models]
    bank = AssetBank(settings.assets_database_url, image_config(settings))
    try:
        with bank.engine.connect() as bank_conn:
            for e in bank_conn.execute(select(asset_events)
                                       .where(asset_events.c.id > base["asset_event_id"])
                                       .order_by(asset_events.c.id)):
                if e.id not in seen_events:
                    missing.append(f"图片库改动：图片 {e.asset_id} {e.action}（{e.at}，{e.by}）")
    finally:
        bank.engine.dispose()
    missing.extend(_unaudited_sources(settings, base, found))
    return missing


def _unaudited_sources(settings: Settings, base: dict, found) -> list[str]:
    """Source-bank events after the baseline without an audit row naming them. A baseline
    recorded before the bank existed has no high-water mark for it: every event counts."""
    seen = {e for r in found if r.action.startswith("source.")
            for e in json.loads(r.details).get("event_ids", [])}
    bank = SourceBank(settings.sources_database_url, create=False)
    if not bank.ready():
        return []
    with bank.engine.connect() as bank_conn:
        return [f"来源库改动：来源 {e.source_id} {e.action}（{e.at}，{e.by}）"
                for e in bank_conn.execute(select(source_events)
                                           .where(source_events.c.id
                                                  > base.get("source_event_id", 0))
                                           .order_by(source_events.c.id))
                if e.id not in seen]
_STATUS_AFTER = {"draft.submit": "pending", "draft.edit": "pending",
                 "draft.approve": "approved", "draft.changes": "changes_requested",
                 "draft.reject": "rejected", "draft.publish": "published"}


def _draft_rows(conn: Connection) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    after = 0
    while True:
        batch = conn.execute(select(audit_log.c.id, audit_log.c.action, audit_log.c.subject,
                                    audit_log.c.details)
                             .where(audit_log.c.id > after,
                                    audit_log.c.subject.like("draft:%"))
                             .order_by(audit_log.c.id).limit(5000)).all()
        if not batch:
            return found
        for row in batch:
            if row.subject[6:].isdigit():
                found.setdefault(int(row.subject[6:]), []).append(
                    (row.action, json.loads(row.details)))
        after = batch[-1].id


def crosscheck(conn: Connection) -> list[str]:
    """Drafts, their reports and sign-offs that their audit rows do not account for: a text
    changed in the database (its hash no longer matches), a report, sign-off or status with no
    audit row saying so. Empty: every stored draft is what the log says."""
    logged = _draft_rows(conn)
    problems: list[str] = []
    for d in conn.execute(select(drafts).order_by(drafts.c.id)):
        rows = logged.get(d.id, [])
        images = [i["sha256"] for i in json.loads(d.images)]
        if content_hash(d.title, d.body, images) != d.content_hash:
            problems.append(f"稿件 {d.id}：标题、正文或图片在数据库中被改动过"
                            "（与其内容哈希不再相符）")
        texts = [r for a, r in rows if a in ("draft.submit", "draft.edit")]
        if not texts or texts[-1].get("content_hash") != d.content_hash:
            problems.append(f"稿件 {d.id}：第 {d.revision} 版没有带其内容哈希的提交或修改记录")
        screened = {r.get("report_id"): r for a, r in rows if a == "draft.screen"}
        for rep in conn.execute(select(reports).where(reports.c.draft_id == d.id)):
            row = screened.get(rep.id)
            if row is None or row.get("content_hash") != rep.content_hash \
                    or row.get("verdict") != rep.verdict:
                problems.append(f"稿件 {d.id}：报告 {rep.id} 没有相符的审核记录")
        signed = {r.get("signoff_id"): (a, r) for a, r in rows
                  if a in ("draft.approve", "draft.changes", "draft.reject")}
        for s in conn.execute(select(signoffs).where(signoffs.c.draft_id == d.id)):
            action, row = signed.get(s.id, ("", {}))
            if action != f"draft.{s.decision}" or row.get("report_id") != s.report_id \
                    or row.get("content_hash") != s.content_hash:
                problems.append(f"稿件 {d.id}：签发 {s.id}（{s.decision}）没有相符的审计记录")
        changes = [a for a, _ in rows if a in _STATUS_AFTER]
        if changes and _STATUS_AFTER[changes[-1]] != d.status:
            problems.append(f"稿件 {d.id}：状态是 {d.status!r}，但按审计日志的最后一次改动"
                            f"（{changes[-1]}）应是 {_STATUS_AFTER[changes[-1]]!r}")
    return problems


def check(engine: Engine, settings: Settings, head: str | None = None
          ) -> tuple[audit.Head, list[str]]:
    """The chain's head, and the changes the log does not account for (unaudited lexicon and
    asset changes, drafts and sign-offs that do not match their rows); AuditError names the
    first bad row of the chain."""
    with read(engine) as conn:
        return (audit.verify(conn, expected_head=head),
                unaudited(conn, settings) + crosscheck(conn))


def signed_head(engine: Engine) -> dict[str, Any]:
    """The chain's head, signed with the server's key (``screener audit head``)."""
    with read(engine) as conn:
        return audit.signed_head(engine, audit.head(conn))


UNAUDITED = N_("{count} change(s) are not in the audit log or do not match it")


def verify(engine: Engine, p: Principal, settings: Settings) -> dict[str, Any]:
    """``problem`` in English for programs and ``problem_zh`` for people, as an error's
    ``message`` and ``message_zh``."""
    require(p, Role.ADMIN, doing=N_("verifying the audit log"))
    try:
        head, missing = check(engine, settings)
    except AuditError as exc:
        return {"ok": False, "row": exc.row, "problem": exc.message,
                "problem_zh": exc.localized(zh_translations())}
    if missing:
        return {"ok": False, "row": None, "unaudited": missing,
                "problem": UNAUDITED.format(count=len(missing)),
                "problem_zh": zh_translations().gettext(UNAUDITED).format(count=len(missing))}
    return {"ok": True, "rows": head.rows, "head": head.hash}
