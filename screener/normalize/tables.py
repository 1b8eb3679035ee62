"""Per-code-point folding tables, built once and cached as plain numpy arrays.

Every code point gets: the single code point it folds to (NFKC, accents stripped from Latin,
upper-case look-alikes, lower case, traditional->simplified, lower-case look-alikes), a class
(content / noise / boundary / invisible) and a bitmask of the reasons it changed. Code points that
fold to more than one character (ligatures, ㈱, ½) are listed as expansions. Working on arrays makes
normalizing megabytes of text a handful of vectorised look-ups instead of a Python loop per
character; the cache is ``np.load(allow_pickle=False)``, so nothing is ever unpickled.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .symbols import SYMBOL_MEANINGS

TABLE_VERSION = 4
MAX_CP = 0x110000

# Classes
CONTENT = 0
NOISE = 1  # skipped between the characters of a term: spaces, punctuation, symbols, emoji
BOUNDARY = 2  # no term may span it: line and paragraph breaks, Chinese clause punctuation
INVISIBLE = 3  # removed outright: zero-width, bidi controls, variation selectors, combining marks

# Reasons (bits)
R_INVISIBLE = 1
R_COMPAT = 2
R_CASE = 4
R_TRADITIONAL = 8
R_LOOKALIKE = 16
R_NOISE = 32
R_ACCENT = 64
R_SYMBOL = 128

# What each folding undid: the evasion's name for the reviewer (Chinese, in the words the
# explanations use) and the technical account (a finding's ``detail``).
REASON_TEXT = {
    R_INVISIBLE: "零宽/隐藏字符",
    R_COMPAT: "全角或兼容字符",
    R_ACCENT: "字母加声调符号",
    R_CASE: "大小写变换",
    R_TRADITIONAL: "繁体",
    R_LOOKALIKE: "形似拉丁字母的西里尔/希腊字母",
    R_NOISE: "插入空格/符号",
    R_SYMBOL: "表情或符号代字",
}
REASON_DETAIL = {
    R_INVISIBLE: "invisible characters removed",
    R_COMPAT: "full-width/compatibility forms folded (NFKC)",
    R_ACCENT: "accents removed",
    R_CASE: "letter case folded",
    R_TRADITIONAL: "traditional characters converted to simplified",
    R_LOOKALIKE: "Cyrillic/Greek look-alike letters mapped to Latin",
    R_NOISE: "inserted spaces/punctuation/symbols/emoji skipped",
    R_SYMBOL: "emoji/symbols read as the word they stand for",
}

# Chinese writers separate clauses with these; an evader does not insert them between the
# characters of a word, while "新时代，孕育" would otherwise read as 代孕.
CLAUSE_PUNCTUATION = "，。！？；：、｡﹐﹑﹒﹔﹕﹖﹗…⋯"
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# Look-alikes of Latin letters in Cyrillic and Greek (a curated subset of Unicode's
# confusables.txt: only targets that are Latin letters, since that is what evasions aim at).
# Upper-case forms are mapped before lower-casing, because Greek Η lower-cases to η (not h).
UPPER_LOOKALIKES = {
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
    "Т": "t", "Х": "x", "У": "y", "Ѕ": "s", "І": "i", "Ј": "j", "Ү": "y", "Ԛ": "q", "Ԝ": "w",
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
}
LOWER_LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ь": "b", "ɡ": "g", "ɑ": "a", "ı": "i",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j", "ς": "c",
}

_COMBINING_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                     (0xFE20, 0xFE2F))
_EXTRA_INVISIBLE = {0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x180B, 0x180C, 0x180D, 0x180E,
                    0x180F}


@dataclass(frozen=True)
class Tables:
    fold: np.ndarray  # uint32[MAX_CP]
    cls: np.ndarray  # uint8[MAX_CP]
    reason: np.ndarray  # uint8[MAX_CP]
    expands: np.ndarray  # bool[MAX_CP]
    expansions: dict[int, tuple[tuple[int, int], ...]]  # cp -> ((folded cp, class), ...)


def _is_invisible(cp: int, category: str) -> bool:
    if cp in _EXTRA_INVISIBLE or 0xFE00 <= cp <= 0xFE0F or 0xE0000 <= cp <= 0xE0FFF:
        return True
    if any(lo <= cp <= hi for lo, hi in _COMBINING_RANGES):
        return True
    return category == "Cf"


def _class_of(ch: str) -> int:
    if ch in LINE_BREAKS or ch in CLAUSE_PUNCTUATION:
        return BOUNDARY
    cat = unicodedata.category(ch)
    if cat[0] in "LNM":
        return CONTENT
    return NOISE


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _fold_char(ch: str, t2s: dict[str, str]) -> tuple[str, int]:
    """Fold one character; returns (folded text, reason bits)."""
    reason = 0
    out = unicodedata.normalize("NFKC", ch)
    if out != ch:
        reason |= R_COMPAT
    if out.isascii() is False and any("LATIN" in unicodedata.name(c, "") for c in out):
        stripped = _strip_accents(out)
        if stripped != out and stripped:
            out, reason = stripped, reason | R_ACCENT
    mapped = "".join(UPPER_LOOKALIKES.get(c, c) for c in out)
    if mapped != out:
        out, reason = mapped, reason | R_LOOKALIKE
    lowered = out.lower()
    if lowered != out:
        out, reason = lowered, reason | R_CASE
    simplified = "".join(t2s.get(c, c) for c in out)
    if simplified != out:
        out, reason = simplified, reason | R_TRADITIONAL
    mapped = "".join(LOWER_LOOKALIKES.get(c, c) for c in out)
    if mapped != out:
        out, reason = mapped, reason | R_LOOKALIKE
    return out, reason


def _t2s_table() -> dict[str, str]:
    """Character-level traditional->simplified map from OpenCC, computed in one call."""
    import opencc

    converter = opencc.OpenCC("t2s")
    chars = [chr(cp) for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                                    (0x20000, 0x2A6DF)) for cp in range(lo, hi + 1)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never seen; fall back to one call per character
        converted = [converter.convert(c) for c in chars]
    return {c: s for c, s in zip(chars, converted, strict=True) if len(s) == 1 and s != c}


def build_tables() -> Tables:
    t2s = _t2s_table()
    fold = np.arange(MAX_CP, dtype=np.uint32)
    cls = np.full(MAX_CP, NOISE, dtype=np.uint8)
    reason = np.zeros(MAX_CP, dtype=np.uint8)
    expands = np.zeros(MAX_CP, dtype=bool)
    expansions: dict[int, tuple[tuple[int, int], ...]] = {}
    # Supplementary ideographs (planes 2-3) are content as they are; plane 14 (tags, variation
    # selectors) is invisible; everything else outside planes 0-1 is private use or unassigned.
    cls[0x20000:0x40000] = CONTENT
    cls[0xE0000:0xE1000] = INVISIBLE
    reason[0xE0000:0xE1000] = R_INVISIBLE
    computed = list(range(0x20000)) + list(range(0x2F800, 0x2FA20))
    for cp in computed:
        if 0xD800 <= cp <= 0xDFFF:
            continue  # lone surrogates stay noise
        ch = chr(cp)
        category = unicodedata.category(ch)
        if ch in LINE_BREAKS or ch in CLAUSE_PUNCTUATION:
            cls[cp] = BOUNDARY
            continue
        if _is_invisible(cp, category):
            cls[cp] = INVISIBLE
            reason[cp] = R_INVISIBLE
            continue
        if ch in SYMBOL_MEANINGS:
            out, why = SYMBOL_MEANINGS[ch], R_SYMBOL
        else:
            out, why = _fold_char(ch, t2s)
        if not out:
            cls[cp], reason[cp] = INVISIBLE, R_INVISIBLE
            continue
        if len(out) == 1:
            fold[cp] = ord(out)
            cls[cp] = _class_of(out)
        else:
            parts = tuple(
                (ord(c), INVISIBLE if _is_invisible(ord(c), unicodedata.category(c))
                 else _class_of(c))
                for c in out
            )
            expands[cp] = True
            expansions[cp] = parts
            fold[cp] = parts[0][0]
            cls[cp] = parts[0][1]
        if cls[cp] == NOISE:
            why |= R_NOISE
        reason[cp] = why
    return Tables(fold, cls, reason, expands, expansions)


def _cache_key() -> str:
    import opencc

    opencc_version = getattr(opencc, "__version__", "0")
    return f"v{TABLE_VERSION}-u{unicodedata.unidata_version}-opencc{opencc_version}"


def load_tables(cache_dir: Path | None) -> Tables:
    """Load the tables from the cache folder, building (and caching) them if needed."""
    path = cache_dir / f"fold-{_cache_key()}.npz" if cache_dir else None
    if path is not None and path.exists():
        try:
            with np.load(path, allow_pickle=False) as data:
                raw = json.loads(bytes(data["expansions"]).decode())
                expansions = {int(k): tuple(tuple(p) for p in v) for k, v in raw.items()}
                tables = Tables(data["fold"], data["cls"], data["reason"], data["expands"],
                                expansions)
            if tables.fold.shape == (MAX_CP,) and tables.cls.shape == (MAX_CP,):
                return tables
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt below
    tables = build_tables()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            blob = json.dumps({str(k): v for k, v in tables.expansions.items()}).encode()
            np.savez(tmp, fold=tables.fold, cls=tables.cls, reason=tables.reason,
                     expands=tables.expands, expansions=np.frombuffer(blob, dtype=np.uint8))
            os.replace(tmp, path)
        except OSError as exc:
            # A read-only state folder must not stop screening; it only costs start-up time.
            import warnings

            warnings.warn(f"无法在 {path.parent} 缓存规范化表（{exc}）；审核照常进行，"
                          "只是启动慢一些", stacklevel=2)
    return tables


__all__ = ["Tables", "load_tables", "build_tables"]
