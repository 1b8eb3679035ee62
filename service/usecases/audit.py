"""Audit rows for what the service's own transactions cannot hold: the row from which the chain
is keyed (``audit.keyed``), where the log starts covering the lexicon, the asset bank and the
bank of source texts and model registry (``audit.baseline``), and their changes and model
promotions made from the command line, which commit in their own stores first (see
``usecases.lexicon``, ``usecases.models``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from screener.classify import registry_for
from screener.errors import ConfigError
from screener.images.bank import AssetBank
from screener.images.config import image_config
from screener.lexicon import store_for
from screener.settings import Settings
from screener.sources import SourceBank

from .. import audit
from ..config import ServiceSettings, load_service_settings
from ..context import service_engine
from ..db import audit_log
from ..keys import ServerKeys, load_keys
from ..uow import UnitOfWork, unit_of_work

BASELINE = "audit.baseline"


def open_chain(engine: Engine, config: ServiceSettings) -> ServerKeys:
    """Load the server secret (made on first start), key the audit chain with it, and append
    the ``audit.keyed`` row once. A missing secret is made only for a log that was never keyed:
    a new secret could not verify the rows keyed with the lost one."""
    with engine.connect() as conn:
        keyed = conn.execute(select(audit_log.c.id).where(audit_log.c.action == audit.KEYED)
                             ).first()
    keys = load_keys(config.secret_file, create=keyed is None)
    audit.bind(engine, keys, config.audit_dir)
    if keyed is None:
        with unit_of_work(engine, "system") as uow:
            if not uow.conn.execute(select(audit_log.c.id)
                                    .where(audit_log.c.action == audit.KEYED)).first():
                plain = uow.conn.execute(select(func.count()).select_from(audit_log)
                                         ).scalar_one()
                uow.audit(audit.KEYED, "audit", {"plain_rows": plain})
    return keys


def keyed_engine(settings: Settings) -> Engine | None:
    """The service database of this state folder with its audit chain keyed (for commands that
    append to it), or None if there is none."""
    engine = service_engine(settings)
    if engine is not None:
        open_chain(engine, load_service_settings(settings))
    return engine


def _high_water(settings: Settings) -> tuple[int, int, int, int]:
    """The newest lexicon change, asset event, source-bank event and model promotion or rollback
    now."""
    bank = AssetBank(settings.assets_database_url, image_config(settings))
    try:
        return (store_for(settings).latest_seq(), bank.stamp(),
                SourceBank(settings.sources_database_url, create=False).stamp(),
                registry_for(settings).stamp())
    finally:
        bank.engine.dispose()


def ensure_baseline(engine, settings: Settings) -> None:
    """Record, once, where the audit log starts covering lexicon and asset changes: changes
    made before the service database existed are not expected in it."""
    with engine.connect() as conn:
        if conn.execute(select(audit_log.c.id).where(audit_log.c.action == BASELINE)).first():
            return
    # Read before the write lock: the lexicon store may share the database file, and opening
    # it inside our own write transaction would wait on ourselves.
    seq, event, source_event, model = _high_water(settings)
    with unit_of_work(engine, "system") as uow:
        if uow.conn.execute(select(audit_log.c.id)
                            .where(audit_log.c.action == BASELINE)).first():
            return
        uow.audit(BASELINE, "audit", {"lexicon_seq": seq, "asset_event_id": event,
                                      "source_event_id": source_event,
                                      "model_seq": model})


def record_from_cli(settings: Settings, actor: str, record: Callable[[UnitOfWork], int]) -> bool:
    """Append ``record(uow)``'s audit row to this state folder's service database; False if
    there is none (no service, no audit log)."""
    engine = keyed_engine(settings)
    if engine is None:
        return False
    try:
        with unit_of_work(engine, actor) as uow:
            record(uow)
    except SQLAlchemyError as exc:
        raise ConfigError(f"无法写入审计日志：{exc}") from None
    finally:
        engine.dispose()
    return True
