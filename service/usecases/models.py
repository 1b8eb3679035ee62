"""Putting a classifier model in force (promote) or going back (rollback): the maintainer's, on
the maintainer's page, over HTTP or from the command line.

A change commits in the model registry first (the core's, next to the lexicon store), then its
audit row is appended, as lexicon changes are; ``audit verify`` checks that every promotion and
rollback since the baseline has its row (``queries.audit.unaudited``). Over HTTP the running
screener reloads before the answer: the next draft is screened with the model now in force.
"""

from __future__ import annotations

from typing import Any

from screener.classify import registry_for
from screener.classify.registry import ModelChange
from screener.settings import Settings

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services, cli_actor
from ..uow import UnitOfWork, unit_of_work
from .audit import record_from_cli

CHANGERS = (Role.MAINTAINER,)


def record(uow: UnitOfWork, change: ModelChange) -> int:
    return uow.audit(f"model.{change.action}", f"model:{change.number}", {
        "seq": change.seq, "version": change.version, "previous_number": change.previous_number,
        "previous_version": change.previous_version, "by": change.by, "reason": change.reason})


def _recorded(svc: Services, p: Principal, change: ModelChange) -> dict[str, Any]:
    with unit_of_work(svc.engine, p.actor) as uow:
        audit_id = record(uow, change)
    svc.screener.reload()  # the next draft is screened with it
    return views.model_change(change, svc.screener.model_version, audit_id)


def promote(svc: Services, p: Principal, version: str, reason: str) -> dict[str, Any]:
    require(p, *CHANGERS, doing="putting a model in force")
    change = registry_for(svc.settings).promote(version, by=f"{p.name} [{p.actor}]",
                                                reason=reason)
    return _recorded(svc, p, change)


def rollback(svc: Services, p: Principal, reason: str) -> dict[str, Any]:
    require(p, *CHANGERS, doing="rolling back the model")
    change = registry_for(svc.settings).rollback(by=f"{p.name} [{p.actor}]", reason=reason)
    return _recorded(svc, p, change)


def record_cli_change(settings: Settings, change: ModelChange) -> bool:
    """A change made by ``screener model promote/rollback``: its audit row, if the state folder
    has a service database."""
    return record_from_cli(settings, cli_actor("maintainer"), lambda uow: record(uow, change))
