"""The stage contract: the run order follows from what stages need, use and provide; a stage
reads what an earlier one provided only if that stage finished cleanly; a declaration that does
not hold is an error when the pipeline is built, or a stage_error finding when a draft runs."""

from __future__ import annotations

import pytest

from screener import Draft, StageContractError, Verdict
from screener.findings import make_finding
from screener.pipeline import run
from screener.stages import CLASS_SCORES, LEXICON_HITS, Key, order_stages, register, unregister

X: Key[str] = Key("x")
Y: Key[str] = Key("y")


class Probe:
    """A stage made of declarations; records what it saw of X."""

    def __init__(self, name, needs=(), uses=(), provides=(), value="v", fail=False):
        self.name, self.needs, self.uses, self.provides = name, needs, uses, provides
        self.value, self.fail, self.saw = value, fail, "unset"

    def __call__(self, context):
        self.saw = context.get(X)
        for key in self.provides:
            context.provide(key, self.value)
        if self.fail:
            raise RuntimeError("broke after providing")
        return []


def names(stages):
    return [s.name for s in stages]


def test_order_follows_needs_and_uses_and_is_otherwise_stable():
    a, b = Probe("a", needs=(X,)), Probe("b", provides=(X,))
    c, d = Probe("c"), Probe("d", uses=(Y,))
    e = Probe("e", provides=(Y,), uses=(X,))
    assert names(order_stages([a, b, c, d, e])) == ["b", "a", "c", "e", "d"]
    assert names(order_stages([c, b, a])) == ["c", "b", "a"]
    # A stage that uses what no chosen stage provides runs anyway, where it was listed.
    assert names(order_stages([d, c])) == ["d", "c"]


def test_a_cycle_is_an_error_naming_the_stages():
    with pytest.raises(StageContractError, match="cycle: 'a', 'b'"):
        order_stages([Probe("a", needs=(X,), provides=(Y,)),
                      Probe("b", uses=(Y,), provides=(X,))])


def test_a_missing_provider_and_a_key_provided_twice_are_errors():
    with pytest.raises(StageContractError, match="'a' needs 'x'.*no registered stage"):
        order_stages([Probe("a", needs=(X,))])
    with pytest.raises(StageContractError, match="'x' is provided by two stages: 'a' and 'b'"):
        order_stages([Probe("a", provides=(X,)), Probe("b", provides=(X,))])
    with pytest.raises(StageContractError, match="Key objects"):
        order_stages([Probe("a", needs=("terms",))])


def test_a_later_stage_reads_what_an_earlier_one_provided(test_screener):
    first, second = Probe("first", provides=(X,), value="hello"), Probe("second", needs=(X,))
    report = run(Draft(title="", body="讲座"), test_screener.resources, [first, second])
    assert second.saw == "hello" and report.verdict is Verdict.PASS


def test_what_a_failing_stage_provided_is_dropped(test_screener):
    first = Probe("first", provides=(X,), fail=True)
    second = Probe("second", uses=(X,))
    report = run(Draft(title="", body="讲座"), test_screener.resources, [first, second])
    assert second.saw is None  # it ran, and did not see the half-finished value
    assert [f.stage for f in report.findings] == ["first"]
    assert report.verdict is Verdict.REVIEW


def test_providing_an_undeclared_key_fails_closed(test_screener):
    report = run(Draft(title="", body="讲座"), test_screener.resources,
                 [_Sneaky(), Probe("after", uses=(X,))])
    [error] = report.findings
    assert error.category == "stage_error" and "does not declare" in error.detail
    assert report.verdict is Verdict.REVIEW


class _Sneaky:
    """Declares nothing and provides anyway."""

    name = "sneaky"

    def __call__(self, context):
        context.provide(X, "not declared")
        return []


class _Forgetful:
    name = "forgetful"
    provides = (X,)

    def __call__(self, context):
        return [make_finding("commercial", stage=self.name, explanation="an advert")]


def test_a_declared_key_not_provided_fails_closed_and_its_findings_are_replaced(test_screener):
    report = run(Draft(title="", body="讲座"), test_screener.resources, [_Forgetful()])
    [error] = report.findings
    assert error.category == "stage_error" and "did not provide" in error.detail


def test_the_built_in_stages_declare_what_they_hand_on(test_screener):
    from screener.stages import build_stages

    stages = {s.name: s for s in build_stages(test_screener.resources)}
    assert stages["terms"].provides == (LEXICON_HITS,)
    assert stages["classify"].uses == (LEXICON_HITS,)
    assert stages["classify"].provides == (CLASS_SCORES,)
    assert stages["images"].uses == (CLASS_SCORES,)


def test_the_classifier_is_one_shared_resource(test_screener):
    from screener.stages import build_stages

    resources = test_screener.resources
    stages = {s.name: s for s in build_stages(resources, ("classify", "images"))}
    assert stages["classify"].classifier is resources.classifier
    assert stages["images"].classifier is resources.classifier


def test_registering_a_name_twice_or_building_a_misnamed_stage_is_an_error(test_screener):
    from screener.stages import build_stages

    with pytest.raises(ValueError, match="registered twice"):
        register("terms")(Probe)
    register("misnamed")(lambda resources: Probe("other"))
    try:
        with pytest.raises(StageContractError, match="registered as 'misnamed' is named 'other'"):
            build_stages(test_screener.resources, ("misnamed",))
    finally:
        unregister("misnamed")
