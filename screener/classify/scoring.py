"""Scoring a draft as a whole and passage by passage, keeping the view that scored highest.

Each class takes the highest probability among the views (the whole draft, then each passage of
a long body), so a leaked paragraph inside a long article is judged on its own. The evidence then
comes from that view, with spans still pointing into the original body.
"""

from __future__ import annotations

from dataclasses import dataclass

from .features import DraftFeatures, extract, passage_features
from .model import ClassifierModel, ClassScore


@dataclass(frozen=True)
class Scored:
    score: ClassScore
    features: DraftFeatures
    passage: tuple[int, int] | None  # body offsets of the passage, None for the whole draft


def draft_views(fields, matcher, hits=None, long_field: str = "body") -> list[DraftFeatures]:
    """The whole draft (``fields``: normalized title and body), then the passages of
    ``long_field`` (the body of a draft, the text read from a picture)."""
    whole = extract(fields, matcher, hits)
    return [whole, *passage_features(whole, long_field)]


def score_views(model: ClassifierModel, views: list[DraftFeatures]) -> dict[str, Scored]:
    best: dict[str, Scored] = {}
    for view in views:
        for name, score in model.score(view.counts).items():
            if name not in best or score.probability > best[name].score.probability:
                best[name] = Scored(score, view, view.passage)
    return best
