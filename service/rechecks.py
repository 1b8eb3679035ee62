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

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from screener.settings import Settings

from . import audit
from .access import require
from .auth import Principal, Role
from .db import accounts, drafts, now, rechecks, write
from .errors import BadRequest, Conflict, Forbidden, NotFound
from .registry import AccountRole, accounts_of

DECISIONS = ("keep", "take_down")
LABEL = "已发布内容需复核"
CHUNK = 500


# -- queueing after a re-screening --------------------------------------------------------------
def queue_from_rescreen(settings: Settings, summary: dict[str, Any]) -> dict[str, int] | None:
    """Queue the summary's newly flagged posts; None when the state folder has no service
    database. Returns how many were queued now, were queued before, and belong to no
    registered account."""
    from .maintenance import cli_actor, service_engine

    flagged = summary["newly_flagged_posts"]
    engine = service_engine(settings)
    if engine is None:
        return None
    try:
        from .db import migrate

        migrate(engine)  # a database made before this table existed gets it
        posts = _archived(settings, [p["id"] for p in flagged], summary["version"])
        with write(engine) as conn:
            return queue(conn, cli_actor("rescreen"), summary, flagged, posts)
    finally:
        engine.dispose()


def _archived(settings: Settings, ids: list[str], version: str) -> dict[str, dict[str, Any]]:
    """Title, platform and the categories of every finding of this version's report."""
    from screener.rescreen import db as rsdb

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


def _account_for(conn: Connection, post_id: str, name: str, platform: str | None
                 ) -> tuple[int | None, int | None]:
    """(account id, draft id) of a post, or (None, None) if no registered account is its."""
    from screener.rescreen.archive import service_draft_id

    draft_id = service_draft_id(post_id)
    if draft_id is not None:
        account = conn.execute(select(drafts.c.account_id).where(drafts.c.id == draft_id)
                               ).scalar()
        if account is not None:
            return account, draft_id
    named = conn.execute(select(accounts.c.id, accounts.c.platform)
                         .where(accounts.c.name == name)).all()
    if len(named) > 1:  # the same name on two platforms: the post's platform decides
        named = [a for a in named if a.platform == platform]
    return (named[0].id, None) if len(named) == 1 else (None, None)


def queue(conn: Connection, actor: str, summary: dict[str, Any], flagged: list[dict[str, Any]],
          posts: dict[str, dict[str, Any]]) -> dict[str, int]:
    lexicon, model = summary["lexicon_version"], summary["model_version"]
    queued = before = unregistered = 0
    for post in flagged:
        archived = posts.get(post["id"], {})
        account_id, draft_id = _account_for(conn, post["id"], post["account"],
                                            archived.get("platform"))
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
        route = "dean" if "major_news" in categories else "responsible"
        stamp = now()
        recheck_id = conn.execute(insert(rechecks).values(
            post_key=post["id"], account_id=account_id, draft_id=draft_id,
            title=archived.get("title", ""), published_at=post["published_at"], route=route,
            verdict=post["verdict"], lexicon_version=lexicon, model_version=model,
            findings=json.dumps(post["new_findings"], ensure_ascii=False), created_at=stamp
        )).inserted_primary_key[0]
        audit.append(conn, actor, "recheck.create", f"recheck:{recheck_id}", {
            "post": post["id"], "account_id": account_id, "draft_id": draft_id,
            "route": route, "verdict": post["verdict"], "lexicon_version": lexicon,
            "model_version": model, "run_id": summary.get("run_id"),
            "findings": sorted({f["category"] for f in post["new_findings"]})})
        queued += 1
    return {"queued": queued, "already_queued": before, "unregistered": unregistered}


# -- the queue and the decision -----------------------------------------------------------------
def _mine(conn: Connection, p: Principal):
    """Open items for this caller: the dean's office gets 第十三条 ones, a 具体负责人 their
    accounts' others; nobody else has a queue."""
    query = select(rechecks, accounts.c.name.label("account")).join(
        accounts, accounts.c.id == rechecks.c.account_id).where(rechecks.c.resolved_at.is_(None))
    if p.role is Role.ADMIN:
        return query.where(rechecks.c.route == "dean")
    mine = accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE)
    return query.where(rechecks.c.route == "responsible", rechecks.c.account_id.in_(mine))


def open_items(conn: Connection, p: Principal, limit: int, offset: int
               ) -> tuple[int, list[dict[str, Any]]]:
    """(how many are open for the caller, this page of them), oldest first."""
    query = _mine(conn, p)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(rechecks.c.created_at, rechecks.c.id)
                        .limit(limit).offset(offset)).all() if limit > 0 else []
    return total, [view(r, r.account) for r in rows]


def view(row: Any, account: str) -> dict[str, Any]:
    return {"kind": "recheck", "label": LABEL, "id": row.id, "post": row.post_key,
            "draft_id": row.draft_id, "title": row.title, "account_id": row.account_id,
            "account": account, "route": row.route, "verdict": row.verdict,
            "published_at": row.published_at, "created_at": row.created_at,
            "lexicon_version": row.lexicon_version, "model_version": row.model_version,
            "findings": json.loads(row.findings), "resolved_at": row.resolved_at,
            "resolved_by": row.resolved_by, "decision": row.decision, "comment": row.comment}


def check_resolve(conn: Connection, p: Principal, row: Any) -> None:
    if row.route == "dean":
        if p.role is not Role.ADMIN:
            raise Forbidden("this published post reports a major matter (第十三条): only the "
                            "dean's office (院长办公室) decides whether it stays")
        return
    require(p, Role.RESPONSIBLE, doing="deciding on a published post that needs review")
    if row.account_id not in accounts_of(conn, p.person_id, AccountRole.RESPONSIBLE):
        raise Forbidden("only the account's 具体负责人 decides on its published posts (第八条); "
                        "you are not the 具体负责人 of this account")


def resolve(engine: Engine, p: Principal, recheck_id: int, decision: str,
            comment: str) -> dict[str, Any]:
    if decision not in DECISIONS:
        raise BadRequest(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
    comment = comment.strip()
    with write(engine) as conn:
        row = conn.execute(select(rechecks).where(rechecks.c.id == recheck_id)).first()
        if row is None:
            raise NotFound(f"no published post to review with id {recheck_id}",
                           field="recheck_id")
        check_resolve(conn, p, row)
        if row.resolved_at is not None:
            raise Conflict(f"already decided ({row.decision}) at {row.resolved_at}",
                           field="status")
        if decision == "take_down" and not comment:
            raise BadRequest("say why the post is taken down", field="comment")
        stamp = now()
        conn.execute(update(rechecks).where(rechecks.c.id == recheck_id).values(
            resolved_at=stamp, resolved_by=p.actor, decision=decision, comment=comment))
        audit.append(conn, p.actor, f"recheck.{decision}", f"recheck:{recheck_id}", {
            "post": row.post_key, "account_id": row.account_id, "draft_id": row.draft_id,
            "lexicon_version": row.lexicon_version, "model_version": row.model_version,
            "comment": comment})
        fresh = conn.execute(select(rechecks, accounts.c.name.label("account")).join(
            accounts, accounts.c.id == rechecks.c.account_id)
            .where(rechecks.c.id == recheck_id)).one()
        return view(fresh, fresh.account)
