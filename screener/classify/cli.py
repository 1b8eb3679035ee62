"""What ``screener train`` does: train, evaluate, save the model and write the model cards.

Plain functions, so the typer command stays a thin wrapper and tests can call them directly.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..corpus import load_corpus
from ..errors import InputError
from ..pipeline import build_resources
from ..settings import load_settings
from . import BUNDLE
from .card import render
from .model import CLASSES
from .persist import save_model
from .train import read_jsonl, run_training

DEFAULT_DATA = Path("data/samples/corpus")


def _resources():
    # A fresh home: the shipped lexicons only, never this user's lexicon store, so the same data and
    # seed give the same model on any machine.
    home = Path(tempfile.mkdtemp(prefix="screener-train-"))
    return build_resources(load_settings(home=home))


def train(output_dir: Path, data_dir: Path, seed: int = 0, *, corpus_dir: Path | None = None,
          cross_validate: bool = True, resources=None) -> dict:
    """Train on ``data_dir/train.jsonl`` (plus the real training split of the local corpus in
    ``corpus_dir``, if given), evaluate on ``data_dir/heldout.jsonl`` (if present) and the real
    test split, write ``output_dir/classify/`` and one model card ``output_dir/<class>.md`` per
    class.

    Returns the training report (counts, metrics, thresholds, timings, files written).
    """
    data_dir, output_dir = Path(data_dir), Path(output_dir)
    train_path = data_dir / "train.jsonl"
    if not train_path.is_file():
        raise InputError(str(train_path), "training data not found")
    heldout_path = data_dir / "heldout.jsonl"
    heldout = read_jsonl(heldout_path) if heldout_path.is_file() else []
    real = load_corpus(corpus_dir) if corpus_dir is not None else None
    model, report = run_training(read_jsonl(train_path), heldout, resources or _resources(),
                                 seed, cross_validate=cross_validate, real=real)
    info = {"seed": seed, "data": str(data_dir), "thresholds": report["thresholds"],
            "counts": report["counts"], "vocabulary_size": report["vocabulary_size"],
            "hyperparameters": report["hyperparameters"]}
    if real is not None:
        info["real"] = {"corpus_sha256": real.digest, "counts": report["real"]["counts"],
                        "test": {k: v for k, v in report["real"]["test"].items()
                                 if k != "news"} | {"news": {
                                     k: v for k, v in report["real"]["test"]["news"].items()
                                     if k != "examples"}}}
    for section in ("cross_validated", "heldout", "embedded"):
        if section in report:
            info[section] = {k: v for k, v in report[section].items() if k != "clean_not_passing"}
    manifest = save_model(model, output_dir / BUNDLE, info)
    written = [str(output_dir / BUNDLE / name) for name in ("manifest.json", *manifest["files"])]
    for name in CLASSES:
        card = output_dir / f"{name}.md"
        card.write_text(render(name, report, manifest), encoding="utf-8")
        written.append(str(card))
    report["files"] = written
    report["versions"] = manifest["versions"]
    return report


def _f(value) -> str:
    return f"{value:>6.3f}" if value is not None else f"{'-':>6}"


def format_summary(report: dict) -> str:
    """What ``screener train`` prints: per class, held-out metrics and thresholds."""
    real = sum(sum(c.values()) for c in report["real"]["counts"]["train"].values()) \
        if "real" in report else 0
    lines = [f"trained on {report['counts']['train']['drafts']} synthetic drafts"
             f"{f' and {real} real texts' if real else ''} "
             f"(seed {report['seed']}, {report['vocabulary_size']} features) "
             f"in {report['seconds']['total']} s"]
    header = f"{'class':<13} {'review':>6} {'block':>6} {'P':>6} {'R':>6} {'F1':>6}"
    for section, title in (("cross_validated", "cross-validated"), ("heldout", "held-out"),
                           ("embedded", "held-out Weibo posts pasted into held-out articles")):
        if section not in report:
            continue
        lines += ["", f"{title}:", header]
        for name in CLASSES:
            m, t = report[section]["classes"][name], report["thresholds"][name]
            lines.append(f"{name:<13} {t['review']:>6.3f} {t['block']:>6.2f} "
                         f"{m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f}")
        news = report[section]["news_not_passing"]
        hard = report[section]["hard_negatives_not_passing"]
        lines.append(f"ordinary news not passing: {news['flagged']}/{news['of']}; "
                     f"hard negatives: {hard['flagged']}/{hard['of']}")
    if "real" in report:
        test = report["real"]["test"]
        lines += ["", f"real held-out (test split of corpus {report['real']['corpus_sha256'][:12]}"
                      f"…, {test['records']} texts):", f"{'class':<13} {'P':>6} {'R':>6} "
                      f"{'F1':>6} {'positives':>9}"]
        for name in CLASSES:
            m = test["classes"][name]
            if not m["positives"]:
                lines.append(f"{name:<13} (no real positives: synthetic only)")
                continue
            lines.append(f"{name:<13} {_f(m['precision'])} {_f(m['recall'])} {_f(m['f1'])} "
                         f"{m['positives']:>9}")
        news = test["news"]
        lines.append(f"real education news and university notices passing: "
                     f"{news['of'] - news['not_passing']}/{news['of']} ({news['pass_rate']:.1%})")
        lines.append(f"fraud scripts (no class of ours) reaching review: "
                     f"{test['fraud']['reaching_review']}/{test['fraud']['of']}")
        lines.append("thresholds chosen on the real validation split; put them in "
                     "screener/policy.py THRESHOLDS")
    lines += ["", "wrote:", *(f"  {path}" for path in report.get("files", []))]
    return "\n".join(lines)
