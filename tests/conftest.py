"""Hypothesis profiles: ``dev`` (fast, random) and ``ci`` (derandomized, no deadline).

Choose with the environment variable HYPOTHESIS_PROFILE; CI=true selects ``ci``.
"""

import os

import pytest

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def install_registry(monkeypatch, parts: dict):
    """Make ``parts`` ({id: (claim, build)}) the only registered answers of the default homework
    (every other part is todo) while ``monkeypatch`` lasts; returns the fake registry."""
    import dataclasses

    from derivations import hw7
    from derivations.registry import Registry

    claimed = tuple(dataclasses.replace(p, claim=parts[p.id][0] if p.id in parts else "todo")
                    for p in hw7.HOMEWORK.parts)
    fake = Registry(dataclasses.replace(hw7.HOMEWORK, parts=claimed), load_sections=False)
    for pid, (claim, build) in parts.items():
        fake.register(pid, status=claim)(build)
    monkeypatch.setattr(hw7, "REGISTRY", fake)
    return fake


@pytest.fixture
def fake_registry(monkeypatch):
    """``fake_registry({id: (claim, build)})`` installs those parts as the only answers."""
    return lambda parts: install_registry(monkeypatch, parts)
