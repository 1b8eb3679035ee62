"""``screener assets ...``: the bank of copyrighted pictures and official emblems.

Mounted by cli.py as ``app.add_typer(assets_app, name="assets")``. Nothing is deleted: ``retire``
stops an asset matching and keeps its history.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .cli_common import HomeOption, err, fail, out, settings_from
from .errors import ScreenerError
from .plugins import hooks

assets_app = typer.Typer(
    help="Bank of copyrighted pictures and official emblems that drafts are checked against.",
    no_args_is_help=True)


def _bank(home: Path | None):
    return _open(home)[1]


def _open(home: Path | None):
    # OpenCV and PIL (measured: 120 ms of a CLI start); only the asset commands need them.
    from .images.bank import AssetBank
    from .images.config import assets_url, image_config

    settings = settings_from(home)
    return settings, AssetBank(assets_url(settings), image_config(settings))


def _audit(settings, bank, asset, path: Path | None = None) -> None:
    """Tell the plugins (the review service keeps the picture for its review page and appends
    the change to its audit log when this state folder has one)."""
    try:
        hooks().asset_changed(settings=settings, bank=bank, asset=asset, path=path)
    except ScreenerError as exc:
        raise ScreenerError(f"asset {asset.id} changed but NOT in the audit log ({exc}); "
                            "`screener audit verify` will report it") from None


@assets_app.command("add")
def assets_add(
    images: Annotated[list[Path], typer.Argument(help="Image files to register.",
                                                 show_default=False)],
    kind: Annotated[str, typer.Option("--kind", "-k", help="copyright or emblem.")] = "copyright",
    title: Annotated[str, typer.Option("--title", "-t", help="Title (default: file name).")] = "",
    owner: Annotated[str, typer.Option("--owner", "-o", help="Who holds the rights.")] = "",
    license: Annotated[str, typer.Option("--license", "-l", help="Licence terms.")] = "",
    source: Annotated[str, typer.Option("--source", help="Where it came from.")] = "",
    by: Annotated[str | None, typer.Option("--by", help="Who adds it (default: OS user).")] = None,
    home: HomeOption = None,
) -> None:
    """Register images; says so when one looks like an asset already in the bank."""
    try:
        settings, bank = _open(home)
        for path in images:
            added = bank.add(path, kind=kind, title=title, owner=owner, license=license,
                             source=source, by=by)
            _audit(settings, bank, added.asset, path)
            out.print(f"added asset {added.asset.id} ({added.asset.kind}): {added.asset.title}")
            for other, distance in added.near_duplicates:
                what = "the same file" if distance == 0 else f"hash distance {distance}"
                err.print(f"[yellow]note:[/yellow] asset {added.asset.id} is a near-duplicate "
                          f"of asset {other.id} {other.title!r} ({what})")
    except ScreenerError as exc:
        raise fail(exc) from None


@assets_app.command("list")
def assets_list(
    all_: Annotated[bool, typer.Option("--all", help="Include retired assets.")] = False,
    home: HomeOption = None,
) -> None:
    """List the assets in the bank."""
    try:
        rows = _bank(home).list_assets(include_retired=all_)
    except ScreenerError as exc:
        raise fail(exc) from None
    table = Table("id", "kind", "title", "owner", "license", "status", "added")
    for a in rows:
        table.add_row(str(a.id), a.kind, a.title, a.owner, a.license, a.status,
                      f"{a.added_at} by {a.added_by}")
    out.print(table)


@assets_app.command("show")
def assets_show(asset_id: Annotated[int, typer.Argument(help="Asset id.")],
                home: HomeOption = None) -> None:
    """One asset with its history."""
    try:
        bank = _bank(home)
        asset = bank.get(asset_id)
        history = bank.history(asset_id)
    except ScreenerError as exc:
        raise fail(exc) from None
    for key, value in asset.to_dict().items():
        out.print(f"{key}: {value}")
    out.print("history:")
    for event in history:
        reason = f" ({event['reason']})" if event["reason"] else ""
        out.print(f"  {event['at']} {event['action']} by {event['by']}{reason}")


@assets_app.command("retire")
def assets_retire(
    asset_id: Annotated[int, typer.Argument(help="Asset id.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (recorded).")],
    by: Annotated[str | None, typer.Option("--by", help="Who (default: OS user).")] = None,
    home: HomeOption = None,
) -> None:
    """Stop an asset matching; it and its history are kept."""
    try:
        settings, bank = _open(home)
        asset = bank.retire(asset_id, reason=reason, by=by)
        _audit(settings, bank, asset)
    except ScreenerError as exc:
        raise fail(exc) from None
    out.print(f"retired asset {asset.id}: {asset.title}")


@assets_app.command("export")
def assets_export(
    active_only: Annotated[bool, typer.Option(
        "--active-only", help="Leave out retired assets.")] = False,
    home: HomeOption = None,
) -> None:
    """Every asset and its history as JSON Lines on stdout (retired ones too)."""
    try:
        bank = _bank(home)
        for asset in bank.list_assets(include_retired=not active_only):
            record = asset.to_dict() | {"history": bank.history(asset.id)}
            print(json.dumps(record, ensure_ascii=False))
    except ScreenerError as exc:
        raise fail(exc) from None
