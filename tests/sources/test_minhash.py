"""Our NumPy MinHash of draft windows is datasketch's, value for value; the LSH bands are the
ones datasketch's optimizer chooses."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH

from screener.sources.minhash import NUM_PERM, Scheme, bank_signatures


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_window_signatures_equal_datasketchs(seed):
    rng = np.random.default_rng(seed)
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)
            for n in (1, 5, 60, 300, 2)]
    scheme = Scheme.from_datasketch(0.3)
    assert np.array_equal(scheme.sign(sets), bank_signatures(sets))


def test_an_empty_window_matches_nothing():
    signature = Scheme.from_datasketch(0.3).sign([np.zeros(0, np.uint32)])
    assert signature.shape == (1, NUM_PERM) and (signature == 0xFFFFFFFF).all()


@pytest.mark.parametrize("threshold", [0.2, 0.3, 0.5])
def test_bands_are_datasketchs_choice(threshold):
    scheme = Scheme.from_datasketch(threshold)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    assert (scheme.bands, scheme.rows) == (lsh.b, lsh.r)
