"""From a draft's normalized fields to countable features, each traceable to original offsets.

Three kinds of feature:

* character 2- and 3-grams of the skeleton view (noise removed, so ``加 微 信`` and ``加微信``
  are one feature), never across a clause boundary, with every digit read as ``0`` so that
  numbers count by shape rather than value;
* patterns found in the literal view: URLs, phone numbers, WeChat/QQ ids, prices, discounts,
  e-mail addresses, ID-card, student and bank-card numbers, classification marks (``<price>``);
* lexicon hits by category (``<lexicon:commercial>``), from the same matcher as the terms stage.

Word segmentation (jieba) is deliberately not used at scoring time: loading its dictionary costs
about a second, far beyond the model-loading budget, and character 2- and 3-grams already
contain the two- and three-character words that carry the signal in these posts.

Spans are recovered only for the features a reviewer is shown (``DraftFeatures.locate``), so
scoring a draft does not pay for offsets it never reports.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..lexicon import TermMatcher
from ..normalize import NormalizedText
from ..policy import ACCOUNT_NAME_ONLY

# Bump when a change here would give a trained model different inputs: models record it and a
# model made with another version is refused (retrain) rather than silently mis-scored.
FEATURES_VERSION = 2
NGRAM_MIN, NGRAM_MAX = 2, 3
LEXICON_PREFIX = "<lexicon:"

_DIGIT = re.compile("[1-9]")


def digits_as_zero(text: str) -> str:
    # A regex substitution, not str.translate: translate looks every CJK character up in a dict
    # and was the largest single cost of scoring a long draft.
    return _DIGIT.sub("0", text)

# Matched on the literal view: width and case are folded, whitespace is gone (so a phone number
# written "139 1234 5678" reads as eleven digits) but symbols such as ¥ @ . - ★ are kept.
PATTERNS: dict[str, re.Pattern[str]] = {name: re.compile(rx) for name, rx in {
    "<url>": r"https?://[^\s，。！？、；）)】]+|www\.[a-z0-9.-]+|(?<![a-z0-9@.])[a-z0-9-]+\.(?:com|cn|net|top|xyz|cc|vip)(?:/[^\s，。）)】]*)?",
    "<mobile>": r"(?<!\d)1[3-9]\d-?\d{4}-?\d{4}(?!\d)",
    "<landline>": r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)",
    "<hotline>": r"(?<!\d)[48]00-?\d{3}-?\d{4}(?!\d)",
    "<long_number>": r"(?<![\d.])\d{7,}(?![\d.])",
    "<wechat_id>": r"(?:微信号?|vx|v信|wx|薇信|威信|加v|v我)[:：\n]?[a-z][-_a-z0-9]{4,19}",
    "<qq>": r"(?:qq|扣扣)[号群]?[:：\n]?\d{5,11}",
    "<price>": r"[¥￥]\d+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?(?:元|块)(?!素|旦|宵|老|首|代|年|月)",
    "<discount>": r"(?<!\d)\d(?:\.\d)?折|半价|买一送一|立减|立省|满\d+减|第二件\d+元",
    "<email>": r"[a-z0-9_.+-]+@[a-z0-9-]+\.[a-z0-9.]+",
    "<id_number>": r"(?<!\d)\d{17}[\dx](?!\d)",
    "<student_id>": r"(?<!\d)[12]\d0\d{7}(?!\d)",
    "<bank_card>": r"(?<!\d)62\d{14,17}(?!\d)",
    "<secret_mark>": r"(?:绝密|机密|秘密)[★☆*]",
}.items()}  # noqa: E501


@dataclass
class DraftFeatures:
    """Feature counts of one draft (or one passage of it), and what is needed to find where each
    feature occurs."""

    counts: Counter[str]
    skeletons: dict[str, NormalizedText] = field(default_factory=dict)
    # Patterns and lexicon hits are few: their original spans are kept as they are found.
    found: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    # A passage: the original [start, end) of the body it covers, and the same as a range of the
    # body's skeleton view. None for the whole draft.
    passage: tuple[int, int] | None = None
    window: tuple[int, int] | None = None
    # Each field's skeleton with digits read as 0, computed once and shared with the passages.
    zeroed: dict[str, str] = field(default_factory=dict)

    def locate(self, feature: str, limit: int = 5) -> tuple[tuple[str, int, int], ...]:
        """Original (field, start, end) spans of ``feature``, at most ``limit`` of them."""
        if feature in self.found:
            return tuple(self.found[feature][:limit])
        spans: list[tuple[str, int, int]] = []
        for field_name, normalized in self.skeletons.items():
            view = normalized.skeleton
            text = self.zeroed.get(field_name) or digits_as_zero(view.text)
            low, high = self.window or (0, len(text))
            at = text.find(feature, low, high)
            while at != -1 and len(spans) < limit:
                spans.append((field_name, *view.span(at, at + len(feature))))
                at = text.find(feature, at + 1, high)
        return tuple(spans)


# N-grams of digits alone ("00", "000"): a run of digits says nothing by itself. Phone numbers,
# prices and ID numbers are pattern features; as n-grams, real SMS advertisements (full of phone
# numbers) taught the commercial head that any digits sell, and opening hours (8:00-22:00)
# looked like an advert.
DIGITS_ONLY = tuple("0" * n for n in range(NGRAM_MIN, NGRAM_MAX + 1))


def ngrams(zeroed: str, counts: Counter[str]) -> None:
    """Count the n-grams of text whose digits are already read as 0 (not those of digits
    alone)."""
    for segment in zeroed.split("\n"):
        size = len(segment)
        for n in range(NGRAM_MIN, min(NGRAM_MAX, size) + 1):
            counts.update(segment[i:i + n] for i in range(size - n + 1))
    for gram in DIGITS_ONLY:
        counts.pop(gram, None)


def extract(fields: list[tuple[str, NormalizedText]], matcher: TermMatcher | None,
            hits: list[tuple[str, int, int, str]] | None = None) -> DraftFeatures:
    """Features of a draft given its normalized text fields (title, body).

    ``hits`` are lexicon hits already found (field, start, end, category), as the terms stage
    reports them; without them the matcher is run here (training, or no terms stage)."""
    counts: Counter[str] = Counter()
    result = DraftFeatures(counts)
    for field_name, normalized in fields:
        result.skeletons[field_name] = normalized
        result.zeroed[field_name] = digits_as_zero(normalized.skeleton.text)
        ngrams(result.zeroed[field_name], counts)
        literal = normalized.literal
        for name, pattern in PATTERNS.items():
            for match in pattern.finditer(literal.text):
                _add(result, name, (field_name, *literal.span(match.start(), match.end())))
        if hits is not None:
            for hit_field, start, end, category in hits:
                if hit_field == field_name:
                    _add(result, f"{LEXICON_PREFIX}{category}>", (field_name, start, end))
        elif matcher is not None:
            for hit in matcher.find(normalized, exclude=ACCOUNT_NAME_ONLY):
                _add(result, f"{LEXICON_PREFIX}{hit.entry.category}>",
                     (field_name, hit.start, hit.end))
    return result


def _add(result: DraftFeatures, name: str, span: tuple[str, int, int]) -> None:
    result.counts[name] += 1
    result.found.setdefault(name, []).append(span)


# A long article is also scored passage by passage: one leaked paragraph in a 2,000-character
# news story is otherwise outweighed by the story (L2 normalisation dilutes it to nothing).
PASSAGE_MIN_BODY = 400  # shorter bodies are scored whole only: they are one passage already
PASSAGE_MAX = 300  # about a Weibo post, the length the models know short texts at
PASSAGE_MIN = 40  # shorter paragraphs (a by-line, "特此通知") join the next one
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


def passages(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of the passages of a long body: its paragraphs, long ones cut at sentence
    ends into pieces of at most ``PASSAGE_MAX`` characters, short ones joined to the next."""
    if len(text) < PASSAGE_MIN_BODY:
        return []
    pieces: list[tuple[int, int]] = []
    for paragraph in re.finditer(r"[^\n]+", text):
        start, end = paragraph.span()
        if end - start <= PASSAGE_MAX:
            pieces.append((start, end))
            continue
        chunk = start
        for cut in _SENTENCE_END.finditer(text, start, end):
            if cut.start() - chunk > PASSAGE_MAX and cut.start() > chunk:
                pieces.append((chunk, cut.start()))
                chunk = cut.start()
        pieces.append((chunk, end))  # may exceed PASSAGE_MAX if one sentence does: kept whole
    merged: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in pieces:
        begin = start if pending is None else pending
        if len(text[begin:end].strip()) < PASSAGE_MIN:
            pending = begin
            continue
        merged.append((begin, end))
        pending = None
    if pending is not None and merged:
        merged[-1] = (merged[-1][0], pieces[-1][1])
    return merged


def passage_features(whole: DraftFeatures, field_name: str = "body") -> list[DraftFeatures]:
    """Features of each passage of a long body, cut from the whole draft's work: the skeleton
    view is sliced (no second normalization) and patterns and lexicon hits are shared out by
    where they start (no second pass of the regexes or the matcher)."""
    normalized = whole.skeletons.get(field_name)
    if normalized is None:
        return []
    view = normalized.skeleton
    result = []
    for start, end in passages(normalized.original):
        low, high = (int(i) for i in np.searchsorted(view.origin, (start, end), side="left"))
        counts: Counter[str] = Counter()
        zeroed = whole.zeroed[field_name]
        ngrams(zeroed[low:high], counts)
        part = DraftFeatures(counts, {field_name: normalized}, passage=(start, end),
                             window=(low, high), zeroed={field_name: zeroed})
        for name, spans in whole.found.items():
            for span in spans:
                if span[0] == field_name and start <= span[1] < end:
                    _add(part, name, span)
        result.append(part)
    return result
