"""What ``screener train`` does: train, evaluate, save the model and write the model cards.

Plain functions, so the typer command stays a thin wrapper and tests can call them directly.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

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


def train(output_dir: Path, data_dir: Path, seed: int = 0, *, cross_validate: bool = True,
          resources=None) -> dict:
    """Train on ``data_dir/train.jsonl``, evaluate on ``data_dir/heldout.jsonl`` (if present),
    write ``output_dir/classify/`` and one model card ``output_dir/<class>.md`` per class.

    Returns the training report (counts, metrics, thresholds, timings, files written).
    """
    data_dir, output_dir = Path(data_dir), Path(output_dir)
    train_path = data_dir / "train.jsonl"
    if not train_path.is_file():
        raise InputError(str(train_path), "training data not found")
    heldout_path = data_dir / "heldout.jsonl"
    heldout = read_jsonl(heldout_path) if heldout_path.is_file() else []
    model, report = run_training(read_jsonl(train_path), heldout, resources or _resources(),
                                 seed, cross_validate=cross_validate)
    info = {"seed": seed, "data": str(data_dir), "thresholds": report["thresholds"],
            "counts": report["counts"], "vocabulary_size": report["vocabulary_size"],
            "hyperparameters": report["hyperparameters"]}
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


def format_summary(report: dict) -> str:
    """What ``screener train`` prints: per class, held-out metrics and thresholds."""
    lines = [f"trained on {report['counts']['train']['drafts']} drafts "
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
    lines += ["", "wrote:", *(f"  {path}" for path in report.get("files", []))]
    return "\n".join(lines)
