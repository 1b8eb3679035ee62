"""Digit runs as people write them to dodge a filter: 一三八…, 幺三八…, 壹叁捌…, ①③⑧…, 𝟏𝟑𝟖…,
138-1234-5678, 138 1234 5678. Each run comes back as its digits with the original offset of each.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

NUMBER_WORDS = {
    "〇": "0", "零": "0", "洞": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2",
    "贰": "2", "貳": "2", "三": "3", "叁": "3", "參": "3", "四": "4", "肆": "4", "五": "5",
    "伍": "5", "六": "6", "陆": "6", "陸": "6", "七": "7", "柒": "7", "八": "8", "捌": "8",
    "九": "9", "玖": "9",
}
_WORD_CLASS = "".join(NUMBER_WORDS)
# \d is every Unicode decimal digit (full-width, mathematical styles); circled and parenthesised
# digits are "other numbers" and listed here.
_DIGIT = (rf"(?:\d|[{_WORD_CLASS}\u2460-\u2468\u24ea\u2474-\u247c\u2488-\u2490\u2776-\u277e"
          r"\u2780-\u2788\u278a-\u2792\u24f5-\u24fd])")
# Separators an evader or a careful writer puts inside a number; at most two in a row.
_SEP = r"[ \u00a0\u3000\-‐‑–—.·・_/、,，]"
RUN = re.compile(rf"(?:\+|＋)?{_DIGIT}(?:{_SEP}{{0,2}}{_DIGIT})+")


class DigitRun(NamedTuple):
    start: int
    end: int
    digits: str
    positions: tuple[int, ...]  # original offset of each digit
    words: bool  # written (partly) with number words or styled digits
    plus: bool  # starts with a plus sign (+86...)


def digit_of(char: str) -> str | None:
    if char in NUMBER_WORDS:
        return NUMBER_WORDS[char]
    value = unicodedata.digit(char, None)
    return None if value is None else str(value)


def digit_runs(text: str) -> Iterator[DigitRun]:
    for match in RUN.finditer(text):
        digits, positions, words = [], [], False
        for offset in range(match.start(), match.end()):
            value = digit_of(text[offset])
            if value is not None:
                digits.append(value)
                positions.append(offset)
                words |= not ("0" <= text[offset] <= "9")
        if len(digits) >= 2:
            yield DigitRun(positions[0], positions[-1] + 1, "".join(digits), tuple(positions),
                           words, text[match.start()] in "+＋")


def pieces(run: DigitRun) -> Iterator[tuple[int, int]]:
    """Digit index ranges [i, j) of consecutive separator-delimited groups of a run, the whole
    run first: "电话 138 1234 5678 2023" holds the phone 138 1234 5678 and the year."""
    cuts = [0] + [k for k in range(1, len(run.positions))
                  if run.positions[k] != run.positions[k - 1] + 1] + [len(run.positions)]
    yield 0, len(run.positions)
    for a in range(len(cuts) - 1):
        for b in range(a + 1, len(cuts)):
            if (a, b) != (0, len(cuts) - 1):
                yield cuts[a], cuts[b]
