"""Lexicon changes: the maintainer's, over HTTP or from the command line.

A change commits in the lexicon store first (its own transaction, in the core), then its audit
row is appended naming the version it made; the two cannot commit as one, so ``audit verify``
checks that every change since the baseline has its row (``queries.audit.unaudited``). Over
HTTP the running screener reloads before the answer: the next draft is screened with it.
"""

from __future__ import annotations

from typing import Any

from screener.i18n import N_
from screener.lexicon import maintain
from screener.lexicon.compiled import format_version
from screener.lexicon.store import Change
from screener.settings import Settings

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services, cli_actor
from ..uow import UnitOfWork, unit_of_work
from .audit import record_from_cli

CHANGERS = (Role.MAINTAINER,)


def _who(p: Principal, reason: str) -> maintain.Who:
    return maintain.Who(f"{p.name} [{p.actor}]", reason.strip())


def record(uow: UnitOfWork, change: Change) -> int:
    return uow.audit(f"lexicon.{change.action}", f"lexicon:{change.seq}", {
        "version": format_version(change.seq, change.content), "summary": change.summary,
        "by": change.by, "reason": change.reason, "chain": change.chain})


def _published(svc: Services, p: Principal, change: Change | None) -> dict[str, Any]:
    if change is None:
        return views.unchanged(svc.screener.lexicon_version)
    with unit_of_work(svc.engine, p.actor) as uow:
        audit_id = record(uow, change)
    # Before answering: the maintainer's next test draft must already see the change.
    return views.published(change, svc.screener.reload(), audit_id)


def add_terms(svc: Services, p: Principal, terms: list[str], category: str, *,
              reason: str = "", severity: str | None = None, article: str | None = None,
              boundary: bool | None = None, fillers: bool = False) -> dict[str, Any]:
    require(p, *CHANGERS, doing=N_("changing the lexicon"))
    change = maintain.add_terms(svc.settings, terms, category, _who(p, reason),
                                severity=severity, article=article, boundary=boundary,
                                fillers=fillers)
    return _published(svc, p, change)


def edit_term(svc: Services, p: Principal, term: str, *, reason: str = "",
              category: str | None = None, severity: str | None = None,
              article: str | None = None, boundary: bool | None = None,
              from_category: str | None = None, fillers: bool | None = None) -> dict[str, Any]:
    require(p, *CHANGERS, doing=N_("changing the lexicon"))
    change = maintain.edit_term(svc.settings, term, _who(p, reason), category=category,
                                severity=severity, article=article, boundary=boundary,
                                from_category=from_category, fillers=fillers)
    return _published(svc, p, change)


def retire_term(svc: Services, p: Principal, term: str, *, reason: str,
                category: str | None = None) -> dict[str, Any]:
    require(p, *CHANGERS, doing=N_("changing the lexicon"))
    change = maintain.retire_terms(svc.settings, [term], _who(p, reason), category)
    return _published(svc, p, change)


def record_cli_change(settings: Settings, change: Change) -> bool:
    """A change made by ``screener lexicon ...``: its audit row, if the state folder has a
    service database."""
    return record_from_cli(settings, cli_actor("maintainer"), lambda uow: record(uow, change))
