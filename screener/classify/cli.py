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
        raise InputError(str(train_path), "找不到训练数据")
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
    lines = [f"用 {report['counts']['train']['drafts']} 篇合成稿件"
             f"{f'和 {real} 篇真实文本' if real else ''}训练"
             f"（随机种子 {report['seed']}，{report['vocabulary_size']} 个特征），"
             f"用时 {report['seconds']['total']} 秒"]
    header = f"{'class':<13} {'review':>6} {'block':>6} {'P':>6} {'R':>6} {'F1':>6}"
    for section, title in (("cross_validated", "交叉验证"), ("heldout", "留出集"),
                           ("embedded", "留出的微博帖子嵌入留出的文章")):
        if section not in report:
            continue
        lines += ["", f"{title}：", header]
        for name in CLASSES:
            m, t = report[section]["classes"][name], report["thresholds"][name]
            lines.append(f"{name:<13} {t['review']:>6.3f} {t['block']:>6.2f} "
                         f"{m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f}")
        news = report[section]["news_not_passing"]
        hard = report[section]["hard_negatives_not_passing"]
        lines.append(f"未通过的普通新闻：{news['flagged']}/{news['of']}；"
                     f"易混淆的负例：{hard['flagged']}/{hard['of']}")
    if "real" in report:
        test = report["real"]["test"]
        lines += ["", f"真实留出数据（语料 {report['real']['corpus_sha256'][:12]}… 的测试集，"
                      f"{test['records']} 篇）：", f"{'class':<13} {'P':>6} {'R':>6} "
                      f"{'F1':>6} {'正例':>7}"]
        for name in CLASSES:
            m = test["classes"][name]
            if not m["positives"]:
                lines.append(f"{name:<13} （没有真实正例：只有合成数据）")
                continue
            lines.append(f"{name:<13} {_f(m['precision'])} {_f(m['recall'])} {_f(m['f1'])} "
                         f"{m['positives']:>9}")
        news = test["news"]
        lines.append(f"通过的真实教育新闻和高校通知："
                     f"{news['of'] - news['not_passing']}/{news['of']}（{news['pass_rate']:.1%}）")
        lines.append(f"到达审核的诈骗话术（不属于本系统任何类别）："
                     f"{test['fraud']['reaching_review']}/{test['fraud']['of']}")
        lines.append("阈值按真实验证集选定；请写入 screener/policy.py 的 THRESHOLDS")
    lines += ["", "已写出：", *(f"  {path}" for path in report.get("files", []))]
    return "\n".join(lines)
