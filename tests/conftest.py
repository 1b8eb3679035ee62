"""The one conftest. Tests mirror the package layout; their fixtures live in the modules of
``tests/fixtures/``, loaded below as plugins, so every test sees every fixture by the same name
and a helper is imported from its fixture module (``from tests.fixtures.service import World``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

pytest_plugins = [
    "tests.fixtures.core",
    "tests.fixtures.images",
    "tests.fixtures.classify",
    "tests.fixtures.rescreen",
    "tests.fixtures.service",
    "tests.fixtures.hostile",
    "tests.fixtures.corpus",
    "tests.fixtures.databases",
    "tests.fixtures.sources",
    "tests.fixtures.learning",
    "tests.fixtures.browser",
    "tests.fixtures.statistics",
]

# ci: the same examples every run, a bounded number of them, so CI time is predictable. Bounded
# by count, not by a per-example deadline: on a loaded machine a deadline fails at random.
# soak: many random examples; benchmarks/bench_fuzz.py runs longer campaigns by the clock.
hypothesis_settings.register_profile(
    "ci", derandomize=True, print_blob=True, max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile(
    "soak", max_examples=5000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
