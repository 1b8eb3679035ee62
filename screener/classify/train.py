"""Training the three classifier heads reproducibly, and measuring them honestly.

Per class: an L2-regularised logistic regression on the shared TF-IDF features, with Platt
(sigmoid) calibration fitted on out-of-fold scores and a single final estimator, so that one
linear score per class exists and the evidence stays exact. Folds keep the drafts of one template
together (the corpus records which template opened each draft): scored on the templates it was
trained on, any model here looks perfect, which says nothing. Cross-validated metrics refit the
vocabulary and idf inside every fold: nothing about the validation fold leaks into its scores.

Without real text, thresholds are chosen on the cross-validated (out-of-fold) probabilities of
the training split. With the real corpus (``real``), the real training split is fitted on too and
thresholds are chosen on the real validation split (real.py says how); the synthetic held-out
split and the real test split are only ever scored, never used to choose anything.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import vstack

from ..errors import InputError
from .features import extract, passage_features
from .model import CLASSES, ClassifierModel, idf_from_df, tfidf

MIN_DF = 2  # a feature seen in one training draft only is that draft's noise, not a signal
MAX_FEATURES = 120_000  # real text brings far more distinct n-grams than the templates did
C = 4.0  # inverse regularisation strength; TF-IDF rows are unit length, so weights stay small
# Weight of each real text, per class, against a synthetic draft's 1. Real text holds no
# confidential positive at all (no marked document is public): at full weight its thousands of
# short negatives define the confidential head (exam-news headlines teach it that exam words are
# harmless, and it misses leaked exam questions). Commercial and major_news learn from it fully.
REAL_WEIGHT = {"confidential": 0.1, "commercial": 1.0, "major_news": 1.0}
FOLDS = 5
PASSAGES_PER_DRAFT = 4  # passages of a long clean draft used as extra negatives (evenly spaced)

# Threshold rules (see the model cards): recall first for confidential, F1 for the others.
CONFIDENTIAL_TARGET_RECALL = 0.96
CONFIDENTIAL_MIN_PRECISION = 0.85
REVIEW_CAP = 0.35
BLOCK_TARGET_PRECISION = 0.99
BLOCK_FLOOR = 0.9
NEVER = 1.01  # a "block" threshold above any probability: the class is only ever reviewed


@dataclass
class Corpus:
    ids: list[str]
    kinds: list[str]
    counts: list[Counter]
    labels: np.ndarray  # [N, C] of 0/1
    groups: list[str] | None = None  # the template a draft was made from, if recorded
    # Feature counts of each passage of a long body: scored (highest wins), never trained on,
    # since a passage of a flagged draft need not itself be flagged.
    passages: list[list[Counter]] | None = None
    # Which drafts are real text (from the corpus), for the per-class weight of real text.
    real: list[bool] | None = None
    # A draft's own weight in every head (reviewers' feedback), overriding the per-class one.
    weights: list[float | None] | None = None

    def subset(self, rows: Sequence[int]) -> Corpus:
        return Corpus([self.ids[i] for i in rows], [self.kinds[i] for i in rows],
                      [self.counts[i] for i in rows], self.labels[list(rows)],
                      [self.groups[i] for i in rows] if self.groups else None,
                      [self.passages[i] for i in rows] if self.passages else None,
                      [self.real[i] for i in rows] if self.real else None,
                      [self.weights[i] for i in rows] if self.weights else None)


def read_jsonl(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}", f"不是有效的 JSON（{exc.msg}）") from None
        unknown = set(record.get("labels", [])) - set(CLASSES)
        if unknown:
            raise InputError(f"{path}:{number}", f"未知标签 {sorted(unknown)}")
        records.append(record)
    return records


def featurize(records: list[dict], resources) -> Corpus:
    counts, passages = [], []
    for record in records:
        fields = [(name, resources.normalizer(record.get(name) or ""))
                  for name in ("title", "body") if record.get(name)]
        whole = extract(fields, resources.matcher)
        counts.append(whole.counts)
        passages.append([p.counts for p in passage_features(whole)])
    labels = np.array([[int(c in r.get("labels", [])) for c in CLASSES] for r in records],
                      dtype=np.int64).reshape(len(records), len(CLASSES))
    groups = [r["template"] for r in records] if all("template" in r for r in records) else None
    real = [bool(r.get("source")) for r in records]
    weights = [r.get("weight") for r in records]
    return Corpus([r.get("id", "") for r in records], [r.get("kind", "") for r in records],
                  counts, labels, groups, passages, real if any(real) else None,
                  weights if any(w is not None for w in weights) else None)


def build_vocabulary(counts: list[Counter]) -> tuple[tuple[str, ...], np.ndarray]:
    df: Counter = Counter()
    for row in counts:
        df.update(row.keys())
    kept = [(f, n) for f, n in df.items() if n >= MIN_DF]
    # Most frequent first, ties by the string itself: the same corpus always gives the same order.
    kept.sort(key=lambda item: (-item[1], item[0]))
    kept = sorted(kept[:MAX_FEATURES])
    features = tuple(f for f, _ in kept)
    idf = idf_from_df(np.array([n for _, n in kept], dtype=np.float64), len(counts))
    return features, idf


def matrix(counts: list[Counter], features: tuple[str, ...], idf: np.ndarray):
    from scipy.sparse import csr_matrix

    vocabulary = {f: i for i, f in enumerate(features)}
    indptr, indices, data = [0], [], []
    for row in counts:
        index, values = tfidf(row, vocabulary, idf)
        indices.append(index)
        data.append(values)
        indptr.append(indptr[-1] + len(index))
    return csr_matrix((np.concatenate(data) if data else np.zeros(0),
                       np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
                       np.array(indptr)), shape=(len(counts), len(features)))


def _folds(y: np.ndarray, groups: Sequence[str] | None, seed: int):
    """Fold indices, stratified on ``y``; with ``groups`` no group is split across folds, so a
    validation fold holds phrasings (templates) that its training folds never saw."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    minority = int(min(np.bincount(np.asarray(y, dtype=np.int64))))
    if groups is not None:
        count = min(FOLDS, len(set(groups)))
        if count >= 2:
            splitter = StratifiedGroupKFold(count, shuffle=True, random_state=seed)
            return list(splitter.split(np.zeros(len(y)), y, groups))
    count = min(FOLDS, minority)
    if count < 2:
        raise InputError("训练数据", "每个类别至少要有两篇正例稿件和两篇反例稿件")
    return list(StratifiedKFold(count, shuffle=True, random_state=seed)
                .split(np.zeros(len(y)), y))


def platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid p = 1 / (1 + exp(a * f + b)), fitted with his smoothed targets (as
    scikit-learn does), which keep the slope finite when the scores separate the classes."""
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    positives = float(y.sum())
    negatives = float(len(y) - positives)
    target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = -(ab[0] * decision + ab[1])
        value = -(target * log_expit(z) + (1 - target) * log_expit(-z)).sum()
        residual = target - expit(z)  # d loss / d z = -(target - p); dz/da = -f, dz/db = -1
        return float(value), np.array([(residual * decision).sum(), residual.sum()])

    start = np.array([0.0, np.log((negatives + 1) / (positives + 1))])
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def _estimator(seed: int):
    from sklearn.linear_model import LogisticRegression

    # liblinear's dual solver: far faster than the primal when features outnumber drafts.
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True,
                              max_iter=1000, random_state=seed)


def fit_head(x, y: np.ndarray, seed: int, groups: Sequence[str] | None = None,
             weight: np.ndarray | None = None) -> tuple[np.ndarray, float, float, float]:
    """Coefficients, intercept and Platt parameters (a, b) of one class.

    The calibration is fitted on out-of-fold scores and the weights on all the data: one linear
    score, so evidence stays exact (scikit-learn's ``CalibratedClassifierCV(ensemble=False)``,
    but with folds that keep templates together, which it cannot do).
    """
    decision = np.zeros(len(y))
    for fit_rows, check_rows in _folds(y, groups, seed):
        model = _estimator(seed).fit(x[fit_rows], y[fit_rows],
                                     sample_weight=None if weight is None else weight[fit_rows])
        decision[check_rows] = model.decision_function(x[check_rows])
    a, b = platt(decision, y)
    final = _estimator(seed).fit(x, y, sample_weight=weight)
    return final.coef_[0].copy(), float(final.intercept_[0]), a, b


def _passage_rows(corpus: Corpus) -> tuple[list[Counter], list[int]]:
    """Up to PASSAGES_PER_DRAFT passages of every long draft, evenly spaced, with their draft."""
    rows, owners = [], []
    for owner, found in enumerate(corpus.passages or []):
        step = max(1, len(found) // PASSAGES_PER_DRAFT)
        for passage in found[::step][:PASSAGES_PER_DRAFT]:
            rows.append(passage)
            owners.append(owner)
    return rows, owners


def fit_model(corpus: Corpus, seed: int) -> ClassifierModel:
    """Train every head on the whole drafts plus the passages of drafts without its label: a
    passage of a draft that is not (say) confidential is not confidential either, and without
    such examples the heads have never seen a lone news paragraph and over-score it. Passages of
    flagged drafts are left out: which of them carries the problem is not known."""
    features, idf = build_vocabulary(corpus.counts)
    whole = matrix(corpus.counts, features, idf)
    passage_counts, owners = _passage_rows(corpus)
    groups = corpus.groups or [str(i) for i in range(len(corpus.counts))]
    heads = []
    for k in range(len(CLASSES)):
        y = corpus.labels[:, k]
        keep = [i for i, owner in enumerate(owners) if y[owner] == 0]
        rows = [passage_counts[i] for i in keep]
        x = vstack([whole, matrix(rows, features, idf)]).tocsr() if rows else whole
        y_all = np.concatenate([y, np.zeros(len(rows), dtype=y.dtype)])
        weight = None
        if corpus.real or corpus.weights:
            per_draft = (np.where(corpus.real, REAL_WEIGHT[CLASSES[k]], 1.0) if corpus.real
                         else np.ones(len(y)))
            if corpus.weights:
                per_draft = np.array([d if w is None else w
                                      for w, d in zip(corpus.weights, per_draft, strict=True)])
            weight = np.concatenate([per_draft, per_draft[[owners[i] for i in keep]]])
        heads.append(fit_head(x, y_all, seed, [*groups, *(groups[owners[i]] for i in keep)],
                              weight))
    # Stored as float32: half the size on disk; the in-memory model is rounded the same way, so a
    # saved model scores exactly like the one training returned.
    as32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)  # noqa: E731
    return ClassifierModel(
        features,
        idf=as32(idf),
        coef=as32(np.vstack([h[0] for h in heads])),
        intercept=as32([h[1] for h in heads]),
        calibration=as32([[h[2], h[3]] for h in heads]),
    )


def predict(model: ClassifierModel, corpus: Corpus) -> np.ndarray:
    """[N, C] probabilities as the stage computes them: the highest of the whole draft and its
    passages."""
    rows = []
    for i, whole in enumerate(corpus.counts):
        views = [whole, *(corpus.passages[i] if corpus.passages else [])]
        scored = [model.probabilities(view) for view in views]
        rows.append([max(s[k] for s in scored) for k in CLASSES])
    return np.array(rows, dtype=np.float64).reshape(len(corpus.counts), len(CLASSES))


def cross_validated(corpus: Corpus, seed: int) -> np.ndarray:
    """Out-of-fold probabilities [N, C]: folds stratified on the draft kind and, when templates
    are recorded, grouped by template, so each fold is scored on phrasings it never trained on."""
    oof = np.zeros(corpus.labels.shape)
    kinds = np.unique(corpus.kinds, return_inverse=True)[1]
    for fit_rows, check_rows in _folds(kinds, corpus.groups, seed):
        model = fit_model(corpus.subset(fit_rows), seed)
        oof[check_rows] = predict(model, corpus.subset(check_rows))
    return oof


def precision_recall_f1(y: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    tp = int((flagged & (y == 1)).sum())
    fp = int((flagged & (y == 0)).sum())
    fn = int((~flagged & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def _candidates(p: np.ndarray) -> np.ndarray:
    # Midpoints between consecutive distinct scores: a threshold exactly on a score is fragile.
    values = np.unique(np.round(p, 4))
    return np.unique(np.round(np.concatenate([[0.05], (values[1:] + values[:-1]) / 2]), 3))


def choose_thresholds(oof: np.ndarray, labels: np.ndarray) -> dict[str, dict[str, float]]:
    chosen = {}
    for k, name in enumerate(CLASSES):
        p, y = oof[:, k], labels[:, k]
        candidates = [t for t in _candidates(p) if 0.05 <= t <= 0.95]
        rows = [(t, precision_recall_f1(y, p >= t)) for t in candidates]
        if name == "confidential":
            # Recall first: a threshold that finds the target share of leaks at acceptable
            # precision, and never above REVIEW_CAP, so a draft the model is only somewhat sure
            # about still reaches a person.
            ok = [t for t, m in rows if m["recall"] >= CONFIDENTIAL_TARGET_RECALL
                  and m["precision"] >= CONFIDENTIAL_MIN_PRECISION] or [min(candidates)]
            capped = [t for t in ok if t <= REVIEW_CAP]
            review = max(capped) if capped else min(ok)
            # A block stops publication outright: only where the model is very sure.
            sure = [t for t, m in rows if m["precision"] >= BLOCK_TARGET_PRECISION]
            block = max(min(sure), BLOCK_FLOOR, review) if sure else NEVER
        else:
            best = max(m["f1"] for _, m in rows)
            tied = [t for t, m in rows if m["f1"] == best]
            # The middle of the best plateau: furthest from both edges, so least fragile.
            middle = (tied[0] + tied[-1]) / 2
            review = min(tied, key=lambda t: (abs(t - middle), t))
            block = NEVER
        chosen[name] = {"review": round(float(review), 3), "block": float(block)}
    return chosen


def evaluate(probabilities: np.ndarray, corpus: Corpus,
             thresholds: dict[str, dict[str, float]]) -> dict:
    result: dict = {"classes": {}}
    flagged_any = np.zeros(len(corpus.kinds), dtype=bool)
    for k, name in enumerate(CLASSES):
        flagged = probabilities[:, k] >= thresholds[name]["review"]
        flagged_any |= flagged
        metrics = precision_recall_f1(corpus.labels[:, k], flagged)
        metrics["positives"] = int(corpus.labels[:, k].sum())
        metrics["blocked"] = int((probabilities[:, k] >= thresholds[name]["block"]).sum())
        y = corpus.labels[:, k] == 1
        for error, rows in (("missed_kinds", ~flagged & y), ("false_alarm_kinds", flagged & ~y)):
            metrics[error] = dict(sorted(Counter(corpus.kinds[i] for i in np.flatnonzero(rows))
                                         .items()))
        result["classes"][name] = metrics
    clean = corpus.labels.sum(axis=1) == 0
    for group, prefix in (("news", "news."), ("hard_negatives", "hard.")):
        rows = np.array([kind.startswith(prefix) for kind in corpus.kinds], dtype=bool)
        result[f"{group}_not_passing"] = {"flagged": int(flagged_any[rows].sum()),
                                          "of": int(rows.sum())}
    result["clean_not_passing_rate"] = round(float(flagged_any[clean].mean()), 4) \
        if clean.any() else 0.0
    result["clean_not_passing"] = [corpus.ids[i] for i in np.flatnonzero(flagged_any & clean)]
    return result


def embedded(records: list[dict], seed: int) -> list[dict]:
    """Every short held-out post pasted as a paragraph into a random long unlabelled held-out
    article: what happens when a leak, an advert or a major matter hides inside ordinary news
    (and, for the unlabelled short posts, whether the pasting alone raises false alarms)."""
    rng = random.Random(seed)
    hosts = [r for r in records if not r.get("labels") and r.get("platform") == "wechat"]
    made = []
    for guest in records:
        if guest.get("platform") != "weibo" or not hosts:
            continue
        host = rng.choice(hosts)
        paragraphs = host["body"].split("\n")
        at = rng.randint(1, len(paragraphs))
        body = "\n".join([*paragraphs[:at], guest["body"], *paragraphs[at:]])
        made.append({"id": f"{guest.get('id', '')}@{host.get('id', '')}", "title": host["title"],
                     "body": body, "labels": guest.get("labels", []),
                     "kind": guest.get("kind", "")})
    return made


def label_counts(corpus: Corpus) -> dict[str, int]:
    counts = {name: int(corpus.labels[:, k].sum()) for k, name in enumerate(CLASSES)}
    counts["none"] = int((corpus.labels.sum(axis=1) == 0).sum())
    counts["drafts"] = len(corpus.kinds)
    return counts


CONFIDENTIAL_RULES = {"target_recall": CONFIDENTIAL_TARGET_RECALL,
                      "min_precision": CONFIDENTIAL_MIN_PRECISION, "review_cap": REVIEW_CAP,
                      "block_precision": BLOCK_TARGET_PRECISION, "block_floor": BLOCK_FLOOR,
                      "never": NEVER}


def score_records(model: ClassifierModel, records, resources) -> np.ndarray:
    """[N, C] probabilities of real corpus records, in their order, as the stage scores them."""
    drafts = [{"id": r.id, r.field: r.text, "kind": r.kind} for r in records]
    if not drafts:
        return np.zeros((0, len(CLASSES)))
    return predict(model, featurize(drafts, resources))


def run_training(train_records: list[dict], heldout_records: list[dict], resources, seed: int,
                 cross_validate: bool = True, real=None, feedback: list[dict] | None = None
                 ) -> tuple[ClassifierModel, dict]:
    """Fit on the training split (synthetic, plus the real training split if ``real``, a
    LocalCorpus, is given, plus ``feedback``: reviewers' labelled texts, each with its
    ``weight``); report cross-validated, held-out and real test metrics."""
    from . import real as real_text

    began = time.perf_counter()
    synthetic_count = len(train_records)
    real_train = real_text.as_training(real.split("train")) if real else []
    real_validation = real.split("validation") if real else []
    real_test = real.split("test") if real else []
    feedback = list(feedback or [])
    train_corpus = featurize(train_records + real_train + feedback, resources)
    heldout_corpus = featurize(heldout_records, resources)
    featurized = time.perf_counter()
    model = fit_model(train_corpus, seed)
    fitted = time.perf_counter()
    synthetic_rows = list(range(synthetic_count))
    report: dict = {"seed": seed, "counts": {
        "train": label_counts(train_corpus.subset(synthetic_rows)),
        "heldout": label_counts(heldout_corpus)}}
    if feedback:
        report["counts"]["feedback"] = label_counts(train_corpus.subset(
            range(len(train_corpus.ids) - len(feedback), len(train_corpus.ids))))
    oof = cross_validated(train_corpus, seed) if cross_validate else predict(model, train_corpus)
    synthetic_oof = oof[:synthetic_count]
    synthetic_train = train_corpus.subset(synthetic_rows)
    if real:
        validation_p = score_records(model, real_validation, resources)
        thresholds, why = real_text.choose_all(validation_p, real_validation, synthetic_oof,
                                               synthetic_train.labels, synthetic_train.kinds,
                                               CONFIDENTIAL_RULES)
        report["real"] = {
            "corpus_sha256": real.digest,
            "counts": {split: real_text.counts(rows) for split, rows in
                       (("train", real.split("train")), ("validation", real_validation),
                        ("test", real_test))},
            "chosen_on_validation": why,
            "validation": real_text.evaluate(validation_p, real_validation, thresholds),
            "test": real_text.evaluate(score_records(model, real_test, resources), real_test,
                                       thresholds),
        }
    else:
        thresholds = choose_thresholds(synthetic_oof, synthetic_train.labels)
    if cross_validate:
        report["cross_validated"] = evaluate(synthetic_oof, synthetic_train, thresholds)
    report["thresholds"] = thresholds
    if heldout_records:
        report["heldout"] = evaluate(predict(model, heldout_corpus), heldout_corpus, thresholds)
        pasted = featurize(embedded(heldout_records, seed), resources)
        report["embedded"] = evaluate(predict(model, pasted), pasted, thresholds)
        report["counts"]["embedded"] = label_counts(pasted)
    report["seconds"] = {"featurize": round(featurized - began, 2),
                         "fit": round(fitted - featurized, 2),
                         "total": round(time.perf_counter() - began, 2)}
    grouped = "grouped by template (each real text its own group)" if train_corpus.groups \
        else "stratified"
    report["hyperparameters"] = {"C": C, "min_df": MIN_DF, "max_features": MAX_FEATURES,
                                 "folds": f"{FOLDS} ({grouped})", "class_weight": "balanced",
                                 "solver": "liblinear (dual)",
                                 "calibration": "Platt sigmoid on out-of-fold scores"}
    if real:
        report["hyperparameters"]["real_weight"] = REAL_WEIGHT
    report["vocabulary_size"] = len(model.features)
    return model, report
