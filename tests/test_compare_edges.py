"""Edges of ``derive verify``'s comparison that the rest of the suite left untested (found by
mutation testing, ``benchmarks/mutation.py``): the closed form of Gaussian integrals, the test
functions that stand for undefined functions, the domains of indexed entries, and distributions:
components in another order, point masses written as Gaussians, sums over a data set of symbolic
size, and which part of a wrong answer is named."""

import pytest
import sympy as sp

from derivations.answercheck.compare import (_with_test_functions, compare_distributions, compare_expressions,
                                             element_domains, gaussian_integral)
from derivations.answercheck.errors import AnswerError
from derivations.symbolic.distributions import Component, Gaussian, Mixture, PointMass, mixture

z = sp.Symbol("z", real=True)
m, u, v = sp.symbols("m u v", real=True)
s = sp.Symbol("s", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)
HALF = sp.Rational(1, 2)


@pytest.mark.parametrize("integrand, expected", [
    (sp.exp(-z**2 / 2 + z), sp.sqrt(2 * sp.pi) * sp.exp(HALF)),  # completing the square
    (z * sp.exp(-z**2 / 2 + z), sp.sqrt(2 * sp.pi) * sp.exp(HALF)),  # the mean of N(1, 1) is 1
    (z * sp.exp(-z**2 / 2 - 2 * z), -2 * sp.sqrt(2 * sp.pi) * sp.exp(2)),  # the mean of N(-2, 1) is -2
    (z**2 * sp.exp(-z**2 / 2 + z), 2 * sp.sqrt(2 * sp.pi) * sp.exp(HALF)),  # E[Z^2] = 1 + 1^2
    (z**3 * sp.exp(-z**2), 0),
    (z**4 * sp.exp(-z**2 / 2), 3 * sp.sqrt(2 * sp.pi)),
])
def test_gaussian_integrals_have_their_known_closed_forms(integrand, expected):
    found = gaussian_integral(sp.Integral(integrand, (z, -sp.oo, sp.oo)))
    assert sp.simplify(found - expected) == 0
    quadrature = sp.Integral(integrand, (z, -sp.oo, sp.oo)).evalf(30)  # mpmath's quadrature agrees
    assert abs(quadrature - sp.N(expected, 30)) < 1e-20


def test_a_test_function_is_a_unit_gaussian_bump_in_every_argument():
    f, g = sp.Function("f"), sp.Function("g")
    u0, v0 = sp.symbols("u0 v0", real=True)
    for applied in (f(u0), g(u0, v0)):
        log = sp.expand(sp.expand_log(sp.log(_with_test_functions(applied)), force=True))
        assert not log.has(sp.Function) and sp.Poly(log, *applied.args).total_degree() == 2
        for arg in applied.args:
            assert log.coeff(arg, 2) == -HALF  # exp(c_0 + sum_j (c_j a_j - a_j^2 / 2))


def test_indexed_entries_get_the_domain_of_their_base():
    entry, other = sp.Symbol("x[1]", real=True), sp.Symbol("y", real=True)
    out = element_domains((entry + other,), {x: sp.Interval.open(0, 1)})
    assert out[entry] == sp.Interval.open(0, 1) and other not in out


def test_a_numeric_agreement_says_so_in_the_status_and_the_method():
    o = compare_expressions(sp.Max(m, -m), sp.Abs(m))
    assert o.status.verdict == "correct (numerically)" and o.method == "numeric: agreed at 120 random points"


def test_a_distribution_with_one_parameter_agreeing_only_at_points_gives_that_method():
    o = compare_distributions(Mixture((Component(sp.S(1), Gaussian(sp.Max(m, -m), s)),)),
                              Mixture((Component(sp.S(1), Gaussian(sp.Abs(m), s)),)))
    assert o.status.verdict == "correct (numerically)" and o.method == "numeric: agreed at 120 random points"


def test_a_distribution_with_two_parameters_agreeing_only_at_points_counts_them():
    o = compare_distributions(Mixture((Component(sp.S(1), Gaussian(sp.Max(m, -m), 1 + sp.Max(u, -u))),)),
                              Mixture((Component(sp.S(1), Gaussian(sp.Abs(m), 1 + sp.Abs(u))),)))
    assert o.status.verdict == "correct (numerically)"
    assert o.method == "numeric: agreed at 120 random points (and 1 more)"


def test_mixture_components_may_be_listed_in_any_order():
    ref = mixture((sp.Rational(1, 3), sp.Rational(2, 3)), (Gaussian(m, s), Gaussian(u, 2 * s)))
    user = mixture((sp.Rational(2, 3), sp.Rational(1, 3)), (Gaussian(u, 2 * s), Gaussian(m, s)))
    o = compare_distributions(user, ref)  # no domains given: the symbols' own assumptions
    assert o.status.verdict == "correct" and o.method == "symbolic, every parameter"
    # equal weights: only the parameters, at the symbols' probe values, tell the components apart
    halves = mixture((HALF, HALF), (Gaussian(m, s), Gaussian(u, 2 * s)))
    swapped = mixture((HALF, HALF), (Gaussian(u, 2 * s), Gaussian(m, s)))
    assert compare_distributions(swapped, halves).status.verdict == "correct"


def test_a_wrong_weight_is_named_before_the_rest_of_its_component():
    ref = mixture((sp.Rational(1, 3), sp.Rational(2, 3)), (Gaussian(m, s), Gaussian(u, 2 * s)))
    user = mixture((sp.Rational(1, 3), sp.Rational(1, 2)), (Gaussian(m, s), Gaussian(v, 2 * s)))
    o = compare_distributions(user, ref)
    assert o.status.verdict == "incorrect" and o.what == "component 2: the weight"


def test_a_gaussian_without_variance_is_the_point_mass():
    o = compare_distributions(Mixture((Component(sp.S(1), Gaussian(m, 0)),)),
                              Mixture((Component(sp.S(1), PointMass(m)),)))
    assert o.status.verdict == "correct"
    wrong = compare_distributions(Mixture((Component(sp.S(1), Gaussian(m, s)),)),
                                  Mixture((Component(sp.S(1), PointMass(m)),)))
    assert wrong.status.verdict == "incorrect"


def _empirical(weight, lo, hi, extra=()):
    """(1/n) sum_{i=lo}^{hi} N(x_i, s), plus explicit components."""
    return Mixture((Component(weight, Gaussian(x[i], s), (i, lo, hi)), *extra))


def test_a_sum_over_a_data_set_of_symbolic_size_is_tried_at_concrete_sizes():
    ref = _empirical(1 / n, 1, n)
    split = _empirical(1 / n, 1, n - 1, (Component(1 / n, Gaussian(x[n], s)),))  # the last term written out
    o = compare_distributions(split, ref)
    assert o.status.verdict == "correct"
    wrong = compare_distributions(_empirical(1 / (n + 1), 1, n), ref)
    assert wrong.status.verdict == "incorrect" and "n" in wrong.counterexample and "(with n = " in wrong.what
    short = compare_distributions(_empirical(1 / n, 1, n - 1, (Component(1 / n, Gaussian(x[1], s)),)), ref)
    assert short.status.verdict == "incorrect"


def test_a_sum_over_a_data_set_may_use_any_name_for_its_index():
    # the x^{(i)} of a sum over i takes each value of i before it becomes a number-only symbol
    j = sp.Symbol("j", integer=True, positive=True)
    renamed = Mixture((Component(1 / n, Gaussian(x[j], s), (j, 1, n)),))
    assert compare_distributions(renamed, _empirical(1 / n, 1, n)).status.verdict == "correct"
    shifted = Mixture((Component(1 / n, Gaussian(x[j + 1], s), (j, 0, n - 1)),))
    assert compare_distributions(shifted, _empirical(1 / n, 1, n)).status.verdict == "correct"
    off_by_one = Mixture((Component(1 / n, Gaussian(x[j + 1], s), (j, 1, n)),))
    assert compare_distributions(off_by_one, _empirical(1 / n, 1, n)).status.verdict == "incorrect"


def test_a_sum_whose_range_is_not_a_whole_number_is_refused_in_one_line():
    with pytest.raises(AnswerError, match="a symbolic range left after concretizing"):
        compare_distributions(_empirical(2 / n, 1, n / 2), _empirical(1 / n, 1, n))


def test_a_sum_of_vector_components_over_a_data_set_is_written_out_entry_by_entry():
    y = sp.IndexedBase("y", real=True)
    j = sp.Symbol("j", integer=True, positive=True)

    def points(k, lo, hi, shift=0):
        return Mixture((Component(1 / n, Gaussian(sp.Matrix([x[k + shift], y[k + shift]]), s), (k, lo, hi)),))
    ref = points(i, 1, n)
    assert compare_distributions(points(j, 0, n - 1, shift=1), ref).status.verdict == "correct"
    wrong = compare_distributions(points(j, 1, n, shift=1), ref)
    assert wrong.status.verdict == "incorrect" and "(with n = " in wrong.what


def test_a_parameter_summed_over_a_data_set_names_the_size_it_failed_at():
    mean = sp.Sum(x[i], (i, 1, n))
    o = compare_distributions(Mixture((Component(sp.S(1), Gaussian(mean / (n + 1), s)),)),
                              Mixture((Component(sp.S(1), Gaussian(mean / n, s)),)))
    assert o.status.verdict == "incorrect" and o.what == "the mean (with n = 1)" and o.counterexample["n"] == 1


def test_mixtures_that_cannot_be_paired_are_compared_by_moments_and_name_the_first_that_differs():
    two_thirds = mixture((sp.Rational(1, 3), sp.Rational(1, 3)), (Gaussian(m, s), Gaussian(u, s)))
    o = compare_distributions(two_thirds, Mixture((Component(sp.S(1), Gaussian(m, s)),)))
    assert o.status.verdict == "incorrect" and o.what == "the total probability"
    split = mixture((HALF, HALF), (Gaussian(m, s), Gaussian(m, s)))
    o = compare_distributions(split, Mixture((Component(sp.S(1), Gaussian(m, s)),)))
    assert o.status.verdict == "incorrect" and o.what == "the mixture components"
