"""Arbitrary differentiable maps (neural networks) written in coordinates, for derivations in
any dimension: the output coordinate :math:`\\mathrm{NN}_\\theta(z)_j`, its Jacobian entries
:math:`\\partial \\mathrm{NN}_\\theta(z)_j / \\partial z_a`, and points of :math:`\\mathbb{R}^k`
given by their coordinates.

A network is an undefined map: SymPy knows nothing of it but the rules of differentiation.

* ``NN(j, theta_l, z)`` is output coordinate ``j`` at the input ``z``, as a function of one
  parameter coordinate ``theta_l`` (the one a partial derivative is taken in; the others are
  fixed). Its derivative in ``theta_l`` stays the unevaluated :math:`\\partial\\mathrm{NN}_\\theta(z)_j/\\partial\\theta_l`.
* The input is a vector: an :class:`sympy.IndexedBase` ``z`` (coordinates ``z[a]``), a
  :class:`Point` given by its coordinates, or a symbol standing for the whole vector (as in
  :math:`\\int_z`; nothing is then known of its coordinates).
* In an input coordinate ``z[a]`` the derivative is the Jacobian entry ``NN.jacobian(j, a, theta_l, z)``;
  through a :class:`Point` whose coordinates depend on ``s`` it is the chain rule,
  :math:`\\sum_{b=1}^{k} \\frac{\\partial \\mathrm{NN}(z)_j}{\\partial z_b}\\,\\frac{\\partial z_b}{\\partial s}`:
  the rule SymPy applies to a function of finitely many arguments, for a symbolic number ``k``.

>>> j, a, k = sp.symbols("j a k", integer=True, positive=True)
>>> theta, phi = sp.symbols("theta_l phi_l", real=True)
>>> NN, enc = network("NN_theta"), network("NN_phi")
>>> z, x, eps = sp.IndexedBase("z"), sp.IndexedBase("x"), sp.IndexedBase("epsilon")
>>> sp.diff(NN(j, theta, z), theta)
Derivative(NN_theta(j, theta_l, z), theta_l)
>>> sp.diff(NN(j, theta, z), z[a])
dNN_theta(j, a, theta_l, z)
>>> g = Point(sp.Symbol("z"), a, enc(a, phi, x) + eps[a], k)
>>> chain_rule = sp.Sum(NN.jacobian(j, a, theta, g) * sp.Derivative(enc(a, phi, x), phi), (a, 1, k))
>>> sp.diff(NN(j, theta, g), phi).as_dummy() == chain_rule.as_dummy()
True
>>> sp.diff(NN(j, theta, g), theta) == sp.Derivative(NN(j, theta, g), theta)
True
>>> sp.diff(g[a] ** 2, phi) == 2 * g[a] * sp.Derivative(enc(a, phi, x), phi), g[a].doit() == g.coordinate(a)
(True, True)
"""

from __future__ import annotations

import sympy as sp


#: The index a :class:`Point` writes its coordinates with, private to it: renaming the indices of
#: the sums around a point (as simplifications do) never changes the point.
_INDEX = sp.Dummy("b", integer=True, positive=True)


class Point(sp.Expr):
    """A point of :math:`\\mathbb{R}^k` given by its coordinates: ``Point(name, a, coordinate, k)`` is
    the vector :math:`(\\text{coordinate}|_{a=1}, \\dots, \\text{coordinate}|_{a=k})`, printed as
    ``name`` (say :math:`z`, with :math:`z = g(\\varepsilon, \\phi, x)` stated beside it). Two points
    with the same coordinates are equal, whatever index wrote them."""

    is_commutative = True

    def __new__(cls, name, *rest):
        if len(rest) == 3:  # (index, coordinate, dim), as written
            index, coordinate, dim = rest
            coordinate = sp.sympify(coordinate).xreplace({index: _INDEX})
        else:  # (coordinate, dim), already in the point's own index (SymPy rebuilding it from its args)
            coordinate, dim = rest
        return sp.Expr.__new__(cls, name, sp.sympify(coordinate), sp.sympify(dim))

    @property
    def name(self):
        return self.args[0]

    @property
    def dim(self):
        return self.args[2]

    def coordinate(self, b):
        """Coordinate ``b`` of the point, written out."""
        return self.args[1].xreplace({_INDEX: b})

    def __getitem__(self, b):
        """Coordinate ``b`` kept as :math:`z_b` (:class:`Coordinate`)."""
        return Coordinate(self, b)

    @property
    def free_symbols(self):
        return (self.args[1].free_symbols - {_INDEX}) | self.dim.free_symbols

    def _eval_derivative(self, s):
        return None  # a vector has no scalar derivative: its coordinates do


class Coordinate(sp.Expr):
    """Coordinate ``b`` of a :class:`Point`, printed :math:`z_b`; it differentiates as the coordinate
    it stands for, and ``doit`` writes it out."""

    is_commutative = True

    def __new__(cls, point, b):
        return sp.Expr.__new__(cls, point, sp.sympify(b))

    @property
    def free_symbols(self):
        return self.args[0].free_symbols | self.args[1].free_symbols

    def _eval_is_real(self):
        return self.args[0].coordinate(self.args[1]).is_real

    def _eval_derivative(self, s):
        return sp.diff(self.args[0].coordinate(self.args[1]), s)

    def doit(self, **hints):
        return self.args[0].coordinate(self.args[1])


class NetworkBase(sp.Function):
    """Coordinate ``j`` of an arbitrary differentiable map: arguments ``(j, parameter, point)``."""

    nargs = 3

    @classmethod
    def eval(cls, *args):
        return None

    @classmethod
    def class_key(cls):
        """Sorted after coordinates such as ``x[j]``, so that a residual prints as :math:`x_j - \\mathrm{NN}(z)_j`."""
        return 6, 0, cls.__name__

    @property
    def point(self):
        return self.args[2]

    def _eval_derivative(self, s):
        j, parameter, point = self.args
        out = sp.S.Zero
        if s == parameter:
            out += sp.Derivative(self, s, evaluate=False)
        elif s in parameter.free_symbols:
            return None
        jacobian = type(self).jacobian
        if isinstance(point, sp.IndexedBase):
            if isinstance(s, sp.Indexed) and s.base == point:
                out += jacobian(j, s.indices[0], parameter, point)
        elif isinstance(point, Point):
            if s in point.free_symbols or point.has(s):
                b = sp.Dummy("a", integer=True, positive=True)
                out += sp.Sum(jacobian(j, b, parameter, point) * sp.diff(point.coordinate(b), s), (b, 1, point.dim))
        elif point.has(s):
            return None  # a symbol standing for a whole vector: its coordinates are unknown
        return out


class NetworkJacobianBase(sp.Function):
    """:math:`\\partial \\mathrm{NN}(z)_j / \\partial z_a`: arguments ``(j, a, parameter, point)``."""

    nargs = 4

    @classmethod
    def eval(cls, *args):
        return None

    def _eval_derivative(self, s):
        return None  # second derivatives are not needed; kept unevaluated


_NETWORKS: dict[str, type] = {}


def network(name: str) -> type:
    """The network named ``name`` (``"NN_theta"`` prints :math:`\\mathrm{NN}_\\theta`): a class of
    :class:`NetworkBase`, with its Jacobian class as ``.jacobian``; the same name gives the same class."""
    if name not in _NETWORKS:
        jac = type("d" + name, (NetworkJacobianBase,), {"network_name": name})
        _NETWORKS[name] = type(name, (NetworkBase,), {"jacobian": jac, "network_name": name})
    return _NETWORKS[name]


__all__ = ["Coordinate", "NetworkBase", "NetworkJacobianBase", "Point", "network"]
