"""The keyed, hash-chained audit log: who did what to which draft or account, and when.

Each row stores ``hash = HMAC-SHA256(key, prev_hash + canonical JSON of the row)``, where the
canonical JSON holds the row's id, time, actor, action, subject and details, and the key is
derived from the server secret (``keys``), which lives outside the database. Ids are consecutive
from 1, so editing a row breaks its hash, deleting or reordering one breaks the ids or the next
row's ``prev_hash``, and rewriting a row and recomputing the rest needs the key.

Rows written before the chain was keyed (databases of earlier releases) keep their plain
``sha256(prev_hash + JSON)``; the first keyed row is ``audit.keyed``, which names how many plain
rows precede it, so they are covered by its keyed hash. A chain without that row, or with plain
rows after it, does not verify.

Deleting rows at the END leaves a valid shorter chain. Every committed unit of work therefore
also writes the head (rows, hash) to a signed file outside the database (``head.json`` in the
anchor folder, ``head-YYYY-MM-DD.json`` once a day, never overwritten); ``verify`` checks the
chain still holds every anchored head. ``screener audit verify`` prints the head to note on paper
too.

Rows are only appended, inside the caller's write transaction, so an action and its audit row
commit or roll back together. Lexicon and asset changes, which commit in their own stores, are
logged by ``maintenance``, which also checks that none is missing from the log.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from .db import audit_log, now
from .errors import AuditError
from .keys import ServerKeys

GENESIS = "0" * 64
KEYED = "audit.keyed"  # the first keyed row: how many plain rows of an older release precede it
_BATCH = 1000


@dataclass(frozen=True)
class ChainKeys:
    """What a database's audit chain is keyed and anchored with."""

    chain: bytes = field(repr=False)
    anchor_key: bytes = field(repr=False)
    anchor_dir: Path


_BOUND: dict[str, ChainKeys] = {}


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def bind(engine: Engine, keys: ServerKeys, anchor_dir: Path) -> None:
    """Key the audit chain of ``engine``'s database (every engine on the same URL)."""
    _BOUND[_url(engine)] = ChainKeys(keys.derive("audit-chain"), keys.derive("audit-head"),
                                     Path(anchor_dir))


def keys_of(engine: Engine) -> ChainKeys:
    found = _BOUND.get(_url(engine))
    if found is None:  # fail closed: never an unkeyed row, never a check without the key
        raise AuditError("the audit chain's key is not loaded for this database "
                         "(open it through the service: screener serve / screener init)")
    return found


def canonical(row_id: int, at: str, actor: str, action: str, subject: str, details: str) -> str:
    return json.dumps({"id": row_id, "at": at, "actor": actor, "action": action,
                       "subject": subject, "details": details},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, row_json: str, key: bytes | None = None) -> str:
    """The row's hash: keyed (HMAC-SHA256) or, for rows of older releases, plain sha256."""
    data = (prev_hash + row_json).encode("utf-8")
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def append(session: Any, actor: str, action: str, subject: str,
           details: dict[str, Any] | None = None) -> tuple[int, str]:
    """Append one row in the caller's transaction (a Connection); its id and hash.

    Call it inside a write transaction that holds the write lock (``db.write``), or two writers
    could both chain onto the same last row.
    """
    key = keys_of(session.engine).chain
    last = session.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    row_id = (last.id + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = now()
    text = json.dumps(details or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = chain_hash(prev, canonical(row_id, at, actor, action, subject, text), key)
    session.execute(insert(audit_log).values(id=row_id, at=at, actor=actor, action=action,
                                             subject=subject, details=text, prev_hash=prev,
                                             hash=digest))
    return row_id, digest


@dataclass(frozen=True, slots=True)
class Head:
    rows: int
    hash: str


def head(conn: Connection) -> Head:
    last = conn.execute(select(audit_log.c.id, audit_log.c.hash)
                        .order_by(audit_log.c.id.desc()).limit(1)).first()
    return Head(last.id, last.hash) if last else Head(0, GENESIS)


def _rows(conn: Connection) -> Iterator[Any]:
    after = 0
    while True:
        batch = conn.execute(select(audit_log).where(audit_log.c.id > after)
                             .order_by(audit_log.c.id).limit(_BATCH)).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def _row_hash(row: Any, key: bytes | None) -> str:
    return chain_hash(row.prev_hash, canonical(row.id, row.at, row.actor, row.action,
                                               row.subject, row.details), key)


def verify(conn: Connection, expected_head: str | None = None) -> Head:
    """Check the whole chain and its signed heads; raise AuditError naming the first bad row,
    else return the head."""
    keys = keys_of(conn.engine)
    anchors = read_anchors(keys)
    prev, expected_id, count, keyed = GENESIS, 1, 0, False
    for row in _rows(conn):
        if row.id != expected_id:
            raise AuditError("audit row {row} is missing (next row is {next})",
                             row=expected_id, next=row.id)
        if row.prev_hash != prev:
            raise AuditError("audit row {row}: prev_hash does not match row {previous}",
                             row=row.id, previous=row.id - 1)
        if not keyed and row.action == KEYED:
            keyed = _row_hash(row, keys.chain) == row.hash
            if keyed and json.loads(row.details).get("plain_rows") != row.id - 1:
                raise AuditError("audit row {row} ({action}) does not count the rows before it",
                                 row=row.id, action=KEYED)
        if row.hash != _row_hash(row, keys.chain if keyed else None):
            raise AuditError("audit row {row} was changed after it was written "
                             "({action} {subject})", row=row.id, action=row.action,
                             subject=row.subject)
        anchored = anchors.pop(row.id, None)
        if anchored is not None and anchored[0] != row.hash:
            raise AuditError("audit row {row} is not the row of the signed head {head} (rows "
                             "were replaced)", row=row.id, head=anchored[1])
        prev, expected_id, count = row.hash, expected_id + 1, count + 1
    if count and not keyed:
        raise AuditError("the audit log has no keyed row ({action}): its rows were rewritten "
                         "without the server's key, or it was never opened by this release",
                         row=1, action=KEYED)
    total = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    if total != count:
        raise AuditError("audit log has {total} rows but only {count} chain", row=count + 1,
                         total=total, count=count)
    if anchors:
        rows = min(anchors)
        raise AuditError("the signed head {head} names row {rows}, but the audit log ends at "
                         "row {count} (rows at the end were removed)", row=count,
                         head=anchors[rows][1], rows=rows, count=count)
    if expected_head is not None and expected_head != prev:
        raise AuditError("audit head is {head}… after {count} rows, not the expected "
                         "{expected}… (rows at the end were removed or replaced)",
                         row=count, head=prev[:16], count=count, expected=expected_head[:16])
    return Head(count, prev)


# -- signed heads outside the database ------------------------------------------------------
HEAD_FILE = "head.json"


def _signature(keys: ChainKeys, rows: int, digest: str, at: str) -> str:
    return hmac.new(keys.anchor_key, f"{rows}:{digest}:{at}".encode(), hashlib.sha256
                    ).hexdigest()


def signed_head(engine: Engine, head: Head) -> dict[str, Any]:
    """The head as a signed record, to keep or export (``screener audit head``)."""
    keys = keys_of(engine)
    at = now()
    return {"rows": head.rows, "hash": head.hash, "at": at,
            "signature": _signature(keys, head.rows, head.hash, at)}


def _write_json(path: Path, record: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def anchor(engine: Engine, rows: int, digest: str) -> None:
    """After a commit: move the signed head file forward (never back: another writer may have
    committed later rows already), and keep the first head of each day in a file of its own."""
    keys = keys_of(engine)
    folder = keys.anchor_dir
    folder.mkdir(parents=True, exist_ok=True)
    record = signed_head(engine, Head(rows, digest))
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = folder / HEAD_FILE
        with contextlib.suppress(OSError, ValueError):
            if json.loads(current.read_text(encoding="utf-8"))["rows"] >= rows:
                return
        _write_json(current, record)
        daily = folder / f"head-{datetime.now(UTC).date().isoformat()}.json"
        if not daily.exists():
            _write_json(daily, record)


def read_anchors(keys: ChainKeys) -> dict[int, tuple[str, str]]:
    """Every signed head in the anchor folder: rows -> (hash, file name). A file whose
    signature fails is an error: someone wrote a head without the server's key."""
    found: dict[int, tuple[str, str]] = {}
    if not keys.anchor_dir.is_dir():
        return found
    for path in sorted(keys.anchor_dir.glob("head*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            rows, digest, at = int(record["rows"]), str(record["hash"]), str(record["at"])
            good = hmac.compare_digest(str(record["signature"]),
                                       _signature(keys, rows, digest, at))
        except (OSError, ValueError, KeyError, TypeError):
            good = False
        if not good:
            raise AuditError("the audit head file {file} is damaged or not signed with this "
                             "server's key", row=None, file=path.name)
        if found.get(rows, (digest,))[0] != digest:
            raise AuditError("two signed heads disagree about row {rows}", row=rows, rows=rows)
        found[rows] = (digest, path.name)
    return found
