"""Scoring with a trained model: TF-IDF, a linear score per class, Platt calibration.

Everything here is numpy on plain arrays, written out so that scoring needs neither scikit-learn
(whose import alone takes longer than the CLI's whole start-up budget) nor pickle. Because each
class score is linear in the TF-IDF vector before the monotone calibration, the contribution of
each feature to the score is exact: ``weight_j * tfidf_j``. That is the evidence a reviewer sees.

The same ``tfidf`` function builds the training matrix (train.py), so training and scoring
cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

CLASSES = ("confidential", "commercial", "major_news")


def idf_from_df(df: np.ndarray, n_docs: int) -> np.ndarray:
    # The smoothed idf of scikit-learn's TfidfTransformer: as if one extra document held every term.
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0


def tfidf(counts: Mapping[str, int], vocabulary: Mapping[str, int],
          idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sparse L2-normalised TF-IDF row as (feature indices, values); sublinear tf (1 + ln tf) so
    that a long article does not outweigh a short post by repetition alone."""
    # Vectorised: a long draft is scored passage by passage, so this runs dozens of times.
    get = vocabulary.get
    index = np.fromiter((get(f, -1) for f in counts), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    known = index >= 0
    index, tf = index[known], tf[known]
    if not index.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    order = np.argsort(index, kind="stable")
    index, tf = index[order], tf[order]
    values = (1.0 + np.log(tf)) * idf[index]
    norm = np.sqrt(values @ values)
    return index, values / norm if norm > 0 else values


@dataclass(frozen=True)
class ClassScore:
    name: str
    probability: float
    decision: float  # log-odds before calibration: intercept + sum of contributions
    intercept: float
    index: np.ndarray  # feature indices present in the draft
    contribution: np.ndarray  # weight * tfidf of each present feature, same order


@dataclass(frozen=True)
class ClassifierModel:
    """Three linear heads over one shared vocabulary. Arrays are read-only once built."""

    features: tuple[str, ...]
    idf: np.ndarray  # [V]
    coef: np.ndarray  # [C, V]
    intercept: np.ndarray  # [C]
    calibration: np.ndarray  # [C, 2]: p = 1 / (1 + exp(a * decision + b))
    classes: tuple[str, ...] = CLASSES
    metadata: dict = field(default_factory=dict)
    vocabulary: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabulary", {f: i for i, f in enumerate(self.features)})
        for array in (self.idf, self.coef, self.intercept, self.calibration):
            array.setflags(write=False)

    def score(self, counts: Mapping[str, int]) -> dict[str, ClassScore]:
        index, values = tfidf(counts, self.vocabulary, self.idf)
        scores = {}
        for row, name in enumerate(self.classes):
            contribution = self.coef[row, index] * values
            decision = float(self.intercept[row] + contribution.sum())
            a, b = self.calibration[row]
            probability = float(1.0 / (1.0 + np.exp(a * decision + b)))
            scores[name] = ClassScore(name, probability, decision, float(self.intercept[row]),
                                      index, contribution)
        return scores

    def probabilities(self, counts: Mapping[str, int]) -> dict[str, float]:
        return {name: s.probability for name, s in self.score(counts).items()}
