"""Every setting in one validated tree.

Values come from, highest first: explicit arguments (CLI flags such as ``--home``), ``SCREENER_*``
environment variables (nested sections with ``__``: ``SCREENER_SERVICE__MAX_REQUEST_BYTES``), the
older flat names documented before the tree existed (``SCREENER_MAX_REQUEST_BYTES``,
``SCREENER_LEXICONS`` ...), a settings file (``settings.toml`` in the state folder, or the file
``SCREENER_SETTINGS_FILE`` names), and the defaults below. ``screener settings`` prints the tree
and where each value came from; README documents it.

Sections: top level (the pipeline and the state folder), ``images`` (picture limits and matching
thresholds), ``service`` (the review service's HTTP limits and uploads), ``rescreen``,
``learning`` (candidate models from reviewers' feedback). Paths and
URLs derived from others are properties, so they cannot disagree with what they derive from.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent
ENV_PREFIX = "SCREENER_"
SETTINGS_FILE_ENV = "SCREENER_SETTINGS_FILE"

# Environment names documented before the settings became a tree; they keep working (below the
# tree's own names, which win when both are set).
LEGACY_ENV: dict[str, tuple[str, ...]] = {
    "SCREENER_LEXICONS": ("lexicon_dir",),
    "SCREENER_MODELS": ("model_dir",),
    "SCREENER_CORPUS": ("corpus_dir",),
    "SCREENER_MAX_IMAGES_PER_DRAFT": ("max_images_per_file",),
    "SCREENER_MAX_REQUEST_BYTES": ("service", "max_request_bytes"),
    "SCREENER_MAX_IMAGES": ("service", "max_images_per_submission"),
    "SCREENER_MAX_IMAGE_BYTES": ("service", "max_image_bytes"),
    "SCREENER_COOKIE_SECURE": ("service", "cookie_secure"),
}


def _default_home() -> Path:
    # XDG data dir on Linux; the same rule elsewhere keeps the tool dependency-free.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "screener"


def _check_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(value)
    except ArgumentError:
        raise ValueError(f"not a database URL: {value!r}") from None
    return value


class Section(BaseModel):
    model_config = {"frozen": True, "extra": "forbid"}


class ImageSettings(Section):
    """Picture limits and matching thresholds, with the reasons for each value."""

    # A 40-megapixel photo is larger than any phone camera; beyond that we refuse to decode
    # rather than risk a decompression bomb eating memory.
    max_pixels: int = Field(40_000_000, ge=1, description="Largest picture decoded, in pixels "
                            "(bigger: refused as a decompression bomb).")
    max_file_bytes: int = Field(30_000_000, ge=1,
                                description="Largest picture file read, in bytes.")
    # Bounds time and memory.
    work_side: int = Field(1024, ge=64,
                           description="Longest side a frame is reduced to before hashing.")
    # Every frame up to this many, else an evenly spaced sample with the first and last (the
    # forbidden picture can hide in any frame).
    max_frames: int = Field(8, ge=1, description="Frames of an animation checked.")
    # So that 1000 small frames cannot deny service.
    max_total_pixels: int = Field(200_000_000, ge=1,
                                  description="Pixel budget over all frames of an animation.")
    # True copies in the benchmark come within 10 bits once the stored crops and content boxes
    # are hashed; 11 leaves a bit spare and costs the multi-index no more than 10 (its 4 blocks
    # are each probed within 2 bits). Every candidate is verified geometrically.
    hash_radius: int = Field(11, ge=0, le=32, description="Hamming radius of the "
                             "perceptual-hash candidate search (64-bit hashes).")
    # Verification costs ~30 ms each, and in a large bank many unrelated assets fall within the
    # radius by chance.
    max_candidates: int = Field(8, ge=1,
                                description="Hash candidates verified per picture, nearest first.")
    # Unrelated photos measured below 10.
    min_inliers: int = Field(15, ge=4,
                             description="RANSAC inliers needed to call a candidate a match.")
    school_domains: tuple[str, ...] = Field(
        ("pku.edu.cn",), description="Domains a QR code may point at without a finding.")
    assets_database_url: str | None = Field(
        None, description="SQLAlchemy URL of the asset bank; default sqlite:///<home>/assets.db.")
    # Each worker keeps the OCR models and the bank loaded; a picture a worker at a time.
    workers: int | None = Field(
        None, ge=0, description="Worker processes that check pictures (OCR, hashing, "
        "verification), models loaded once each; empty: one per CPU this process may use; 0: one "
        "picture at a time in the screening process itself.")
    # A picture takes well under a second; one that takes this long has its worker killed and
    # is reported for review (fail closed).
    task_seconds: float = Field(120.0, gt=0, description="Seconds a worker may spend on one "
                                "picture before it is killed and the picture reported for review.")

    _url = field_validator("assets_database_url")(classmethod(lambda cls, v: _check_url(v)))


class ServiceSection(Section):
    """The review service (``screener serve``): HTTP limits and where uploads are kept."""

    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the service database; default: the state "
        "folder's database (database_url).")
    upload_dir: Path | None = Field(
        None, description="Folder where uploaded pictures are kept, by sha256; default "
        "<home>/uploads.")
    max_request_bytes: int = Field(
        20_000_000, ge=1_000,
        description="Largest request body accepted (drafts plus pictures), in bytes.")
    max_images_per_submission: int = Field(
        20, ge=0, le=200, description="Most pictures one HTTP submission may carry.")
    max_image_bytes: int = Field(10_000_000, ge=1_000,
                                 description="Largest single uploaded picture, in bytes.")
    page_size: int = Field(50, ge=1, le=1000, description="Default page size of lists.")
    max_page_size: int = Field(200, ge=1, le=10_000, description="Largest page size.")
    cookie_secure: bool = Field(
        False, description="Mark the login cookie Secure (set when served over HTTPS).")
    chromium: str = Field(
        "chromium", description="Chromium program that prints the sign-off sheet to PDF "
        "(a name looked up on PATH, or a path); without it the sheet is printed from the "
        "browser.")
    countersigning_units: tuple[int, ...] = Field(
        (), description="Units (ids) whose sign-off sheets also carry a signature line for "
        "the unit's 第一责任人.")
    secret_file: Path | None = Field(
        None, description="File of the server secret (CSRF values, the audit chain's key, "
        "signed audit heads); made 0600 on first start, never stored in the database; "
        "default <home>/service-secret.key. Back it up apart from the database.")
    audit_dir: Path | None = Field(
        None, description="Folder of the signed audit heads (head.json after every change, "
        "head-YYYY-MM-DD.json once a day), outside the database; default <home>/audit.")
    session_hours: float = Field(12, gt=0, le=24 * 30,
                                 description="Hours a log-in session lasts (then log in again).")
    password_time_cost: int = Field(
        3, ge=1, le=20, description="argon2id passes per password hash (RFC 9106: 3).")
    password_memory_kib: int = Field(
        65536, ge=1024, description="argon2id memory per password hash, KiB (RFC 9106: 64 MiB).")
    max_failed_logins: int = Field(
        5, ge=1, le=100, description="Failed log-ins in a row that lock a user name.")
    lockout_minutes: float = Field(15, gt=0, description="How long a locked user name stays "
                                   "locked (or `screener users unlock`).")
    login_failures_per_minute: int = Field(
        5, ge=1, description="Failed log-ins one client address may make per minute; more are "
        "refused with 429 until the minute has passed.")
    api_docs: bool = Field(True, description="Serve the API documentation at /docs (Swagger "
                           "UI) and /redoc (ReDoc), from files shipped with the service, no CDN.")
    sso_issuer: str | None = Field(
        None, description="Campus single sign-on: the OpenID Connect issuer URL (its "
        "/.well-known/openid-configuration is read); none: user name and password only.")
    sso_client_id: str | None = Field(None, description="Client id registered with the SSO.")
    sso_client_secret: SecretStr | None = Field(
        None, description="Client secret registered with the SSO (prefer the environment).")
    sso_username_claim: str = Field(
        "preferred_username", description="ID-token claim that carries the campus user name, "
        "matched against `screener users set-password ... --username`.")
    sso_label: str = Field("统一身份认证登录", description="The SSO button's text.")
    signoff_hours: float = Field(
        48, gt=0, description="Statistics: a draft first signed off more than this many hours "
        "after it was submitted counts as signed late.")
    picture_workers: int = Field(
        2, ge=0, le=32, description="Worker processes `screener serve` starts for the picture "
        "stage: a submission with pictures is answered with its text findings and its pictures "
        "are screened in the background; 0: pictures are screened within the request.")
    picture_lease_seconds: float = Field(
        60, gt=0, description="How long a worker holds a picture job without renewing it; a "
        "job whose worker died is taken up again after this.")
    picture_attempts: int = Field(
        3, ge=1, le=20, description="Attempts at a draft's pictures before the ones not "
        "checked become stage_error findings for review (a picture that kills workers).")
    # The registry's duties under the rule (第七条, the first 第十一条).
    max_document_bytes: int = Field(10_000_000, ge=1_000, description="Largest file an "
                                    "account application carries (审批表, 承诺书), in bytes.")
    inactive_days: int = Field(90, ge=1, le=3650, description="Days without a published post "
                               "after which an account is listed for 注销 review (第七条).")
    password_interval_days: int = Field(90, ge=1, le=3650, description="Days between platform "
                                        "password changes when the unit set none (第十一条).")

    _url = field_validator("database_url")(classmethod(lambda cls, v: _check_url(v)))

    @field_validator("upload_dir", "secret_file", "audit_dir", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        return Path(value).expanduser() if isinstance(value, str | Path) and value else None


class RescreenSettings(Section):
    """Re-screening the archive (``screener rescreen``)."""

    batch_size: int = Field(100, ge=1, description="Default posts per chunk (--batch-size): one "
                            "task for a worker, one committed transaction.")
    dask_timeout: float = Field(30.0, gt=0, description="Seconds to wait for a Dask scheduler "
                                "to answer before giving up (--dask).")


class SourceSettings(Section):
    """Reprinted text (第十二条): the bank of source texts and how reuse is found."""

    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the bank of source texts; default: the state "
        "folder's database (database_url).")
    # threshold, min_chars and gap chosen with benchmarks/bench_sources.py --tune (its own seed
    # and split, about 20,000 passages of real news, Weibo and statute text; passages of 80 against
    # 120 characters too): lower thresholds align more candidates, which costs time, not alarms;
    # min_chars trades recall against matches on unrelated news. common_sources was set by
    # judgement (not tuned) after those runs.
    lsh_threshold: float = Field(0.3, gt=0, lt=1, description="Jaccard similarity of a draft "
                                 "window and a bank passage that the LSH bands aim at.")
    min_chars: int = Field(40, ge=10, description="Shortest reused passage reported, in "
                           "characters of text (punctuation and spaces not counted).")
    gap: int = Field(8, ge=0, description="Changed characters bridged inside one reused "
                     "passage (a few words replaced leave it one passage).")
    max_sources: int = Field(30, ge=1, description="Candidate sources aligned exactly per "
                             "text, best LSH match first.")
    common_sources: int = Field(5, ge=2, description="Text held by this many sources or more "
                                "is common text (a standard introduction, a formula every "
                                "notice repeats), not a reprint of any one of them: never "
                                "reported.")

    _url = field_validator("database_url")(classmethod(lambda cls, v: _check_url(v)))
class LearningSettings(Section):
    """Learning from reviewers (``screener model train``)."""

    # A reviewer's judgement is about the college's own posts, the texts the model must get
    # right; a corpus text is about someone else's. The learning curve in README was measured
    # with this weight.
    feedback_weight: float = Field(5.0, gt=0, le=100, description="Weight of a feedback text "
                                   "in training, against a corpus text's 1.")
    feedback_holdout_percent: int = Field(20, ge=0, le=90, description="Percent of feedback "
                                          "texts (by a hash of the text) held out: never "
                                          "trained on, scored when candidates are compared.")
    seed: int = Field(0, description="Random seed of candidate training (the same data and "
                      "seed give the same candidate).")


class PlatformLimits(Section):
    """What one platform accepts in a post; None: no known limit, not checked."""

    title_chars: int | None = Field(None, ge=1, description="Longest title, in characters.")
    body_chars: int | None = Field(None, ge=1, description="Longest body, in characters.")
    pictures: int | None = Field(None, ge=0, description="Most pictures in one post.")


class PlatformSettings(Section):
    """Each platform's own limits (第十六条: other platforms follow the same rule). A draft over
    a limit gets a ``platform_limit`` finding for review, never a refusal. Where each number
    comes from, and which are conservative guesses, is in README ("Other platforms")."""

    # The editor's own help: title at most 64 characters; the draft API: body under 20,000
    # characters; no limit on pictures in an article.
    wechat: PlatformLimits = Field(
        PlatformLimits(title_chars=64, body_chars=20_000),
        description="微信公众号 (WeChat official account article).")
    # Not confirmed from a platform page: a long Weibo post takes 2,000 characters and the
    # classic grid 9 pictures (some clients now 18); a 头条文章 title 32. Conservative.
    weibo: PlatformLimits = Field(
        PlatformLimits(title_chars=32, body_chars=2_000, pictures=9), description="微博.")
    # A publishing tool's documentation of 抖音图文: title at most 30 characters, at most 35
    # pictures; the description's 1,000 characters is not confirmed.
    douyin: PlatformLimits = Field(
        PlatformLimits(title_chars=30, body_chars=1_000, pictures=35), description="抖音.")
    # Not confirmed: conservative values (专栏 title 40; a dynamic's text and 9 pictures).
    bilibili: PlatformLimits = Field(
        PlatformLimits(title_chars=40, body_chars=2_000, pictures=9), description="哔哩哔哩.")
    # A help article: an ordinary note 1,000 characters; title 20 and 18 pictures are the
    # editor's widely cited limits, not confirmed from a platform page.
    xiaohongshu: PlatformLimits = Field(
        PlatformLimits(title_chars=20, body_chars=1_000, pictures=18), description="小红书.")
    # Not confirmed: conservative values (a short title of 16, description 1,000, 9 pictures).
    wechat_channels: PlatformLimits = Field(
        PlatformLimits(title_chars=16, body_chars=1_000, pictures=9), description="视频号.")
    # Not confirmed: conservative values.
    kuaishou: PlatformLimits = Field(
        PlatformLimits(title_chars=30, body_chars=500, pictures=9), description="快手.")
    # An unnamed platform: nothing known, nothing checked.
    other: PlatformLimits = Field(PlatformLimits(), description="Any other platform.")


class _LegacyEnv(PydanticBaseSettingsSource):
    """The flat environment names of earlier releases, mapped into the tree."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ builds the whole dict

    def __call__(self) -> dict[str, Any]:
        return legacy_env_values()


class _SettingsFile(PydanticBaseSettingsSource):
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return settings_file_values(self.current_state)


class Settings(BaseSettings):
    """Validated settings. Field descriptions are the documentation (see README)."""

    model_config = SettingsConfigDict(
        frozen=True, env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore",
        env_ignore_empty=True, nested_model_default_partial_update=True)

    home: Path = Field(
        default_factory=_default_home,
        description="State folder: lexicon store (screener.db), caches. "
        "Env SCREENER_HOME or --home.",
    )
    lexicon_dir: Path = Field(
        default=REPO_ROOT / "lexicons",
        description="Folder of shipped lexicon files (*.txt). Env SCREENER_LEXICON_DIR "
        "(or SCREENER_LEXICONS).",
    )
    model_dir: Path = Field(
        default=REPO_ROOT / "models",
        description="Folder of trained classifier models (screener train writes there). "
        "Env SCREENER_MODEL_DIR (or SCREENER_MODELS).",
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
    max_images_per_file: int = Field(
        default=200,
        ge=1,
        description="Most pictures one draft FILE may carry; each is decoded and read by OCR. "
        "Env SCREENER_MAX_IMAGES_PER_FILE (or SCREENER_MAX_IMAGES_PER_DRAFT).",
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
    evasion_short_terms: int = Field(
        default=2000,
        ge=0,
        description="Most two-character terms that get homophone and look-alike guesses; a "
                    "bigger lexicon guesses only for longer terms (two-character guesses flood "
                    "ordinary text when there are tens of thousands of terms).",
    )

    locale: str = Field(
        default="zh_CN",
        description="Interface language of the CLI text output and the service's pages: zh_CN "
        "(shipped) or en (the messages as written in the code). Env SCREENER_LOCALE.",
    )

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the state folder's database (lexicon store, archive, "
        "service); default sqlite:///<home>/screener.db. PostgreSQL works too "
        "(postgresql+psycopg://...). Env SCREENER_DATABASE_URL.",
    )
    lexicon_check_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often a long-running process checks the store for a new lexicon "
        "version and swaps it in (0: before every screening). Env SCREENER_LEXICON_CHECK_SECONDS.",
    )
    corpus_dir: Path | None = Field(
        default=None,
        description="Local real-text corpus built by `screener corpus build` (training, "
        "lexicon test/lint, false-alarm figures); default <home>/corpus. Env "
        "SCREENER_CORPUS_DIR (or SCREENER_CORPUS).",
    )

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from .i18n import available

        known = available()
        if value not in known:
            raise ValueError(f"no catalog for {value!r}; known: {', '.join(known)}")
        return value

    images: ImageSettings = Field(default_factory=ImageSettings,
                                  description="Pictures: limits and matching thresholds.")
    service: ServiceSection = Field(default_factory=ServiceSection,
                                    description="The review service.")
    rescreen: RescreenSettings = Field(default_factory=RescreenSettings,
                                       description="Re-screening the archive.")
    sources: SourceSettings = Field(default_factory=SourceSettings,
                                    description="Reprinted text: the bank of source texts.")
    learning: LearningSettings = Field(default_factory=LearningSettings,
                                       description="Learning from reviewers' feedback.")
    platforms: PlatformSettings = Field(default_factory=PlatformSettings,
                                        description="Each platform's limits on a post.")

    _url = field_validator("database_url")(classmethod(lambda cls, v: _check_url(v)))

    @field_validator("home", "lexicon_dir", "model_dir", "corpus_dir", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        return Path(value).expanduser() if isinstance(value, str | Path) else value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings):
        return (init_settings, env_settings, _LegacyEnv(settings_cls),
                _SettingsFile(settings_cls))

    # -- derived ----------------------------------------------------------------------------
    @property
    def lexicon_database_url(self) -> str:
        """The state folder's database: lexicon store and archive tables."""
        return self.database_url or f"sqlite:///{self.home / 'screener.db'}"

    @property
    def service_database_url(self) -> str:
        return self.service.database_url or self.lexicon_database_url

    @property
    def assets_database_url(self) -> str:
        return self.images.assets_database_url or f"sqlite:///{self.home / 'assets.db'}"

    @property
    def sources_database_url(self) -> str:
        return self.sources.database_url or self.lexicon_database_url

    @property
    def upload_dir(self) -> Path:
        return self.service.upload_dir or self.home / "uploads"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def corpus_folder(self) -> Path:
        return self.corpus_dir or self.home / "corpus"

    @property
    def settings_file(self) -> Path:
        return settings_file_path(self.home)


# -- where values come from ---------------------------------------------------------------------
def _set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def legacy_env_values() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, path in LEGACY_ENV.items():
        if os.environ.get(name):
            _set_path(values, path, os.environ[name])
    return values


def settings_file_path(home: Path | None) -> Path:
    named = os.environ.get(SETTINGS_FILE_ENV)
    if named:
        return Path(named).expanduser()
    return Path(home or _default_home()).expanduser() / "settings.toml"


def settings_file_values(state: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings file's values; the state folder is the one the higher sources name."""
    home = (state or {}).get("home") or os.environ.get(f"{ENV_PREFIX}HOME") or None
    path = settings_file_path(Path(home) if home else None)
    if not path.is_file():
        if os.environ.get(SETTINGS_FILE_ENV):
            raise ConfigError(f"settings file {path} ({SETTINGS_FILE_ENV}) does not exist")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"settings file {path}: {exc}") from None


def _flatten(values: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    flat: dict[tuple[str, ...], Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, (*prefix, key)))
        else:
            flat[(*prefix, key)] = value
    return flat


def sources(**overrides: object) -> dict[str, str]:
    """For each setting given anywhere, where its value came from: flag / environment / file
    (a setting not listed has its default). Dotted names for sections (``service.page_size``)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    env = EnvSettingsSource(Settings, env_prefix=ENV_PREFIX, env_nested_delimiter="__",
                            env_ignore_empty=True)()
    layers = [("file", settings_file_values(given | env)), ("environment", legacy_env_values()),
              ("environment", env), ("flag", given)]
    found: dict[str, str] = {}
    for origin, values in layers:  # lowest first: a higher layer overwrites
        for path in _flatten(values):
            found[".".join(path)] = origin
    return found


def load_settings(**overrides: object) -> Settings:
    """Build settings from flags (``overrides``; None means 'not given'), the environment, the
    settings file and the defaults. Sections take dicts: ``service={"page_size": 10}``."""
    values = {k: v for k, v in overrides.items() if v is not None}
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
