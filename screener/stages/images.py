"""Images: until image screening exists, every image is reported as not checked (fail closed).

Passing a draft whose pictures nobody looked at would be a silent pass, which 第十二条 makes the
unit liable for; so each image yields a ``review`` finding saying it still needs a human eye.
"""

from __future__ import annotations

from ..model import Finding
from ..policy import rule_for
from . import register
from .base import Context, Resources


class ImageStage:
    name = "images"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def __call__(self, context: Context) -> list[Finding]:
        rule = rule_for("stage_error")
        return [
            Finding(
                stage=self.name, category="stage_error", severity=rule.severity,
                field=f"image:{index}", start=0, end=0, text="", term="", score=0.0,
                article=rule.article,
                explanation=f"image {path!r} was not checked automatically "
                            "(image screening is not available yet); a person must look at it",
            )
            for index, path in enumerate(context.draft.images)
        ]


register("images")(ImageStage)
