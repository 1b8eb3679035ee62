"""The classify stage: confidential / commercial / major_news scores, with their evidence.

A draft is scored whole and, if its body is long, passage by passage (scoring.py); each class
keeps its highest score. Every class score is provided as ``CLASS_SCORES`` (the report's
``scores``); a finding is made only for a class whose score reaches its review threshold
(policy.THRESHOLDS). The classifier is the one in ``Resources`` (shared with the images stage);
its model is loaded on the first draft, not when the stage is built, so commands that never
screen do not pay for it. A model that cannot be loaded raises ``ModelError``, which the
pipeline turns into a ``stage_error`` finding: the stage fails closed and never passes a draft it
could not score.
"""

from __future__ import annotations

from ..findings import make_finding
from ..model import Finding
from .base import CLASS_SCORES, LEXICON_HITS, Context, Resources
from .registry import register


@register("classify")
class ClassifyStage:
    name = "classify"
    uses = (LEXICON_HITS,)  # the term stage's hits, when it ran: reused, not matched again
    provides = (CLASS_SCORES,)

    def __init__(self, resources: Resources) -> None:
        self.classifier = resources.classifier

    def __call__(self, context: Context) -> list[Finding]:
        fields = [(name, context.normalized(name)) for name, _ in context.text_fields()]
        term_hits = context.get(LEXICON_HITS)
        hits = (None if term_hits is None
                else [(f.field, f.start, f.end, f.category) for f in term_hits])
        judgements = self.classifier.judge(fields, dict(context.text_fields()), hits)
        context.provide(CLASS_SCORES, {j.name: round(j.probability, 4) for j in judgements})
        findings = []
        for judged in judgements:
            if judged.severity is None:
                continue
            explanation, detail = judged.explanation, judged.detail
            if judged.passage:
                first, last = judged.passage
                explanation += f"（按正文第 {first + 1}–{last} 字这一段评分）"
                detail += (f" (scored on body characters {first}-{last}, a passage of a longer "
                           "text)")
            findings.append(make_finding(
                judged.name, stage=self.name, severity=judged.severity,
                score=round(judged.probability, 4), explanation=explanation, detail=detail,
                evidence=judged.evidence))
        return findings
