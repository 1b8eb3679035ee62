"""Lexicon and asset-bank changes in the audit log, whoever makes them (CLI or HTTP).

A change is made in the screener's own store first (the lexicon store and the asset bank each
commit their own transaction), then appended to the audit log naming the version or asset event
it produced. The two writes cannot commit as one, so ``unaudited`` closes the gap: every lexicon
change and asset event made since the service database was created must have its audit row, and
``audit verify`` reports any that has none (a crash between the two writes, or a tool that wrote
to a store behind the audit's back). The screener core never imports this package; the CLI calls
it after a change, and only when the state folder has a service database.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from screener.errors import ConfigError, StorageError
from screener.images.bank import Asset, AssetBank
from screener.lexicon.compiled import format_version
from screener.lexicon.store import Change
from screener.settings import Settings

from . import audit
from .config import load_service_settings
from .db import audit_log, make_engine, write
from .errors import BadRequest, TooLarge

IMAGE_SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp"}
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".bmp": "image/bmp"}


# -- audit rows ---------------------------------------------------------------------------------
def record_lexicon(conn: Connection, actor: str, change: Change) -> int:
    return audit.append(conn, actor, f"lexicon.{change.action}", f"lexicon:{change.seq}", {
        "version": format_version(change.seq, change.content), "summary": change.summary,
        "by": change.by, "reason": change.reason, "chain": change.chain})


def record_asset(conn: Connection, actor: str, bank: AssetBank, asset: Asset) -> int:
    """The asset's newest event (add or retire), with what identifies the picture."""
    event = bank.history(asset.id)[-1]
    return audit.append(conn, actor, f"asset.{event['action']}", f"asset:{asset.id}", {
        "event_id": event["id"], "sha256": asset.sha256, "kind": asset.kind,
        "title": asset.title, "owner": asset.owner, "license": asset.license,
        "by": event["by"], "reason": event["reason"]})


# -- the state folder's service database, for the CLI -------------------------------------------
def service_engine(settings: Settings) -> Engine | None:
    """The service database of this state folder, or None if ``screener init``/``serve`` never
    made one (then there is no audit log to write to yet)."""
    url = load_service_settings(settings).database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None  # do not create an empty database file just to look
    engine = make_engine(url)
    if not inspect(engine).has_table(audit_log.name):
        engine.dispose()
        return None
    return engine


def cli_actor(role: str) -> str:
    from screener.lexicon.store import default_user

    return f"cli:{default_user()}/{role}"


def audit_from_cli(settings: Settings, record) -> bool:
    """Run ``record(conn)`` in a write transaction of the state folder's service database;
    False if there is none."""
    engine = service_engine(settings)
    if engine is None:
        return False
    try:
        with write(engine) as conn:
            record(conn)
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot write the audit log: {exc}") from None
    finally:
        engine.dispose()
    return True


# -- reconciliation -----------------------------------------------------------------------------
BASELINE = "audit.baseline"


def _high_water(settings: Settings) -> tuple[int, int]:
    """The newest lexicon change and asset event now."""
    from screener.images.config import assets_url, image_config
    from screener.lexicon import store_for

    bank = AssetBank(assets_url(settings), image_config(settings))
    try:
        return store_for(settings).latest_seq(), bank.stamp()
    finally:
        bank.engine.dispose()


def ensure_baseline(engine: Engine, settings: Settings) -> None:
    """Record, once, where the audit log starts covering lexicon and asset changes: changes
    made before the service database existed are not expected in it."""
    with engine.connect() as conn:
        if conn.execute(select(audit_log.c.id).where(audit_log.c.action == BASELINE)).first():
            return
    # Read before the write lock: the lexicon store may share the database file, and opening
    # it inside our own write transaction would wait on ourselves.
    seq, event = _high_water(settings)
    with write(engine) as conn:
        if conn.execute(select(audit_log.c.id).where(audit_log.c.action == BASELINE)).first():
            return
        audit.append(conn, "system", BASELINE, "audit",
                     {"lexicon_seq": seq, "asset_event_id": event})


def unaudited(conn: Connection, settings: Settings) -> list[str]:
    """Lexicon changes and asset events after the baseline that have no audit row, as readable
    lines (empty: every change is accounted for)."""
    from screener.images.bank import events as asset_events
    from screener.images.config import assets_url, image_config
    from screener.lexicon import store_for

    rows = conn.execute(select(audit_log.c.action, audit_log.c.subject, audit_log.c.details)
                        .where(audit_log.c.action.like("lexicon.%")
                               | audit_log.c.action.like("asset.%")
                               | (audit_log.c.action == BASELINE))
                        .order_by(audit_log.c.id)).all()
    base = next((json.loads(r.details) for r in rows if r.action == BASELINE), None)
    if base is None:
        return ["the audit log has no baseline row: start the service or run `screener init` "
                "once so that lexicon and asset changes can be checked against it"]
    seen_seqs = {r.subject for r in rows if r.action.startswith("lexicon.")}
    seen_events = {json.loads(r.details).get("event_id") for r in rows
                   if r.action.startswith("asset.")}
    missing = [f"lexicon change {c.seq} ({c.at}, by {c.by}: {c.summary})"
               for c in reversed(store_for(settings).changes())
               if c.seq > base["lexicon_seq"] and f"lexicon:{c.seq}" not in seen_seqs]
    bank = AssetBank(assets_url(settings), image_config(settings))
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


# -- pictures kept for the reviewer's page ------------------------------------------------------
def asset_files(settings: Settings) -> Path:
    """Where the bank's pictures are kept, by sha256, so the review page can show a matched
    asset beside the submitted picture (the bank itself keeps only hashes and features)."""
    return load_service_settings(settings).upload_dir / "assets"


def keep_asset_file(settings: Settings, source: Path, sha256: str) -> Path:
    """Keep a copy a browser can show: the file itself when it is PNG, JPEG, GIF, WebP or
    BMP, else a PNG of its first frame (the bank also takes formats browsers do not)."""
    from PIL import Image as PILImage

    folder = asset_files(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with PILImage.open(source) as pic:  # the bank has already decoded it within its limits
        suffix = IMAGE_SUFFIXES.get(pic.format or "")
        target = folder / f"{sha256}{suffix or '.png'}"
        if target.exists():
            return target
        tmp = target.with_suffix(".part")
        if suffix:
            shutil.copyfile(source, tmp)
        else:
            pic.convert("RGB").save(tmp, "PNG")
    tmp.replace(target)
    return target


def asset_file(settings: Settings, sha256: str) -> Path | None:
    for path in sorted(asset_files(settings).glob(f"{sha256}.*")):
        if path.suffix in MEDIA_TYPES:
            return path
    return None


def keep_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; a folder that cannot be written is a StorageError."""
    # One temporary name per thread: two requests carrying the same picture at once must
    # not write into each other's half-written file.
    tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StorageError(f"the upload folder {path.parent}",
                           exc.strerror or str(exc)) from None


def save_image(folder: Path, name: str, data: bytes, max_bytes: int, field: str
               ) -> dict[str, Any]:
    """Check an uploaded picture (size, decodable header, accepted type) and keep it by sha256."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if len(data) > max_bytes:
        raise TooLarge(f"image {name!r} is {len(data):,} bytes; the limit is {max_bytes:,}",
                       field=field)
    try:  # decode the header only: an upload that is not an image is refused
        with PILImage.open(io.BytesIO(data)) as pic:
            kind = pic.format or ""
            pic.verify()
    except PILImage.DecompressionBombError as exc:  # not an OSError: was a 500
        raise BadRequest(f"{name!r} is refused as a decompression bomb: {exc}",
                         field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadRequest(f"{name!r} is not a readable image", field=field) from None
    if kind not in IMAGE_SUFFIXES:
        raise BadRequest(f"{name!r}: image type {kind or 'unknown'} is not accepted "
                         f"({', '.join(IMAGE_SUFFIXES)})", field=field)
    digest = hashlib.sha256(data).hexdigest()
    path = folder / f"{digest}{IMAGE_SUFFIXES[kind]}"
    if not path.exists():
        keep_file(path, data)
    return {"name": Path(name).name[:200], "sha256": digest, "size": len(data),
            "path": str(path)}
