"""Turning a class score into evidence a reviewer can read: the features that pushed it up most,
with where they occur in the original title and body."""

from __future__ import annotations

import numpy as np

from ..i18n import zh
from ..labels import CATEGORY
from ..model import Evidence
from .features import LEXICON_PREFIX, DraftFeatures
from .model import ClassScore

# How many features and spans a reviewer is shown; more is noise rather than explanation.
TOP_FEATURES = 8
SPANS_PER_FEATURE = 5
_CANDIDATES = 40

# The same, in the words of the explanation a reviewer reads.
PATTERN_WORDS = {
    "<url>": "网址", "<mobile>": "手机号", "<landline>": "电话号码", "<wechat_id>": "微信号",
    "<qq>": "QQ号", "<price>": "价格", "<discount>": "折扣", "<email>": "电子邮箱",
    "<id_number>": "身份证号", "<student_id>": "学号", "<bank_card>": "银行卡号",
    "<secret_mark>": "密级标志",
}
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


def describe_zh(feature: str) -> str:
    if feature.startswith(LEXICON_PREFIX):
        category = feature[len(LEXICON_PREFIX):-1]
        return f"{zh(CATEGORY.get(category, category))}词条"
    if feature in PATTERN_WORDS:
        return PATTERN_WORDS[feature]
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


def summary_zh(name: str, probability: float, threshold: float,
               evidence: tuple[Evidence, ...], texts: dict[str, str], shown: int = 4) -> str:
    """What a reviewer reads: the class, the score against its threshold, the strongest
    evidence quoted from the text (a finding's explanation)."""
    parts = []
    for item in evidence[:shown]:
        words = describe_zh(item.feature)
        if item.spans and item.feature.startswith("<"):
            field, start, end = item.spans[0]
            words += f"“{texts[field][start:end]}”"
        parts.append(words + (f"×{len(item.spans)}" if len(item.spans) > 1 else ""))
    because = "、".join(parts) if parts else "没有特别突出的词语，是全文的整体特征"
    return (f"分类模型判断这篇文字像{zh(CATEGORY.get(name, name))}内容（得分 {probability:.2f}，"
            f"达到复核线 {threshold:.2f}）；主要依据：{because}")


def summary(name: str, probability: float, threshold: float, evidence: tuple[Evidence, ...],
            texts: dict[str, str], shown: int = 4) -> str:
    """One line for programs: the score, the threshold it crossed, the strongest evidence
    (a finding's detail)."""
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
