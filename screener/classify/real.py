"""Real text in training: the corpus's splits, thresholds chosen on real validation data, and
figures on the real held-out (test) split, per source and per class.

Which split is for what (the model cards say the same):

* ``train`` (60 % of each source, by a hash of the id): fitted on, with the synthetic training
  drafts;
* ``validation`` (20 %): the review thresholds of commercial and major_news are chosen here, and
  confidential's cap on false alarms on real text; nothing else looks at it;
* ``test`` (20 %): scored once per training run and reported; nothing is chosen on it.

Fraud scripts that are not loan offers (label ``fraud``) belong to no class of ours: they are
never trained on and never count in precision or recall; how many of them still reach review is
reported on its own.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .model import CLASSES

# Choosing thresholds on real validation data (commercial, major_news): the most recall whose
# false alarms on real clean news and notices stay under the cap and whose precision stays
# above the floor. The cap is per class so that the three together keep news passing.
CLEAN_ALARM_CAP = 0.005
MIN_PRECISION = 0.5
# Real clean text is headlines and notice titles; long articles that must pass exist only in
# the synthetic corpus (ordinary news and hard negatives), so their out-of-fold false alarms are
# capped too: a threshold fitted to headlines alone would flag long news articles.
SYNTHETIC_ALARM_CAP = 0.02
# Confidential has no real positives (no marked document is public): its recall target is
# measured on the synthetic out-of-fold scores, its false alarms on every real validation text.
REAL_ALARM_CAP = 0.005
CLEAN_KINDS = ("news.edu", "notice.univ")


def as_training(records) -> list[dict]:
    """Corpus records (not fraud) as the drafts training reads."""
    drafts = []
    for r in records:
        if r.label == "fraud":
            continue
        drafts.append({"id": r.id, r.field: r.text, "labels": r.labels, "kind": r.kind,
                       "template": r.id, "source": r.source})
    return drafts


def _metrics(y: np.ndarray, flagged: np.ndarray) -> dict:
    tp = int((flagged & y).sum())
    fp = int((flagged & ~y).sum())
    fn = int((~flagged & y).sum())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (2 * precision * recall / (precision + recall)
          if precision and recall else None)
    rounded = {k: (round(v, 4) if v is not None else None)
               for k, v in (("precision", precision), ("recall", recall), ("f1", f1))}
    return {**rounded, "positives": int(y.sum()), "tp": tp, "fp": fp, "fn": fn}


def _candidates(p: np.ndarray) -> list[float]:
    values = np.unique(np.round(p, 4))
    middles = (values[1:] + values[:-1]) / 2 if len(values) > 1 else values
    grid = np.unique(np.round(np.concatenate([middles, np.arange(0.05, 0.96, 0.01)]), 3))
    return [float(t) for t in grid if 0.05 <= t <= 0.95]


def choose(p: np.ndarray, y: np.ndarray, clean: np.ndarray,
           synthetic_clean_p: np.ndarray) -> tuple[float, dict]:
    """The review threshold for one class on validation data, and the numbers behind it.
    ``synthetic_clean_p``: out-of-fold scores of the synthetic drafts that must pass."""
    rows = []
    for t in _candidates(p):
        flagged = p >= t
        m = _metrics(y, flagged)
        m["clean_alarm"] = float(flagged[clean].mean()) if clean.any() else 0.0
        m["synthetic_alarm"] = float((synthetic_clean_p >= t).mean()) \
            if synthetic_clean_p.size else 0.0
        rows.append((t, m))
    feasible = [(t, m) for t, m in rows if m["clean_alarm"] <= CLEAN_ALARM_CAP
                and m["synthetic_alarm"] <= SYNTHETIC_ALARM_CAP
                and (m["precision"] or 0) >= MIN_PRECISION]
    if feasible:
        best = max(m["recall"] or 0 for _, m in feasible)
        # Of the thresholds with the best recall, the highest: fewest alarms for that recall.
        t, m = max((t, m) for t, m in feasible if (m["recall"] or 0) == best)
        return round(t, 3), {**m, "rule": "most recall within the caps"}
    t, m = min(rows, key=lambda row: (row[1]["clean_alarm"], -row[0]))
    return round(t, 3), {**m, "rule": "no threshold met both caps: fewest clean false alarms"}


def choose_confidential(oof_synthetic: np.ndarray, y_synthetic: np.ndarray,
                        real_validation: np.ndarray, target_recall: float, min_precision: float,
                        review_cap: float, block_precision: float, block_floor: float,
                        never: float) -> tuple[dict, dict]:
    """Review: the highest threshold (at most ``review_cap``) that finds ``target_recall`` of the
    synthetic confidential drafts out of fold at ``min_precision``, with false alarms on real
    validation text under REAL_ALARM_CAP. Block: the lowest threshold with synthetic out-of-fold
    precision >= ``block_precision`` and no real validation text at all above it."""
    y = y_synthetic.astype(bool)
    rows = []
    for t in _candidates(oof_synthetic):
        m = _metrics(y, oof_synthetic >= t)
        m["real_alarm"] = float((real_validation >= t).mean()) if real_validation.size else 0.0
        rows.append((t, m))
    ok = [t for t, m in rows if (m["recall"] or 0) >= target_recall
          and (m["precision"] or 0) >= min_precision and m["real_alarm"] <= REAL_ALARM_CAP]
    if ok:
        capped = [t for t in ok if t <= review_cap]
        review = max(capped) if capped else min(ok)
        rule = "recall target met within the caps"
    else:
        real_ok = [t for t, m in rows if m["real_alarm"] <= REAL_ALARM_CAP]
        review = min(real_ok) if real_ok else max(t for t, _ in rows)
        rule = "recall target not met within the real false-alarm cap: lowest threshold under it"
    sure = [t for t, m in rows if (m["precision"] or 0) >= block_precision
            and not (real_validation >= t).any()]
    block = max(min(sure), block_floor, review) if sure else never
    detail = dict(next(m for t, m in rows if t == review))
    detail["rule"] = rule
    return {"review": round(float(review), 3), "block": float(block)}, detail


def choose_all(validation_p: np.ndarray, validation, oof_synthetic: np.ndarray,
               y_synthetic: np.ndarray, synthetic_kinds, confidential_rules: dict
               ) -> tuple[dict, dict]:
    """Thresholds for every class, and why (the validation numbers at each)."""
    labels = np.array([r.label for r in validation])
    clean = np.array([r.label == "none" and r.kind in CLEAN_KINDS for r in validation],
                     dtype=bool)
    scored = labels != "fraud"
    must_pass = np.array([k.startswith(("news.", "hard.")) for k in synthetic_kinds], dtype=bool)
    chosen, why = {}, {}
    for k, name in enumerate(CLASSES):
        if name == "confidential":
            chosen[name], why[name] = choose_confidential(
                oof_synthetic[:, k], y_synthetic[:, k], validation_p[scored, k],
                **confidential_rules)
            continue
        review, detail = choose(validation_p[scored, k], labels[scored] == name, clean[scored],
                                oof_synthetic[must_pass, k])
        chosen[name] = {"review": review, "block": confidential_rules["never"]}
        why[name] = detail
    return chosen, why


def evaluate(p: np.ndarray, records, thresholds: dict) -> dict:
    """Figures on real records: per class, per source and class, news passing, fraud."""
    labels = np.array([r.label for r in records])
    sources = np.array([r.source for r in records])
    kinds = [r.kind for r in records]
    scored = labels != "fraud"
    flagged = {name: p[:, k] >= thresholds[name]["review"] for k, name in enumerate(CLASSES)}
    any_flag = np.zeros(len(records), dtype=bool)
    for f in flagged.values():
        any_flag |= f
    result: dict = {"records": int(len(records)), "classes": {}, "sources": {}}
    for name in CLASSES:
        y = labels == name
        m = _metrics(y[scored], flagged[name][scored])
        errors = {}
        for what, rows in (("missed", ~flagged[name] & y),
                           ("false_alarms", flagged[name] & ~y & scored)):
            errors[what] = dict(Counter(kinds[i] for i in np.flatnonzero(rows)).most_common(8))
        result["classes"][name] = {**m, **errors}
    for source in sorted(set(sources)):
        rows = (sources == source) & scored
        entry: dict = {"records": int(rows.sum())}
        for name in CLASSES:
            y = labels[rows] == name
            if y.any():
                entry[name] = _metrics(y, flagged[name][rows])
        none = rows & (labels == "none")
        entry["none"] = int(none.sum())
        entry["none_flagged"] = int((any_flag & none).sum())
        result["sources"][source] = entry
    clean = np.array([lab == "none" and k in CLEAN_KINDS for lab, k in zip(labels, kinds,
                                                                            strict=True)])
    result["news"] = {"of": int(clean.sum()), "not_passing": int((any_flag & clean).sum()),
                      "pass_rate": round(float(1 - (any_flag & clean).sum() / clean.sum()), 4)
                      if clean.any() else None,
                      "by_class": {name: int((flagged[name] & clean).sum()) for name in CLASSES},
                      "examples": [records[i].id for i in np.flatnonzero(any_flag & clean)][:20]}
    fraud = ~scored
    result["fraud"] = {"of": int(fraud.sum()), "reaching_review": int((any_flag & fraud).sum()),
                       "commercial": int((flagged["commercial"] & fraud).sum())}
    return result


def counts(records) -> dict:
    by: dict[str, Counter] = {}
    for r in records:
        by.setdefault(r.source, Counter())[r.label] += 1
    return {source: dict(sorted(c.items())) for source, c in sorted(by.items())}
