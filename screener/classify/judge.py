"""Judging text with the classifier bundle in force: every class's best score, the severity the
policy thresholds give it, and, when it reaches review, the evidence and the explanation.

One ``Classifier`` per set of resources (``Resources.classifier``), shared by every stage that
scores text: the classify stage for the draft, the images stage for text read from a picture,
which is judged by the same model, thresholds and evidence. The model is loaded on first use; a
model that cannot be used raises ``ModelError``, which the pipeline turns into a
``stage_error`` finding (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..lexicon import TermMatcher
from ..model import Evidence, Severity
from ..normalize import NormalizedText
from ..policy import THRESHOLDS
from . import BUNDLE, MODELS, ClassifierModel, ModelFormatError, models_dir
from .evidence import summary, top_evidence
from .scoring import draft_views, score_views


@dataclass(frozen=True)
class Judgement:
    """One class's score on some text, and, when it reaches review, why."""

    name: str
    probability: float
    severity: Severity | None  # None: below the review threshold
    evidence: tuple[Evidence, ...] = ()
    explanation: str = ""
    passage: tuple[int, int] | None = None  # offsets in the long field of the passage scored


class Classifier:
    def __init__(self, settings: object, matcher: TermMatcher) -> None:
        self.folder: Path = models_dir(settings) / BUNDLE
        self.matcher = matcher

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
        ``texts`` are the original texts by field name; ``hits`` lexicon hits already found
        (field, start, end, category), or None to match the lexicon here."""
        model = self.model
        views = draft_views(fields, self.matcher, hits, long_field)
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
