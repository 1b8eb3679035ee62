"""Names that look alike: an account or unit name is refused when it reads as one already
registered, so nobody can open ``⼯学院力学系`` (U+2F2F, a Kangxi radical) or ``エ学院力学系``
(a katakana E) beside ``工学院力学系``, and a re-screened post always finds its one account.

``name_key`` is what two names are compared by:

1. compatibility folding (NFKC: the Kangxi radical ⼯ is 工, a full-width Ｐ is P);
2. the invisible letters removed: Unicode's default-ignorable code points (zero-width
   characters, U+3164 HANGUL FILLER, variation selectors ...), U+2800 BRAILLE PATTERN BLANK,
   and white space;
3. traditional characters as simplified (OpenCC t2s: 工學院 reads as 工学院);
4. the confusable skeleton of Unicode Technical Standard #39 (each character replaced by the
   prototype its confusables.txt entry names: エ and 工 both become one character), then case
   folded and skeletonized again, so PKU, pku and РКU (Cyrillic) meet.

The confusables come from Unicode's ``confusables.txt`` as the PyPI package
``confusable-homoglyphs`` ships it (version 3.3.1, MIT licence; its ``confusables.json``, sha256
2d8b4774cd9dc6f233a18681bc00423ae270037437f276fc6a8b80630941fe7d, is read from the installed
package, never copied here). That file lists each pair both ways; a character's prototype is
the centre of its group (the one all the others point at), or a multi-character prototype
(``m`` → ``rn``), so every member of a group gets the same key, as the skeleton would.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib.resources import files

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties), plus U+2800, which is a
# symbol that prints as nothing: none of them shows in a name.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x2800, 0x2800),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_MARKS = "\u200e\u200f"  # the data file wraps right-to-left letters in these


def invisible(char: str) -> bool:
    cp = ord(char)
    return any(lo <= cp <= hi for lo, hi in _INVISIBLE_RANGES)


def first_invisible(name: str) -> tuple[int, str] | None:
    """(offset, character) of the first invisible letter in ``name``, if any."""
    for offset, char in enumerate(name):
        if invisible(char):
            return offset, char
    return None


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    data = json.loads((files("confusable_homoglyphs") / "confusables.json")
                      .read_text(encoding="utf-8"))
    neighbours: dict[str, set[str]] = {}
    for key, entries in data.items():
        key = key.strip(_MARKS)
        for entry in entries:
            other = entry["c"].strip(_MARKS)
            if key and other and key != other:
                neighbours.setdefault(key, set()).add(other)
                neighbours.setdefault(other, set()).add(key)
    prototype: dict[str, str] = {}
    seen: set[str] = set()
    for start in neighbours:
        if start in seen:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            node = todo.pop()
            group.append(node)
            for other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        # The centre: a multi-character prototype, else the one most others point at, else
        # (a pair) the smaller; any fixed choice gives a group one key.
        centre = min(group, key=lambda n: (len(n) == 1, -len(neighbours[n]), n))
        for node in group:
            if len(node) == 1:
                prototype[node] = centre
    # A multi-character prototype's own letters are keyed too (m and rn meet).
    return {char: "".join(prototype.get(c, c) for c in centre) if len(centre) > 1 else centre
            for char, centre in prototype.items()}


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _skeleton(text: str) -> str:
    table = _prototypes()
    text = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in text))


@lru_cache(maxsize=4096)  # a re-screening asks for the same few account names many times
def name_key(name: str) -> str:
    """What ``name`` is compared by: equal keys read as the same name."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if not (invisible(c) or c.isspace()
                                           or unicodedata.category(c) in ("Zs", "Zl", "Zp")))
    text = _t2s().convert(text)
    return _skeleton(_skeleton(text).casefold())
