"""How text sounds: one code per syllable, for homophones and mixed hanzi/pinyin spellings.

``sound_view`` turns the skeleton of a text into a string with one code per syllable: a Chinese
character becomes the code of its (toneless, most common) pinyin reading, a Latin token that is
entirely pinyin (tone digits allowed: ``dai4yun4``) becomes one code per syllable, anything else a
separator. A term's syllables then match ``带考`` (dai kao), ``代yun`` and ``dai4yun4`` alike,
and every code still maps back to its characters in the original text.

Readings come from pypinyin's character table, kept as a NumPy array in the cache folder
(``allow_pickle=False``), so a process does not import pypinyin's dictionaries to screen.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CODE_BASE = 0xF0000  # plane 15 (private use): never confused with a text character
SEP = "\n"
_MAX_CJK = 0x30000
# Interjection "syllables" without a vowel would let any consonant pass as pinyin.
_NOT_SYLLABLES = {"m", "n", "ng", "hm", "hng", "r", "ê"}
_LATIN_RUN = re.compile(r"[a-z0-9]+")
# Letters, each run optionally closed by one tone digit. Written so that every character has one
# way to match: the nested form (?:[a-z]+[0-5]?)+ backtracks exponentially on a long run of
# letters that ends in a 6-9 (an English SMS with a date), which hung the screening of it.
_TONED = re.compile(r"[a-z](?:[a-z]|[0-5](?![0-5]))*")


@dataclass(frozen=True)
class Syllables:
    names: tuple[str, ...]  # syllable id -> "dai"
    of_char: np.ndarray  # uint16[_MAX_CJK]: code point -> syllable id + 1 (0: none)

    @functools.cached_property
    def ids(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}

    def code(self, char: str) -> str | None:
        cp = ord(char)
        sid = int(self.of_char[cp]) if cp < _MAX_CJK else 0
        return chr(CODE_BASE + sid - 1) if sid else None

    def name(self, code: str) -> str:
        return self.names[ord(code) - CODE_BASE]


def _strip_tone(reading: str) -> str:
    reading = reading.replace("ü", "v")
    return "".join(c for c in unicodedata.normalize("NFD", reading)
                   if unicodedata.category(c) != "Mn")


def _build() -> Syllables:
    from pypinyin.pinyin_dict import pinyin_dict

    names: dict[str, int] = {}
    of_char = np.zeros(_MAX_CJK, dtype=np.uint16)
    for cp, readings in pinyin_dict.items():
        if cp >= _MAX_CJK:
            continue
        first = _strip_tone(readings.split(",")[0])
        if first in _NOT_SYLLABLES or not first.isascii() or not first.isalpha():
            continue
        of_char[cp] = names.setdefault(first, len(names)) + 1
    # Every syllable any reading uses, so that a Latin token spelling a rarer reading parses.
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            name = _strip_tone(reading)
            if name not in _NOT_SYLLABLES and name.isascii() and name.isalpha():
                names.setdefault(name, len(names))
    return Syllables(tuple(sorted(names, key=names.get)), of_char)


_LOCK = threading.Lock()
_LOADED: dict[str, Syllables] = {}


def load_syllables(cache_dir: Path | None) -> Syllables:
    """The reading table, from the cache folder when it is there (built and cached otherwise)."""
    version = data_stamp("pypinyin", "pinyin_dict.py")
    with _LOCK:
        if version in _LOADED:
            return _LOADED[version]
        path = cache_dir / f"syllables-{version}.npz" if cache_dir else None
        table = None
        if path is not None and path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    names = bytes(data["names"]).decode().split(" ")
                    table = Syllables(tuple(names), data["of_char"])
                if table.of_char.shape != (_MAX_CJK,):
                    table = None
            except (OSError, ValueError, KeyError):
                table = None  # rebuilt below
        if table is None:
            table = _build()
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
                    np.savez(tmp, of_char=table.of_char, names=np.frombuffer(
                        " ".join(table.names).encode(), dtype=np.uint8))
                    os.replace(tmp, path)
                except OSError:
                    pass  # a read-only state folder only costs start-up time
        _LOADED[version] = table
        return table


def is_pinyin(word: str) -> bool:
    """Whether a Latin word is spelled entirely in toneless pinyin syllables (daiyun, not sex).
    Called for every hit: a Chinese key is answered without any look-up."""
    return word.isascii() and word.isalpha() and _spelled_in_pinyin(word.lower())


@functools.lru_cache(maxsize=4096)
def _spelled_in_pinyin(word: str) -> bool:
    table = next(iter(_LOADED.values()), None) or load_syllables(None)
    return _segment(word, table.ids) is not None


def data_stamp(package: str, data_file: str) -> str:
    """A cache key for a package's data file, without importing the package (importing
    pypinyin or reading every installed package's metadata costs a CLI call a third of a
    second): its name, size and modification time."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return f"{package}-missing"
    stat = (Path(next(iter(spec.submodule_search_locations))) / data_file).stat()
    return f"{package}-{stat.st_size}-{int(stat.st_mtime)}"


def split_pinyin(token: str, known: dict[str, int]) -> list[tuple[int, int, str, bool]] | None:
    """``token`` as pinyin syllables: (start, end, syllable, tone digit) each, or None.

    The fewest syllables win (``xian`` is one syllable, not xi-an); a digit 0-5 may follow a
    syllable as its tone. A token with anything else (``p0rn``, ``2023``) is not pinyin.
    """
    if not _TONED.fullmatch(token):
        return None
    letters = [(m.start(), m.group(), m.end() < len(token)) for m in re.finditer(r"[a-z]+",
                                                                                 token)]
    out: list[tuple[int, int, str, bool]] = []
    for offset, chunk, toned in letters:
        parts = _segment(chunk, known)
        if parts is None:
            return None
        for i, (a, b) in enumerate(parts):
            out.append((offset + a, offset + b + (1 if toned and i == len(parts) - 1 else 0),
                        chunk[a:b], toned and i == len(parts) - 1))
    return out


def _segment(chunk: str, known: dict[str, int]) -> list[tuple[int, int]] | None:
    n = len(chunk)
    best: list[list[tuple[int, int]] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(min(n, i + 6), i, -1):
            if chunk[i:j] in known:
                candidate = best[i] + [(i, j)]
                if best[j] is None or len(candidate) < len(best[j]):
                    best[j] = candidate
    return best[n]


@dataclass(frozen=True, slots=True)
class SoundView:
    text: str  # one code per syllable, SEP elsewhere
    starts: np.ndarray  # original start of each position
    ends: np.ndarray  # original end of each position
    kinds: str  # per position: "h" Chinese character, "l" pinyin letters, "t" with tone digit
    index: np.ndarray  # skeleton index of each position (of the first letter of a syllable)


def sound_view(skeleton_text: str, origin: np.ndarray, table: Syllables) -> SoundView:
    """Vectorised over the Chinese characters; Latin tokens (few) are parsed one by one."""
    cps = np.frombuffer(skeleton_text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    sid = table.of_char[np.minimum(cps, _MAX_CJK - 1)].astype(np.uint32)
    sid[cps >= _MAX_CJK] = 0
    codes = np.where(sid > 0, CODE_BASE - 1 + sid, ord(SEP)).astype(np.uint32)
    kinds = np.where(sid > 0, ord("h"), ord("x")).astype(np.uint32)
    starts = origin
    ends = origin + 1
    index = np.arange(len(cps), dtype=np.int64)
    runs = list(_LATIN_RUN.finditer(skeleton_text))
    if runs:
        known = table.ids
        parts_c, parts_k, parts_s, parts_e, parts_i = [], [], [], [], []
        position = 0
        for match in runs:
            a, b = match.span()
            parts_c.append(codes[position:a])
            parts_k.append(kinds[position:a])
            parts_s.append(starts[position:a])
            parts_e.append(ends[position:a])
            parts_i.append(index[position:a])
            syllables = split_pinyin(match.group(), known)
            if syllables is None:
                syllables_c, syllables_k = [ord(SEP)], [ord("x")]
                syllables_s, syllables_e = [origin[a]], [origin[b - 1] + 1]
                syllables_i = [a]
            else:
                syllables_c = [CODE_BASE + known[name] for _, _, name, _ in syllables]
                syllables_k = [ord("t" if toned else "l") for *_, toned in syllables]
                syllables_s = [origin[a + x] for x, _, _, _ in syllables]
                syllables_e = [origin[a + y - 1] + 1 for _, y, _, _ in syllables]
                syllables_i = [a + x for x, _, _, _ in syllables]
            parts_c.append(np.array(syllables_c, dtype=np.uint32))
            parts_k.append(np.array(syllables_k, dtype=np.uint32))
            parts_s.append(np.array(syllables_s, dtype=np.int64))
            parts_e.append(np.array(syllables_e, dtype=np.int64))
            parts_i.append(np.array(syllables_i, dtype=np.int64))
            position = b
        parts_c.append(codes[position:])
        parts_k.append(kinds[position:])
        parts_s.append(starts[position:])
        parts_e.append(ends[position:])
        parts_i.append(index[position:])
        codes, kinds = np.concatenate(parts_c), np.concatenate(parts_k)
        starts, ends = np.concatenate(parts_s), np.concatenate(parts_e)
        index = np.concatenate(parts_i)
    return SoundView(_decode(codes), starts, ends, _decode(kinds), index)


def _decode(codes: np.ndarray) -> str:
    return codes.astype("<u4", copy=False).tobytes().decode("utf-32-le")


def term_code(term: str, table: Syllables) -> str | None:
    """The syllable codes of an all-Chinese term (None if a character has no reading)."""
    codes = [table.code(c) for c in term]
    return None if None in codes else "".join(codes)  # type: ignore[arg-type]
