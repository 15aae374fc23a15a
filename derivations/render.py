"""Terminal rendering of part results: the answer, each derivation step and every check."""

from __future__ import annotations

import json
import textwrap

import sympy as sp

from derivations.chain import ChainResult, StepResult
from derivations.runner import PartResult

_MARK = {"proved": "PROVED ", "checked": "CHECKED", "failed": "FAILED ", "explained": "EXPLAINED", "todo": "TODO"}


def pretty(expr) -> str:
    """Unicode pretty-printed math, as SymPy draws it."""
    return sp.pretty(expr, use_unicode=True, wrap_line=False)


def _indent(text: str, n: int = 4) -> str:
    return textwrap.indent(text, " " * n)


def step_block(step: StepResult) -> str:
    """One step: relation and right-hand side, then its reason and verdict."""
    rel = {"=": "=", "<=": "≤", ">=": "≥"}[step.relation]
    body = pretty(step.rhs)
    lines = body.splitlines() or [""]
    mid = len(lines) // 2
    lines = [(f"{rel} " if i == mid else "  ") + line for i, line in enumerate(lines)]
    out = "\n".join(lines)
    out += f"\n      [{step.verdict.value}] {step.reason}  ({step.method})"
    if step.counterexample is not None:
        out += f"\n      counterexample: {step.counterexample}"
        if step.values:
            out += f"; left side {step.values[0]}, right side {step.values[1]}"
    return out


def chain_block(result: ChainResult) -> str:
    head = f"Derivation: {result.chain.title}  [{result.verdict.value}]"
    body = [pretty(result.chain.start)] + [step_block(s) for s in result.steps]
    return head + "\n" + _indent("\n".join(body))


def check_lines(result: PartResult) -> list[str]:
    lines = []
    for c in result.checks:
        ev = {k: v for k, v in c.to_json()["evidence"].items() if k not in ("estimate", "expected", "standard_error")}
        lines.append(f"[{'pass' if c.passed else 'FAIL'}] {c.name}")
        lines.append(_indent(json.dumps(ev, default=str)[:600], 6))
    return lines


def part_report(result: PartResult) -> str:
    """Everything about one part, readable in a terminal."""
    out = [f"{result.id}  {result.title}", f"status: {result.status} (claims {result.claim}; seed {result.seed})"]
    if result.error:
        out.append(f"error: {result.error}")
    if result.answer is not None:
        out += ["", "Answer:", _indent(result.answer.summary.strip())]
        if result.answer.explanation:
            out += ["", "Why:", _indent(textwrap.fill(" ".join(result.answer.explanation.split()), 96))]
    for chain in result.chains:
        out += ["", chain_block(chain)]
    if result.answer is not None and result.answer.checks:
        out += ["", "Checks:"] + [_indent(f"- {c.name}: {c.claim}") for c in result.answer.checks]
    if result.checks:
        out += ["", "Check results:"] + [_indent(line) for line in check_lines(result)]
    return "\n".join(out)


def status_table(rows: list[tuple[str, str, str]]) -> str:
    """A plain table of (id, status, title)."""
    width = max((len(r[0]) for r in rows), default=2)
    return "\n".join(f"{pid:<{width}}  {_MARK.get(status, status):<9}  {title}" for pid, status, title in rows)
