"""Near-duplicates by character 4-gram Jaccard similarity, computed exactly.

The sets of 4-grams become rows of a sparse 0/1 matrix; one sparse product gives every pair's
intersection, so no pair is missed (no hashing, no sampling) and ten thousand texts take a
second or two. A text shorter than four characters is its own single "4-gram".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

GRAM = 4
THRESHOLD = 0.5  # Jaccard above this: the same text (reposted, re-sent, a template refilled)
_SPACE = re.compile(r"\s+")
_CHUNK = 2000


def grams(text: str) -> set[str]:
    text = _SPACE.sub("", text)
    if len(text) < GRAM:
        return {text} if text else set()
    return {text[i:i + GRAM] for i in range(len(text) - GRAM + 1)}


def _matrix(sets: Sequence[set[str]], vocabulary: dict[str, int]):
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for found in sets:
        row = sorted({vocabulary.setdefault(g, len(vocabulary)) for g in found})
        indices.extend(row)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return indptr, indices, data, csr_matrix


def _pairs(left: Sequence[str], right: Sequence[str] | None):
    """Yield (i, j, jaccard) for pairs above THRESHOLD; with ``right`` None, pairs i < j of
    ``left`` itself."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    a_sets = [grams(t) for t in left]
    b_sets = a_sets if right is None else [grams(t) for t in right]
    a = _matrix(a_sets, vocabulary)
    b = a if right is None else _matrix(b_sets, vocabulary)
    width = len(vocabulary)
    a_m = csr_matrix((a[2], a[1], a[0]), shape=(len(a_sets), width))
    b_m = a_m if right is None else csr_matrix((b[2], b[1], b[0]), shape=(len(b_sets), width))
    a_size = np.array([len(s) for s in a_sets], dtype=np.float64)
    b_size = a_size if right is None else np.array([len(s) for s in b_sets], dtype=np.float64)
    bt = b_m.T.tocsc()
    for low in range(0, len(a_sets), _CHUNK):
        block = (a_m[low:low + _CHUNK] @ bt).tocoo()
        rows, cols, inter = block.row + low, block.col, block.data.astype(np.float64)
        union = a_size[rows] + b_size[cols] - inter
        jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        keep = jaccard > THRESHOLD
        if right is None:
            keep &= rows < cols
        for i, j, value in zip(rows[keep], cols[keep], jaccard[keep], strict=True):
            yield int(i), int(j), float(value)


def near_any(texts: Sequence[str], others: Sequence[str]) -> list[bool]:
    """For each text: does it equal or nearly equal any of ``others``?"""
    hit = [False] * len(texts)
    if texts and others:
        for i, _, _ in _pairs(texts, others):
            hit[i] = True
    return hit


def first_of_each(texts: Sequence[str]) -> list[int | None]:
    """For each text, the index of an earlier text it nearly equals (None: keep it).

    Groups are closed transitively (a union-find), and every member of a group points at the
    group's first text, so one copy of each reposted or refilled text stays."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in _pairs(texts, None):
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    result: list[int | None] = []
    for i in range(len(texts)):
        r = root(i)
        result.append(None if r == i else r)
    return result
