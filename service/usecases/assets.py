"""The asset bank: the maintainer adds and retires pictures, over HTTP or from the command line.

The bank commits in its own database first, then the event is audited (as with the lexicon);
the bank keeps only hashes and features, so the picture itself is kept by sha256 for the review
page to show beside a submitted picture that copies it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screener.errors import AssetError, ScreenerError
from screener.i18n import N_
from screener.images.bank import Asset, AssetBank
from screener.settings import Settings

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services, cli_actor
from ..errors import BadRequest, NotFound
from ..files import check_image, keep_asset_file, keep_file, staging
from ..uow import UnitOfWork, unit_of_work
from .audit import record_from_cli

CHANGERS = (Role.MAINTAINER,)
KINDS = ("copyright", "emblem")


def record(uow: UnitOfWork, bank: AssetBank, asset: Asset) -> int:
    """The asset's newest event (add or retire), with what identifies the picture."""
    event = bank.history(asset.id)[-1]
    return uow.audit(f"asset.{event['action']}", f"asset:{asset.id}", {
        "event_id": event["id"], "sha256": asset.sha256, "kind": asset.kind,
        "title": asset.title, "owner": asset.owner, "license": asset.license,
        "by": event["by"], "reason": event["reason"]})


def check_may_change(p: Principal) -> None:
    """Before an upload is read: only the maintainer changes the bank."""
    require(p, *CHANGERS, doing=N_("changing the asset bank"))


def add_asset(svc: Services, p: Principal, name: str, data: bytes,
              fields: dict[str, str]) -> dict[str, Any]:
    check_may_change(p)
    kind = fields.get("kind", "copyright")
    if kind not in KINDS:
        raise BadRequest("kind must be copyright or emblem", field="kind")
    checked = check_image(name, data, svc.config.max_image_bytes, "image")
    # Staged, not kept: a picture the bank refuses leaves no file in the asset folder.
    with staging(svc.config.upload_dir) as stage:
        staged = stage / f"upload{checked['suffix']}"
        keep_file(staged, data)
        try:
            added = svc.bank.add(staged, kind=kind,
                                 title=fields.get("title") or Path(checked["name"]).stem,
                                 owner=fields.get("owner", ""),
                                 license=fields.get("license", ""),
                                 source=fields.get("source") or f"upload {checked['name']}",
                                 by=f"{p.name} [{p.actor}]")
        except ScreenerError as exc:  # named after the upload, not the server's folder
            raise BadRequest("{name}: {problem}", field="image", name=repr(checked["name"]),
                             problem=str(exc).replace(str(staged), "图片")) from None
        keep_asset_file(svc.settings, staged, added.asset.sha256)
    with unit_of_work(svc.engine, p.actor) as uow:
        audit_id = record(uow, svc.bank, added.asset)
    return {**views.asset(added.asset), "audit_id": audit_id,
            "near_duplicates": [{"id": a.id, "title": a.title, "distance": d}
                                for a, d in added.near_duplicates]}


def retire_asset(svc: Services, p: Principal, asset_id: int, reason: str) -> dict[str, Any]:
    check_may_change(p)
    try:
        svc.bank.get(asset_id)
    except AssetError:
        raise NotFound("no asset with id {id}", field="asset_id", id=asset_id) from None
    asset = svc.bank.retire(asset_id, reason=reason, by=f"{p.name} [{p.actor}]")
    with unit_of_work(svc.engine, p.actor) as uow:
        audit_id = record(uow, svc.bank, asset)
    return {**views.asset(asset), "audit_id": audit_id}


def record_cli_change(settings: Settings, bank: AssetBank, asset: Asset,
                      path: Path | None) -> bool:
    """A change made by ``screener assets ...``: keep the picture for the review page and
    append the audit row, if the state folder has a service database."""
    if path is not None:
        keep_asset_file(settings, path, asset.sha256)
    return record_from_cli(settings, cli_actor("maintainer"),
                           lambda uow: record(uow, bank, asset))
