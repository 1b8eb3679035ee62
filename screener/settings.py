"""Every setting in one validated place.

Values come from, in order: explicit arguments (CLI flags), ``SCREENER_*`` environment variables,
and the defaults below. ``screener settings`` prints the table; README documents it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator

from .errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent


def _default_home() -> Path:
    # XDG data dir on Linux; the same rule elsewhere keeps the tool dependency-free.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "screener"


class Settings(BaseModel):
    """Validated settings. Field descriptions are the documentation (see README)."""

    model_config = {"frozen": True}

    home: Path = Field(
        default_factory=_default_home,
        description="State folder: lexicon store (screener.db), caches. "
        "Env SCREENER_HOME or --home.",
    )
    lexicon_dir: Path = Field(
        default=REPO_ROOT / "lexicons",
        description="Folder of shipped lexicon files (*.txt). Env SCREENER_LEXICONS.",
    )
    model_dir: Path = Field(
        default=REPO_ROOT / "models",
        description="Folder of trained classifier models (screener train writes there). "
        "Env SCREENER_MODELS.",
    )
    max_body_chars: int = Field(
        default=100_000,
        ge=1,
        description="Longest title+body accepted, in characters (WeChat allows 20,000); longer "
        "drafts are bad input. Env SCREENER_MAX_BODY_CHARS.",
    )
    max_file_bytes: int = Field(
        default=2_000_000,
        ge=1,
        description="Largest draft file read from disk, in bytes. Env SCREENER_MAX_FILE_BYTES.",
    )
    max_images: int = Field(
        default=200,
        ge=1,
        description="Most pictures one draft file may carry; each is decoded and read by OCR. "
        "Env SCREENER_MAX_IMAGES_PER_DRAFT.",
    )
    max_import_rows: int = Field(
        default=100_000,
        ge=1,
        description="Most lines (or JSON items) in one lexicon import; larger lists are split "
        "into several imports. Env SCREENER_MAX_IMPORT_ROWS.",
    )
    max_import_bytes: int = Field(
        default=20_000_000,
        ge=1,
        description="Largest lexicon import file, in bytes. Env SCREENER_MAX_IMPORT_BYTES.",
    )
    boundary_window: int = Field(
        default=8,
        ge=4,
        description="Characters of context on each side that jieba segments for boundary checks.",
    )
    min_pinyin_letters: int = Field(
        default=4,
        ge=2,
        description="Shortest pinyin spelling added as a variant; shorter ones collide with words.",
    )

    image_workers: int | None = Field(
        default=None,
        ge=0,
        description="Worker processes that check pictures (OCR, hashing), each with the models "
        "loaded once; empty: one per CPU this process may use; 0: one picture at a time in the "
        "screening process itself. Env SCREENER_IMAGE_WORKERS.",
    )

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the lexicon store (maintainers' changes and their "
        "history); default sqlite:///<home>/screener.db. PostgreSQL works too "
        "(postgresql+psycopg://...). Env SCREENER_DATABASE_URL.",
    )
    lexicon_check_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often a long-running process checks the store for a new lexicon "
        "version and swaps it in (0: before every screening). Env SCREENER_LEXICON_CHECK_SECONDS.",
    )

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(f"not a database URL: {value!r}") from None
        return value

    @field_validator("home", "lexicon_dir", "model_dir", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        return Path(value).expanduser() if isinstance(value, str | Path) else value

    @property
    def lexicon_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'screener.db'}"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


_ENV = {
    "home": "SCREENER_HOME",
    "lexicon_dir": "SCREENER_LEXICONS",
    "model_dir": "SCREENER_MODELS",
    "max_body_chars": "SCREENER_MAX_BODY_CHARS",
    "max_file_bytes": "SCREENER_MAX_FILE_BYTES",
    "max_images": "SCREENER_MAX_IMAGES_PER_DRAFT",
    "max_import_rows": "SCREENER_MAX_IMPORT_ROWS",
    "max_import_bytes": "SCREENER_MAX_IMPORT_BYTES",
    "database_url": "SCREENER_DATABASE_URL",
    "lexicon_check_seconds": "SCREENER_LEXICON_CHECK_SECONDS",
    "image_workers": "SCREENER_IMAGE_WORKERS",
}


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides (None means 'not given')."""
    values: dict[str, object] = {}
    for name, env in _ENV.items():
        if env in os.environ and os.environ[env] != "":
            values[name] = os.environ[env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return load_settings()
