"""Is there a word here? jieba's dictionary words of two to four characters, as a sorted array.

The evasion passes ask two cheap questions: is ``带考`` a word of its own (then it is not an
evasion of 代考), and does a word straddle the edge of a hit (``考生`` in 带考生, ``时代`` in
新时代，孕育)? Both are membership tests, so the words are kept as a sorted fixed-width NumPy array
in the cache folder (``allow_pickle=False``): loading it takes milliseconds, where building a
jieba tokenizer over the whole dictionary takes a second.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

MAX_LEN = 4
_MIN_COUNT = 20  # rarer entries (开网, 考研网) are mostly segmentation debris
_LOCK = threading.Lock()
_LOADED: dict[str, Words] = {}


class Words:
    def __init__(self, words: np.ndarray) -> None:
        self._words = words
        self._set: frozenset[str] | None = None

    def __len__(self) -> int:
        return len(self._words)

    def as_set(self) -> frozenset[str]:
        # A set on first use (tens of milliseconds): a process that never needs a word check
        # never builds it.
        if self._set is None:
            self._set = frozenset(self._words.tolist())
        return self._set

    def __contains__(self, word: str) -> bool:
        return word in self.as_set()

    def straddles(self, text: str, cut: int, lo: int, hi: int) -> str | None:
        """A word inside ``text[lo:hi]`` that covers both ``text[cut - 1]`` and ``text[cut]``."""
        words = self.as_set()
        for start in range(max(lo, cut - MAX_LEN + 1), cut):
            for end in range(cut + 1, min(hi, start + MAX_LEN) + 1):
                if text[start:end] in words:
                    return text[start:end]
        return None


def _build() -> np.ndarray:
    import jieba

    found = []
    with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as handle:
        for raw in handle:
            word, count = raw.decode("utf-8").split(" ", 2)[:2]
            if 2 <= len(word) <= MAX_LEN and int(count) >= _MIN_COUNT:
                found.append(word)
    return np.array(sorted(set(found)), dtype=f"<U{MAX_LEN}")


def load_words(cache_dir: Path | None) -> Words:
    import jieba

    key = f"jieba{jieba.__version__}-{MAX_LEN}-{_MIN_COUNT}"
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        path = cache_dir / f"words-{key}.npy" if cache_dir else None
        words = None
        if path is not None and path.exists():
            try:
                words = np.load(path, allow_pickle=False)
                if words.dtype != np.dtype(f"<U{MAX_LEN}"):
                    words = None
            except (OSError, ValueError):
                words = None  # rebuilt below
        if words is None:
            words = _build()
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npy")
                    np.save(tmp, words, allow_pickle=False)
                    os.replace(tmp, path)
                except OSError:
                    pass  # a read-only state folder only costs start-up time
        _LOADED[key] = Words(words)
        return _LOADED[key]
