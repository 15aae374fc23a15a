r"""Results for a notebook: they print as the CLI does and render typeset in Jupyter.

:class:`VerdictView` wraps the verdict of one answer (``derive verify``) and :class:`PartView`
the run of one part (``derive show``). ``str()`` and ``repr()`` give the CLI's text; Jupyter shows
``_repr_html_`` (the answer as read typeset with MathJax, the verdict, the counterexample, and the
CLI's text below); ``_repr_latex_`` is a math-mode summary of a verdict for LaTeX export. Every
attribute of the wrapped object is available on the view (``status``, ``correct``, ``report()``,
``to_json()``, ``counterexample``; ``chains``, ``checks`` of a part). Formulas are typeset by the
course's printer, :func:`derivations.notation.latex` (through :func:`derivations.answer_tex.typeset`,
which adds a choice's option and a counterexample's coordinate names).

The counterexample is the point Hypothesis shrinks to, which may differ between processes:

>>> v = verify("8a", "N(sqrt(alpha_t)*x_0, (1-alpha_t)*I)")
>>> print(v)
8a [forward marginal q(x_t | x_0)]: incorrect: the mean differs
  read as:
       ⎛  ____               ⎞
      𝒩⎝╲╱ αₜ ⋅x₀, (1 - αₜ) I⎠
  counterexample: αₜ = ..., α̅ₜ = ..., x₀ = ...
  yours: ...   reference: ...
>>> print(v._repr_latex_())
$\displaystyle \text{8a: incorrect (the mean differs)}\quad \mathcal{N}\left(\sqrt{\alpha_{t}} x_{0},\ \left(1 - \alpha_{t}\right) I\right)\quad \text{counterexample: }\alpha_{t} = ..., \bar{\alpha}_{t} = ..., x_{0} = ...$
>>> v.status, v.correct, v.exit_code, "read as: \\[" in v._repr_html_()
('incorrect', False, 1, True)
"""

from __future__ import annotations

import html
import re

_STATUS_COLOUR = {"correct": "#1a7f37", "correct (numerically)": "#0969da", "incorrect": "#cf222e",
                  "undecided": "#9a6700",
                  "proved": "#1a7f37", "checked": "#0969da", "explained": "#8250df", "failed": "#cf222e",
                  "todo": "#6e7781"}
_TEXT_SAFE = re.compile(r"[^A-Za-z0-9 .,:;()'/-]")


def _tex(value) -> str:
    """LaTeX of a value ('' when it cannot be typeset: the CLI's text below still shows it)."""
    from derivations.answer_tex import typeset

    try:
        return typeset(value)
    except Exception:  # noqa: BLE001 - typesetting is a courtesy; the plain text is always there
        return ""


def _status(status) -> str:
    """A verdict word or a part's status (a :class:`~derivations.status.Status`), coloured."""
    word = str(status)
    colour = _STATUS_COLOUR.get(word, "#6e7781")
    return f'<span style="color:{colour};font-weight:bold">{html.escape(word)}</span>'


def _pre(text: str) -> str:
    return f'<pre style="font-size:90%;margin:0.3em 0">{html.escape(text)}</pre>'


class _View:
    """Attributes fall through to the wrapped object; printing gives the CLI's text."""

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def __getattr__(self, name):
        if name.startswith("__") or name == "_wrapped":  # no wrapped object yet (copy, pickle)
            raise AttributeError(name)
        return getattr(self._wrapped, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self._wrapped)))

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def text(self) -> str:  # pragma: no cover - every view defines it
        raise NotImplementedError


class VerdictView(_View):
    """The verdict on one answer, as :func:`derivations.verify` returns it (see the module)."""

    @property
    def verdict(self):
        """The verdict object itself (:class:`derivations.answercheck.VerifyResult`)."""
        return self._wrapped

    def text(self) -> str:
        """What ``derive verify`` prints."""
        return self._wrapped.report()

    def _head(self) -> str:
        v = self._wrapped
        what = f" ({v.what} differs)" if v.status == "incorrect" and v.what else ""
        return f"{v.part_id}: {v.status}{what}"

    def _repr_latex_(self) -> str:
        v = self._wrapped
        pieces = [r"\text{" + _TEXT_SAFE.sub("", self._head()) + "}"]
        if v.answer is not None:
            tex = _tex(v.answer)
            if tex:
                pieces.append(tex)
        if v.counterexample:
            point = ", ".join(f"{_tex(str(k)) or _TEXT_SAFE.sub('', str(k))} = {_number(x)}"
                              for k, x in v.counterexample.items())
            pieces.append(r"\text{counterexample: }" + point)
        return "$\\displaystyle " + r"\quad ".join(pieces) + "$"

    def _repr_html_(self) -> str:
        v = self._wrapped
        what = f": {html.escape(v.what)} differs" if v.status == "incorrect" and v.what else ""
        out = [f"<div><p><b>{html.escape(v.part_id)}</b> [{html.escape(v.quantity)}]: {_status(v.status)}{what}</p>"]
        tex = _tex(v.answer) if v.answer is not None and v.kind != "choice" else ""
        if tex:
            out.append(f"<p>read as: \\[{html.escape(tex)}\\]</p>")
        if v.counterexample:
            rows = "".join(f"<tr><td>\\({html.escape(_tex(str(k)) or str(k))}\\)</td><td>{html.escape(_number(x))}</td></tr>"
                           for k, x in v.counterexample.items())
            out.append(f"<table><tr><th>counterexample</th><th>value</th></tr>{rows}</table>")
        if v.values:
            out.append(f"<p>yours: {html.escape(str(v.values[0]))} &nbsp; reference: {html.escape(str(v.values[1]))}</p>")
        out.append(_pre(self.text()) + "</div>")
        return "\n".join(out)


class PartView(_View):
    """One part's run (answer, derivations, checks), as :func:`derivations.show` returns it."""

    @property
    def result(self):
        """The run itself (:class:`derivations.runner.PartResult`)."""
        return self._wrapped

    def text(self) -> str:
        """What ``derive show ID`` prints."""
        from derivations import render

        return render.part_report(self._wrapped)

    def tex(self, report: bool = False) -> str:
        """The part's LaTeX fragment of the solution set, as ``derive show ID --latex`` prints it;
        with ``report=True`` its fragment of the verification report (``--latex --report``). Each
        needs its document's preamble, so neither is offered to Jupyter as ``_repr_latex_``."""
        if report:
            from derivations import report as document
        else:
            from derivations import solutions as document

        return document.part_tex(self._wrapped)

    def _repr_html_(self) -> str:
        r = self._wrapped
        out = [f"<div><p><b>{html.escape(r.id)}</b> {html.escape(r.title)}: {_status(r.status)}</p>"]
        answer = r.answer
        for q in (answer.quantities if answer is not None else ()):
            if q.kind == "choice":  # the options are prose: the text below quotes the chosen ones
                chosen = ", ".join(str(k) for k in sorted(q.value.correct))
                out.append(f"<p>{html.escape(q.name)}: option {html.escape(chosen)}</p>")
                continue
            tex = _tex(q.value)
            if tex:
                out.append(f"<p>{html.escape(q.name)}: \\[{html.escape(tex)}\\]</p>")
        out.append(_pre(self.text()) + "</div>")
        return "\n".join(out)


def _number(value) -> str:
    return f"{value:.10g}" if isinstance(value, float) else str(value)


def verify(part_id: str, answer, quantity: str | None = None, seed: int = 0) -> VerdictView:
    """Check an answer to ``part_id``: :func:`derivations.answercheck.verify`, as a view."""
    from derivations.answercheck import verify as _verify

    return VerdictView(_verify(part_id, answer, quantity=quantity, seed=seed))


def show(part_id: str, seed: int = 0) -> PartView:
    """Run one part (its derivations and checks), as a view; an unknown id raises ``KeyError``."""
    from derivations import homeworks
    from derivations.runner import run_part

    registry = homeworks.registry()
    if part_id not in registry.homework.by_id:
        raise KeyError(f"unknown part '{part_id}' (derive list shows the ids)")
    return PartView(run_part(part_id, seed=seed, registry=registry))

