"""The classify stage: confidential / commercial / major_news scores, with their evidence.

A draft is scored whole and, if its body is long, passage by passage (scoring.py); each class
keeps its highest score. Every class score goes into ``context.scores``; a finding is made only
for a class whose score reaches its review threshold (policy.THRESHOLDS). The model is loaded
on the first draft, not when the stage is built, so commands that never screen do not pay for
it. A model that cannot be loaded raises ``ModelError``, which the pipeline turns into a
``stage_error`` finding: the stage fails closed and never passes a draft it could not score.
"""

from __future__ import annotations

from ..classify import BUNDLE, MODELS, ClassifierModel, ModelFormatError, models_dir
from ..classify.evidence import summary, top_evidence
from ..classify.scoring import draft_views, score_views
from ..model import Finding, Severity
from ..policy import THRESHOLDS, rule_for
from . import register
from .base import Context, Resources

DRAFT_FIELD = "draft"


class ClassifyStage:
    name = "classify"

    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.folder = models_dir(resources.settings) / BUNDLE

    @property
    def model(self) -> ClassifierModel:
        return MODELS.get(self.folder)

    def thresholds(self, model: ClassifierModel, name: str) -> dict[str, float]:
        # The policy table decides; the thresholds recorded at training are the fallback for a
        # class the table does not list yet. Neither: refuse rather than guess (fail closed).
        chosen = THRESHOLDS.get(name) or model.metadata.get("thresholds", {}).get(name)
        if not chosen or "review" not in chosen or "block" not in chosen:
            raise ModelFormatError(str(self.folder), f"no review/block thresholds for {name!r}")
        return chosen

    def __call__(self, context: Context) -> list[Finding]:
        model = self.model
        fields = [(name, context.normalized(name)) for name, _ in context.text_fields()]
        # The terms stage ran first and found the lexicon hits already; reuse, do not re-match.
        hits = None
        if "terms" in context.stages_run:
            hits = [(f.field, f.start, f.end, f.category) for f in context.findings
                    if f.stage == "terms"]
        views = draft_views(fields, context.resources.matcher, hits)
        texts = dict(context.text_fields())
        findings = []
        for name, best in score_views(model, views).items():
            probability = best.score.probability
            context.scores[name] = round(probability, 4)
            limits = self.thresholds(model, name)
            if probability < limits["review"]:
                continue
            evidence = top_evidence(best.score, best.features, model.features)
            explanation = summary(name, probability, limits["review"], evidence, texts)
            if best.passage:
                explanation += (f" (scored on body characters {best.passage[0]}-"
                                f"{best.passage[1]}, a passage of a longer text)")
            severity = Severity.BLOCK if probability >= limits["block"] else Severity.REVIEW
            findings.append(Finding(
                stage=self.name, category=name, severity=severity, field=DRAFT_FIELD,
                start=0, end=0, text="", term="", score=round(probability, 4),
                article=rule_for(name).article, explanation=explanation, evidence=evidence,
            ))
        return findings


register("classify")(ClassifyStage)
