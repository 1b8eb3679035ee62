"""What use cases and queries work with: the service database, the screener, the settings and
the asset bank, built once per app (``create_app``) or command (``cli``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect

from screener import Screener
from screener.images.bank import AssetBank
from screener.images.config import image_config
from screener.lexicon.store import default_user
from screener.settings import Settings

from .config import ServiceSettings, load_service_settings
from .db import audit_log, make_engine
from .keys import ServerKeys


@dataclass
class Services:
    engine: Engine
    settings: Settings
    config: ServiceSettings
    given_screener: Screener | None = None
    state: dict[str, Any] = field(default_factory=dict)
    keys: ServerKeys | None = field(default=None, repr=False)

    @cached_property
    def screener(self) -> Screener:
        return self.given_screener or Screener(self.settings)

    @property
    def model_version(self) -> str:
        """The model in force as the screener sees it (it follows promotions)."""
        return self.screener.model_version

    @cached_property
    def bank(self) -> AssetBank:
        return AssetBank(self.settings.assets_database_url, image_config(self.settings))


def cli_actor(role: str) -> str:
    """How the audit log names a command run on the server: ``cli:<os user>/<role>``."""
    return f"cli:{default_user()}/{role}"


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
