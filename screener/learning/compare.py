"""Two models on the same held-out texts: per class precision, recall, F1 and threshold, and the
texts whose verdict would change.

The held-out texts are the shipped held-out data (the real corpus's test split, when it is
built, and the synthetic held-out drafts) and the held-out slice of the feedback. Neither model
was trained on any of them: the shipped models never saw the test split or the synthetic
held-out drafts, a candidate never sees held-out feedback (``feedback.examples``), and feedback
that repeats a held-out text is not trained on either (``candidate``).

The verdict compared is the classifiers' alone (block, review or pass from the scores and each
model's thresholds): the lexicon is the same for both models, so it is what a promotion changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..classify.judge import thresholds_for
from ..classify.model import CLASSES, ClassifierModel
from ..classify.real import _metrics as metrics_of
from ..classify.train import featurize, predict

SETS = ("feedback", "real", "synthetic")
SET_NAMES = {"feedback": "留出的审核反馈", "real": "真实语料测试集", "synthetic": "合成留出集",
             "all": "全部留出数据"}


@dataclass(frozen=True)
class Item:
    """One held-out text. ``scored``: counts in precision and recall (real fraud scripts, no
    class of ours, do not); ``clean``: real education news or a university notice, which must
    pass."""

    id: str
    set: str
    title: str
    body: str
    labels: tuple[str, ...]
    scored: bool = True
    clean: bool = False
    kind: str = ""

    def record(self) -> dict:
        return {"id": self.id, "title": self.title, "body": self.body,
                "labels": list(self.labels), "kind": self.kind}


@dataclass
class Scored:
    items: list[Item]
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)  # model -> [N, C]


def score(items: list[Item], models: dict[str, ClassifierModel], resources) -> Scored:
    """Each model's probabilities on every item, as the classify stage scores a draft (whole
    text, and each passage of a long body; the highest wins). Features are made once."""
    corpus = featurize([i.record() for i in items], resources)
    return Scored(items, {name: predict(model, corpus) for name, model in models.items()})


def thresholds(model: ClassifierModel) -> dict[str, dict[str, float]]:
    found = {}
    for name in CLASSES:
        chosen = thresholds_for(model, name)
        found[name] = dict(chosen) if chosen else {"review": 1.01, "block": 1.01}
    return found


def verdicts(p: np.ndarray, limits: dict[str, dict[str, float]]) -> list[str]:
    review = np.array([limits[c]["review"] for c in CLASSES])
    block = np.array([limits[c]["block"] for c in CLASSES])
    out = []
    for row in p:
        out.append("block" if (row >= block).any() else "review" if (row >= review).any()
                   else "pass")
    return out


def _figures(items: list[Item], p: np.ndarray, limits: dict) -> dict:
    """Per class metrics over ``items`` (only the scored ones), and clean texts passing."""
    scored = np.array([i.scored for i in items], dtype=bool)
    result: dict = {"texts": int(scored.sum())}
    flagged_any = np.zeros(len(items), dtype=bool)
    for k, name in enumerate(CLASSES):
        y = np.array([name in i.labels for i in items], dtype=bool)
        flagged = p[:, k] >= limits[name]["review"] if len(items) else np.zeros(0, dtype=bool)
        flagged_any |= flagged
        result[name] = metrics_of(y[scored], flagged[scored])
    clean = np.array([i.clean for i in items], dtype=bool)
    if clean.any():
        failing = int((flagged_any & clean).sum())
        result["clean"] = {"of": int(clean.sum()), "not_passing": failing,
                           "pass_rate": round(1 - failing / int(clean.sum()), 4)}
    return result


def compare(scored: Scored, current: ClassifierModel, candidate: ClassifierModel,
            names: tuple[str, str] = ("current", "candidate")) -> dict:
    """The comparison ``model train`` prints and saves: metrics of both models on every set
    and on all of them, and the items whose classifier verdict changes."""
    items = scored.items
    limits = {names[0]: thresholds(current), names[1]: thresholds(candidate)}
    metrics: dict = {}
    judged: dict[str, list[str]] = {}
    for name in names:
        p = scored.probabilities[name]
        judged[name] = verdicts(p, limits[name])
        sets = {}
        for which in SETS:
            rows = [n for n, i in enumerate(items) if i.set == which]
            if rows:
                sets[which] = _figures([items[n] for n in rows], p[rows], limits[name])
        metrics[name] = {"thresholds": limits[name], "all": _figures(items, p, limits[name]),
                         "sets": sets}
    changed = []
    for n, item in enumerate(items):
        before, after = judged[names[0]][n], judged[names[1]][n]
        if before == after:
            continue
        right = (after != "pass") == bool(item.labels) if item.scored else None
        changed.append({
            "id": item.id, "set": item.set, "labels": list(item.labels), "kind": item.kind,
            "text": (item.title or item.body)[:80],
            names[0]: before, names[1]: after, "right": right,
            "scores": {name: {c: round(float(scored.probabilities[name][n, k]), 4)
                              for k, c in enumerate(CLASSES)} for name in names}})
    changed.sort(key=lambda c: (SETS.index(c["set"]), c["id"]))
    return {"sets": {which: sum(i.set == which for i in items) for which in SETS},
            "metrics": metrics, "changed": changed,
            "changed_counts": {
                "newly_flagged": sum(c[names[0]] == "pass" for c in changed),
                "cleared": sum(c[names[1]] == "pass" for c in changed),
                "right": sum(c["right"] is True for c in changed),
                "wrong": sum(c["right"] is False for c in changed)}}
