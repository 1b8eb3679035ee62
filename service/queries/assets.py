"""The asset bank as the maintainers and reviewers see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screener.errors import AssetError
from screener.i18n import N_
from screener.images.bank import Asset

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services
from ..errors import NotFound
from ..files import asset_file

READERS = (Role.MAINTAINER, Role.ADMIN)


def get_asset(svc: Services, asset_id: int) -> Asset:
    try:
        return svc.bank.get(asset_id)
    except AssetError:
        raise NotFound("no asset with id {id}", field="asset_id", id=asset_id) from None


def listing(svc: Services, p: Principal, include_retired: bool, limit: int,
            offset: int) -> dict[str, Any]:
    require(p, *READERS, doing=N_("reading the asset bank"))
    rows = svc.bank.list_assets(include_retired=include_retired)
    return views.page([views.asset(a) for a in rows[offset:offset + limit]], len(rows), limit,
                      offset)


def every_asset(svc: Services, p: Principal) -> list[Asset]:
    require(p, *READERS, doing=N_("reading the asset bank"))
    return svc.bank.list_assets(include_retired=True)


def picture(svc: Services, p: Principal, asset_id: int) -> Path | None:
    """Any signed-in role: reviewers compare a draft's picture with the bank's."""
    require(p, *Role, doing=N_("viewing bank pictures"))
    return asset_file(svc.settings, get_asset(svc, asset_id).sha256)


def asset_history(svc: Services, p: Principal, asset_id: int) -> dict[str, Any]:
    """One asset and every event of it (added, retired), oldest first."""
    require(p, *READERS, doing=N_("reading the asset bank"))
    asset = get_asset(svc, asset_id)
    return {"asset": views.asset(asset), "history": svc.bank.history(asset_id)}
