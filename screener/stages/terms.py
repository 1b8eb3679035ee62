"""The term stage: lexicon hits in the title and body."""

from __future__ import annotations

from ..model import Finding
from ..policy import ACCOUNT_NAME_ONLY
from . import register
from .base import Context, Resources


class TermStage:
    name = "terms"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def __call__(self, context: Context) -> list[Finding]:
        findings = []
        matcher = context.resources.matcher
        for field_name, original in context.text_fields():
            for hit in matcher.find(context.normalized(field_name), exclude=ACCOUNT_NAME_ONLY):
                findings.append(Finding(
                    stage=self.name,
                    category=hit.entry.category,
                    severity=hit.severity,
                    field=field_name,
                    start=hit.start,
                    end=hit.end,
                    text=original[hit.start:hit.end],
                    term=hit.entry.term,
                    score=1.0,
                    article=hit.entry.article,
                    explanation=hit.explanation(),
                ))
        return findings


register("terms")(TermStage)
