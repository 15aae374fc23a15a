"""Hypothesis profiles: ``dev`` (fast, random) and ``ci`` (derandomized, no deadline).

Choose with the environment variable HYPOTHESIS_PROFILE; CI=true selects ``ci``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
