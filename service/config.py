"""The service's view of the settings tree: its ``service`` section with the derived paths
resolved (database URL, upload folder), so the app reads one object.

Everything is set in ``screener.settings`` (section ``service``); ``overrides`` are for callers
that build an app on another database or folder (tests, benchmarks).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from screener.errors import ConfigError
from screener.settings import ServiceSection, Settings, load_settings, setting_problems


class ServiceSettings(ServiceSection):
    database_url: str
    upload_dir: Path
    secret_file: Path
    audit_dir: Path


def load_service_settings(settings: Settings | None = None, **overrides: object) -> ServiceSettings:
    settings = settings or load_settings()
    values: dict[str, object] = {**settings.service.model_dump(),
                                 "database_url": settings.service_database_url,
                                 "upload_dir": settings.upload_dir,
                                 "secret_file": settings.service.secret_file
                                 or settings.home / "service-secret.key",
                                 "audit_dir": settings.service.audit_dir
                                 or settings.home / "audit"}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ServiceSettings(**values)
    except ValidationError as exc:
        raise ConfigError(f"审核服务的设置有误：{setting_problems(exc)}") from None
