"""The symbolic toolkit every section derives with: one Gaussian, one sigmoid, one unit interval,
one distribution model, vectors of symbolic dimension, integrals over R^d, one set of targeted
simplifications (hints).

Sections import from here rather than defining their own: a formula written once cannot drift.
"""

from derivations.symbolic.distributions import (Component, Distribution, Gaussian, Mixture, PointMass,
                                                Uniform, as_mixture, mixture, point_masses)
from derivations.symbolic.values import as_expr, entries
from derivations.symbolic.expectation import KL, Expect, linearity
from derivations.symbolic.functions import UNIT, Sigmoid, sigmoid
from derivations.symbolic.gaussian import GaussianDensity, log_normal_pdf, normal_pdf, squared_distance
from derivations.symbolic.vectors import (SquaredNorm, Vector, VectorOf, coordinate, dimension, sift_kronecker,
                                          squared_norm)
from derivations.symbolic.integrals import JacobianDeterminant, VectorIntegral

__all__ = ["KL", "UNIT", "Component", "Distribution", "Expect", "Gaussian", "GaussianDensity", "JacobianDeterminant",
           "Mixture", "PointMass", "Sigmoid", "SquaredNorm", "Uniform", "VectorIntegral", "VectorOf", "as_expr",
           "as_mixture", "entries", "linearity", "log_normal_pdf", "mixture", "normal_pdf", "point_masses",
           "sift_kronecker", "sigmoid", "squared_distance", "squared_norm", "Vector", "dimension",
           "coordinate"]
