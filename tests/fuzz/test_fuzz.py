"""Every fuzz target of targets.py under the active hypothesis profile.

``HYPOTHESIS_PROFILE=ci`` (set by .ci/run) runs a bounded, derandomized number of examples per
target; ``soak`` runs many more; ``benchmarks/bench_fuzz.py`` runs a campaign for minutes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from .targets import TARGETS, FuzzContext


@pytest.fixture(scope="module")
def fuzz_context(test_screener, tmp_path_factory) -> FuzzContext:
    resources = test_screener.resources
    return FuzzContext(test_screener.settings, resources.normalizer, resources.matcher,
                       tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_fuzz_target(target, fuzz_context):
    # the example count comes from the profile; no per-example deadline in any profile (a
    # slow machine is not a bug)
    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(target.strategy)
    def holds(example):
        target.check(fuzz_context, example)

    holds()
