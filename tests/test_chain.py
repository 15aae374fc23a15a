"""The chain checker proves true steps, rejects wrong ones by name, and never over-claims."""

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations.chain import Step, derive
from derivations.points import symbol_strategy
from derivations.status import Status

a, b = sp.symbols("a b", positive=True)
x = sp.Symbol("x", real=True)
abar = sp.Symbol("alphabar_t", positive=True)
UNIT = sp.Interval.open(0, 1)


def test_true_algebraic_chain_is_proved():
    c = derive("difference of squares", (a + b) * (a - b),
               (sp.Add(a**2, -a * b, a * b, -b**2, evaluate=False), "distribute"),
               (a**2 - b**2, "cross terms cancel"))
    r = c.verify()
    assert r.verdict is Status.PROVED
    assert all(s.method.startswith("symbolic") for s in r.steps)


def test_broken_chain_names_the_wrong_step_and_gives_a_counterexample():
    s_ = sp.Symbol("s", positive=True)
    c = derive("variance of a scaled Gaussian", sp.Mul(4, s_**2, evaluate=False),
               (sp.Pow(sp.Mul(2, s_, evaluate=False), 2, evaluate=False), "scale inside the square"),
               (2 * sp.Symbol("s", positive=True) ** 2, "pull the square out (wrong: drops a factor 2)"))
    r = c.verify()
    assert r.verdict is Status.FAILED
    bad = r.first_failure
    assert bad.index == 2 and "drops a factor" in bad.reason
    assert bad.counterexample is not None and set(bad.counterexample) == {"s"}
    assert bad.values[0] != bad.values[1]


def test_sign_error_is_caught_even_though_it_vanishes_at_zero():
    c = derive("odd function", sp.sin(x) * x, (sp.sin(-x) * x, "sin is even (wrong)"))
    assert c.verify().verdict is Status.FAILED


def test_alpha_for_alphabar_mistake_is_caught_on_the_unit_interval():
    alpha = sp.Symbol("alpha_t", positive=True)
    c = derive("forward mean", sp.sqrt(abar) * sp.sqrt(alpha), (sp.sqrt(abar), "drop alpha_t (wrong)"),
               domains={abar: UNIT, alpha: UNIT})
    r = c.verify()
    assert r.verdict is Status.FAILED
    assert 0 < r.first_failure.counterexample["alphabar_t"] < 1


def test_step_sympy_cannot_decide_is_only_checked():
    # |x| = sqrt(x^2) needs the real assumption; numeric_only forces the point check.
    c = derive("abs", sp.Abs(x), Step(sp.sqrt(sp.Pow(x, 2, evaluate=False), evaluate=False), "definition of |x|",
                                      numeric_only=True))
    r = c.verify()
    assert r.verdict is Status.CHECKED
    assert r.steps[0].method.startswith("numeric")


def test_inequalities_are_verified_in_the_stated_direction():
    good = derive("AM-GM", (a + b) / 2, (sp.sqrt(a * b), "AM-GM", ">="))
    assert good.verify().verdict in (Status.PROVED, Status.CHECKED)
    wrong = derive("reversed AM-GM", (a + b) / 2, (sp.sqrt(a * b), "AM-GM reversed (wrong)", "<="))
    assert wrong.verify().verdict is Status.FAILED


def test_matrix_steps_compare_every_entry():
    m = sp.Matrix([sp.Mul(2, a + b, evaluate=False), sp.Mul(2, b, evaluate=False)])
    ok = derive("scale", m, (sp.Matrix([2 * a + 2 * b, 2 * b]), "entrywise"))
    assert ok.verify().verdict is Status.PROVED
    bad = derive("scale", m, (sp.Matrix([2 * a + 2 * b, b]), "forgot the second entry"))
    assert bad.verify().verdict is Status.FAILED


def test_unevaluated_limits_and_integrals_are_evaluated():
    t = sp.Symbol("t", positive=True)
    c = derive("variance vanishes", sp.Limit((1 - t) ** 2, t, 1, dir="-"), (sp.S(0), "polynomial is continuous"))
    assert c.verify().verdict is Status.PROVED
    g = derive("Gaussian integral", sp.Integral(sp.exp(-(x**2) / 2), (x, -sp.oo, sp.oo)),
               (sp.sqrt(2 * sp.pi), "Gaussian integral"))
    assert g.verify().verdict is Status.PROVED


def test_verification_is_reproducible_by_seed():
    c = derive("wrong", sp.log(a * b), (sp.log(a) * sp.log(b), "log of a product (wrong)"))
    r1, r2 = c.verify(seed=3), c.verify(seed=3)
    assert r1.first_failure.counterexample == r2.first_failure.counterexample


@given(st.data())
def test_symbol_strategy_respects_assumptions_and_domains(data):
    assert data.draw(symbol_strategy(a)) > 0
    v = data.draw(symbol_strategy(abar, UNIT))
    assert 0 < v < 1
    n = sp.Symbol("n", integer=True, positive=True)
    assert data.draw(symbol_strategy(n)) >= 1


def test_a_hint_that_raises_is_recorded_and_shown_not_swallowed():
    from derivations import latex, render

    def broken(e):
        raise RuntimeError("hint bug")

    c = derive("broken hint", sp.sin(a) ** 2 + sp.cos(a) ** 2, Step(sp.S(1), "Pythagoras", simplify=broken))
    r = c.verify()
    (step,) = r.steps
    assert step.verdict is Status.PROVED and step.method == "symbolic (simplify)"
    assert step.hint_error == "RuntimeError: hint bug"
    assert r.to_json()["steps"][0]["hint_error"] == "RuntimeError: hint bug"
    assert "raised RuntimeError: hint bug" in render.chain_block(r)
    assert "its simplification raised" in latex.chain_tex(r) and "hint bug" in latex.chain_tex(r)


def test_a_step_without_a_hint_error_says_none():
    r = derive("fine", (a + b) ** 2, Step(a**2 + 2 * a * b + b**2, "expand")).verify()
    assert r.steps[0].hint_error is None and r.to_json()["steps"][0]["hint_error"] is None


def test_a_chain_on_an_instance_says_so_in_every_output():
    from derivations import latex, render

    c = derive("two terms", (a + b) ** 2, Step(a**2 + 2 * a * b + b**2, "expand"), scope="instance: n = 2")
    r = c.verify()
    assert r.to_json()["scope"] == "instance: n = 2" and not c.general
    assert render.chain_block(r).startswith("Illustration (instance: n = 2): two terms")
    assert r"\textbf{Illustration (instance: n = 2): two terms}" in latex.chain_tex(r)
    assert derive("general", (a + b) ** 2, Step(a**2 + 2 * a * b + b**2, "expand")).general


def test_a_scope_that_is_neither_general_nor_an_instance_is_refused():
    import pytest
    with pytest.raises(ValueError, match="scope is 'general' or 'instance: <which instance>'"):
        derive("bad", a, Step(a, "same"), scope="d = 1")


def test_a_chain_that_proves_nothing_is_refused_with_the_reason():
    import pytest

    from derivations.chain import EmptyChain
    with pytest.raises(EmptyChain, match="proves nothing: its first and last lines both print x"):
        derive("x = x", x, Step(x + 0, "add zero"))  # SymPy evaluates x + 0 to x before the chain sees it
    with pytest.raises(EmptyChain, match=r"step 2 \(commute\) changes nothing"):
        derive("commute", (a + b) ** 2, Step(a**2 + 2 * a * b + b**2, "expand"), Step(b**2 + 2 * a * b + a**2, "commute"))
    assert derive("kept", sp.Add(x, 0, evaluate=False), Step(x, "add zero")).verify().verdict is Status.PROVED


def test_a_step_to_a_distribution_needs_the_theorem_that_concludes_it():
    from derivations import theorems
    from derivations.symbolic import Gaussian
    s, m = sp.symbols("s m", real=True)
    v = sp.Symbol("v", positive=True)
    mgf = sp.exp(s * m) * sp.exp(s**2 * v / 2)
    cited = derive("mgf", mgf, Step(Gaussian(m, v), "uniqueness", cite=theorems.mgf_uniqueness(s))).verify()
    assert cited.verdict is Status.PROVED and cited.steps[0].theorem == "mgf"
    assert cited.to_json()["steps"][0]["rhs"] == "N(m, v)"
    bare = derive("mgf", mgf, Step(Gaussian(m, v), "uniqueness")).verify()
    assert bare.verdict is Status.FAILED and "cited theorem" in bare.steps[0].method
    wrong = derive("mgf", mgf, Step(Gaussian(m, 2 * v), "uniqueness", cite=theorems.mgf_uniqueness(s))).verify()
    assert wrong.verdict is Status.FAILED


def test_two_distributions_are_compared_parameter_by_parameter():
    from derivations.symbolic import Sigmoid, point_masses
    z, u, w = sp.symbols("z u w", real=True)
    written = point_masses((1 / (1 + sp.exp(-z)), 1 - 1 / (1 + sp.exp(-z))), (u, w))
    named = point_masses((Sigmoid(z), Sigmoid(-z)), (u, w))
    ok = derive("weights", written, Step(named, "a sigmoid", simplify=lambda e: sp.simplify(e.rewrite(sp.exp))))
    assert ok.verify().verdict is Status.PROVED
    swapped = point_masses((Sigmoid(-z), Sigmoid(z)), (u, w))
    bad = derive("weights", written, Step(swapped, "swapped", simplify=lambda e: sp.simplify(e.rewrite(sp.exp))))
    assert bad.verify().verdict is Status.FAILED
    other_family = derive("family", written, Step(point_masses((Sigmoid(z),), (u,)), "one atom"))
    assert other_family.verify().verdict is Status.FAILED


def test_a_wrong_step_on_an_expectation_over_a_vector_fails_rather_than_crashes():
    from derivations.symbolic import Expect, GaussianDensity

    j = sp.Symbol("j", integer=True, positive=True)
    d = sp.Symbol("d", integer=True, positive=True)
    e = sp.IndexedBase("epsilon", real=True)
    start = Expect(sp.Sum(e[j] ** 2, (j, 1, d)), e, GaussianDensity(e, 0, 1, d))
    r = derive("wrong", start, Step(2 * d, "twice the dimension (wrong)")).verify()
    assert r.verdict is Status.FAILED and "wrong" in r.first_failure.reason
