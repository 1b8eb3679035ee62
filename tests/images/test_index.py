import numpy as np
import pytest

from screener.images.index import MultiIndex, block_widths, linear_search


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
    index = MultiIndex(values, linear_below=0)  # the blocks, not the scan, at this size
    for query in base[:10]:
        assert list(index.search(int(query), radius)) == sorted(
            linear_search(values, int(query), radius))


def test_empty_index_finds_nothing():
    assert len(MultiIndex([]).search(123, 10)) == 0


def test_sign_bit_is_an_ordinary_bit():
    values = np.asarray([-1, 2**63 - 1], dtype=np.int64)  # differ only in the top bit
    assert list(MultiIndex(values, linear_below=0).search(-1, 1)) == [0, 1]


@pytest.mark.parametrize(("size", "linear_below"), [(100, 0), (5_000, 0), (5_000, 10_000),
                                                    (60_000, 10_000)])
def test_batched_search_matches_the_linear_scan_on_a_random_bank(size, linear_below):
    rng = np.random.default_rng(size)
    values = rng.integers(-2**63, 2**63 - 1, size=size, dtype=np.int64)
    # Queries near stored hashes (flips of up to 14 bits) and far from everything.
    near = [_signed(int(values[i]) ^ sum(1 << int(b) for b in rng.choice(64, size=f,
                                                                          replace=False)))
            for i, f in zip(rng.integers(0, size, 30), rng.integers(0, 15, 30), strict=True)]
    queries = near + [int(v) for v in rng.integers(-2**63, 2**63 - 1, size=10, dtype=np.int64)]
    index = MultiIndex(values, radius=12, linear_below=linear_below)
    for radius in (6, 10, 12, 14):
        found = index.search_many(queries, radius)
        expected = [linear_search(values, q, radius) for q in queries]
        assert [list(f) for f in found] == [list(e) for e in expected]
    assert sum(len(f) for f in index.search_many(near, 14)) >= len(near)


def test_block_widths_cover_all_64_bits_and_widen_with_the_bank():
    small, large = block_widths(10_000, 12), block_widths(1_000_000, 12)
    assert sum(small) == sum(large) == 64
    assert max(large) > max(small)
