"""Links, the runner's proof that a boxed quantity is the conclusion of a general proved chain: every
way a link holds, is only checked, or fails, each with its method (found by mutation testing,
``benchmarks/mutation.py``: no test imported ``derivations.links`` before)."""

import sympy as sp

from derivations.answer import Choice, Quantity
from derivations.chain import Step, derive
from derivations.links import Link, link
from derivations.status import Status
from derivations.symbolic import Gaussian, Uniform
from derivations.symbolic.distributions import Component, Mixture

a = sp.Symbol("a", positive=True)
x, m = sp.symbols("x m", real=True)
i, n = sp.symbols("i n", integer=True, positive=True)
SQUARE = derive("square", (a + 1) ** 2, Step(a**2 + 2 * a + 1, "expand"))


def _verified(*chains):
    return [c.verify() for c in chains]


def test_a_link_serialises_its_four_fields():
    assert Link("q", "c", Status.PROVED, "how").to_json() == {"quantity": "q", "chain": "c", "verdict": "proved",
                                                              "method": "how"}
    assert Link("q", None, Status.CHECKED, "why").to_json()["chain"] is None


def test_an_expression_linked_to_a_proved_general_chain_is_proved():
    got = link(Quantity("square", a**2 + 2 * a + 1, chain="square"), _verified(SQUARE))
    assert got.verdict is Status.PROVED and got.chain == "square" and got.quantity == "square"
    assert got.method.startswith("the chain's last line equals the quantity: symbolic")


def test_a_quantity_without_a_chain_is_only_checked():
    got = link(Quantity("square", a**2 + 2 * a + 1), _verified(SQUARE))
    assert (got.verdict, got.chain, got.method) == (Status.CHECKED, None, "no chain concludes this quantity")


def test_a_chain_title_the_part_does_not_have_fails():
    got = link(Quantity("square", a**2 + 2 * a + 1, chain="cube"), _verified(SQUARE))
    assert (got.verdict, got.method) == (Status.FAILED, "the part has no chain of that title")


def test_an_instance_chain_only_illustrates():
    inst = derive("square", (a + 1) ** 2, Step(a**2 + 2 * a + 1, "expand"), scope="instance: a = 1")
    got = link(Quantity("square", a**2 + 2 * a + 1, chain="square"), _verified(inst))
    assert (got.verdict, got.method) == (Status.CHECKED, "the chain is an illustration (instance: a = 1)")


def test_a_chain_only_checked_or_failed_passes_its_verdict_on():
    checked = derive("abs", sp.Abs(x), Step(sp.sqrt(sp.Pow(x, 2, evaluate=False), evaluate=False), "definition",
                                           numeric_only=True))
    got = link(Quantity("abs", sp.Abs(x), chain="abs"), _verified(checked))
    assert (got.verdict, got.method) == (Status.CHECKED, "the chain is checked, not proved")
    failed = derive("square", (a + 1) ** 2, Step(a**2 + 1, "expand (wrong)"))
    got = link(Quantity("square", a**2 + 1, chain="square"), _verified(failed))
    assert (got.verdict, got.method) == (Status.FAILED, "the chain is failed, not proved")


def test_a_choice_is_settled_by_its_proved_chain():
    got = link(Quantity("option", Choice(("a", "b"), correct={1}), chain="square"), _verified(SQUARE))
    assert (got.verdict, got.method) == (Status.PROVED, "the proved chain settles the choice")


def test_a_quantity_the_chain_does_not_end_in_fails_with_a_counterexample():
    got = link(Quantity("square", a**2 + 1, chain="square"), _verified(SQUARE))
    assert got.verdict is Status.FAILED and got.method.startswith("the chain's last line differs from the quantity")
    # the sum, not the difference, would be nonzero for a right answer too; a wrong one must not pass
    assert link(Quantity("square", -(a**2) - 2 * a - 1, chain="square"), _verified(SQUARE)).verdict is Status.FAILED


def test_a_quantity_equal_only_at_points_is_checked():
    chain = derive("max", sp.Add(sp.Max(x, -x), 0, evaluate=False), Step(sp.Max(x, -x), "add zero"))
    got = link(Quantity("max", sp.Abs(x), chain="max"), _verified(chain))  # SymPy does not prove max(x, -x) = |x|
    assert got.verdict is Status.CHECKED
    assert got.method.startswith("the chain's last line equals the quantity at random points only (numeric: agreed")


def test_matrices_are_linked_entry_by_entry_and_shapes_must_agree():
    col = derive("col", sp.Matrix([(a + 1) ** 2, a]), Step(sp.Matrix([a**2 + 2 * a + 1, a]), "expand"))
    assert link(Quantity("col", sp.Matrix([a**2 + 2 * a + 1, a]), chain="col"), _verified(col)).verdict is Status.PROVED
    wrong = link(Quantity("col", sp.Matrix([a**2 + 2 * a + 1, -a]), chain="col"), _verified(col))
    assert wrong.verdict is Status.FAILED
    for value in (sp.Matrix([[a**2 + 2 * a + 1, a]]), a**2 + 2 * a + 1):  # a row; a scalar
        got = link(Quantity("col", value, chain="col"), _verified(col))
        assert (got.verdict, got.method) == (Status.FAILED, "the chain's conclusion and the quantity have different shapes")
    got = link(Quantity("square", sp.Matrix([a**2 + 2 * a + 1]), chain="square"), _verified(SQUARE))
    assert got.verdict is Status.FAILED and "different shapes" in got.method


GAUSS = derive("law", Gaussian(m, (a + 1) ** 2), Step(Gaussian(m, a**2 + 2 * a + 1), "expand"))


def test_a_distribution_is_linked_parameter_by_parameter():
    got = link(Quantity("law", Gaussian(m, a**2 + 2 * a + 1), chain="law"), _verified(GAUSS))
    assert (got.verdict, got.method) == (Status.PROVED,
                                         "the chain's distribution equals the quantity, parameter by parameter")
    wrong = link(Quantity("law", Gaussian(m, a**2 + 1), chain="law"), _verified(GAUSS))
    assert wrong.verdict is Status.FAILED and wrong.method.startswith("the chain's last line differs")
    other = link(Quantity("law", Uniform(m - 1, m + 1), chain="law"), _verified(GAUSS))
    assert (other.verdict, other.method) == (Status.FAILED,
                                             "the chain's distribution and the quantity differ in family or index")
    two = Mixture((Component(sp.Rational(1, 2), Gaussian(m, a**2 + 2 * a + 1)),
                   Component(sp.Rational(1, 2), Gaussian(m, a**2 + 2 * a + 1))))
    got = link(Quantity("law", two, chain="law"), _verified(GAUSS))
    assert (got.verdict, got.method) == (Status.FAILED, "the chain's distribution and the quantity have different "
                                                        "numbers of components")


def test_a_distribution_summed_over_another_range_differs_in_index():
    def summed(hi):
        return Mixture((Component(1 / n, Gaussian(sp.IndexedBase("y")[i], (a + 1) ** 2), (i, 1, hi)),))
    start = summed(n)
    end = Mixture((Component(1 / n, Gaussian(sp.IndexedBase("y")[i], a**2 + 2 * a + 1), (i, 1, n)),))
    chain = derive("law", start, Step(end, "expand"))
    assert link(Quantity("law", end, chain="law"), _verified(chain)).verdict is Status.PROVED
    shifted = Mixture((Component(1 / n, Gaussian(sp.IndexedBase("y")[i], a**2 + 2 * a + 1), (i, 0, n)),))
    got = link(Quantity("law", shifted, chain="law"), _verified(chain))
    assert (got.verdict, got.method) == (Status.FAILED,
                                         "the chain's distribution and the quantity differ in family or index")


def test_an_expression_and_a_distribution_meet_only_through_a_density():
    got = link(Quantity("square", Gaussian(m, 1), chain="square"), _verified(SQUARE))
    assert (got.verdict, got.method) == (Status.FAILED, "the chain ends in an expression, the quantity is a "
                                                        "distribution with no point")
    got = link(Quantity("law", a**2 + 2 * a + 1, chain="law"), _verified(GAUSS))
    assert (got.verdict, got.method) == (Status.FAILED, "the chain ends in a distribution, the quantity is an expression")
    pdf = sp.exp(-(x - m) ** 2 / 2) / sp.sqrt(2 * sp.pi)
    density = derive("density", sp.exp(-x**2 / 2 + m * x - m**2 / 2) / sp.sqrt(2 * sp.pi), Step(pdf, "a square"))
    got = link(Quantity("density", Gaussian(m, 1, at=x), chain="density"), _verified(density))
    assert got.verdict is Status.PROVED and got.method.startswith("the chain's last line equals the quantity")
    wrong = link(Quantity("density", Gaussian(m, 2, at=x), chain="density"), _verified(density))
    assert wrong.verdict is Status.FAILED
