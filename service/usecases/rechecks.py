"""Published posts that need review again: a re-screening of the archive (``screener rescreen``)
newly flagged them, so their account's 具体负责人 decides to keep them or take them down.

``queue_from_rescreen`` runs after the re-screening has stored its reports. Each newly flagged
post whose account is registered here (the draft it came from, ``svc:<draft id>``, or else the
account name, and the platform when two accounts share a name) gets one open item per version
(lexicon + model): running or resuming the same re-screening again queues nothing new. A post
with a major-news finding goes to the dean's office, as its draft would (第十三条). Creating
and resolving an item are both in the audit log.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, select, update

from screener.rescreen import db as rsdb
from screener.settings import Settings

from ..access import check_resolve
from ..archive_source import service_draft_id
from ..auth import Principal
from ..config import load_service_settings
from ..context import cli_actor, service_engine
from ..db import accounts, drafts, migrate, now, rechecks
from ..errors import BadRequest, Conflict
from ..names import name_key
from ..queries.rechecks import get_recheck, recheck_detail
from ..queries.rows import current_assignments
from ..roles import AccountRole
from ..uow import UnitOfWork, unit_of_work
from . import violations
from .audit import open_chain

DECISIONS = ("keep", "take_down")
CHUNK = 500


def queue_from_rescreen(settings: Settings, summary: dict[str, Any]) -> dict[str, int] | None:
    """Queue the summary's newly flagged posts; None when the state folder has no service
    database. Returns how many were queued now, were queued before, and belong to no
    registered account."""
    flagged = summary["newly_flagged_posts"]
    engine = service_engine(settings)
    if engine is None:
        return None
    try:
        migrate(engine)  # a database made before this table existed gets it
        open_chain(engine, load_service_settings(settings))
        posts = _archived(settings, [p["id"] for p in flagged], summary["version"])
        return queue(engine, cli_actor("rescreen"), summary, flagged, posts)
    finally:
        engine.dispose()


def _archived(settings: Settings, ids: list[str], version: str) -> dict[str, dict[str, Any]]:
    """Title, platform and the categories of every finding of this version's report."""
    found: dict[str, dict[str, Any]] = {}
    engine = rsdb.open_db(settings)
    try:
        with engine.connect() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                query = (select(rsdb.posts.c.id, rsdb.posts.c.title, rsdb.posts.c.platform,
                                rsdb.reports.c.report)
                         .join(rsdb.reports, rsdb.reports.c.post_id == rsdb.posts.c.id)
                         .where(rsdb.posts.c.id.in_(chunk), rsdb.reports.c.version == version))
                for row in conn.execute(query):
                    categories = {f["category"] for f in json.loads(row.report)["findings"]}
                    found[row.id] = {"title": row.title, "platform": row.platform,
                                     "categories": categories}
    finally:
        engine.dispose()
    return found


def _registered(conn: Connection) -> list[tuple[Any, str]]:
    """Every account a post may be of, with the key its name reads as (made once a run)."""
    rows = conn.execute(select(accounts.c.id, accounts.c.name, accounts.c.platform)
                        .where(accounts.c.status != "rejected").order_by(accounts.c.id)).all()
    return [(row, name_key(row.name)) for row in rows]


def _account_for(conn: Connection, post_id: str, name: str, platform: str | None,
                 registered: list[tuple[Any, str]]) -> tuple[int | None, int | None, list[int]]:
    """(account id, draft id, other candidates) of a post, or (None, None, []) if no
    registered account is its. The name is matched as written, else as it reads (``names``:
    a look-alike spelling of a registered name); when several accounts still match (names
    registered before look-alikes were refused), the oldest is named and the others are
    returned, so the post goes to the dean's office rather than to nobody."""
    draft_id = service_draft_id(post_id)
    if draft_id is not None:
        account = conn.execute(select(drafts.c.account_id).where(drafts.c.id == draft_id)
                               ).scalar()
        if account is not None:
            return account, draft_id, []
    named = [a for a, _ in registered if a.name == name]
    if not named:
        key = name_key(name)
        named = [a for a, other in registered if other == key]
    if len(named) > 1:  # the same name on two platforms: the post's platform decides
        named = [a for a in named if a.platform == platform] or named
    if not named:
        return None, None, []
    return named[0].id, None, [a.id for a in named[1:]]


def queue(engine: Engine, actor: str, summary: dict[str, Any], flagged: list[dict[str, Any]],
          posts: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Queue each newly flagged post of a registered account once per version (the summary's
    lexicon and model); ``posts``: what the archive says of them (title, platform, the
    categories of the whole report)."""
    lexicon, model = summary["lexicon_version"], summary["model_version"]
    with unit_of_work(engine, actor) as uow:
        return _queue(uow, summary, flagged, posts, lexicon, model)


def _queue(uow: UnitOfWork, summary: dict[str, Any], flagged: list[dict[str, Any]],
           posts: dict[str, dict[str, Any]], lexicon: str, model: str) -> dict[str, int]:
    conn = uow.conn
    queued = before = unregistered = 0
    registered = _registered(conn)
    for post in flagged:
        archived = posts.get(post["id"], {})
        account_id, draft_id, others = _account_for(conn, post["id"], post["account"],
                                                    archived.get("platform"), registered)
        if account_id is None:
            unregistered += 1
            continue
        exists = conn.execute(select(rechecks.c.id).where(and_(
            rechecks.c.post_key == post["id"], rechecks.c.lexicon_version == lexicon,
            rechecks.c.model_version == model))).first()
        if exists is not None:
            before += 1
            continue
        categories = archived.get("categories", set()) | {
            f["category"] for f in post["new_findings"]}
        # 第十三条: major news to the dean's office; and so, failing closed, a post whose
        # account has no 具体负责人 today or that more than one account could be
        nobody = not current_assignments(conn, account_id, AccountRole.RESPONSIBLE)
        route = "dean" if "major_news" in categories or nobody or others else "responsible"
        stamp = now()
        recheck_id = conn.execute(insert(rechecks).values(
            post_key=post["id"], account_id=account_id, draft_id=draft_id,
            title=archived.get("title", ""), published_at=post["published_at"], route=route,
            verdict=post["verdict"], lexicon_version=lexicon, model_version=model,
            findings=json.dumps(post["new_findings"], ensure_ascii=False), created_at=stamp
        )).inserted_primary_key[0]
        uow.audit("recheck.create", f"recheck:{recheck_id}", {
            "post": post["id"], "account_id": account_id, "draft_id": draft_id,
            "route": route, "no_responsible": nobody, "also_matches": others,
            "verdict": post["verdict"], "lexicon_version": lexicon,
            "model_version": model, "run_id": summary.get("run_id"),
            "findings": sorted({f["category"] for f in post["new_findings"]})})
        queued += 1
    return {"queued": queued, "already_queued": before, "unregistered": unregistered}


def resolve(engine: Engine, p: Principal, recheck_id: int, decision: str,
            comment: str) -> dict[str, Any]:
    if decision not in DECISIONS:
        raise BadRequest("decision must be one of {decisions}", field="decision",
                         decisions=", ".join(DECISIONS))
    comment = comment.strip()
    with unit_of_work(engine, p.actor) as uow:
        row = get_recheck(uow.conn, recheck_id)
        check_resolve(uow.conn, p, row)
        if row.resolved_at is not None:
            raise Conflict("already decided ({decision}) at {at}", field="status",
                           decision=row.decision, at=row.resolved_at)
        if decision == "take_down" and not comment:
            raise BadRequest("say why the post is taken down", field="comment")
        uow.conn.execute(update(rechecks).where(rechecks.c.id == recheck_id).values(
            resolved_at=now(), resolved_by=p.actor, decision=decision, comment=comment))
        uow.audit(f"recheck.{decision}", f"recheck:{recheck_id}", {
            "post": row.post_key, "account_id": row.account_id, "draft_id": row.draft_id,
            "lexicon_version": row.lexicon_version, "model_version": row.model_version,
            "comment": comment})
        violation_id = None
        if decision == "take_down":  # found in breach: a record for the dean's office (第十五条)
            violation_id = violations.from_take_down(uow, row, comment)
        return {**recheck_detail(uow.conn, recheck_id), "violation_id": violation_id}
