"""Control, bidi and invisible characters in a title or body.

Normalization removes them before matching, so they never hide a term; but what the reader of
the post sees is then not what was screened (U+202E shows the text after it backwards, U+200B
splits a word invisibly, a NUL or BEL has no business in a post). Each run of such characters is
shown to the reviewer, every character named by code point and Chinese name.

Characters that belong to an emoji are not reported: the zero-width joiner inside 👨‍👩‍👧, the
variation selector after ❤, the tags of a subdivision flag.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from ..normalize.hidden import chinese_name, unicode_name

_ALLOWED_CONTROLS = "\t\n\r"
# Look blank or nothing and are used to hide things, though Unicode classes them otherwise.
_BLANK_LOOKING = {0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E}
_ZWJ, _TAG_BLACK_FLAG = 0x200D, 0x1F3F4


class HiddenRun(NamedTuple):
    start: int
    end: int
    chars: str

    def explanation(self) -> str:
        names = []
        for char in dict.fromkeys(self.chars):  # each kind once, in order of appearance
            count = self.chars.count(char)
            names.append(f"{chinese_name(char)} U+{ord(char):04X}"
                         + (f" ×{count}" if count > 1 else ""))
        return ("隐藏字符：" + "、".join(names) + "；读者看到的文字与送审的文字可能不同"
                "（如 U+202E 使其后文字倒序显示），请核对原文后删除这些字符")

    def detail(self) -> str:
        """Every character by code point and Unicode name (a finding's detail)."""
        return "hidden characters: " + ", ".join(
            f"U+{ord(char):04X} {unicode_name(char)}" + (f" x{self.chars.count(char)}"
                                                          if self.chars.count(char) > 1 else "")
            for char in dict.fromkeys(self.chars))


def _hidden(text: str, i: int) -> bool:
    char = text[i]
    cp = ord(char)
    if char in _ALLOWED_CONTROLS:
        return False
    if cp in _BLANK_LOOKING:
        return True
    category = unicodedata.category(char)
    if category == "Cc":
        return True
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return i == 0 or not _symbol(text[i - 1])  # a variation selector after an emoji is fine
    if 0xE0020 <= cp <= 0xE007F:  # tags: only inside a subdivision flag
        j = i
        while j > 0 and 0xE0020 <= ord(text[j - 1]) <= 0xE007F:
            j -= 1
        return not (j > 0 and ord(text[j - 1]) == _TAG_BLACK_FLAG)
    if category != "Cf":
        return False
    if cp == _ZWJ:
        return not (0 < i < len(text) - 1 and _symbol(text[i - 1].strip("\ufe0f") or "a")
                    and _symbol(text[i + 1]))
    if cp == 0xFEFF and i == 0:
        return False  # a byte-order mark left at the start of a file
    return True


def _symbol(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or ord(char) >= 0x1F000 or \
        char == "\ufe0f"


_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c"
                      "\u06dd\u070f\u0890\u0891\u08e2\U000110cd\U00013430-\U0001343f\u115f\u1160"
                      "\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-"
                      "\ufe0f\ufeff\ufff9-\ufffb\uffa0\U000110bd\U0001bca0-\U0001bca3"
                      "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")


def hidden_runs(text: str) -> Iterator[HiddenRun]:
    """Maximal runs of hidden characters (a regex finds candidates; most texts have none)."""
    run_start = -1
    last = -2
    for match in _SUSPECT.finditer(text):
        i = match.start()
        if not _hidden(text, i):
            continue
        if i != last + 1:
            if run_start >= 0:
                yield HiddenRun(run_start, last + 1, text[run_start:last + 1])
            run_start = i
        last = i
    if run_start >= 0:
        yield HiddenRun(run_start, last + 1, text[run_start:last + 1])
