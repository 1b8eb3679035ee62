"""The sources stage: reprinted text (第十二条).

The draft's title and body, and the text the images stage read in its pictures (tables and
screenshots of tables), are checked against the bank of source texts (``screener.sources``):
a reused passage is a ``copyright`` finding on its span, ``info`` when the draft names the
source, ``review`` when it does not; a "转载" marker with no source line is ``review`` too.

The bank is read, not written: a bank that was never made has no sources and nothing is
created. The stage follows the bank as the images stage follows the asset bank: one indexed
query per draft, and the index is brought up to date when a source was added or retired.
"""

from __future__ import annotations

from ..model import Finding
from ..sources import SourceChecker, reuse_findings
from .base import PICTURE_TEXT, Context, Resources
from .registry import register


@register("sources")
class SourceStage:
    name = "sources"
    uses = (PICTURE_TEXT,)  # text read from pictures, when the images stage ran

    def __init__(self, resources: Resources) -> None:
        self.checker = SourceChecker.for_settings(resources.settings, resources.normalizer)

    def __call__(self, context: Context) -> list[Finding]:
        return reuse_findings(self.checker, context.draft, context.get(PICTURE_TEXT) or ())
