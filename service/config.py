"""The service's settings, validated in one place like ``screener.settings``.

Values come from explicit arguments, then ``SCREENER_*`` environment variables, then defaults.
The database defaults to the state folder's ``screener.db``, the same file the lexicon store uses
(the service's tables are prefixed ``svc_``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from screener.errors import ConfigError
from screener.settings import Settings, load_settings


class ServiceSettings(BaseModel):
    model_config = {"frozen": True}

    database_url: str = Field(description="SQLAlchemy URL of the service database.")
    upload_dir: Path = Field(description="Folder where uploaded images are kept, by sha256.")
    max_request_bytes: int = Field(
        default=20_000_000, ge=1_000,
        description="Largest request body accepted (drafts plus images). "
                    "Env SCREENER_MAX_REQUEST_BYTES.")
    max_images: int = Field(default=20, ge=0, le=200,
                            description="Most images on one draft. Env SCREENER_MAX_IMAGES.")
    max_image_bytes: int = Field(default=10_000_000, ge=1_000,
                                 description="Largest single image. Env SCREENER_MAX_IMAGE_BYTES.")
    page_size: int = Field(default=50, ge=1, le=1000, description="Default page size of lists.")
    max_page_size: int = Field(default=200, ge=1, le=10_000, description="Largest page size.")
    cookie_secure: bool = Field(
        default=False, description="Mark the login cookie Secure (set when served over HTTPS). "
                                   "Env SCREENER_COOKIE_SECURE.")


_ENV = {
    "max_request_bytes": "SCREENER_MAX_REQUEST_BYTES",
    "max_images": "SCREENER_MAX_IMAGES",
    "max_image_bytes": "SCREENER_MAX_IMAGE_BYTES",
    "cookie_secure": "SCREENER_COOKIE_SECURE",
}


def database_url_of(settings: Settings) -> str:
    # The lexicon helper's setting, when present, names the one database of the state folder.
    url = getattr(settings, "database_url", None)
    return url or f"sqlite:///{settings.home / 'screener.db'}"


def load_service_settings(settings: Settings | None = None, **overrides: object) -> ServiceSettings:
    settings = settings or load_settings()
    values: dict[str, object] = {
        "database_url": database_url_of(settings),
        "upload_dir": settings.home / "uploads",
    }
    for name, env in _ENV.items():
        if os.environ.get(env):
            values[name] = os.environ[env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ServiceSettings(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        raise ConfigError(f"invalid service settings: {problems}") from None
