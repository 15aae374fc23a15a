"""Expectations kept unevaluated: linearity without integrating (any dimension), and bound variables."""

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations.symbolic import Expect, GaussianDensity, linearity
from derivations.symbolic.expectation import depends_on

z, m = sp.symbols("z m", real=True)
j = sp.Symbol("j", integer=True)
d = sp.Symbol("d", integer=True, positive=True)
e, f, c = (sp.IndexedBase(name, real=True) for name in ("epsilon", "epsilonbar", "c"))


@given(a=st.integers(-3, 3), b=st.integers(-3, 3), k=st.integers(0, 3))
def test_linearity_keeps_the_value_of_a_one_dimensional_expectation(a, b, k):
    q = GaussianDensity(z, m, 1)
    expr = Expect(a + b * z + k * z**2 * m, z, q)
    split = linearity(expr)
    assert all(not isinstance(x.function, sp.Add) and not x.function.is_number for x in split.atoms(Expect))
    assert sp.simplify(split.doit() - expr.doit()) == 0


def test_constants_leave_a_vector_expectation_and_a_density_integrates_to_one():
    q = GaussianDensity(e, 0, 1, d)
    inner = sp.exp(sp.Sum(c[j] * (m + e[j]), (j, 1, d)))
    assert linearity(Expect(inner, e, q) - sp.exp(m * sp.Sum(c[j], (j, 1, d))) * Expect(
        sp.exp(sp.Sum(c[j] * e[j], (j, 1, d))), e, q)) == 0
    assert linearity(Expect(sp.Integer(5), e, q)) == 5


def test_independent_noises_in_nested_expectations_factorise():
    p, q = GaussianDensity(f, 0, 1, d), GaussianDensity(e, 0, 1, d)
    both = Expect(Expect(sp.exp(sp.Sum(c[j] * (f[j] + e[j]), (j, 1, d))), e, q), f, p)
    apart = Expect(sp.exp(sp.Sum(c[j] * f[j], (j, 1, d))), f, p) * Expect(sp.exp(sp.Sum(c[j] * e[j], (j, 1, d))), e, q)
    assert linearity(both - apart) == 0


def test_a_bound_variable_is_not_free_and_not_a_dependence():
    mean = Expect(e[j], e, sp.Function("p")(e))
    assert e not in mean.free_symbols and e[j] not in mean.free_symbols
    assert not depends_on(mean, e) and depends_on(e[j] * mean, e) and not depends_on(c[j], e)
