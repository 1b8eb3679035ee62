"""The platform stage: a post longer, or with more pictures, than its platform takes.

第十六条 brings every other new-media platform (抖音, 哔哩哔哩, 小红书, 视频号, 快手 ...) under
the same rule, and each has its own limits on a title, a body and the pictures of one post
(``settings.platforms``). A draft over a limit would be cut or refused by the platform after it
was signed off, so the reviewer sees it now: a ``platform_limit`` finding for review, never a
refusal. A title or body finding marks the first characters past the limit (offsets into the
original text); a picture count is about the whole draft. A platform with no known limit is not
checked.
"""

from __future__ import annotations

from ..findings import DRAFT_FIELD, make_finding
from ..model import PLATFORM_LABELS, Finding
from .base import Context, Resources
from .registry import register

NAME = "platform"
MARKED = 20  # characters past the limit that the finding marks: where the cut would fall
FIELD_LABELS = {"title": "标题", "body": "正文"}


@register(NAME)
class PlatformStage:
    name = NAME

    def __init__(self, resources: Resources) -> None:
        self.platforms = resources.settings.platforms

    def __call__(self, context: Context) -> list[Finding]:
        draft = context.draft
        platform = str(draft.platform)
        limits = getattr(self.platforms, platform)
        label = PLATFORM_LABELS[draft.platform]
        findings = []
        for field, limit in (("title", limits.title_chars), ("body", limits.body_chars)):
            text = draft.text_of(field)
            if limit is None or len(text) <= limit:
                continue
            end = min(len(text), limit + MARKED)
            findings.append(make_finding(
                "platform_limit", stage=self.name, field=field, start=limit, end=end,
                text=text[limit:end], term=f"{platform}.{field}_chars",
                explanation=f"{FIELD_LABELS[field]}共 {len(text):,} 字，超过{label}的上限 "
                            f"{limit:,} 字（多 {len(text) - limit:,} 字），发布时会被截断或拒绝；"
                            f"请删减或改发其他平台（第十六条；设置 platforms.{platform}."
                            f"{field}_chars）"))
        pictures = limits.pictures
        if pictures is not None and len(draft.images) > pictures:
            findings.append(make_finding(
                "platform_limit", stage=self.name, field=DRAFT_FIELD,
                term=f"{platform}.pictures",
                explanation=f"共 {len(draft.images)} 张图片，超过{label}每条最多 {pictures} 张"
                            f"的限制；请删减图片或分条发布（第十六条；设置 platforms.{platform}."
                            "pictures）"))
        return findings
