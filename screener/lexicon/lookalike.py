"""Look-alike Chinese characters (形近字): ``加徽信`` reads as 加微信 at a glance.

The table is derived from the character data shipped in the ``char-similar-z`` package (PyPI
0.2.0, data of yongzhuo/char-similar, MIT): four-corner codes (四角号码), radicals, component
lists and character frequencies. Two common characters are look-alikes when

* they have the same five-digit four-corner code and the same radical (微 / 徽), or
* they have the same structure and the same components apart from the radical (赌 / 堵).

That is the usual construction of a 形近字 confusion set; it is deliberately narrow (a few
look-alikes per character), since every look-alike is a possible false alarm in ordinary text.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import defaultdict
from pathlib import Path

# Characters rarer than this (log10 frequency in the package's corpus) are left out: an evader
# must be able to type the look-alike, and a rare one is seen at once.
_MIN_LOG_FREQUENCY = 12.0


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict, dict, dict, dict, dict, dict]:
    from char_similar_z.path_config import get_dict

    fourangle, frequency = get_dict("fourangle"), get_dict("frequency")
    strokes, struct, radical = get_dict("stroke"), get_dict("struct"), get_dict("component")
    by_code: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_rest: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for char, freq in frequency.items():
        if len(char) != 1 or float(freq) < _MIN_LOG_FREQUENCY:
            continue
        if char in fourangle:
            by_code[(fourangle[char], radical.get(char, ""))].add(char)
        rest = _rest(char, strokes, radical)
        if rest is not None:
            by_rest[(struct.get(char, ""), rest)].add(char)
    return fourangle, strokes, struct, radical, by_code, by_rest


def _rest(char: str, strokes: dict, radical: dict) -> tuple[str, ...] | None:
    parts = strokes.get(char)
    head = radical.get(char)
    if not parts or len(parts) < 2 or head not in parts:
        return None
    rest = list(parts)
    rest.remove(head)
    return tuple(rest)


def _lookalikes(char: str) -> tuple[str, ...]:
    fourangle, strokes, struct, radical, by_code, by_rest = _index()
    found: set[str] = set()
    if char in fourangle:
        found |= by_code.get((fourangle[char], radical.get(char, "")), set())
    rest = _rest(char, strokes, radical)
    if rest is not None:
        found |= by_rest.get((struct.get(char, ""), rest), set())
    found.discard(char)
    return tuple(sorted(found))


_LOCK = threading.Lock()
_TABLES: dict[str, dict[str, str]] = {}


def lookalike_table(cache_dir: Path | None) -> dict[str, str]:
    """Character -> its look-alikes (a string), for every character the package knows.

    Computed once and kept as plain text in the cache folder ("微\t徵徽" a line), so that a
    process does not read the package's dictionaries to screen.
    """
    from .sound import data_stamp

    key = data_stamp("char_similar_z", "data/char_fourangle.dict")
    with _LOCK:
        if key in _TABLES:
            return _TABLES[key]
        path = cache_dir / f"lookalikes-{key}.txt" if cache_dir else None
        table: dict[str, str] | None = None
        if path is not None and path.exists():
            try:
                table = dict(line.split("\t", 1) for line in
                             path.read_text(encoding="utf-8").splitlines() if "\t" in line)
            except (OSError, ValueError, UnicodeDecodeError):
                table = None  # rebuilt below
        if table is None:
            fourangle = _index()[0]
            table = {c: "".join(found) for c in sorted(fourangle)
                     if len(c) == 1 and (found := _lookalikes(c))}
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                    tmp.write_text("".join(f"{c}\t{v}\n" for c, v in table.items()),
                                   encoding="utf-8")
                    os.replace(tmp, path)
                except OSError:
                    pass  # a read-only state folder only costs start-up time
        _TABLES[key] = table
        return table


SOURCE = ("char-similar-z 0.2.0 (PyPI), character data of github.com/yongzhuo/char-similar "
          "(MIT licence)")
