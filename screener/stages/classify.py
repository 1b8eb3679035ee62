"""The classify stage: confidential / commercial / major_news scores, with their evidence.

A draft is scored whole and, if its body is long, passage by passage (scoring.py); each class
keeps its highest score. Every class score goes into ``context.scores``; a finding is made only
for a class whose score reaches its review threshold (policy.THRESHOLDS). The model is loaded
on the first draft, not when the stage is built, so commands that never screen do not pay for
it. A model that cannot be loaded raises ``ModelError``, which the pipeline turns into a
``stage_error`` finding: the stage fails closed and never passes a draft it could not score.

``judge`` scores any set of normalized fields, so text read from a picture is judged by the
same model and thresholds as the draft's own text (the images stage uses it).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..classify import BUNDLE, MODELS, ClassifierModel, ModelFormatError, models_dir
from ..classify.evidence import summary, top_evidence
from ..classify.scoring import draft_views, score_views
from ..model import Evidence, Finding, Severity
from ..normalize import NormalizedText
from ..policy import THRESHOLDS, rule_for
from . import register
from .base import Context, Resources

DRAFT_FIELD = "draft"


@dataclass(frozen=True)
class Judgement:
    """One class's score on some text, and, when it reaches review, why."""

    name: str
    probability: float
    severity: Severity | None  # None: below the review threshold
    evidence: tuple[Evidence, ...] = ()
    explanation: str = ""
    passage: tuple[int, int] | None = None  # offsets in the long field of the passage scored


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

    def judge(self, fields: list[tuple[str, NormalizedText]], texts: dict[str, str],
              hits: list[tuple[str, int, int, str]] | None,
              long_field: str = "body") -> list[Judgement]:
        """Every class's best score over ``fields`` (whole, then passages of ``long_field``).
        ``texts`` are the original texts by field name; ``hits`` lexicon hits already found."""
        model = self.model
        views = draft_views(fields, self.resources.matcher, hits, long_field)
        judgements = []
        for name, best in score_views(model, views).items():
            probability = best.score.probability
            limits = self.thresholds(model, name)
            if probability < limits["review"]:
                judgements.append(Judgement(name, probability, None))
                continue
            evidence = top_evidence(best.score, best.features, model.features)
            explanation = summary(name, probability, limits["review"], evidence, texts)
            severity = Severity.BLOCK if probability >= limits["block"] else Severity.REVIEW
            judgements.append(Judgement(name, probability, severity, evidence, explanation,
                                        best.passage))
        return judgements

    def __call__(self, context: Context) -> list[Finding]:
        fields = [(name, context.normalized(name)) for name, _ in context.text_fields()]
        # The terms stage ran first and found the lexicon hits already; reuse, do not re-match.
        hits = None
        if "terms" in context.stages_run:
            hits = [(f.field, f.start, f.end, f.category) for f in context.findings
                    if f.stage == "terms"]
        findings = []
        for judged in self.judge(fields, dict(context.text_fields()), hits):
            context.scores[judged.name] = round(judged.probability, 4)
            if judged.severity is None:
                continue
            explanation = judged.explanation
            if judged.passage:
                explanation += (f" (scored on body characters {judged.passage[0]}-"
                                f"{judged.passage[1]}, a passage of a longer text)")
            findings.append(Finding(
                stage=self.name, category=judged.name, severity=judged.severity,
                field=DRAFT_FIELD, start=0, end=0, text="", term="",
                score=round(judged.probability, 4), article=rule_for(judged.name).article,
                explanation=explanation, evidence=judged.evidence,
            ))
        return findings


register("classify")(ClassifyStage)
