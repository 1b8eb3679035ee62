import numpy as np
import pytest

from screener.images.index import MultiIndex, linear_search


def _signed(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


@pytest.mark.parametrize("radius", [0, 3, 4, 8, 12, 15])
def test_multi_index_finds_exactly_what_the_linear_scan_finds(radius):
    rng = np.random.default_rng(radius)
    base = rng.integers(-2**63, 2**63 - 1, size=50, dtype=np.int64)
    # Near neighbours at known distances, plus random noise.
    near = [_signed(int(b) ^ sum(1 << int(i) for i in rng.choice(64, size=d, replace=False)))
            for b in base[:10] for d in range(0, 17, 2)]
    values = np.concatenate([base, np.asarray(near, dtype=np.int64),
                             rng.integers(-2**63, 2**63 - 1, size=5000, dtype=np.int64)])
    index = MultiIndex(values)
    for query in base[:10]:
        assert list(index.search(int(query), radius)) == sorted(
            linear_search(values, int(query), radius))


def test_empty_index_finds_nothing():
    assert len(MultiIndex([]).search(123, 10)) == 0


def test_sign_bit_is_an_ordinary_bit():
    values = np.asarray([-1, 2**63 - 1], dtype=np.int64)  # differ only in the top bit
    assert list(MultiIndex(values).search(-1, 1)) == [0, 1]
