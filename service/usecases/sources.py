"""The bank of source texts (第十二条): published posts join it, and changes made from the
command line are audited.

The bank commits in its own store first (the core's ``screener.sources``), then the change is
audited naming the bank's events (as with the lexicon and the asset bank); ``audit verify``
checks that every event since the baseline has its row (``queries.audit.unaudited``).

A draft published through the service joins the bank under ``svc:<draft id>``, with its
account as the owner: a later draft of another account that reprints it without naming it is
flagged; the post itself and its own account's later posts are not. Joining happens after the
publication commits; if the bank cannot take it then, the publication stands and
``screener archive import --from-service`` adds it later (it joins every archived post).
"""

from __future__ import annotations

import logging
from typing import Any

from screener.errors import ScreenerError, SourceTooShortError
from screener.settings import Settings
from screener.sources import SourceBank, SourceText

from ..auth import Principal
from ..context import Services, cli_actor
from ..uow import UnitOfWork, unit_of_work
from .audit import record_from_cli

_log = logging.getLogger(__name__)
SERVICE_PREFIX = "svc:"


def record(uow: UnitOfWork, bank: SourceBank, action: str, event_ids: list[int]) -> int:
    """One audit row for the bank events ``event_ids`` (an import adds many at once)."""
    rows = [bank.event(event_id) for event_id in event_ids]
    sources = [bank.get(int(row["source_id"])) for row in rows]
    subject = f"source:{sources[0].id}" if len(sources) == 1 else "sources"
    return uow.audit(f"source.{action}", subject, {
        "event_ids": list(event_ids), "by": rows[0]["by"], "reason": rows[0]["reason"],
        "sources": [{"id": s.id, "title": s.title, "owner": s.owner, "license": s.license,
                     "kind": s.kind, "origin": s.origin, "sha256": s.sha256}
                    for s in sources]})


def record_cli_change(settings: Settings, action: str, event_ids: list[int]) -> bool:
    """A change made by ``screener sources ...`` or ``archive import``: its audit row, if the
    state folder has a service database."""
    bank = SourceBank(settings.sources_database_url, create=False)
    return record_from_cli(settings, cli_actor("maintainer"),
                           lambda uow: record(uow, bank, action, event_ids))


def _utc(stamp: str | None) -> str | None:
    """As the archive stores publication times (UTC, seconds), so the two compare."""
    if not stamp:
        return None
    from screener.rescreen.archive import iso, parse_when

    try:
        return iso(parse_when(stamp))
    except ValueError:
        return None


def source_bank(svc: Services) -> SourceBank:
    return SourceBank(svc.settings.sources_database_url,
                      lambda: svc.screener.resources.normalizer)


def join_published(svc: Services, p: Principal, draft: dict[str, Any]) -> int | None:
    """Add a just-published draft (``draft_detail``'s shape) to the bank, audited; the source
    id, or None when it could not be added now (logged; the publication stands)."""
    text = "\n\n".join(part for part in (draft["title"], draft["body"]) if part)
    account = draft["account"]["name"]
    item = SourceText(text, title=draft["title"] or text[:40], owner=account,
                      license=f"本院账号“{account}”已发布", author=draft.get("author") or "",
                      kind="service", origin=f"{SERVICE_PREFIX}{draft['id']}",
                      published_at=_utc(draft.get("published_at")))
    try:
        bank = source_bank(svc)
        added = bank.add(item, by=f"{p.name} [{p.actor}]")
        if added.created:
            with unit_of_work(svc.engine, p.actor) as uow:
                record(uow, bank, "add", [added.event_id])
    except SourceTooShortError:
        return None  # a one-line notice: nothing another post could reprint
    except ScreenerError as exc:
        _log.warning("published draft %s not added to the source bank: %s", draft["id"], exc)
        return None
    return added.source.id
