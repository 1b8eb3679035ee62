"""The term stage: lexicon hits in the title and body, provided to later stages as well."""

from __future__ import annotations

from ..findings import hit_finding
from ..model import Finding
from ..policy import ACCOUNT_NAME_ONLY
from .base import LEXICON_HITS, Context, Resources
from .registry import register


@register("terms")
class TermStage:
    name = "terms"
    provides = (LEXICON_HITS,)

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def __call__(self, context: Context) -> list[Finding]:
        findings = []
        matcher = context.resources.matcher
        for field_name, original in context.text_fields():
            for hit in matcher.find(context.normalized(field_name), exclude=ACCOUNT_NAME_ONLY):
                findings.append(hit_finding(self.name, field_name, hit, original))
        context.provide(LEXICON_HITS, tuple(findings))
        return findings
