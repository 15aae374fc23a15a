"""Edges of the chain checker that the rest of the suite left untested (found by mutation testing,
``benchmarks/mutation.py``): refused relations and scopes, steps between two distributions
(families, relations, counterexamples) and how a citation reaches their parameters."""

import pytest
import sympy as sp

from derivations.chain import Step, derive, verify_step
from derivations.status import Status
from derivations.symbolic import Gaussian, Uniform
from derivations.theorems import Citation, Theorem

a = sp.Symbol("a", positive=True)
m = sp.Symbol("m", real=True)
F = sp.Function("F")
G = sp.Function("G")
SQUARE = Theorem("square", "the squaring lemma", r"F(a) = a^2")
NAMED = Theorem("named", "the naming lemma", r"F \sim G")


def _square_rewrite(e):
    """The lemma F(t) = t^2 as a rewrite; it cannot read a sum (raises, as a real rewrite may)."""
    if isinstance(e, sp.Add):
        raise TypeError("the squaring lemma reads no sums")
    t = sp.Dummy("t")
    return e.replace(F, sp.Lambda(t, t**2))


SQUARING = Citation(SQUARE, rewrite=_square_rewrite)


def test_a_relation_outside_eq_le_ge_is_refused():
    with pytest.raises(ValueError, match=r"relation '<' is not one of \('=', '<=', '>='\)"):
        Step(a, "strict", relation="<")
    assert Step(a, "fine", relation=">=").relation == ">="


def test_an_instance_scope_must_name_its_instance():
    with pytest.raises(ValueError, match="scope is 'general' or 'instance: <which instance>'"):
        derive("bare", (a + 1) ** 2, Step(a**2 + 2 * a + 1, "expand"), scope="instance: ")
    c = derive("named", (a + 1) ** 2, Step(a**2 + 2 * a + 1, "expand"), scope="instance: a = 1")
    assert c.scope == "instance: a = 1" and not c.general


def test_two_distributions_of_different_families_fail_by_family():
    r = derive("family", Gaussian(m, 1), Step(Uniform(m - 1, m + 1), "same mean")).verify()
    assert r.verdict is Status.FAILED
    assert r.steps[0].method == "the two distributions differ in relation, family or number of components"


def test_two_distributions_are_never_ordered():
    r = derive("order", Gaussian(m, (a + 1) ** 2), Step(Gaussian(m, a**2 + 2 * a + 1), "expand", "<=")).verify()
    assert r.verdict is Status.FAILED
    assert r.steps[0].method == "the two distributions differ in relation, family or number of components"


def test_a_same_family_step_is_proved_parameter_by_parameter():
    r = derive("expand", Gaussian(m, (a + 1) ** 2), Step(Gaussian(m, a**2 + 2 * a + 1), "expand")).verify()
    assert r.verdict is Status.PROVED and r.steps[0].method.startswith("parameter by parameter: symbolic")
    assert r.steps[0].counterexample is None and r.steps[0].theorem is None


def test_a_wrong_parameter_comes_with_its_counterexample_and_values():
    r = derive("expand", Gaussian(m, (a + 1) ** 2), Step(Gaussian(m, a**2 + 1), "expand (wrong)")).verify()
    step = r.steps[0]
    assert step.verdict is Status.FAILED
    assert step.counterexample is not None and set(step.counterexample) == {"a"}
    assert step.values is not None and len(step.values) == 2 and step.values[0] != step.values[1]


def test_a_rewrite_citation_reaches_the_parameter_it_rewrites():
    r = derive("lemma", Gaussian(F(a), 1), Step(Gaussian(a**2, 1), "the squaring lemma", cite=SQUARING)).verify()
    assert r.verdict is Status.PROVED and r.steps[0].theorem == "square"
    assert "modulo the squaring lemma" in r.steps[0].method


def test_a_rewrite_citation_leaves_alone_a_parameter_it_does_not_touch_or_cannot_read():
    # the covariance (a + 1)^2 = a^2 + 2a + 1 is proved by SymPy alone; citing the lemma there would be
    # refused ("cites ... for what SymPy verifies directly"), so the citation must not reach it
    r = derive("lemma", Gaussian(F(a), (a + 1) ** 2),
               Step(Gaussian(a**2, a**2 + 2 * a + 1), "the squaring lemma", cite=SQUARING)).verify()
    assert r.verdict is Status.PROVED and r.steps[0].theorem == "square"
    assert "cites" not in r.steps[0].method


def test_an_instance_citation_reaches_every_parameter_pair():
    def instance(lhs, rhs, relation):
        return None if (lhs.func, rhs.func) == (F, G) else "not F against G"

    cite = Citation(NAMED, instance=instance)
    r = derive("named", Gaussian(F(a), 1), Step(Gaussian(G(a), 1), "the naming lemma", cite=cite)).verify()
    assert r.verdict is Status.PROVED and r.steps[0].theorem == "named"
    assert r.steps[0].method == "parameter by parameter: an instance of the naming lemma"


def test_an_expression_to_a_distribution_by_a_failing_instance_says_why():
    cite = Citation(NAMED, instance=lambda lhs, rhs, relation: "never an instance")
    r = verify_step(sp.exp(m), Step(Gaussian(m, 1), "the naming lemma", cite=cite), index=1)
    assert r.verdict is Status.FAILED and r.method == "not an instance of the naming lemma: never an instance"
