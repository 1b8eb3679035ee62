"""Turning a class score into evidence a reviewer can read: the features that pushed it up most,
with where they occur in the original title and body."""

from __future__ import annotations

import numpy as np

from ..model import Evidence
from .features import LEXICON_PREFIX, DraftFeatures
from .model import ClassScore

# How many features and spans a reviewer is shown; more is noise rather than explanation.
TOP_FEATURES = 8
SPANS_PER_FEATURE = 5
_CANDIDATES = 40

PATTERN_NAMES = {
    "<url>": "URL", "<mobile>": "mobile number", "<landline>": "phone number",
    "<wechat_id>": "WeChat id", "<qq>": "QQ number", "<price>": "price", "<discount>": "discount",
    "<email>": "e-mail address", "<id_number>": "ID-card number", "<student_id>": "student number",
    "<bank_card>": "bank-card number", "<secret_mark>": "classification mark",
}


def describe(feature: str) -> str:
    if feature.startswith(LEXICON_PREFIX):
        return f"lexicon term ({feature[len(LEXICON_PREFIX):-1]})"
    if feature in PATTERN_NAMES:
        return PATTERN_NAMES[feature]
    return f"“{feature}”"


def _overlaps(span: tuple[str, int, int], covered: list[tuple[str, int, int]]) -> bool:
    field, start, end = span
    return any(f == field and s < end and start < e for f, s, e in covered)


def top_evidence(score: ClassScore, features: DraftFeatures, names: tuple[str, ...],
                 limit: int = TOP_FEATURES) -> tuple[Evidence, ...]:
    """The features with the largest positive contribution to ``score``, strongest first.

    A feature all of whose occurrences overlap those of a stronger one (``微信`` within
    ``加微信``, ``研数`` next to ``考研``) is left out: it points the reviewer at a place in the
    text already shown, under a weaker name.
    """
    positive = np.flatnonzero(score.contribution > 0)
    if positive.size == 0:
        return ()
    order = positive[np.argsort(-score.contribution[positive], kind="stable")][:_CANDIDATES]
    chosen: list[Evidence] = []
    covered: list[tuple[str, int, int]] = []
    for position in order:
        feature = names[int(score.index[position])]
        spans = features.locate(feature, SPANS_PER_FEATURE)
        if spans and all(_overlaps(span, covered) for span in spans):
            continue
        chosen.append(Evidence(feature, round(float(score.contribution[position]), 4), spans))
        covered.extend(spans)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def summary(name: str, probability: float, threshold: float, evidence: tuple[Evidence, ...],
            texts: dict[str, str], shown: int = 4) -> str:
    """One line for the report: the score, the threshold it crossed, the strongest evidence."""
    parts = []
    for item in evidence[:shown]:
        label = describe(item.feature)
        if item.spans and item.feature.startswith("<"):
            field, start, end = item.spans[0]
            label += f" “{texts[field][start:end]}”"
        count = f" ×{len(item.spans)}" if len(item.spans) > 1 else ""
        parts.append(f"{label}{count} (+{item.weight:.2f})")
    because = "; ".join(parts) if parts else "no single feature stands out"
    return (f"{name} classifier score {probability:.2f} ≥ review threshold {threshold:.2f}; "
            f"strongest evidence: {because}")
