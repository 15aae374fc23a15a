"""A small autoregressive model over binary vectors: every conditional is a logistic regression.

For :math:`x \\in \\{0, 1\\}^d` the model factorises by the chain rule,

.. math:: p(x) = \\prod_{i=1}^d p(x_i \\mid x_{<i}), \\qquad
          p(x_i = 1 \\mid x_{<i}) = \\sigma\\Big(b_i + \\sum_{j<i} W_{ij} x_j\\Big),

with ``W`` strictly lower triangular (this is the "fully visible sigmoid belief network"; a
masked neural network such as NADE or MADE has the same structure with richer conditionals).
Evaluating :math:`\\log p(x)` needs one pass over the d conditionals, all computable in parallel
from x; sampling is ancestral and therefore sequential in i.

>>> import numpy as np
>>> b, W = np.array([0.0, 1.0]), np.array([[0.0, 0.0], [-2.0, 0.0]])
>>> np.exp(log_density(all_configurations(2), b, W)).round(4)   # (0,0) (1,0) (0,1) (1,1)
array([0.1345, 0.3655, 0.3655, 0.1345])
"""

from __future__ import annotations

import numpy as np

from numerics.logistic import log_sigmoid, sample_bernoulli_logits

#: Largest d for which :func:`all_configurations` enumerates the 2^d outcomes.
MAX_ENUMERATED_DIMENSION = 20


def check_parameters(bias, W) -> tuple[np.ndarray, np.ndarray]:
    """``bias`` (d,) and ``W`` (d, d) strictly lower triangular, as float arrays."""
    b = np.asarray(bias, dtype=float).ravel()
    W = np.asarray(W, dtype=float)
    d = b.size
    if W.shape != (d, d):
        raise ValueError(f"W must have shape ({d}, {d}) to match bias, got {W.shape}")
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(W))):
        raise ValueError("bias and W must be finite")
    if np.any(np.triu(W) != 0):
        raise ValueError("W must be strictly lower triangular: x_i may depend on x_j only for j < i")
    return b, W


def conditional_logits(x, bias, W) -> np.ndarray:
    """Logits :math:`\\ell_i(x_{<i}) = b_i + \\sum_{j<i} W_{ij} x_j` for every row and i, shape (m, d)."""
    b, W = check_parameters(bias, W)
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if x.shape[1] != b.size:
        raise ValueError(f"x must have {b.size} columns, got shape {x.shape}")
    return x @ W.T + b  # W strictly lower triangular: row i only sees x_j, j < i


def log_conditionals(x, bias, W) -> np.ndarray:
    """:math:`\\log p(x_i \\mid x_{<i})` for every row and coordinate, shape (m, d)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("x must be a binary vector (entries 0 or 1)")
    ell = conditional_logits(x, bias, W)
    return log_sigmoid((2.0 * x - 1.0) * ell)  # log sigma(l) if x_i = 1, log sigma(-l) if x_i = 0


def log_density(x, bias, W) -> np.ndarray:
    """:math:`\\log p(x) = \\sum_i \\log p(x_i \\mid x_{<i})` (chain rule), shape (m,)."""
    return log_conditionals(x, bias, W).sum(axis=1)


def sample(n: int, bias, W, *, rng) -> np.ndarray:
    """Ancestral sampling: draw :math:`x_1`, then :math:`x_2 \\mid x_1`, ..., shape (n, d) of 0/1."""
    b, W = check_parameters(bias, W)
    gen = np.random.default_rng(rng)
    x = np.zeros((int(n), b.size))
    for i in range(b.size):
        logits = b[i] + x[:, :i] @ W[i, :i]  # depends only on the coordinates already drawn
        x[:, i] = sample_bernoulli_logits(logits, rng=gen)
    return x.astype(np.int64)


def all_configurations(d: int) -> np.ndarray:
    """The :math:`2^d` binary vectors, row r holding the bits of r (coordinate 0 least significant)."""
    if not 1 <= d <= MAX_ENUMERATED_DIMENSION:
        raise ValueError(f"d must lie in [1, {MAX_ENUMERATED_DIMENSION}], got {d}")
    r = np.arange(2**d)
    return ((r[:, None] >> np.arange(d)) & 1).astype(np.int64)


def configuration_index(x) -> np.ndarray:
    """Inverse of :func:`all_configurations`: the row index of each binary vector."""
    x = np.atleast_2d(np.asarray(x, dtype=np.int64))
    return x @ (1 << np.arange(x.shape[1]))
