"""Checks shared by the six model families of Question 1: "the density integrates to one" and
"the sampler draws from that density".

* :func:`normalisation_test` integrates :math:`e^{\\log p(x)}` over all of :math:`\\mathbb{R}^d`
  (d = 1 or 2) with :func:`scipy.integrate.cubature` (adaptive Genz-Malik / Gauss-Kronrod rules
  with a variable change for infinite limits) and compares with 1 at a stated tolerance. It
  relies on cubature's own error estimate, which is reliable for Gaussian-type tails but not for
  heavy ones (a flow's sinh tails: integral 0.99996 with a claimed error of 1e-7, measured).
* :func:`importance_normalisation_test` is the statistical alternative for heavy tails: the mean
  of importance weights :math:`p(x)/g(x)`, :math:`x \\sim g`, is exactly :math:`\\int p`, and a
  z-test compares it with 1 at level ``alpha``; the proposal g is a multivariate Student t whose
  tails are heavier than p's, so the weights are bounded and the CLT holds.
* :func:`binned_chi_square_test` puts samples into a grid of cells, computes every cell's
  probability from ``log_density`` alone (tensor Gauss-Legendre rule in each cell, with an error
  estimate from a coarser rule), pools cells whose expected count is below 5 with the outside of
  the grid, and runs Pearson's chi-square test at level ``alpha``. A sampler and a density that
  disagree anywhere the grid resolves are rejected with the power of that test.
* :func:`sampler_density_test` places that grid in whitened coordinates of an independent pilot
  sample (cells are parallelograms aligned with the distribution, so elongated densities are
  resolved), with quantile edges per whitened axis.
* :func:`richardson_test` compares an ODE solution or a finite difference with the exact value
  within the method's own step-doubling error estimate.

>>> import numpy as np
>>> from scipy.stats import norm
>>> normalisation_test("N(0,1)", lambda x: norm.logpdf(x[:, 0]), 1).passed
True
>>> pilot = np.random.default_rng(2).standard_normal((2_000, 1))
>>> importance_normalisation_test("N(0,1)", lambda x: norm.logpdf(x[:, 0]), pilot, rng=3).passed
True
>>> importance_normalisation_test("1.05 N(0,1)", lambda x: norm.logpdf(x[:, 0]) + np.log(1.05), pilot,
...                               rng=3).passed
False
>>> x = np.random.default_rng(0).standard_normal((20_000, 1))
>>> edges = quantile_edges(np.random.default_rng(1).standard_normal((5_000, 1)), 10)
>>> binned_chi_square_test("right density", x, lambda p: norm.logpdf(p[:, 0]), edges).passed
True
>>> binned_chi_square_test("wrong scale", x, lambda p: norm.logpdf(p[:, 0], scale=1.1), edges).passed
False
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from numerics.lazy import lazy
from numerics.stattests import DEFAULT_ALPHA, CheckResult, chi_square_test, mean_test, z_critical

stats = lazy("scipy.stats")
integrate = lazy("scipy.integrate")


LogDensity = Callable[[np.ndarray], np.ndarray]

#: Smallest expected count of a cell that keeps its own term in the chi-square statistic.
MIN_EXPECTED = 5.0


def whitening(pilot, trim: float = 0.01) -> tuple[np.ndarray, np.ndarray, float]:
    """``(c, L, log det L)``: c and :math:`LL^\\top` the mean and covariance of a sample (m, d)
    without its points outside the ``trim`` .. 1 - ``trim`` quantiles of any coordinate.

    Trimming keeps a few far draws of a heavy-tailed density from inflating the scale, so the bulk
    of the mass sits near unit scale in the whitened coordinates.
    """
    pilot = np.asarray(pilot, dtype=float)
    pilot = pilot.reshape(len(pilot), -1)
    lo, hi = np.quantile(pilot, [trim, 1.0 - trim], axis=0)
    core = pilot[np.all((pilot >= lo) & (pilot <= hi), axis=1)]
    try:
        L = np.linalg.cholesky(np.atleast_2d(np.cov(core, rowvar=False)))
    except np.linalg.LinAlgError:
        raise ValueError("the pilot sample is degenerate (it lies in a lower-dimensional set, "
                         "so it has no density on R^d)") from None
    return core.mean(axis=0), L, float(np.log(np.diag(L)).sum())


def whitened_log_density(log_density: LogDensity, c, L, log_det: float) -> LogDensity:
    """Log-density of :math:`u = L^{-1}(x - c)`: :math:`\\log p(c + Lu) + \\log\\det L`."""
    return lambda u: log_density(c + np.asarray(u, dtype=float) @ L.T) + log_det


def normalisation_test(name: str, log_density: LogDensity, d: int, *, rtol: float = 1e-6,
                       pilot=None) -> CheckResult:
    """Adaptive cubature of :math:`\\int_{\\mathbb{R}^d} p(x)\\,dx` compared with 1.

    Passes when cubature converged and :math:`|\\int p - 1| \\le` ``rtol``. With a ``pilot`` sample
    the integral is taken in its whitened coordinates (same value, by the change of variables),
    so that a narrow density far from the origin is not missed by the rule's variable change for
    infinite limits. The evidence records the estimate and cubature's own error estimate.
    """
    if pilot is not None:
        log_density = whitened_log_density(log_density, *whitening(pilot))
    res = integrate.cubature(lambda x: np.exp(log_density(np.asarray(x, dtype=float))), [-np.inf] * d, [np.inf] * d,
                   rtol=1e-7, atol=1e-8, max_subdivisions=20_000)
    estimate = float(np.ravel(res.estimate)[0])
    converged = res.status == "converged"
    ok = converged and abs(estimate - 1.0) <= rtol
    evidence = {"test": "adaptive cubature (scipy.integrate.cubature) of exp(log p) over R^d",
                "dimension": d, "integral": estimate, "quadrature_error_estimate": float(np.ravel(res.error)[0]),
                "cubature_status": res.status, "subdivisions": int(res.subdivisions), "rtol": rtol,
                "coordinates": "whitened pilot" if pilot is not None else "as given"}
    return CheckResult(name, bool(ok), evidence)


#: Largest :math:`|\operatorname{asinh} x_j|` at which the warped proposal's points are evaluated:
#: :math:`\sinh 300 \approx 10^{130}`, so :math:`x^2` and :math:`\log(1 + x^2)` stay finite in float64.
ASINH_LIMIT = 300.0


def importance_normalisation_test(name: str, log_density: LogDensity, pilot, *, rng, n: int = 200_000,
                                  df: float = 3.0, asinh: bool = False,
                                  alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """z-test of :math:`\\int p = 1` by importance sampling from a heavy-tailed proposal g.

    .. math:: E_{x \\sim g}\\Big[\\frac{p(x)}{g(x)}\\Big] = \\int_{\\mathbb{R}^d} p(x)\\,dx

    for any density g that is positive wherever p is, so the mean of n weights is an unbiased
    estimate of the integral and :func:`numerics.stattests.mean_test` compares it with 1 (exact in
    distribution up to the CLT; no quadrature error estimate is trusted). g is a multivariate
    Student t with ``df`` degrees of freedom placed at the mean and covariance of ``pilot`` (any
    sample near p's mass, independent of the draws here). With ``asinh`` the t is placed in the
    coordinates :math:`y_j = \\operatorname{asinh} x_j` and mapped back by :math:`x_j = \\sinh y_j`;
    the Jacobian :math:`\\prod_j (1 + x_j^2)^{-1/2}` is the same for p and g, so the weight equals
    :math:`p_Y(y) / g_Y(y)`, the ratio of the two densities of y.

    Validity: the weights are bounded when p (or :math:`p_Y`) is bounded and has lighter tails than
    the t's polynomial :math:`(1 + |u|^2/\\nu)^{-(\\nu + d)/2}` (Gaussian-type tails, as the caller
    must argue for its density), because the ratio is continuous and tends to 0 at infinity.
    Bounded weights have finite moments of every order, so the z-test's CLT holds. Points with some
    :math:`|y_j| >` :data:`ASINH_LIMIT` cannot be evaluated in float64 and get weight 0: the estimate
    is then of :math:`\\int p` over :math:`|x_j| < 10^{130}`, which differs from 1 by p's mass beyond,
    far below the test's resolution for such tails. The evidence records the largest weight, the
    number of such points, and the smallest relative error detectable with power 0.99.
    """
    gen = np.random.default_rng(rng)
    pilot = np.asarray(pilot, dtype=float)
    pilot = pilot.reshape(len(pilot), -1)
    d = pilot.shape[1]
    c, L, log_det = whitening(np.arcsinh(pilot) if asinh else pilot)
    t = stats.multivariate_t(np.zeros(d), np.eye(d), df=df)
    u = np.asarray(t.rvs(size=n, random_state=gen), dtype=float).reshape(n, d)
    y = c + u @ L.T
    log_g = np.asarray(t.logpdf(u), dtype=float).reshape(n) - log_det  # density of y
    inside = np.all(np.abs(y) <= ASINH_LIMIT, axis=1) if asinh else np.ones(n, dtype=bool)
    points = np.sinh(y[inside]) if asinh else y
    if asinh:  # density of x = sinh(y): divide by dx/dy = prod cosh(y_j) = prod sqrt(1 + x_j^2)
        log_g_x = log_g[inside] - 0.5 * np.log1p(points * points).sum(axis=1)
    else:
        log_g_x = log_g
    weights = np.zeros(n)
    weights[inside] = np.exp(log_density(points) - log_g_x)
    result = mean_test(name, weights, [1.0], alpha=alpha)
    se = float(np.ravel(result.evidence["standard_error"])[0])
    evidence = dict(result.evidence,
                    test="importance sampling E_g[p/g] = integral of p; z-test (CLT, bounded weights)",
                    proposal=f"multivariate t (df={df}) at the pilot's mean and covariance"
                             + (" in asinh coordinates" if asinh else ""),
                    max_weight=float(weights.max()), weight_sd=float(weights.std(ddof=1)),
                    points_beyond_asinh_limit=int(n - inside.sum()),
                    detectable_relative_error=(z_critical(alpha) + float(stats.norm.ppf(0.99))) * se)
    return CheckResult(name, result.passed, evidence)


def quantile_edges(pilot, bins: int, tail: float = 0.005) -> list[np.ndarray]:
    """Per-axis cell edges from quantiles ``tail .. 1 - tail`` of a pilot sample (m, d).

    The pilot must be independent of the samples later tested, so the null distribution holds.
    """
    pilot = np.asarray(pilot, dtype=float)
    pilot = pilot.reshape(len(pilot), -1)
    qs = np.linspace(tail, 1.0 - tail, bins + 1)
    return [np.unique(np.quantile(pilot[:, j], qs)) for j in range(pilot.shape[1])]


def _gauss_legendre_cells(log_density: LogDensity, edges: Sequence[np.ndarray], nodes: int) -> np.ndarray:
    """Probability of every grid cell by a tensor Gauss-Legendre rule with ``nodes`` per axis."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    axes_pts, axes_wts = [], []
    for e in edges:
        half, mid = np.diff(e)[:, None] / 2, (e[:-1] + e[1:])[:, None] / 2
        axes_pts.append(mid + half * t)  # (cells on this axis, nodes)
        axes_wts.append(half * w)
    shape = tuple(len(e) - 1 for e in edges)
    grids = np.meshgrid(*[p.ravel() for p in axes_pts], indexing="ij")
    x = np.stack([g.ravel() for g in grids], axis=1)
    dens = np.exp(log_density(x)).reshape(tuple(len(p.ravel()) for p in axes_pts))
    weights = np.ones(())
    for wts in axes_wts:
        weights = np.multiply.outer(weights, wts.ravel())
    prod = (dens * weights).reshape(tuple(v for s in shape for v in (s, nodes)))
    return prod.sum(axis=tuple(range(1, 2 * len(shape), 2)))  # sum the nodes inside each cell


def _split(edges: Sequence[np.ndarray], parts: int) -> list[np.ndarray]:
    """Each interval of each axis cut into ``parts`` equal pieces."""
    out = []
    for e in edges:
        inner = e[:-1, None] + np.diff(e)[:, None] * np.arange(parts) / parts
        out.append(np.append(inner.ravel(), e[-1]))
    return out


def cell_probabilities(log_density: LogDensity, edges: Sequence[np.ndarray], *, nodes: int = 24, parts: int = 1):
    """``(probabilities, error)`` of the grid cells.

    Each cell is cut into ``parts`` pieces per axis and each piece integrated by a tensor
    Gauss-Legendre rule with ``nodes + 8`` nodes per axis; ``error`` is, cell by cell, the
    difference to the rule with ``nodes`` (a conservative bound on the error of the finer rule).
    """
    fine_edges = _split(edges, parts)
    shape = tuple(v for e in edges for v in (len(e) - 1, parts))

    def summed(n):  # probabilities of the pieces, added up within each cell
        pieces = _gauss_legendre_cells(log_density, fine_edges, n).reshape(shape)
        return pieces.sum(axis=tuple(range(1, len(shape), 2)))

    fine = summed(nodes + 8)
    return fine, np.abs(fine - summed(nodes))


def pooled_chi_square_test(name: str, counts, probabilities, *, min_expected: float = MIN_EXPECTED,
                           alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """Pearson chi-square after pooling every cell with expected count below ``min_expected``.

    The pooled cells form one extra cell (merged into the smallest other cell if the pool is still
    small), so the statistic keeps its chi-square limit: small expected counts would make the tail
    of the statistic, and so the stated alpha, unreliable.
    """
    counts = np.asarray(counts, dtype=float).ravel()
    p = np.asarray(probabilities, dtype=float).ravel()
    p = p / p.sum()
    small = counts.sum() * p < min_expected
    pooled_counts, pooled_p = counts[~small], p[~small]
    if small.any():
        if counts.sum() * p[small].sum() >= min_expected or not len(pooled_p):
            pooled_counts, pooled_p = np.append(pooled_counts, counts[small].sum()), np.append(pooled_p, p[small].sum())
        else:  # the pool itself is too small: merge it into the smallest remaining cell
            j = int(np.argmin(pooled_p))
            pooled_counts, pooled_p = pooled_counts.copy(), pooled_p.copy()
            pooled_counts[j] += counts[small].sum()
            pooled_p[j] += p[small].sum()
    result = chi_square_test(name, pooled_counts, pooled_p, alpha=alpha)
    return CheckResult(name, result.passed, dict(result.evidence, pooled_cells=int(small.sum())))


def binned_chi_square_test(name: str, samples, log_density: LogDensity, edges: Sequence[np.ndarray], *,
                           nodes: int = 24, alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """Chi-square test that ``samples`` (n, d) follow the density ``exp(log_density)``.

    Cells are the grid given by ``edges`` (one array per axis) plus the outside of the grid, whose
    probability is 1 minus the grid's (so the density must integrate to one: check that with
    :func:`normalisation_test`). The quadrature is refined (each cell cut into 2, 4, 8 pieces per
    axis) until it is accurate enough for the test, and the test fails if it never is: errors
    :math:`\\delta_c` of the cell probabilities shift the statistic like a non-centrality
    :math:`n \\sum_c \\delta_c^2 / p_c`, which must stay below 0.1 (the statistic's own standard
    deviation is :math:`\\sqrt{2\\,\\mathrm{dof}}`).
    """
    x = np.asarray(samples, dtype=float)
    x = x.reshape(len(x), -1)
    for parts in (1, 2, 4, 8):  # refine the quadrature until it is accurate enough for the test
        probs, qerr = cell_probabilities(log_density, edges, nodes=nodes, parts=parts)
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = len(x) * float(np.where(qerr > 0, qerr**2 / probs, 0.0).sum())
        if shift <= 0.1:
            break
    counts, _ = np.histogramdd(x, bins=list(edges))
    outside_count = len(x) - counts.sum()
    outside_p = max(0.0, 1.0 - probs.sum())
    result = pooled_chi_square_test(name, np.append(counts.ravel(), outside_count),
                                    np.append(probs.ravel(), outside_p), alpha=alpha)
    accurate = shift <= 0.1
    evidence = dict(result.evidence, grid=[len(e) - 1 for e in edges], quadrature_nodes=nodes + 8,
                    quadrature_pieces_per_axis=parts,
                    quadrature_noncentrality=shift, grid_probability=float(probs.sum()))
    return CheckResult(name, bool(result.passed and accurate), evidence)


def sampler_density_test(name: str, samples, pilot, log_density: LogDensity, *, bins: int = 8,
                         alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """:func:`binned_chi_square_test` in the whitened coordinates of ``pilot`` (m, d).

    With c and :math:`LL^\\top` the pilot's mean and covariance, :math:`u = L^{-1}(x - c)` has density
    :math:`p(c + Lu)\\,|\\det L|`; cells are quantiles of the whitened pilot on each axis. The pilot
    must be independent of ``samples``.
    """
    try:
        c, L, log_det = whitening(pilot)
    except ValueError as exc:  # a sampler whose draws have no density cannot match one
        return CheckResult(name, False, {"test": "Pearson chi-square goodness of fit", "error": str(exc)})
    L_inv = np.linalg.inv(L)
    x = np.asarray(samples, dtype=float)
    u = (x.reshape(len(x), -1) - c) @ L_inv.T
    edges = quantile_edges((np.asarray(pilot, dtype=float).reshape(len(pilot), -1) - c) @ L_inv.T, bins)
    result = binned_chi_square_test(name, u, whitened_log_density(log_density, c, L, log_det), edges, alpha=alpha)
    return CheckResult(name, result.passed, dict(result.evidence, cells_in="whitened pilot coordinates"))


def richardson_test(name: str, fine, coarse, exact, *, order: int, ratio: int = 2, safety: float = 2.0,
                    rtol: float = 1e-7) -> CheckResult:
    """A numerical approximation agrees with the exact value within its own error estimate.

    ``fine`` and ``coarse`` come from a method of the given ``order`` with step sizes h and
    ``ratio`` h. Richardson's estimate of the fine result's error is
    :math:`|\\text{fine} - \\text{coarse}| / (\\text{ratio}^{\\text{order}} - 1)`; the check passes
    when :math:`|\\text{fine} - \\text{exact}| \\le \\text{safety} \\cdot \\text{estimate}
    + \\text{rtol}\\,(1 + |\\text{exact}|)`
    at every point. A method that converges to the wrong value fails however small its steps.
    """
    fine, coarse, exact = (np.asarray(a, dtype=float) for a in (fine, coarse, exact))
    estimate = np.abs(fine - coarse) / (ratio**order - 1)
    error = np.abs(fine - exact)
    bound = safety * estimate + rtol * (1.0 + np.abs(exact))
    ok = bool(np.all(np.isfinite(fine)) and np.all(error <= bound))
    evidence = {"test": "agreement within the step-doubling (Richardson) error estimate", "size": int(error.size),
                "max_abs_error": float(error.max()), "max_error_estimate": float(estimate.max()),
                "max_error_over_bound": float((error / bound).max()), "order": order, "safety": safety,
                "rtol": rtol}
    return CheckResult(name, ok, evidence)

