"""Putting a classifier model in force (promote) or going back (rollback): the maintainer's, on
the maintainer's page, over HTTP or from the command line.

The model registry (the core's) lives in the state folder's database, which is the service's by
default: then the change and its audit row are one transaction. With a separate service
database the change commits in the registry first and its audit row follows, as lexicon changes
do; ``audit verify`` checks that every promotion and rollback since the baseline has its row
(``queries.audit.unaudited``). Over HTTP the running screener reloads before the answer: the next
draft is screened with the model now in force.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from screener.checkpoints import checkpoint
from screener.classify import registry_for
from screener.classify.registry import ModelChange
from screener.errors import ConfigError
from screener.settings import Settings

from .. import views
from ..access import require
from ..auth import Principal, Role
from ..context import Services, cli_actor
from ..uow import UnitOfWork, unit_of_work
from .audit import keyed_engine

CHANGERS = (Role.MAINTAINER,)


def record(uow: UnitOfWork, change: ModelChange) -> int:
    return uow.audit(f"model.{change.action}", f"model:{change.number}", {
        "seq": change.seq, "version": change.version, "previous_number": change.previous_number,
        "previous_version": change.previous_version, "by": change.by, "reason": change.reason})


def audited_change(engine: Engine, settings: Settings, actor: str,
                   make: Callable[[Connection | None], ModelChange]) -> tuple[ModelChange, int]:
    """Make the change and its audit row. When the service database is the registry's (the
    state folder's, by default) both are one transaction: neither commits without the other.
    Otherwise the change commits in the registry first and ``audit verify`` reports it if its
    row is missing."""
    registry = registry_for(settings)
    registry.open()  # its tables, before our write lock on what may be the same file
    shared = registry.same_database(engine)
    with unit_of_work(engine, actor) as uow:
        change = make(uow.conn if shared else None)
        checkpoint("model.change")
        audit_id = record(uow, change)
    return change, audit_id


def _made(svc: Services, p: Principal, make: Callable[[Connection | None], ModelChange]
          ) -> dict[str, Any]:
    change, audit_id = audited_change(svc.engine, svc.settings, p.actor, make)
    svc.screener.reload()  # the next draft is screened with it
    return views.model_change(change, svc.screener.model_version, audit_id)


def promote(svc: Services, p: Principal, version: str, reason: str) -> dict[str, Any]:
    require(p, *CHANGERS, doing="putting a model in force")
    registry = registry_for(svc.settings)
    return _made(svc, p, lambda conn: registry.promote(
        version, by=f"{p.name} [{p.actor}]", reason=reason, conn=conn))


def rollback(svc: Services, p: Principal, reason: str) -> dict[str, Any]:
    require(p, *CHANGERS, doing="rolling back the model")
    registry = registry_for(svc.settings)
    return _made(svc, p, lambda conn: registry.rollback(
        by=f"{p.name} [{p.actor}]", reason=reason, conn=conn))


def cli_change(settings: Settings, make: Callable[[Connection | None], ModelChange]
               ) -> ModelChange | None:
    """``screener model promote/rollback``: the change with its audit row, or None if the state
    folder has no service database (no audit log: the core makes the change alone)."""
    engine = keyed_engine(settings)
    if engine is None:
        return None
    try:
        return audited_change(engine, settings, cli_actor("maintainer"), make)[0]
    except SQLAlchemyError as exc:
        raise ConfigError(f"无法写入审计日志：{exc}") from None
    finally:
        engine.dispose()
