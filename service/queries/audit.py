"""The audit log: its rows, its chain, and whether every lexicon and asset change and every
model promotion is in it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, select

from screener.classify import registry_for
from screener.images.bank import AssetBank
from screener.images.bank import events as asset_events
from screener.images.config import image_config
from screener.lexicon import store_for
from screener.settings import Settings

from .. import audit, views
from ..access import require
from ..auth import Principal, Role
from ..db import audit_log, read
from ..errors import AuditError
from ..usecases.audit import BASELINE
from . import count_page


def rows(engine: Engine, p: Principal, limit: int, offset: int,
         subject: str | None = None) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="reading the audit log")
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
                                | audit_log.c.action.like("model.%")
                                | (audit_log.c.action == BASELINE))
                         .order_by(audit_log.c.id)).all()
    base = next((json.loads(r.details) for r in found if r.action == BASELINE), None)
    if base is None:
        return ["the audit log has no baseline row: start the service or run `screener init` "
                "once so that lexicon and asset changes can be checked against it"]
    seen_seqs = {r.subject for r in found if r.action.startswith("lexicon.")}
    seen_events = {json.loads(r.details).get("event_id") for r in found
                   if r.action.startswith("asset.")}
    missing = [f"lexicon change {c.seq} ({c.at}, by {c.by}: {c.summary})"
               for c in reversed(store_for(settings).changes())
               if c.seq > base["lexicon_seq"] and f"lexicon:{c.seq}" not in seen_seqs]
    seen_models = {json.loads(r.details).get("seq") for r in found
                   if r.action.startswith("model.")}
    # A baseline written before models were promoted has no model_seq: every change counts.
    missing += [f"model {c.action} {c.seq} (model {c.number}, {c.at}, by {c.by})"
                for c in reversed(registry_for(settings).changes())
                if c.seq > base.get("model_seq", 0) and c.seq not in seen_models]
    bank = AssetBank(settings.assets_database_url, image_config(settings))
    try:
        with bank.engine.connect() as bank_conn:
            for e in bank_conn.execute(select(asset_events)
                                       .where(asset_events.c.id > base["asset_event_id"])
                                       .order_by(asset_events.c.id)):
                if e.id not in seen_events:
                    missing.append(f"asset {e.asset_id} {e.action} ({e.at}, by {e.by})")
    finally:
        bank.engine.dispose()
    return missing


def check(engine: Engine, settings: Settings, head: str | None = None
          ) -> tuple[audit.Head, list[str]]:
    """The chain's head and the unaudited changes; AuditError names the first bad row."""
    with read(engine) as conn:
        return audit.verify(conn, expected_head=head), unaudited(conn, settings)


def verify(engine: Engine, p: Principal, settings: Settings) -> dict[str, Any]:
    require(p, Role.ADMIN, doing="verifying the audit log")
    try:
        head, missing = check(engine, settings)
    except AuditError as exc:
        return {"ok": False, "row": exc.row, "problem": exc.message}
    if missing:
        return {"ok": False, "row": None, "unaudited": missing,
                "problem": f"{len(missing)} lexicon, asset or model change(s) are not in the "
                           "audit log"}
    return {"ok": True, "rows": head.rows, "head": head.hash}
