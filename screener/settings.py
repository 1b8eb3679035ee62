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
        raise ValueError(f"{value!r} 不是数据库 URL") from None
    return value


class Section(BaseModel):
    model_config = {"frozen": True, "extra": "forbid"}


class ImageSettings(Section):
    """Picture limits and matching thresholds, with the reasons for each value."""

    # A 40-megapixel photo is larger than any phone camera; beyond that we refuse to decode
    # rather than risk a decompression bomb eating memory.
    max_pixels: int = Field(40_000_000, ge=1, description="解码的图片最大像素数（更大的按解压炸弹"
            "拒绝）。")
    max_file_bytes: int = Field(30_000_000, ge=1,
                                description="读取的图片文件最大大小，单位：字节。")
    # Bounds time and memory.
    work_side: int = Field(1024, ge=64,
                           description="计算哈希前，每帧图像的长边缩小到多少像素。")
    # Every frame up to this many, else an evenly spaced sample with the first and last (the
    # forbidden picture can hide in any frame).
    max_frames: int = Field(8, ge=1, description="动图检查的帧数。")
    # So that 1000 small frames cannot deny service.
    max_total_pixels: int = Field(200_000_000, ge=1,
                                  description="一张动图所有帧合计的像素上限。")
    # True copies in the benchmark come within 10 bits once the stored crops and content boxes
    # are hashed; 11 leaves a bit spare and costs the multi-index no more than 10 (its 4 blocks
    # are each probed within 2 bits). Every candidate is verified geometrically.
    hash_radius: int = Field(11, ge=0, le=32, description="用感知哈希查找候选时的汉明距离半径（64 "
            "位哈希）。")
    # Verification costs ~30 ms each, and in a large bank many unrelated assets fall within the
    # radius by chance; among hundreds of similar flat graphics a cropped, mirrored JPEG copy's
    # own nearest hash ranked 9th-26th (8 verified found 26 of 30, 12 found 29).
    max_candidates: int = Field(12, ge=1,
                                description="每张图片做几何验证的哈希候选数，距离近的优先。")
    # Unrelated photos measured below 10.
    min_inliers: int = Field(15, ge=4,
                             description="判定候选为匹配所需的 RANSAC 内点数。")
    school_domains: tuple[str, ...] = Field(
        ("pku.edu.cn",), description="二维码指向这些域名时不报发现。")
    assets_database_url: str | None = Field(
        None, description="资产库（受版权保护的素材、官方标识）的 SQLAlchemy URL；默认 "
                          "sqlite:///<home>/assets.db。")
    # Each worker keeps the OCR models and the bank loaded; a picture a worker at a time.
    workers: int | None = Field(
        None, ge=0, description="检查图片（OCR、哈希、几何验证）的工作进程数，每个进程只加载一次模"
                                "型；留空：本进程可用的每个 CPU 一个；0：在筛查进程内逐张检查。")
    # A picture takes well under a second; one that takes this long has its worker killed and
    # is reported for review (fail closed).
    task_seconds: float = Field(120.0, gt=0, description="工作进程处理一张图片的最长秒数；超时则终"
            "止该进程，图片报人工审核。")

    _url = field_validator("assets_database_url")(classmethod(lambda cls, v: _check_url(v)))


class ServiceSection(Section):
    """The review service (``screener serve``): HTTP limits and where uploads are kept."""

    database_url: str | None = Field(
        None, description="审核服务数据库的 SQLAlchemy URL；默认：状态目录的数据库"
                          "（database_url）。")
    upload_dir: Path | None = Field(
        None, description="上传图片的存放目录，按 sha256 存放；默认 <home>/uploads。")
    max_request_bytes: int = Field(
        20_000_000, ge=1_000,
        description="接受的请求正文最大大小（草稿加图片），单位：字节。")
    max_images_per_submission: int = Field(
        20, ge=0, le=200, description="一次 HTTP 提交最多可带的图片数。")
    max_image_bytes: int = Field(10_000_000, ge=1_000,
                                 description="单张上传图片的最大大小，单位：字节。")
    page_size: int = Field(50, ge=1, le=1000, description="列表默认每页条数。")
    max_page_size: int = Field(200, ge=1, le=10_000, description="列表每页最多条数。")
    cookie_secure: bool = Field(
        False, description="给登录 Cookie 加 Secure 标记（通过 HTTPS 提供服务时开启）。")
    chromium: str = Field(
        "chromium", description="把审核单打印为 PDF 的 Chromium 程序（可在 PATH 中找到的程序名，或"
                                "路径）；没有时由浏览器打印审核单。")
    countersigning_units: tuple[int, ...] = Field(
        (), description="审核单上另加本单位第一责任人签字栏的单位（编号）。")
    secret_file: Path | None = Field(
        None, description="服务器密钥文件（用于 CSRF 值、审计链密钥、签名的审计链头）；首次启动时"
                          "设为 0600，从不存入数据库；默认 <home>/service-secret.key。请与数据库分"
                          "开备份。")
    audit_dir: Path | None = Field(
        None, description="签名的审计链头所在目录（每次变更后写 head.json，每天写一次 "
                          "head-YYYY-MM-DD.json），在数据库之外；默认 <home>/audit。")
    session_hours: float = Field(12, gt=0, le=24 * 30,
                                 description="登录会话的有效小时数（到期须重新登录）。")
    password_time_cost: int = Field(
        3, ge=1, le=20, description="每次密码哈希的 argon2id 迭代次数（RFC 9106：3）。")
    password_memory_kib: int = Field(
        65536, ge=1024, description="每次密码哈希的 argon2id 内存，单位：KiB（RFC 9106：64 MiB）。")
    max_failed_logins: int = Field(
        5, ge=1, le=100, description="同一用户名连续登录失败多少次即被锁定。")
    lockout_minutes: float = Field(15, gt=0, description="用户名被锁定的时长，单位：分钟（或用 "
            "`screener users unlock` 解锁）。")
    login_failures_per_minute: int = Field(
        5, ge=1, description="同一客户端地址每分钟允许的登录失败次数；超出的请求返回 429，直到这一"
                             "分钟过去。")
    api_docs: bool = Field(True, description="在 /docs（Swagger UI）和 /redoc（ReDoc）提供 API 文"
                                             "档，所用文件随服务提供，不用 CDN。")
    sso_issuer: str | None = Field(
        None, description="校园统一身份认证：OpenID Connect 颁发者（issuer）URL（读取其 "
                          "/.well-known/openid-configuration）；不设置：只用用户名和密码登录。")
    sso_client_id: str | None = Field(None, description="在统一身份认证中登记的客户端 ID。")
    sso_client_secret: SecretStr | None = Field(
        None, description="在统一身份认证中登记的客户端密钥（最好用环境变量设置）。")
    sso_username_claim: str = Field(
        "preferred_username", description="ID 令牌中携带校园用户名的声明（claim），与 `screener "
                                          "users set-password ... --username` 设定的用户名比对。")
    sso_label: str = Field("统一身份认证登录", description="统一身份认证登录按钮上的文字。")
    signoff_hours: float = Field(
        48, gt=0, description="统计用：草稿提交后超过多少小时才首次签发，计为签发延迟。")
    picture_workers: int = Field(
        2, ge=0, le=32, description="`screener serve` 为图片检查阶段启动的工作进程数：带图片的提交"
                                    "先返回文字部分的发现，图片在后台筛查；0：在请求内筛查图片。")
    picture_lease_seconds: float = Field(
        60, gt=0, description="工作进程不续期时持有一个图片任务的秒数；工作进程异常退出后，其任务"
                              "过此时间由其他进程接手。")
    picture_attempts: int = Field(
        3, ge=1, le=20, description="一篇草稿的图片最多检查几次；之后仍未检查的图片成为 "
                                    "`stage_error` 发现，报人工审核（防止某张图片反复使工作进程崩"
                                    "溃）。")
    # The registry's duties under the rule (第七条, the first 第十一条).
    max_document_bytes: int = Field(10_000_000, ge=1_000, description="账号申请所附文件（审批表、"
            "承诺书）的最大大小，单位：字节。")
    inactive_days: int = Field(90, ge=1, le=3650, description="账号超过多少天未发布推文，即列入注"
            "销审查名单（第七条）。")
    password_interval_days: int = Field(90, ge=1, le=3650, description="单位未自行规定时，平台账号"
            "密码的更换间隔天数（第十一条）。")

    _url = field_validator("database_url")(classmethod(lambda cls, v: _check_url(v)))

    @field_validator("upload_dir", "secret_file", "audit_dir", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        return Path(value).expanduser() if isinstance(value, str | Path) and value else None


class RescreenSettings(Section):
    """Re-screening the archive (``screener rescreen``)."""

    batch_size: int = Field(100, ge=1, description="每批默认推文数（--batch-size）：一批是工作进程"
            "的一项任务，也是一次提交的事务。")
    dask_timeout: float = Field(30.0, gt=0, description="等待 Dask 调度器响应的秒数，超时即放弃"
            "（--dask）。")


class SourceSettings(Section):
    """Reprinted text (第十二条): the bank of source texts and how reuse is found."""

    database_url: str | None = Field(
        None, description="来源文本库的 SQLAlchemy URL；默认：状态目录的数据库（database_url）。")
    # threshold, min_chars and gap chosen with benchmarks/bench_sources.py --tune (its own seed
    # and split, about 20,000 passages of real news, Weibo and statute text; passages of 80 against
    # 120 characters too): lower thresholds align more candidates, which costs time, not alarms;
    # min_chars trades recall against matches on unrelated news. common_sources was set by
    # judgement (not tuned) after those runs.
    lsh_threshold: float = Field(0.3, gt=0, lt=1, description="LSH 分桶所针对的相似度：草稿窗口与"
            "来源文本库段落的 Jaccard 相似度。")
    min_chars: int = Field(40, ge=10, description="报告的最短转载段落，按文字字符计（不计标点和空"
            "格）。")
    gap: int = Field(8, ge=0, description="同一转载段落内可跨过的改动字符数（替换几个词仍算一"
                                          "段）。")
    max_sources: int = Field(30, ge=1, description="每篇文本精确比对的候选来源数，LSH 匹配度高的优"
            "先。")
    common_sources: int = Field(5, ge=2, description="这么多或更多来源共有的文字视为通用文字（标准"
            "简介、每份通知都重复的套话），不算转载其中任何一篇：从不报告。")

    _url = field_validator("database_url")(classmethod(lambda cls, v: _check_url(v)))
class LearningSettings(Section):
    """Learning from reviewers (``screener model train``)."""

    # A reviewer's judgement is about the college's own posts, the texts the model must get
    # right; a corpus text is about someone else's. The learning curve in README was measured
    # with this weight.
    feedback_weight: float = Field(5.0, gt=0, le=100, description="训练时一条审核反馈文本的权重"
            "（语料文本为 1）。")
    feedback_holdout_percent: int = Field(20, ge=0, le=90, description="留出的审核反馈文本百分比"
            "（按文本哈希划分）：从不用于训练，只在比较候选模型时评分。")
    seed: int = Field(0, description="候选模型训练的随机种子（相同的数据和种子得到相同的候选模"
                                     "型）。")


class PlatformLimits(Section):
    """What one platform accepts in a post; None: no known limit, not checked."""

    title_chars: int | None = Field(None, ge=1, description="标题最大长度，单位：字符。")
    body_chars: int | None = Field(None, ge=1, description="正文最大长度，单位：字符。")
    pictures: int | None = Field(None, ge=0, description="一条推文最多的图片数。")


class PlatformSettings(Section):
    """Each platform's own limits (第十六条: other platforms follow the same rule). A draft over
    a limit gets a ``platform_limit`` finding for review, never a refusal. Where each number
    comes from, and which are conservative guesses, is in README ("Other platforms")."""

    # The editor's own help: title at most 64 characters; the draft API: body under 20,000
    # characters; no limit on pictures in an article.
    wechat: PlatformLimits = Field(
        PlatformLimits(title_chars=64, body_chars=20_000),
        description="微信公众号（图文消息）。")
    # Not confirmed from a platform page: a long Weibo post takes 2,000 characters and the
    # classic grid 9 pictures (some clients now 18); a 头条文章 title 32. Conservative.
    weibo: PlatformLimits = Field(
        PlatformLimits(title_chars=32, body_chars=2_000, pictures=9), description="微博。")
    # A publishing tool's documentation of 抖音图文: title at most 30 characters, at most 35
    # pictures; the description's 1,000 characters is not confirmed.
    douyin: PlatformLimits = Field(
        PlatformLimits(title_chars=30, body_chars=1_000, pictures=35), description="抖音。")
    # Not confirmed: conservative values (专栏 title 40; a dynamic's text and 9 pictures).
    bilibili: PlatformLimits = Field(
        PlatformLimits(title_chars=40, body_chars=2_000, pictures=9), description="哔哩哔哩。")
    # A help article: an ordinary note 1,000 characters; title 20 and 18 pictures are the
    # editor's widely cited limits, not confirmed from a platform page.
    xiaohongshu: PlatformLimits = Field(
        PlatformLimits(title_chars=20, body_chars=1_000, pictures=18), description="小红书。")
    # Not confirmed: conservative values (a short title of 16, description 1,000, 9 pictures).
    wechat_channels: PlatformLimits = Field(
        PlatformLimits(title_chars=16, body_chars=1_000, pictures=9), description="视频号。")
    # Not confirmed: conservative values.
    kuaishou: PlatformLimits = Field(
        PlatformLimits(title_chars=30, body_chars=500, pictures=9), description="快手。")
    # An unnamed platform: nothing known, nothing checked.
    other: PlatformLimits = Field(PlatformLimits(), description="其他平台。")


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
        description="状态目录：词库版本库（screener.db）、缓存等。环境变量 SCREENER_HOME 或 "
                    "--home。",
    )
    lexicon_dir: Path = Field(
        default=REPO_ROOT / "lexicons",
        description="随程序发布的词库文件（*.txt）所在目录。环境变量 SCREENER_LEXICON_DIR（或 "
                    "SCREENER_LEXICONS）。",
    )
    model_dir: Path = Field(
        default=REPO_ROOT / "models",
        description="训练好的分类模型所在目录（`screener train` 写入此处）。环境变量 "
                    "SCREENER_MODEL_DIR（或 SCREENER_MODELS）。",
    )
    max_body_chars: int = Field(
        default=100_000,
        ge=1,
        description="接受的标题加正文最大长度，单位：字符（微信公众号上限 20,000）；更长的草稿按输"
                    "入错误处理。环境变量 SCREENER_MAX_BODY_CHARS。",
    )
    max_file_bytes: int = Field(
        default=2_000_000,
        ge=1,
        description="从磁盘读取的草稿文件最大大小，单位：字节。环境变量 SCREENER_MAX_FILE_BYTES。",
    )
    max_images_per_file: int = Field(
        default=200,
        ge=1,
        description="一个草稿文件最多可带的图片数；每张图片都要解码并经 OCR 识别文字。环境变量 "
                    "SCREENER_MAX_IMAGES_PER_FILE（或 SCREENER_MAX_IMAGES_PER_DRAFT）。",
    )
    max_import_rows: int = Field(
        default=100_000,
        ge=1,
        description="一次词库导入最多的行数（或 JSON 条目数）；更大的词表请分几次导入。环境变量 "
                    "SCREENER_MAX_IMPORT_ROWS。",
    )
    max_import_bytes: int = Field(
        default=20_000_000,
        ge=1,
        description="词库导入文件的最大大小，单位：字节。环境变量 SCREENER_MAX_IMPORT_BYTES。",
    )
    boundary_window: int = Field(
        default=8,
        ge=4,
        description="检查词边界时，命中处两侧各取多少个字符的上下文交给 jieba 分词。",
    )
    min_pinyin_letters: int = Field(
        default=4,
        ge=2,
        description="作为变体加入的拼音拼写最少字母数；更短的拼写会与普通词语混淆。",
    )
    evasion_short_terms: int = Field(
        default=2000,
        ge=0,
        description="最多为多少个两字词条生成同音字、形近字变体；词库更大时只为更长的词条生成（词"
                    "条数以万计时，两字词的变体会在普通文本中大量误报）。",
    )

    locale: str = Field(
        default="zh_CN",
        description="命令行文字输出和审核服务页面的界面语言：zh_CN（随程序提供）或 en（代码中书写"
                    "的原文）。环境变量 SCREENER_LOCALE。",
    )

    database_url: str | None = Field(
        default=None,
        description="状态目录数据库的 SQLAlchemy URL（词库版本库、往期推文存档、审核服务）；默认 "
                    "sqlite:///<home>/screener.db。也可用 PostgreSQL（postgresql+psycopg://...）。"
                    "环境变量 SCREENER_DATABASE_URL。",
    )
    lexicon_check_seconds: float = Field(
        default=5.0,
        ge=0,
        description="长期运行的进程每隔多少秒检查一次词库有无新版本并换用（0：每次筛查前都检查）。"
                    "环境变量 SCREENER_LEXICON_CHECK_SECONDS。",
    )
    corpus_dir: Path | None = Field(
        default=None,
        description="由 `screener corpus build` 建立的本地真实语料（用于训练、词库测试与检查、误报"
                    "率统计）；默认 <home>/corpus。环境变量 SCREENER_CORPUS_DIR（或 "
                    "SCREENER_CORPUS）。",
    )

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from .i18n import available

        known = available()
        if value not in known:
            raise ValueError(f"没有 {value!r} 的界面语言目录；可用：{'、'.join(known)}")
        return value

    images: ImageSettings = Field(default_factory=ImageSettings,
                                  description="图片：大小限制与比对阈值。")
    service: ServiceSection = Field(default_factory=ServiceSection,
                                    description="审核服务。")
    rescreen: RescreenSettings = Field(default_factory=RescreenSettings,
                                       description="重新筛查往期推文存档。")
    sources: SourceSettings = Field(default_factory=SourceSettings,
                                    description="转载内容：来源文本库。")
    learning: LearningSettings = Field(default_factory=LearningSettings,
                                       description="从审核反馈中学习。")
    platforms: PlatformSettings = Field(default_factory=PlatformSettings,
                                        description="各平台对一条推文的限制。")

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
            raise ConfigError(f"设置文件 {path}（{SETTINGS_FILE_ENV}）不存在")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"设置文件 {path} 无法读取（{exc}）") from None


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


# What pydantic found wrong with a setting, by its error type, in Chinese (``{ge}`` and the like
# are the error's own values); any other type: pydantic's words.
_PROBLEMS = {
    "missing": "必须填写", "extra_forbidden": "没有这项设置",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文字", "path_type": "应为路径", "dict_type": "应为一节设置（TOML 表）",
    "model_type": "应为一节设置（TOML 表）",
    "greater_than_equal": "不能小于 {ge}", "greater_than": "须大于 {gt}",
    "less_than_equal": "不能大于 {le}", "less_than": "须小于 {lt}",
    "literal_error": "不是允许的取值（可选：{expected}）",
    "enum": "不是允许的取值（可选：{expected}）",
}


def _listed(ctx: dict[str, Any]) -> dict[str, Any]:
    """pydantic's "'a', 'b' or 'c'" as 'a'、'b'、'c'."""
    if "expected" not in ctx:
        return ctx
    return {**ctx, "expected": "、".join(str(ctx["expected"]).replace(" or ", ", ").split(", "))}


def setting_problem(err: dict[str, Any]) -> str:
    """One error of pydantic's about a setting, in Chinese: ``max_file_bytes：不能小于 1``."""
    ctx = err.get("ctx") or {}
    if err["type"] == "value_error" and "error" in ctx:  # a validator's own (Chinese) message
        problem = str(ctx["error"])
    else:
        template = _PROBLEMS.get(err["type"])
        try:
            problem = template.format(**_listed(ctx)) if template else err["msg"]
        except (KeyError, IndexError, ValueError):
            problem = err["msg"]
    return f"{'.'.join(str(p) for p in err['loc'])}：{problem}"


def setting_problems(exc: ValidationError) -> str:
    return "；".join(setting_problem(err) for err in exc.errors())


def load_settings(**overrides: object) -> Settings:
    """Build settings from flags (``overrides``; None means 'not given'), the environment, the
    settings file and the defaults. Sections take dicts: ``service={"page_size": 10}``."""
    values = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(f"设置有误：{setting_problems(exc)}") from None


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return load_settings()
