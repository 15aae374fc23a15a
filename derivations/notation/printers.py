"""How the course writes its objects, as SymPy printers: LaTeX for the documents, Unicode for the
terminal, plain text for JSON. Domain notation lives here as ``_print_<Class>`` methods, never
as string replacement on printed output and never as printing methods on the classes themselves.

* a Gaussian density :math:`\\mathcal{N}(x; \\mu, v)` and the distributions
  :math:`\\mathcal{N}(\\mu, \\Sigma)`, :math:`\\mathcal{U}(a, b)`, :math:`\\delta_{a}` and their mixtures;
* the sigmoid :math:`\\sigma(z)`;
* conditional and joint densities :math:`p_\\theta(x \\mid z)`, :math:`p_\\theta(x, z)` (undefined
  functions named ``<name>_cond`` / ``<name>_post`` and ``<name>_joint``);
* data points :math:`x^{(i)}` (an :class:`DataPoints` base indexed once) and their coordinates
  :math:`x^{(i)}_j` (indexed twice); conditional probabilities :math:`Q(z \\mid x^{(i)})` (a
  :class:`ConditionalTable`); entries of a base named with a power, :math:`\\sigma_z^2`;
* a sum over several indices as nested sums :math:`\\sum_{i=1}^n\\sum_{y=1}^k`;
* the squared norm :math:`\\|v\\|^2` and a vector given by its coordinates :math:`(v_j)_{j=1}^{d}`;
  :math:`x^{(i)}_j` (indexed twice);
* the coordinates before the i-th, :math:`x_{<i}` (a :class:`Prefix` base indexed once);
* integrals over :math:`\\mathbb{R}^d` (:class:`derivations.symbolic.integrals.VectorIntegral`);
* symbols whose names carry braces (``alphabar_{t-1}``, ``x^{(1)}``) as their brace-less names.

>>> import sympy as sp
>>> from derivations.symbolic import GaussianDensity, Sigmoid
>>> x, t = sp.Symbol("x", real=True), sp.Symbol("t", positive=True)
>>> latex(GaussianDensity(x, t * sp.Symbol("x_1"), (1 - t)**2))
'\\\\mathcal{N}\\\\left(x;\\\\ t x_{1},\\\\ \\\\left(1 - t\\\\right)^{2}\\\\right)'
>>> plain(GaussianDensity(x, 0, 1)), plain(Sigmoid(x))
('N(x; 0, 1)', 'sigmoid(x)')
>>> print(pretty(Sigmoid(x)))
σ(x)
>>> latex(DataPoints("x")[sp.Symbol("i")]), latex(sp.Symbol("alphabar_{t-1}"))
('x^{(i)}', '\\\\bar{\\\\alpha}_{t-1}')
>>> latex(DataPoints("x")[sp.Symbol("i")]**2), plain(DataPoints("x")[sp.Symbol("i")])
('\\\\left(x^{(i)}\\\\right)^{2}', 'x^(i)')
>>> latex(DataPoints("X")[sp.Symbol("j")])
'x^{(j)}'
>>> i, j, z, d = sp.symbols("i j z d", integer=True, positive=True)
>>> latex(DataPoints("x")[i, j]), latex(ConditionalTable("Q")[z, i]), latex(sp.IndexedBase("sigma^2")[z])
('x^{(i)}_{j}', 'Q\\\\left(z \\\\mid x^{(i)}\\\\right)', '\\\\sigma_{z}^{2}')
>>> latex(sp.IndexedBase("mu_0")[j])
'\\\\mu_{0,j}'
>>> latex(sp.Sum(sp.IndexedBase("c")[i, z], (z, 1, d), (i, 1, sp.Symbol("n"))))
'\\\\sum_{i=1}^{n} \\\\sum_{z=1}^{d} {c}_{i,z}'
>>> from derivations.symbolic import SquaredNorm, VectorOf
>>> latex(SquaredNorm(DataPoints("x")[i])), plain(VectorOf(DataPoints("x")[i, j], (j, 1, d)))
('\\\\left\\\\|x^{(i)}\\\\right\\\\|^{2}', '(x^(i)_j)_{j=1}^{d}')
>>> i, j = sp.symbols("i j")
>>> latex(DataPoints("X")[i, j]), plain(DataPoints("X")[i, j]), latex(Prefix("x")[i])
('x^{(i)}_{j}', 'x^(i)_j', 'x_{<i}')
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence_traditional
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict
from sympy.printing.str import StrPrinter

from sympy.core.function import AppliedUndef
from sympy.printing.conventions import split_super_sub

from derivations.notation.table import CONDITIONAL_SUFFIXES, GREEK, JOINT_SUFFIXES

GREEK_CHAR = dict(GREEK)


class DataPoints(sp.IndexedBase):
    """The data set :math:`\\{x^{(i)}\\}`: ``X[i]`` prints as :math:`x^{(i)}` and ``X[i, j]``, its
    coordinate :math:`j`, as :math:`x^{(i)}_j`."""


class ConditionalTable(sp.IndexedBase):
    """Conditional probabilities of a label given a data point: ``Q[z, i]`` prints as
    :math:`Q(z \\mid x^{(i)})` (the data set is written ``x``)."""

    given = "x"


class Prefix(sp.IndexedBase):
    """The coordinates before the i-th of a vector :math:`x`: ``Prefix("x")[i]`` prints as :math:`x_{<i}`
    (what an autoregressive model conditions on)."""


def _is_data_point(expr) -> bool:
    """An entry :math:`x^{(i)}` of a data set (a :class:`DataPoints` base indexed once)."""
    return isinstance(expr, sp.Indexed) and isinstance(expr.base, DataPoints) and len(expr.indices) == 1


def _is_coordinate(expr) -> bool:
    """A coordinate :math:`x^{(i)}_j` of a data point (a :class:`DataPoints` base indexed twice)."""
    return isinstance(expr, sp.Indexed) and isinstance(expr.base, DataPoints) and len(expr.indices) == 2


def _is_conditional(expr) -> bool:
    """An entry :math:`Q(z \\mid x^{(i)})` of a :class:`ConditionalTable`."""
    return isinstance(expr, sp.Indexed) and isinstance(expr.base, ConditionalTable) and len(expr.indices) == 2


def _raised_label(expr):
    """``("sigma", "2")`` for an entry of a base named ``sigma^2`` (printed \\sigma_y^2), else None."""
    if not isinstance(expr, sp.Indexed):
        return None
    name, sups, subs = split_super_sub(str(expr.base.label))
    return (name, "".join(sups)) if sups and not subs else None


def _lowered_label(expr):
    """``("mu", "0")`` for an entry of a base named ``mu_0`` (printed \\mu_{0,j}), else None."""
    if not isinstance(expr, sp.Indexed):
        return None
    name, sups, subs = split_super_sub(str(expr.base.label))
    return (name, ",".join(subs)) if subs and not sups else None


def _delimited(expr) -> bool:
    """A function application, or a power of a bracketed base (a sum, an integral, a function
    application): whatever it holds prints inside delimiters, so a product needs no brackets around it."""
    if isinstance(expr, sp.Pow):
        bracketed = (sp.Add, sp.Function, sp.Integral, sp.Sum, sp.Product)
        return isinstance(expr.base, bracketed) and not expr.exp.is_negative
    return isinstance(expr, sp.Function)


def _is_prefix(expr) -> bool:
    """The coordinates :math:`x_{<i}` before the i-th (a :class:`Prefix` base indexed once)."""
    return isinstance(expr, sp.Indexed) and isinstance(expr.base, Prefix) and len(expr.indices) == 1


def _data_letter(base: DataPoints) -> str:
    """The letter a data set prints with. The course writes data points in lower case; a base named
    by the capital (``X``, to keep it apart from a point ``x`` of the same part, which is how the
    answer reader takes :math:`x^{(i)}` beside :math:`x`) prints in lower case too."""
    name = str(base.label)
    return name.lower() if len(name) == 1 else name


def function_stem(name: str) -> tuple[str, str]:
    """``("p_theta", "_cond")`` for ``p_theta_cond``: a function's printed name and its role suffix."""
    for suffix in CONDITIONAL_SUFFIXES + JOINT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def _braceless(sym: sp.Symbol) -> sp.Symbol:
    return sp.Symbol(sym.name.replace("{", "").replace("}", ""))


class _Between(sp.Expr):
    """``lo <= z <= hi``, the event ``(lo <= z) & (z <= hi)`` as one writes it (printing only)."""


def _ordered(rel):
    """``(small, big)`` of ``small <= big`` written either way round, else None."""
    if isinstance(rel, sp.LessThan):
        return rel.lhs, rel.rhs
    if isinstance(rel, sp.GreaterThan):
        return rel.rhs, rel.lhs
    return None


def _event(cond):
    """An event as it is written: ``lo <= z <= hi`` for an interval, else the condition itself."""
    if isinstance(cond, sp.And) and len(cond.args) == 2:
        pairs = [_ordered(c) for c in cond.args]
        if all(pairs):
            for (lo, mid), (mid2, hi) in (pairs, pairs[::-1]):
                if mid == mid2:
                    return _Between(lo, mid, hi)
    return cond


def _network_head(name: str) -> tuple[str, str]:
    """``("NN", "theta")`` for a network named ``NN_theta``."""
    stem, _, sub = name.partition("_")
    return stem, sub


def _point_name(point):
    """The name a network's input prints with: a :class:`Point`'s name, an indexed base's label."""
    if isinstance(point, sp.IndexedBase):
        return point.label
    if type(point).__name__ == "Point":
        return point.args[0]
    return point


def _is_network(expr) -> bool:
    return any(c.__name__ == "NetworkBase" for c in type(expr).__mro__)


def _isotropic(dist) -> bool:
    return isinstance(dist.mean, sp.MatrixBase) or getattr(dist, "isotropic", False)


class CourseLatexPrinter(LatexPrinter):
    """LaTeX in the course's notation (matrices in parentheses, fractions never folded)."""

    def __init__(self, settings=None):
        super().__init__({"mat_delim": "(", "fold_short_frac": False, **(settings or {})})

    def _print_Symbol(self, expr, style="plain"):
        if "{" in expr.name:
            return super()._print_Symbol(_braceless(expr), style)
        return super()._print_Symbol(expr, style)

    def _print_GaussianDensity(self, expr, exp=None):
        if exp is not None:  # a power of the density: the whole call is raised
            return rf"{self._print_GaussianDensity(expr)}^{{{exp}}}"
        x, mean, var = (self._print(a) for a in expr.args[:3])
        scale = r"\, I" if len(expr.args) == 4 or isinstance(expr.args[0], sp.MatrixBase) else ""
        sub = ""
        if len(expr.args) == 4 and not isinstance(expr.args[0], sp.MatrixBase):
            sub = f"_{{{self._print(expr.args[3])}}}"  # x stands for d coordinates: I_d says how many
        if scale and expr.args[2] == 1:
            var, scale = "I" + sub, ""
        elif scale:
            scale += sub
            var = self.parenthesize(expr.args[2], self._mul_precedence())
        return rf"\mathcal{{N}}\left({x};\ {mean},\ {var}{scale}\right)"

    def _print_Sigmoid(self, expr, exp=None):
        tex = rf"\sigma\left({self._print(expr.args[0])}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"

    def _print_Expect(self, expr):
        return rf"\mathbb{{E}}_{{{self._print(expr.density)}}}\left[{self._print(expr.function)}\right]"

    def _print_KL(self, expr):
        q, p, _ = (self._print(a) for a in expr.args)
        return rf"\mathrm{{KL}}\left({q} \,\middle\|\, {p}\right)"

    def _print_Prob(self, expr):
        return rf"P\left({self._print(_event(expr.condition))}\right)"

    def _network_tex(self, name: str) -> str:
        stem, sub = _network_head(name)
        return rf"\mathrm{{{stem}}}_{{{self._print(sp.Symbol(sub))}}}" if sub else rf"\mathrm{{{stem}}}"

    def _print_NetworkBase(self, expr, exp=None):
        j, _, point = expr.args
        tex = rf"{self._network_tex(type(expr).__name__)}({self._print(_point_name(point))})_{{{self._print(j)}}}"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _print_NetworkJacobianBase(self, expr, exp=None):
        j, a, _, point = expr.args
        name = self._print(_point_name(point))
        head = self._network_tex(type(expr).network_name)
        tex = rf"\frac{{\partial {head}({name})_{{{self._print(j)}}}}}{{\partial {name}_{{{self._print(a)}}}}}"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _print_Point(self, expr):
        return self._print(expr.args[0])

    def _print_Coordinate(self, expr):
        return rf"{self._print(expr.args[0])}_{{{self._print(expr.args[1])}}}"

    def _print__Between(self, expr):
        return r" \le ".join(self._print(a) for a in expr.args)

    def _print_Gaussian(self, dist):
        cov = dist.cov
        if _isotropic(dist) and not isinstance(cov, sp.MatrixBase):
            shown = "I" if cov == 1 else f"{self.parenthesize(cov, self._mul_precedence())} I"
        else:
            shown = self._print(cov)
        head = "" if dist.at is None else f"{self._print(dist.at)};\\ "
        return rf"\mathcal{{N}}\left({head}{self._print(dist.mean)},\ {shown}\right)"

    def _print_Uniform(self, dist):
        return rf"\mathcal{{U}}\left({self._print(dist.low)},\ {self._print(dist.high)}\right)"

    def _print_PointMass(self, dist):
        return rf"\delta_{{{self._print(dist.atom)}}}"

    def _print_Component(self, c):
        weight = "" if c.weight == 1 else self.parenthesize(c.weight, self._mul_precedence()) + r"\, "
        body = weight + self._print(c.dist)
        if c.over is None:
            return body
        i, lo, hi = c.over
        return rf"\sum_{{{self._print(i)}={self._print(lo)}}}^{{{self._print(hi)}}} {body}"

    def _print_Mixture(self, m):
        return " + ".join(self._print(c) for c in m.components)

    def _print_Indexed(self, expr):
        if _is_data_point(expr) or _is_coordinate(expr):
            point = f"{self._print(sp.Symbol(_data_letter(expr.base)))}^{{({self._print(expr.indices[0])})}}"
            return point if len(expr.indices) == 1 else f"{point}_{{{self._print(expr.indices[1])}}}"
        if _is_conditional(expr):
            label, (a, i) = self._print(expr.base.label), expr.indices
            given = f"{expr.base.given}^{{({self._print(i)})}}"
            return rf"{label}\left({self._print(a)} \mid {given}\right)"
        if _is_prefix(expr):
            return f"{self._print(expr.base.label)}_{{<{self._print(expr.indices[0])}}}"
        raised = _raised_label(expr)
        if raised is not None:
            indices = ",".join(self._print(i) for i in expr.indices)
            return f"{self._print(sp.Symbol(raised[0]))}_{{{indices}}}^{{{raised[1]}}}"
        lowered = _lowered_label(expr)
        if lowered is not None:
            indices = ",".join([lowered[1], *(self._print(i) for i in expr.indices)])
            return f"{self._print(sp.Symbol(lowered[0]))}_{{{indices}}}"
        return super()._print_Indexed(expr)

    def _print_SquaredNorm(self, expr):
        return rf"\left\|{self._print(expr.args[0])}\right\|^{{2}}"

    def _needs_mul_brackets(self, expr, first=False, last=False) -> bool:
        """Brackets around a factor of a product: never around what is delimited already (a norm, a
        vector of coordinates, a sum inside a function's argument or a bracketed base); always around a
        derivative or a limit that is not the last factor (its operand would be the product that
        follows: ``\\frac{d}{dx} f \\, g`` is the derivative of f g)."""
        if not last and isinstance(expr, (sp.Derivative, sp.Limit)):
            return True
        if type(expr).__name__ in ("SquaredNorm", "VectorOf"):  # delimited already, even around a sum
            return False
        if _delimited(expr):  # a sum inside a function's argument or a bracketed base is enclosed already
            return False
        return super()._needs_mul_brackets(expr, first, last)

    def _print_Sum(self, expr):
        """A sum over several indices as nested sums, outermost first: \\sum_{i=1}^{n} \\sum_{y=1}^{k}."""
        if len(expr.limits) == 1 or any(len(limit) != 3 for limit in expr.limits):
            return super()._print_Sum(expr)
        heads = "".join(r"\sum_{%s=%s}^{%s} " % tuple(self._print(a) for a in limit) for limit in reversed(expr.limits))
        body = self._print(expr.function)
        return heads + (rf"\left({body}\right)" if isinstance(expr.function, sp.Add) else body)

    def _print_VectorOf(self, expr):
        j, lo, hi = (self._print(a) for a in expr.limits)
        return rf"\left({self._print(expr.coordinate)}\right)_{{{j}={lo}}}^{{{hi}}}"

    def _print_JacobianDeterminant(self, expr):
        image, x = expr.args
        if isinstance(image, AppliedUndef) and image.args == (x,):
            return rf"\det J_{{{self._print(sp.Symbol(type(image).__name__))}}}\left({self._print(x)}\right)"
        return rf"\det \frac{{\partial {self._print(image)}}}{{\partial {self._print(x)}}}"

    def _print_VectorIntegral(self, expr):
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = rf"\left({body}\right)"
        x, d = self._print(expr.variable), self._print(expr.dim)
        return rf"\int_{{\mathbb{{R}}^{{{d}}}}} {body} \, d{x}"

    def _print_Function(self, expr, exp=None):
        stem, suffix = function_stem(type(expr).__name__)
        if suffix and len(expr.args) == 2:
            head = self._print(sp.Symbol(stem))
            a, b = (self._print(arg) for arg in expr.args)
            sep = r" \mid " if suffix in CONDITIONAL_SUFFIXES else ", "
            tex = rf"{head}\left({a}{sep}{b}\right)"
            return tex if exp is None else rf"{tex}^{{{exp}}}"
        base, hat, sup = type(expr).__name__.partition("^")
        if hat and base in GREEK_CHAR and isinstance(expr, AppliedUndef):  # Phi^{-1}(u): \Phi^{-1}(u)
            args = ", ".join(self._print(a) for a in expr.args)
            tex = rf"\{base}^{sup}\left({args}\right)"
            return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"
        return super()._print_Function(expr, exp)

    def _mul_precedence(self) -> int:
        return PRECEDENCE["Mul"]

    # -- what reads back: every printed line must be read by the answer reader as what was printed

    def _print_Mul(self, expr):
        """SymPy prints ``-(a - b)`` held unevaluated (``-UnevaluatedExpr(a - b)``) as ``- a - b``:
        a negated single factor of lower precedence than a product keeps its parentheses."""
        if isinstance(expr, sp.Mul) and expr.could_extract_minus_sign():
            rest = -expr
            if not rest.is_Mul and precedence_traditional(rest) < PRECEDENCE["Mul"]:
                return r"- \left(%s\right)" % self._print(rest)
        return super()._print_Mul(expr)

    def _needs_add_brackets(self, expr) -> bool:
        """A term that is itself a sum (an unevaluated one included) is bracketed in a sum."""
        return super()._needs_add_brackets(expr) or precedence_traditional(expr) <= PRECEDENCE["Add"]

    def _print_Derivative(self, expr):
        """A derivative in several variables is written with \\partial (SymPy's d would run the
        letters together: d t d x printed as 'd td x'); a network's coordinate differentiated once is
        the fraction :math:`\\partial \\mathrm{NN}(x)_a / \\partial \\phi_l`."""
        if _is_network(expr.expr) and len(expr.variable_count) == 1 and expr.variable_count[0][1] == 1:
            return rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {self._print(expr.variables[0])}}}"
        if len(expr.variable_count) < 2:
            return super()._print_Derivative(expr)
        saved = self._settings["diff_operator_latex"]
        self._settings["diff_operator_latex"] = r"\partial"
        try:
            return super()._print_Derivative(expr)
        finally:
            self._settings["diff_operator_latex"] = saved

    def _helper_print_standard_power(self, expr, template: str) -> str:
        """A power of an entry printed with a superscript (a data point ``x^{(i)}``, ``\\sigma_{y}^{2}``)
        is ``\\left(x^{(i)}\\right)^{2}``: LaTeX refuses two superscripts in a row."""
        base = self._print(expr.base)
        if isinstance(expr.base, sp.Indexed) and "^" in base:
            return template % (self.parenthesize_super(base), self._print(expr.exp))
        return super()._helper_print_standard_power(expr, template)


class CoursePrettyPrinter(PrettyPrinter):
    """Unicode drawings in the course's notation (never wrapped mid-symbol)."""

    def __init__(self, settings=None):
        super().__init__({"use_unicode": True, "wrap_line": False, **(settings or {})})

    def _print_Symbol(self, e, bold_name=False):
        if "{" in e.name:
            return super()._print_Symbol(_braceless(e), bold_name)
        base, sups, subs = split_super_sub(e.name)
        if any(s in GREEK_CHAR for s in subs) and not sups:  # p_theta: p_θ (Unicode has no subscript θ)
            head = super()._print_Symbol(sp.Symbol(base), bold_name)
            return prettyForm(*stringPict.next(head, "_" + ",".join(GREEK_CHAR.get(s, s) for s in subs)))
        return super()._print_Symbol(e, bold_name)

    def _call(self, head: str, args, separators) -> prettyForm:
        """``head(a; b, c)`` with the given separators between the arguments (expressions or forms)."""
        forms = [a if isinstance(a, prettyForm) else self._print(a) for a in args]
        form = forms[0]
        for sep, arg in zip(separators, forms[1:]):
            form = prettyForm(*stringPict.next(form, sep, arg))
        form = prettyForm(*form.parens())
        return prettyForm(*stringPict.next(head, form))

    def _print_GaussianDensity(self, expr):
        return self._call("𝒩", expr.args[:3], ("; ", ", "))

    def _print_Sigmoid(self, expr):
        return self._call("σ", expr.args, ())

    def _print_Expect(self, expr):
        head = prettyForm(*stringPict.next("𝔼_", self._print(expr.density)))
        body = prettyForm(*self._print(expr.function).parens("[", "]"))
        return prettyForm(*stringPict.next(head, body))

    def _print_KL(self, expr):
        return self._call("KL", expr.args[:2], (" ‖ ",))

    def _print_Prob(self, expr):
        return self._call("P", (_event(expr.condition),), ())

    def _network_text(self, name: str) -> str:
        stem, sub = _network_head(name)
        return f"{stem}_{GREEK_CHAR.get(sub, sub)}" if sub else stem

    def _print_NetworkBase(self, expr):
        j, _, point = expr.args
        return self._print(sp.Symbol(f"{self._network_text(type(expr).__name__)}({_point_name(point)})_{j}"))

    def _print_NetworkJacobianBase(self, expr):
        j, a, _, point = expr.args
        name = _point_name(point)
        head = self._network_text(type(expr).network_name)
        return prettyForm(f"∂{head}({name})_{j}/∂{name}_{a}")

    def _print_Point(self, expr):
        return self._print(expr.args[0])

    def _print_Coordinate(self, expr):
        return self._print(sp.Symbol(f"{_point_name(expr.args[0])}_{expr.args[1]}"))

    def _print_Derivative(self, deriv):
        if _is_network(deriv.expr) and len(deriv.variable_count) == 1 and deriv.variable_count[0][1] == 1:
            out = self._print(deriv.expr)
            var = self._print(deriv.variables[0])
            return prettyForm(*stringPict.next(prettyForm("∂"), out, prettyForm("/∂"), var))
        return super()._print_Derivative(deriv)

    def _print__Between(self, expr):
        form = self._print(expr.args[0])
        for arg in expr.args[1:]:
            form = prettyForm(*stringPict.next(form, " ≤ ", self._print(arg)))
        return form

    def _print_Gaussian(self, dist):
        cov = dist.cov
        if _isotropic(dist) and not isinstance(cov, sp.MatrixBase):
            cov = self._times_identity(cov)
        if dist.at is not None:
            return self._call("𝒩", (dist.at, dist.mean, cov), ("; ", ", "))
        return self._call("𝒩", (dist.mean, cov), (", ",))

    def _times_identity(self, cov) -> prettyForm:
        """``c I`` for a scalar covariance ``c`` of a vector (``I`` alone for 1)."""
        if cov == 1:
            return prettyForm("I")
        form = self._print(cov)
        if isinstance(cov, sp.Add):
            form = prettyForm(*form.parens())
        return prettyForm(*stringPict.next(form, " I"))

    def _print_Uniform(self, dist):
        return self._call("𝒰", (dist.low, dist.high), (", ",))

    def _print_PointMass(self, dist):
        return self._call("δ", (dist.atom,), ())

    def _print_Component(self, c):
        body = self._print(c.dist)
        if c.weight != 1:
            weight = self._print(c.weight)
            if isinstance(c.weight, sp.Add):
                weight = prettyForm(*weight.parens())
            body = prettyForm(*stringPict.next(weight, " ", body))
        if c.over is not None:
            i, lo, hi = c.over
            head = self._print(sp.Symbol(f"∑_{i}={lo}..{hi}"))
            body = prettyForm(*stringPict.next(head, " ", body))
        return body

    def _print_Mixture(self, m):
        form = None
        for c in m.components:
            pic = self._print(c)
            form = pic if form is None else prettyForm(*stringPict.next(form, " + ", pic))
        return form

    def _print_Indexed(self, expr):
        if _is_data_point(expr):
            return self._print(sp.Symbol(f"{_data_letter(expr.base)}⁽{expr.indices[0]}⁾"))
        if _is_coordinate(expr):
            return self._print(sp.Symbol(f"{_data_letter(expr.base)}⁽{expr.indices[0]}⁾_{expr.indices[1]}"))
        if _is_conditional(expr):
            a, i = expr.indices
            return self._call(str(expr.base.label), (a, sp.Symbol(f"{expr.base.given}⁽{i}⁾")), (" | ",))
        raised = _raised_label(expr)
        if raised is not None:
            indices = ",".join(map(str, expr.indices))
            return prettyForm(f"{GREEK_CHAR.get(raised[0], raised[0])}_{indices}^{raised[1]}")
        lowered = _lowered_label(expr)
        if lowered is not None:  # mu_0[j]: μ_0,j
            indices = ",".join([lowered[1], *map(str, expr.indices)])
            return prettyForm(f"{GREEK_CHAR.get(lowered[0], lowered[0])}_{indices}")
        if str(expr.base.label) in GREEK_CHAR:  # mu[z, j]: μ_z,j
            return prettyForm(f"{GREEK_CHAR[str(expr.base.label)]}_{','.join(map(str, expr.indices))}")
        if _is_prefix(expr):
            return prettyForm(f"{expr.base.label}_<{expr.indices[0]}")
        return self.emptyPrinter(expr)

    def _print_SquaredNorm(self, expr):
        inner = self._print(expr.args[0])
        if inner.height() == 1:
            return prettyForm(*stringPict.next("‖", inner, "‖²"))
        form = prettyForm(*prettyForm(*inner.parens("|", "|")).parens("|", "|"))
        return prettyForm(*stringPict.next(form, "²"))

    def _print_VectorOf(self, expr):
        j, lo, hi = expr.limits
        form = prettyForm(*self._print(expr.coordinate).parens())
        return prettyForm(*stringPict.next(form, f"_{j}={lo}..{hi}"))

    def _print_JacobianDeterminant(self, expr):
        image, x = expr.args
        if isinstance(image, AppliedUndef) and image.args == (x,):
            return self._call(f"det J_{type(image).__name__}", (x,), ())
        return self._call("det ∂/∂x", (image,), ())

    def _print_VectorIntegral(self, expr):
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = prettyForm(*body.parens())
        head = prettyForm(f"∫_ℝ^{expr.dim} ")
        return prettyForm(*stringPict.next(head, body, f" d{expr.variable}"))

    def _print_Function(self, e, sort=False, func_name=None, left="(", right=")"):
        stem, suffix = function_stem(type(e).__name__)
        if suffix and len(e.args) == 2:
            sep = " | " if suffix in CONDITIONAL_SUFFIXES else ", "
            return self._call(self._print(sp.Symbol(stem)), e.args, (sep,))
        return super()._print_Function(e, sort, func_name, left, right)


class CourseStrPrinter(StrPrinter):
    """Plain text (JSON, logs): ``N(x; m, v)``, ``sigmoid(z)``, ``p_theta(x | z)``, ``x^(i)``."""

    def _print(self, expr, **kwargs):
        if _is_data_point(expr) or _is_coordinate(expr) or _is_conditional(expr) or _is_prefix(expr):  # before Indexed._sympystr
            return self._print_Indexed(expr)
        return super()._print(expr, **kwargs)

    def _print_GaussianDensity(self, expr, exp=None):
        if exp is not None:  # a power of the density: the whole call is raised
            return rf"{self._print_GaussianDensity(expr)}^{{{exp}}}"
        x, mean, var = (self._print(a) for a in expr.args[:3])
        return f"N({x}; {mean}, {var})"

    def _print_Sigmoid(self, expr):
        return f"sigmoid({self._print(expr.args[0])})"

    def _print_Expect(self, expr):
        return f"E_{{{self._print(expr.density)}}}[{self._print(expr.function)}]"

    def _print_KL(self, expr):
        return f"KL({self._print(expr.args[0])} || {self._print(expr.args[1])})"

    def _print_Prob(self, expr):
        return f"P({self._print(_event(expr.condition))})"

    def _print_NetworkBase(self, expr):
        j, _, point = expr.args
        return f"{type(expr).__name__}({self._print(_point_name(point))})_{self._print(j)}"

    def _print_NetworkJacobianBase(self, expr):
        j, a, _, point = expr.args
        name = self._print(_point_name(point))
        return f"d{type(expr).network_name}({name})_{self._print(j)}/d{name}_{self._print(a)}"

    def _print_Point(self, expr):
        return self._print(expr.args[0])

    def _print_Coordinate(self, expr):
        return f"{self._print(_point_name(expr.args[0]))}_{self._print(expr.args[1])}"

    def _print__Between(self, expr):
        return " <= ".join(self._print(a) for a in expr.args)

    def _print_Gaussian(self, dist):
        head = "" if dist.at is None else f"{self._print(dist.at)}; "
        return f"N({head}{self._print(dist.mean)}, {self._print(dist.cov)})"

    def _print_Uniform(self, dist):
        return f"U({self._print(dist.low)}, {self._print(dist.high)})"

    def _print_PointMass(self, dist):
        return f"delta({self._print(dist.atom)})"

    def _print_Component(self, c):
        weight = "" if c.weight == 1 else f"{self.parenthesize(c.weight, 50)} * "
        over = "" if c.over is None else f"sum_{{{c.over[0]}={c.over[1]}}}^{{{c.over[2]}}} "
        return over + weight + self._print(c.dist)

    def _print_Mixture(self, m):
        return " + ".join(self._print(c) for c in m.components)

    def _print_Indexed(self, expr):
        if _is_data_point(expr):
            return f"{_data_letter(expr.base)}^({self._print(expr.indices[0])})"
        if _is_coordinate(expr):
            return f"{_data_letter(expr.base)}^({self._print(expr.indices[0])})_{self._print(expr.indices[1])}"
        if _is_conditional(expr):
            a, i = expr.indices
            return f"{expr.base.label}({self._print(a)} | {expr.base.given}^({self._print(i)}))"
        if _is_prefix(expr):
            return f"{expr.base.label}_(<{self._print(expr.indices[0])})"
        return super()._print_Indexed(expr)

    def _print_SquaredNorm(self, expr):
        return f"||{self._print(expr.args[0])}||^2"

    def _print_VectorOf(self, expr):
        j, lo, hi = (self._print(a) for a in expr.limits)
        return f"({self._print(expr.coordinate)})_{{{j}={lo}}}^{{{hi}}}"

    def _print_JacobianDeterminant(self, expr):
        image, x = expr.args
        if isinstance(image, AppliedUndef) and image.args == (x,):
            return f"det J_{type(image).__name__}({self._print(x)})"
        return f"det(d({self._print(image)})/d{self._print(x)})"

    def _print_VectorIntegral(self, expr):
        return f"Integral({self._print(expr.function)}, {self._print(expr.variable)} in R^{self._print(expr.dim)})"

    def _print_Function(self, expr):
        stem, suffix = function_stem(type(expr).__name__)
        if suffix and len(expr.args) == 2:  # p_theta(x | z), p_theta(x, z): never the name's suffix
            a, b = (self._print(arg) for arg in expr.args)
            return f"{stem}({a} | {b})" if suffix in CONDITIONAL_SUFFIXES else f"{stem}({a}, {b})"
        return super()._print_Function(expr)


def latex(expr, **settings) -> str:
    """The LaTeX of ``expr`` in the course's notation."""
    return CourseLatexPrinter(settings).doprint(expr)


def pretty_form(expr, **settings) -> prettyForm:
    """The Unicode drawing of ``expr`` as a :class:`prettyForm` (for layouts that place pieces)."""
    return CoursePrettyPrinter(settings)._print(expr)


def pretty(expr, **settings) -> str:
    """The Unicode drawing of ``expr`` in the course's notation."""
    return CoursePrettyPrinter(settings).doprint(expr)


def plain(expr) -> str:
    """One line of plain text for ``expr`` (what JSON carries)."""
    return CourseStrPrinter().doprint(expr)
