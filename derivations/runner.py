"""Running a part: build its answer, verify its chains, run its checks, decide its status."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from derivations import homeworks
from derivations.answer import Answer
from derivations.chain import ChainResult
from derivations.links import Link, link
from derivations.registry import Registry
from derivations.status import Status
from numerics.stattests import CheckResult


@dataclass
class PartResult:
    """The outcome of running one part."""

    id: str
    title: str
    status: Status
    claim: Status
    seed: int
    answer: Answer | None = None
    chains: list[ChainResult] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def theorems(self) -> list[str]:
        """Keys of the named theorems the part's chains rest on, in order of first use."""
        return list(dict.fromkeys(t for c in self.chains for t in c.theorems))

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "status": Status(self.status).value,
            "claim": Status(self.claim).value,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "chains": [c.to_json() for c in self.chains],
            "links": [link.to_json() for link in self.links],
            "theorems": self.theorems,
            "checks": [c.to_json() for c in self.checks],
        }


def part_seed(part_id: str, seed: int) -> int:
    """The seed a part runs with: ``seed`` mixed with a stable hash of the id.

    Each part is reproducible on its own, whichever other parts run beside it.
    """
    return (seed * 1_000_003 + zlib.crc32(part_id.encode())) % 2**32


def part_rng(part_id: str, seed: int) -> np.random.Generator:
    return np.random.default_rng(part_seed(part_id, seed))


def decide_status(claim: str, chains: list[ChainResult], checks: list[CheckResult], error: str | None,
                  links: list[Link] = ()) -> Status:
    """What a part earned. ``failed`` on any failure (a step, a check, a quantity whose chain ends
    elsewhere). ``proved`` only when the part claims it, every chain was proved (each step by SymPy,
    or as an instance of a named theorem), and every quantity of its answer (at least one) is the
    proved conclusion of a general chain; otherwise ``checked``."""
    if error is not None:
        return Status.FAILED
    if any(c.verdict is Status.FAILED for c in chains) or any(not c.passed for c in checks) or \
            any(link.verdict is Status.FAILED for link in links):
        return Status.FAILED
    if claim == Status.PROVED:
        linked = bool(links) and all(link.verdict is Status.PROVED for link in links)
        if chains and all(c.verdict is Status.PROVED for c in chains) and linked:
            return Status.PROVED
        return Status.CHECKED
    return Status(claim)


def run_part(part_id: str, *, seed: int = 0, with_checks: bool = True,
             registry: Registry | None = None) -> PartResult:
    """Build, verify and check one part; never raises for a failure inside the part."""
    registry = registry or homeworks.registry()
    info = registry.homework.by_id[part_id]
    reg = registry.registration(part_id)
    if reg is None:
        return PartResult(part_id, info.title, Status.TODO, Status.TODO, seed)
    result = PartResult(part_id, info.title, Status.FAILED, reg.claim, seed)
    start = time.perf_counter()
    try:
        answer = reg.build()
        result.answer = answer
        chain_seed = part_seed(part_id, seed)
        from derivations.answercheck.readback import read_back

        result.chains = [c.verify(seed=chain_seed + 97 * i, read_back=read_back) for i, c in enumerate(answer.chains)]
        result.links = [link(q, result.chains) for q in answer.quantities]
        if with_checks:
            rng = part_rng(part_id, seed)
            for check in answer.checks:
                out = check.run(rng)
                result.checks.extend([out] if isinstance(out, CheckResult) else list(out))
    except Exception as exc:  # a broken part is reported as failed, not as a traceback
        result.error = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    result.status = decide_status(reg.claim, result.chains, result.checks, result.error, result.links)
    return result
