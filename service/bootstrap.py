"""Opening the service on a state folder: the database (migrated, with the core's feedback
table, which the service writes in its own transactions), the server secret and the keyed audit
chain, the audit baseline and the holiday calendar. The app (``create_app``) and the commands
(``cli``) start the same way."""

from __future__ import annotations

from screener import Screener
from screener.settings import Settings

from .config import ServiceSettings, load_service_settings
from .context import Services
from .db import make_engine, migrate, migrate_feedback
from .files import sweep_staging
from .usecases.audit import ensure_baseline, open_chain
from .workdays import calendar_for, use_calendar


def open_services(settings: Settings, *, config: ServiceSettings | None = None,
                  screener: Screener | None = None) -> tuple[Services, int]:
    """The services of this state folder and the schema version its database is at."""
    config = config or load_service_settings(settings)
    engine = make_engine(config.database_url)
    version = migrate(engine)
    migrate_feedback(engine)
    keys = open_chain(engine, config)
    ensure_baseline(engine, settings)
    use_calendar(calendar_for(settings.home))
    sweep_staging(config.upload_dir)  # what a killed process was staging
    return Services(engine, settings, config, screener, keys=keys), version
