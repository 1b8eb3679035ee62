"""The pipeline fails closed: a broken stage yields a stage_error finding and a review verdict."""

from __future__ import annotations

import pytest

from screener import Draft, Finding, Verdict
from screener.pipeline import run
from screener.stages import build_stages, registered


class Exploding:
    name = "exploding"

    def __call__(self, context):
        raise RuntimeError("model file missing")


class Lying:
    name = "lying"

    def __call__(self, context):
        return [Finding("lying", "illegal", "block", "body", 0, 3, "not the text", "x", 1.0,
                        "第十一条（内容）", "made up")]


def test_the_built_in_stages_are_registered_and_run_in_the_order_their_needs_give(
        test_screener):
    built_in = ["terms", "hidden", "personal", "classify", "contacts", "images"]
    assert set(built_in) <= set(registered())
    resources = test_screener.resources
    order = [s.name for s in build_stages(resources)]
    assert set(built_in) <= set(order)
    assert order.index("terms") < order.index("classify") < order.index("images")
    assert max(order.index(n) for n in ("terms", "personal", "classify")) < \
        order.index("contacts")
    # Asked for in another order, they still run providers first.
    asked = build_stages(resources, ("images", "classify", "terms"))
    assert [s.name for s in asked] == ["terms", "classify", "images"]
    # the contact stage runs after the stages whose findings say a post sells something
    asked = [s.name for s in build_stages(resources, ("contacts", "personal", "classify",
                                                      "terms"))]
    assert asked[-1] == "contacts" and asked.index("terms") < asked.index("classify")


def test_a_stage_that_raises_gives_review_not_a_crash(test_screener):
    resources = test_screener.resources
    stages = [Exploding(), *build_stages(resources)]
    report = run(Draft(title="讲座", body="一场关于材料科学的讲座"), resources, stages)
    assert report.verdict is Verdict.REVIEW
    [error] = report.findings
    assert error.category == "stage_error" and error.stage == "exploding"
    assert "model file missing" in error.detail
    assert "terms" in report.timings  # the later stages still ran


def test_a_stage_returning_a_bad_span_is_caught(test_screener):
    report = run(Draft(title="", body="普通的新闻"), test_screener.resources, [Lying()])
    assert report.verdict is Verdict.REVIEW
    assert report.findings[0].category == "stage_error"


def test_blocked_term_makes_the_verdict_block_and_carries_the_article(test_screener):
    report = test_screener.screen(Draft(title="", body="代孕和加vx"))
    assert report.verdict is Verdict.BLOCK
    assert {f.category: (f.severity, f.article) for f in report.findings} == {
        "illegal": ("block", "第十一条（内容）"),
        "commercial": ("review", "第十一条（内容）"),
    }
    assert report.lexicon_version.startswith("lex-")
    assert set(report.timings) == {"terms", "images"}


def test_images_are_not_passed_silently(test_screener):
    report = test_screener.screen(Draft(title="讲座", body="欢迎参加", images=("a.png",)))
    assert report.verdict is Verdict.REVIEW
    assert [f.field for f in report.findings] == ["image:0"]


def test_findings_and_reports_are_immutable(test_screener):
    report = test_screener.screen(Draft(title="", body="代孕"))
    with pytest.raises(AttributeError):
        report.findings[0].start = 5
    with pytest.raises(TypeError):
        report.scores["x"] = 1.0


def test_reload_swaps_in_a_new_lexicon(test_settings):
    from screener import Screener
    from screener.lexicon.maintain import Who, add_terms

    screener = Screener(test_settings)
    before = screener.lexicon_version
    assert screener.screen(Draft(title="", body="出售发票")).verdict is Verdict.PASS
    add_terms(test_settings, ["出售发票"], "illegal", Who("alice", "seen in a scam post"))
    after = screener.reload()
    assert after != before
    assert screener.screen(Draft(title="", body="出售发票")).verdict is Verdict.BLOCK
