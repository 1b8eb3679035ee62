"""The data that flows through the pipeline: Draft in, Findings along the way, Report out.

All three are frozen: a stage can add findings but never rewrite one that an earlier stage made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Platform(StrEnum):
    """Where a post goes out. WeChat and Weibo are the rule's own; 第十六条 brings every other
    new-media platform under the same rule, so a platform is a field, not a fork."""

    WECHAT = "wechat"  # 微信公众号
    WEIBO = "weibo"  # 微博
    DOUYIN = "douyin"  # 抖音
    BILIBILI = "bilibili"  # 哔哩哔哩
    XIAOHONGSHU = "xiaohongshu"  # 小红书
    WECHAT_CHANNELS = "wechat_channels"  # 视频号
    KUAISHOU = "kuaishou"  # 快手
    OTHER = "other"


PLATFORM_LABELS = {
    Platform.WECHAT: "微信公众号", Platform.WEIBO: "微博", Platform.DOUYIN: "抖音",
    Platform.BILIBILI: "哔哩哔哩", Platform.XIAOHONGSHU: "小红书",
    Platform.WECHAT_CHANNELS: "视频号", Platform.KUAISHOU: "快手", Platform.OTHER: "其他平台",
}


class Severity(StrEnum):
    # INFO: shown to the reviewer (every contact route in a post), never changes the verdict.
    INFO = "info"
    REVIEW = "review"
    BLOCK = "block"


class Verdict(StrEnum):
    PASS = "pass"
    REVIEW = "review"
    BLOCK = "block"


TEXT_FIELDS = ("title", "body")
FINDING_KEYS = ("stage", "category", "severity", "field", "start", "end", "text", "term", "score",
                "article", "explanation", "detail", "location")


def content_id(title: str, body: str) -> str:
    """Stable id for a draft that came without one: same text, same id."""
    digest = hashlib.sha256(f"{title}\x00{body}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"d-{digest[:16]}"


@dataclass(frozen=True, slots=True)
class Draft:
    """A post as the operator submitted it. ``images`` are paths, resolved by the ingester."""

    title: str
    body: str
    id: str = ""
    account: str = ""
    platform: Platform = Platform.OTHER
    images: tuple[str, ...] = ()
    author: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", content_id(self.title, self.body))
        object.__setattr__(self, "platform", Platform(self.platform))
        object.__setattr__(self, "images", tuple(self.images))

    def text_of(self, field_name: str) -> str:
        if field_name == "title":
            return self.title
        if field_name == "body":
            return self.body
        raise KeyError(field_name)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a score is high: one feature (an n-gram, a phone number...), its contribution to the
    score, and where it occurs, as (field, start, end) spans into the original text."""

    feature: str
    weight: float
    spans: tuple[tuple[str, int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "weight": self.weight,
                "spans": [list(span) for span in self.spans]}


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a picture a finding is, for pages to draw: the picture's index in the draft,
    the frame of an animation (0 for a still picture), and the region in the picture's own
    pixels: ``box`` (x0, y0, x1, y1) and, where the region is not an upright rectangle (a
    turned text line, a QR code, an asset pasted at an angle), its corners as ``polygon``.
    ``box`` is None when the picture could not be read at all. ``size`` is the picture's
    (width, height)."""

    image: int
    frame: int = 0
    box: tuple[int, int, int, int] | None = None
    polygon: tuple[tuple[int, int], ...] | None = None
    size: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"image": self.image, "frame": self.frame,
                "box": list(self.box) if self.box is not None else None,
                "polygon": [list(p) for p in self.polygon] if self.polygon is not None else None,
                "size": list(self.size) if self.size is not None else None}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a reviewer must look at.

    ``start``/``end`` are code-point offsets into the ORIGINAL text of ``field``, so
    ``draft.text_of(field)[start:end] == text``. ``severity`` ``info`` findings are shown to the
    reviewer and leave the verdict alone. For findings not tied to a span (a stage error,
    a whole-draft score) both are 0 and ``text`` is empty.
    """

    stage: str
    category: str
    severity: Severity
    field: str
    start: int
    end: int
    text: str
    term: str
    score: float
    article: str
    # For the person who signs, in Chinese: what was found, which evasion was undone, and why
    # it matters, in the words of the article cited (screener.findings adds those).
    explanation: str
    # For programs and --explain: the technical account (lexicon source and line, scores and
    # thresholds, hash distances, the error a stage raised).
    detail: str = ""
    # Structured detail (classifier evidence); printed with --explain, not in the plain JSON.
    evidence: tuple[Evidence, ...] = ()
    # Where in a picture (findings on ``image:N``); None for findings on the draft's text.
    location: Location | None = None

    def __post_init__(self) -> None:
        # Conversions only when needed: a long text can produce 100,000 findings.
        if type(self.severity) is not Severity:
            object.__setattr__(self, "severity", Severity(self.severity))
        if type(self.evidence) is not tuple:
            object.__setattr__(self, "evidence", tuple(self.evidence))
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def to_dict(self, *, explain: bool = False) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in FINDING_KEYS}
        data["severity"] = str(self.severity)
        data["location"] = self.location.to_dict() if self.location is not None else None
        if explain:
            data["evidence"] = [e.to_dict() for e in self.evidence]
        return data


@dataclass(frozen=True, slots=True)
class PictureText:
    """Text read from one frame of picture ``image`` (``image:N`` findings point into
    ``text``); ``lines``: each line's ``(start, end, box)``, the box in the picture's own
    pixels (x0, y0, x1, y1)."""

    image: int
    frame: int
    text: str
    lines: tuple[tuple[int, int, tuple[int, int, int, int]], ...] = ()

    def box(self, start: int, end: int) -> tuple[int, int, int, int] | None:
        """The smallest box around the lines that ``[start, end)`` touches."""
        boxes = [box for s, e, box in self.lines if s < end and start <= e]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass(frozen=True, slots=True)
class Report:
    """The result of screening one draft."""

    draft_id: str
    verdict: Verdict
    findings: tuple[Finding, ...]
    lexicon_version: str
    scores: Mapping[str, float] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    model_version: str = ""  # the classifier bundle in force (``m-…``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", Verdict(self.verdict))
        object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))
        object.__setattr__(self, "timings", MappingProxyType(dict(self.timings)))

    def to_dict(self, *, explain: bool = False) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id,
            "verdict": str(self.verdict),
            "findings": [f.to_dict(explain=explain) for f in self.findings],
            "scores": dict(self.scores),
            "lexicon_version": self.lexicon_version,
            "model_version": self.model_version,
            "timings": dict(self.timings),
            "created_at": self.created_at,
        }
