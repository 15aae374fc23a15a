"""numerics.kernels' machinery: row blocks bounded by max_bytes, the thread pool for large calls
(same numbers as one thread), and a pool that survives a fork."""

import multiprocessing

import numpy as np
import pytest

from numerics import kernels as K


def test_row_blocks_are_as_large_as_max_bytes_allows_and_no_larger():
    seen = []
    x = np.zeros((10_000, 1))
    out = K.map_row_chunks(lambda r: seen.append(len(r)) or r[:, 0] + 1, x, 1000)
    rows = K.DEFAULT_MAX_BYTES // (8 * 1000)  # 524 rows of 1000 logits: 4 MiB
    assert rows == 524 and max(seen) == rows and sum(seen) == 10_000
    assert np.array_equal(out, np.ones(10_000))  # in order
    seen.clear()
    K.map_row_chunks(lambda r: seen.append(len(r)) or r[:, 0], x, 1000, max_bytes=8 * 1000 * 3)
    assert max(seen) == 3


def test_default_tiles_are_128_queries_by_512_data_points():
    # 2^19 bytes of logits: the tile the README and benchmarks/results/kernels.md describe
    assert K.TILE_BYTES == 2**19 and K.tile_shape(20_000, K.TILE_BYTES) == (128, 512)


def big_problem():
    rng = np.random.default_rng(0)
    y, x = rng.normal(size=(600, 3)), 2 * rng.normal(size=(700, 3))  # 420,000 logits: the pool's size
    assert len(x) * len(y) >= K.POOL_MIN_ELEMENTS
    return x, y


@pytest.mark.parametrize("workers", [None, 2])
def test_a_large_call_on_the_pool_gives_the_numbers_of_one_thread(workers):
    x, y = big_problem()
    serial = K.posterior_mean(x, 0.8, 0.3, y, workers=1)
    np.testing.assert_array_equal(K.posterior_mean(x, 0.8, 0.3, y, workers=workers), serial)
    np.testing.assert_array_equal(K.log_mixture_density(x, 0.8, 0.3, y, workers=workers),
                                  K.log_mixture_density(x, 0.8, 0.3, y, workers=1))
    lp = K.log_posterior(x, 0.8, 0.3, y)  # (m, n) in row blocks on the pool
    np.testing.assert_allclose(np.exp(lp) @ y, serial, rtol=1e-10, atol=1e-12)


def _child():
    x, y = big_problem()
    return K.posterior_mean(x, 0.8, 0.3, y)


def test_a_forked_child_makes_its_own_pool():
    # the parent's pool threads do not exist in a forked child: without the fork hook the child
    # would queue its blocks on a dead pool and wait for ever (here: until the 60 s timeout)
    x, y = big_problem()
    here = K.posterior_mean(x, 0.8, 0.3, y)  # makes the parent's pool
    with multiprocessing.get_context("fork").Pool(1) as pool:
        there = pool.apply_async(_child).get(timeout=60)
    np.testing.assert_array_equal(there, here)
