"""A candidate model: the shipped training data plus every reviewer's feedback, trained, compared
with the model in force on the same held-out texts, and registered (never put in force here:
a maintainer promotes it).

Training data: the synthetic training drafts (``data/samples/corpus``), the real corpus's
training split when it is built (``screener corpus build``), and the training slice of the
feedback, each feedback text weighted ``learning.feedback_weight``. Thresholds are chosen as for
the shipped models: on the real validation split (or, without a real corpus, on the synthetic
out-of-fold scores). Nothing held out is fitted on: held-out feedback (by a hash of the text)
is only scored, and feedback that repeats a real validation or test text or a synthetic
held-out draft is left out of training altogether.

Same data, seed and library versions give byte-identical model files, hence the same version:
training twice registers nothing new.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..classify import BUNDLE, MODELS, model_in_force, registry_for
from ..classify.persist import save_model
from ..classify.registry import CARD, COMPARISON, Registered
from ..classify.train import read_jsonl, run_training
from ..corpus import LocalCorpus, find_corpus, load_corpus
from ..errors import InputError
from ..feedback import HELDOUT, TRAIN, Example, examples, store_for, text_hash
from ..pipeline import build_resources
from ..settings import REPO_ROOT, Settings, load_settings
from .card import render_card
from .compare import Item, compare, score

DEFAULT_DATA = REPO_ROOT / "data" / "samples" / "corpus"


@dataclass
class TrainingData:
    synthetic_train: list[dict]
    synthetic_heldout: list[dict]
    corpus: LocalCorpus | None
    feedback: list[Example]
    data_dir: Path

    def guarded(self) -> set[str]:
        """Hashes of every held-out text: feedback repeating one is never trained on."""
        found = {text_hash(d.get("title", ""), d.get("body", ""))
                 for d in self.synthetic_heldout}
        if self.corpus is not None:
            for r in self.corpus.records:
                if r.split != "train":
                    fields = r.as_draft_fields()
                    found.add(text_hash(fields["title"], fields["body"]))
        return found

    def feedback_split(self) -> tuple[list[Example], list[Example], int]:
        """(training slice, held-out slice, training texts left out as repeats of held-out
        texts)."""
        guard = self.guarded()
        train = [e for e in self.feedback if e.split == TRAIN]
        kept = [e for e in train if e.text_hash not in guard]
        return kept, [e for e in self.feedback if e.split == HELDOUT], len(train) - len(kept)


def load_data(settings: Settings, *, corpus_dir: Path | None = None,
              data_dir: Path | None = None, feedback: list[Example] | None = None,
              synthetic_only: bool = False) -> TrainingData:
    """The shipped training data and the feedback of this state folder (or ``feedback``)."""
    data_dir = Path(data_dir or DEFAULT_DATA)
    train_path = data_dir / "train.jsonl"
    if not train_path.is_file():
        raise InputError(str(train_path), "找不到合成训练数据（train.jsonl）")
    heldout_path = data_dir / "heldout.jsonl"
    folder = None if synthetic_only else find_corpus(corpus_dir, settings)
    if feedback is None:
        feedback = examples(store_for(settings).rows(),
                            settings.learning.feedback_holdout_percent)
    return TrainingData(read_jsonl(train_path),
                        read_jsonl(heldout_path) if heldout_path.is_file() else [],
                        load_corpus(folder) if folder else None, feedback, data_dir)


def training_resources(settings: Settings):
    """Resources of a fresh state folder: the shipped lexicons only, never this user's lexicon
    store (whose hits are features), so that the same data give the same model anywhere."""
    home = Path(tempfile.mkdtemp(prefix="screener-candidate-"))
    return build_resources(load_settings(home=home, lexicon_dir=settings.lexicon_dir,
                                         model_dir=settings.model_dir,
                                         database_url=f"sqlite:///{home / 'screener.db'}"))


def feedback_records(train: list[Example], weight: float) -> list[dict]:
    return [{"id": e.id, "title": e.title, "body": e.body, "labels": list(e.labels),
             "kind": "feedback", "template": e.id, "weight": weight} for e in train]


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path.name


def fit(data: TrainingData, resources, *, weight: float, seed: int, holdout_percent: int):
    """Train on ``data``; the model, the training report and the manifest's ``info``."""
    train, heldout, dropped = data.feedback_split()
    with warnings.catch_warnings():
        # Folds are stratified on the kind of text; a handful of feedback texts is a kind with
        # fewer members than folds, which scikit-learn warns about and handles.
        warnings.filterwarnings("ignore", "The least populated class", UserWarning)
        model, report = run_training(data.synthetic_train, data.synthetic_heldout, resources,
                                     seed, cross_validate=True, real=data.corpus,
                                     feedback=feedback_records(train, weight))
    digest = hashlib.sha256(json.dumps([[e.text_hash, e.labels] for e in train]).encode())
    feedback = {"texts": len(data.feedback), "train": len(train), "heldout": len(heldout),
                "left_out_repeating_heldout": dropped, "weight": weight,
                "holdout_percent": holdout_percent, "sha256": digest.hexdigest(),
                "positives": {c: sum(c in e.labels for e in train)
                              for c in ("confidential", "commercial", "major_news")}}
    info = {"seed": seed, "data": _relative(data.data_dir), "thresholds": report["thresholds"],
            "counts": report["counts"], "vocabulary_size": report["vocabulary_size"],
            "hyperparameters": report["hyperparameters"],
            "candidate": {"feedback": feedback}}
    if data.corpus is not None:
        info["real"] = {"corpus_sha256": data.corpus.digest,
                        "counts": report["real"]["counts"],
                        "chosen_on_validation": report["real"]["chosen_on_validation"]}
    return model, report, info


def heldout_items(data: TrainingData) -> list[Item]:
    """Everything held out, in a fixed order: feedback, real test split, synthetic."""
    _, heldout, _ = data.feedback_split()
    items = [Item(e.id, "feedback", e.title, e.body, e.labels, kind="feedback")
             for e in heldout]
    if data.corpus is not None:
        for r in data.corpus.split("test"):
            fields = r.as_draft_fields()
            items.append(Item(r.id, "real", fields["title"], fields["body"], tuple(r.labels),
                              scored=r.label != "fraud", clean=r.clean, kind=r.kind))
    for d in data.synthetic_heldout:
        items.append(Item(d.get("id", ""), "synthetic", d.get("title", ""), d.get("body", ""),
                          tuple(d.get("labels", [])), kind=d.get("kind", "")))
    return items


@dataclass
class Candidate:
    entry: Registered
    new: bool
    current: str  # the version in force it was compared with
    comparison: dict
    report: dict

    def to_json(self) -> dict:
        comparison = self.comparison
        return {"candidate": self.entry.version, "candidate_number": self.entry.number,
                "new": self.new, "current": self.current, "sets": comparison["sets"],
                "metrics": comparison["metrics"], "changed": comparison["changed"],
                "changed_counts": comparison["changed_counts"],
                "feedback": self.entry.summary.get("feedback", {})}


def brief(comparison: dict) -> dict:
    """Per class P/R/F1 on all held-out data, both models: what the registry keeps."""
    out = {}
    for name, figures in comparison["metrics"].items():
        out[name] = {c: {k: figures["all"][c][k] for k in ("precision", "recall", "f1")}
                     for c in ("confidential", "commercial", "major_news")}
        out[name]["thresholds"] = figures["thresholds"]
    return out


def train_candidate(settings: Settings, *, by: str, corpus_dir: Path | None = None,
                    data_dir: Path | None = None, synthetic_only: bool = False,
                    progress: Callable[[str], None] | None = None) -> Candidate:
    """Train, compare with the model in force, register; the candidate (not promoted)."""
    say = progress or (lambda message: None)
    learning = settings.learning
    registry = registry_for(settings)
    current = model_in_force(settings)
    current_model = MODELS.get(current.folder, current.manifest_sha256)
    data = load_data(settings, corpus_dir=corpus_dir, data_dir=data_dir,
                     synthetic_only=synthetic_only)
    resources = training_resources(settings)
    registry.root.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".staging-", dir=registry.root))
    try:
        say(f"训练候选模型：合成草稿 {len(data.synthetic_train)} 篇、"
            f"真实语料 {'已构建' if data.corpus else '未构建'}、"
            f"审核反馈 {len(data.feedback)} 条文本")
        model, report, info = fit(data, resources, weight=learning.feedback_weight,
                                  seed=learning.seed,
                                  holdout_percent=learning.feedback_holdout_percent)
        say("在留出数据上比较候选模型与当前模型")
        scored = score(heldout_items(data), {"current": current_model, "candidate": model},
                       resources)
        comparison = compare(scored, current_model, _as_candidate(model, info))
        save_model(model, staged / BUNDLE, info)
        summary = {"feedback": info["candidate"]["feedback"],
                   "corpus_sha256": info.get("real", {}).get("corpus_sha256", ""),
                   "compared_with": current.version, "brief": brief(comparison),
                   "changed_counts": comparison["changed_counts"]}
        manifest = json.loads((staged / BUNDLE / "manifest.json").read_text(encoding="utf-8"))
        entry, new = registry.register(staged, by=by, base_version=current.version,
                                       summary=summary)
        card = render_card(entry, manifest, report, comparison, current)
        saved = {**comparison, "current": current.version, "candidate": entry.version}
        registry.register_extras(entry.number, {
            CARD: card, COMPARISON: json.dumps(saved, ensure_ascii=False, indent=1) + "\n"})
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(resources.settings.home, ignore_errors=True)
    return Candidate(entry, new, current.version, comparison, report)


def _as_candidate(model, info: dict):
    """The trained model as the registry will load it: with its manifest's metadata, so its own
    thresholds apply (``classify.judge.thresholds_for``)."""
    from dataclasses import replace

    return replace(model, metadata={**model.metadata, **info})
