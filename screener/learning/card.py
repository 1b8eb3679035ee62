"""A candidate's model card (``screener model show N``): what it was trained on, how its
thresholds were chosen, and how it compares with the model in force on the same held-out texts.

Only numbers from training and the comparison appear, no time: the same data and the same model
in force give the same card.
"""

from __future__ import annotations

from ..classify.model import CLASSES
from ..classify.registry import ModelRef, Registered
from .compare import SET_NAMES

CLASS_NAMES = {"confidential": "涉密（第十一条）", "commercial": "商业（第十一条）",
               "major_news": "重大事项（第十三条）"}


def _n(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def comparison_table(comparison: dict, names: tuple[str, str] = ("current", "candidate"),
                     labels: tuple[str, str] = ("当前模型", "候选模型")) -> list[str]:
    """Markdown rows: per class and held-out set, threshold, precision, recall, F1 of both."""
    lines = [f"| 类别 | 数据 | 正例 | {labels[0]} 阈值 | P | R | F1 | {labels[1]} 阈值 | P | R "
             "| F1 |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    metrics = comparison["metrics"]
    for c in CLASSES:
        for which in ("all", *metrics[names[0]]["sets"]):
            figures = [metrics[n]["all"] if which == "all" else metrics[n]["sets"][which]
                       for n in names]
            a, b = figures[0][c], figures[1][c]
            if not a["positives"] and not (a["fp"] or b["fp"]):
                continue
            ta, tb = (metrics[n]["thresholds"][c]["review"] for n in names)
            lines.append(f"| {CLASS_NAMES[c]} | {SET_NAMES[which]} | {a['positives']} | {ta} | "
                         f"{_n(a['precision'])} | {_n(a['recall'])} | {_n(a['f1'])} | {tb} | "
                         f"{_n(b['precision'])} | {_n(b['recall'])} | {_n(b['f1'])} |")
    return lines


def _clean_line(comparison: dict) -> list[str]:
    clean = [comparison["metrics"][m]["all"].get("clean") for m in ("current", "candidate")]
    if not clean[0]:
        return []
    return [f"真实教育新闻与高校通知（必须通过）中分类器不放行的：当前模型 "
            f"{clean[0]['not_passing']}/{clean[0]['of']}，候选模型 {clean[1]['not_passing']}/"
            f"{clean[1]['of']}。", ""]


def render_card(entry: Registered, manifest: dict, report: dict, comparison: dict,
                current: ModelRef) -> str:
    feedback = manifest["candidate"]["feedback"]
    thresholds = manifest["thresholds"]
    versions = "、".join(f"{k} {v}" for k, v in manifest["versions"].items())
    real = manifest.get("real")
    counts = comparison["changed_counts"]
    lines = [
        f"# 模型卡：候选模型 {entry.number}（`{entry.version}`）",
        "",
        "**用途**：与随软件发布的模型相同的三个分类器（涉密、商业、重大事项），"
        "在发布语料之外加入审核人员的反馈重新训练。候选模型只有经维护人员启用"
        "（`screener model promote`，须写明理由，记入审计日志）才会用于审核。",
        "",
        "**模型**：与发布模型同一结构（字符 2-3 元组、模式特征、词库命中；TF-IDF；逻辑回归；"
        "Platt 校准），以 JSON + `.npz` 保存，`manifest.json` 记录每个文件的 SHA-256，"
        "不使用 pickle。",
        "",
        "## 训练数据",
        "",
        f"- 合成训练草稿 {manifest['counts']['train']['drafts']} 篇（`{manifest['data']}`）。",
        (f"- 本地真实语料训练集（语料 sha256 `{real['corpus_sha256'][:16]}…`），按来源划分，"
         "验证集只用于选阈值，测试集只用于评估。" if real else
         "- 未构建本地真实语料：只用合成数据（`screener corpus build` 后重新训练更可靠）。"),
        f"- 审核反馈：共 {feedback['texts']} 条文本；训练用 {feedback['train']} 条（每条权重 "
        f"{feedback['weight']}，语料文本为 1），留出 {feedback['heldout']} 条（按文本哈希留出 "
        f"{feedback['holdout_percent']}%，从不训练）；与留出数据重复而不参与训练的 "
        f"{feedback['left_out_repeating_heldout']} 条。训练反馈中的正例："
        + "、".join(f"{CLASS_NAMES[c]} {n}" for c, n in feedback["positives"].items()) + "。",
        f"- 随机种子 {manifest['seed']}，特征 {manifest['vocabulary_size']} 个；{versions}。"
        "相同数据、种子和版本得到逐字节相同的模型文件，因此版本相同。",
        "",
        "## 阈值",
        "",
        "| 类别 | 复核阈值 | 拦截阈值 |",
        "|---|---|---|",
        *(f"| {CLASS_NAMES[c]} | {thresholds[c]['review']} | {thresholds[c]['block']} |"
          for c in CLASSES),
        "",
        ("与发布模型同样的规则：商业、重大事项取真实验证集上在误报上限内召回最高的阈值；涉密以合成"
         "数据的交叉验证分数为准。" if real else
         "没有真实语料：以合成数据的交叉验证分数选阈值。")
        + "启用后使用本卡的阈值（发布模型使用 `screener/policy.py` 的阈值表）。",
        "",
        f"## 与当前模型 {current.label} 的比较（同一留出数据）",
        "",
        "留出数据：" + "、".join(f"{SET_NAMES[k]} {v} 条" for k, v in comparison["sets"].items()
                            if v) + "。两个模型都没有在其上训练。",
        "",
        *comparison_table(comparison),
        "",
        *_clean_line(comparison),
        f"分类器结论会改变的留出文本：{len(comparison['changed'])} 条（新增标记 "
        f"{counts['newly_flagged']}，不再标记 {counts['cleared']}；与标注一致 {counts['right']}，"
        f"不一致 {counts['wrong']}）。`screener model train --json` 列出每一条。",
        "",
        "## 局限",
        "",
        "- 审核反馈的标注来自签发决定：批准即视为误报，要求修改或退回即视为属实，除非审核人逐项另作"
        "判断；这些判断本身也会有错。",
        "- 留出的审核反馈通常很少，其上的数字波动大；真实语料测试集不是本院的推文。",
        "- 词库的变化不需要重新训练；模型只看到训练时的发布词库命中。",
        "",
    ]
    return "\n".join(lines)
