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
from .evidence import summary, summary_zh, top_evidence
from .registry import ModelRef
from .scoring import draft_views, score_views


@dataclass(frozen=True)
class Judgement:
    """One class's score on some text, and, when it reaches review, why."""

    name: str
    probability: float
    severity: Severity | None  # None: below the review threshold
    evidence: tuple[Evidence, ...] = ()
    explanation: str = ""  # in Chinese, for the reviewer
    detail: str = ""  # the technical account
    passage: tuple[int, int] | None = None  # offsets in the long field of the passage scored


def thresholds_for(model: ClassifierModel, name: str) -> dict[str, float] | None:
    """The review and block thresholds of one class, or None when nothing says (the caller then
    refuses rather than guesses: fail closed).

    The policy table decides for the shipped models (a test keeps it equal to their cards); a
    candidate trained from reviewers' feedback carries the thresholds chosen for it, by the same
    rules, in its manifest."""
    own = model.metadata.get("thresholds", {}).get(name)
    chosen = (own if model.metadata.get("candidate") else None) or THRESHOLDS.get(name) or own
    if not chosen or "review" not in chosen or "block" not in chosen:
        return None
    return chosen


class Classifier:
    """``model``: the bundle to use (the registry's model in force, resolved when the resources
    were built); None: the shipped bundle of the settings' ``model_dir``."""

    def __init__(self, settings: object, matcher: TermMatcher, model: ModelRef | None = None
                 ) -> None:
        self.folder: Path = model.folder if model else models_dir(settings) / BUNDLE
        self.manifest_sha256 = model.manifest_sha256 if model else None
        self.matcher = matcher

    @property
    def model(self) -> ClassifierModel:
        return MODELS.get(self.folder, self.manifest_sha256)

    def thresholds(self, model: ClassifierModel, name: str) -> dict[str, float]:
        chosen = thresholds_for(model, name)
        if chosen is None:
            raise ModelFormatError(str(self.folder), f"没有 {name!r} 的 review/block 阈值")
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
            explanation = summary_zh(name, probability, limits["review"], evidence, texts)
            detail = summary(name, probability, limits["review"], evidence, texts)
            severity = Severity.BLOCK if probability >= limits["block"] else Severity.REVIEW
            judgements.append(Judgement(name, probability, severity, evidence, explanation,
                                        detail, best.passage))
        return judgements
