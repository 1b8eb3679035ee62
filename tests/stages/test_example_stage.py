"""The example extension stage (example_stage.py) registers itself, is put after the stage that
provides what it needs, and its finding cites the article the policy table gives."""

from __future__ import annotations

import importlib
import sys

import pytest

from screener import Draft, Screener, StageContractError, Verdict
from screener.pipeline import run
from screener.policy import rule_for
from screener.stages import LEXICON_HITS, build_stages, registered, unregister

MODULE = "tests.stages.example_stage"
ADVERT = "本店优惠，加微信 shop888，扫码购买，加vx 立减五十元。"


@pytest.fixture
def example():
    """The extension, imported as a deployment would import it; unregistered afterwards so no
    other test screens with it."""
    module = importlib.import_module(MODULE)
    yield module
    unregister(module.NAME)
    sys.modules.pop(MODULE, None)


def test_importing_the_extension_registers_it(example):
    assert example.NAME in registered()


def test_it_runs_in_the_pipeline_after_the_term_stage(example, test_settings):
    screener = Screener(test_settings)
    report = screener.screen(Draft(title="招生", body=ADVERT))
    [finding] = [f for f in report.findings if f.stage == example.NAME]
    rule = rule_for("commercial")
    assert (finding.category, finding.severity, finding.article) == (
        "commercial", rule.severity, rule.article)
    assert "3 different advertising hooks" in finding.explanation
    assert finding.field == "draft" and (finding.start, finding.end) == (0, 0)
    assert report.verdict is Verdict.REVIEW
    assert list(report.timings).index("terms") < list(report.timings).index(example.NAME)


def test_a_clean_draft_gets_nothing_from_it(example, test_settings):
    report = Screener(test_settings).screen(Draft(title="讲座", body="欢迎参加力学前沿讲座。"))
    assert report.verdict is Verdict.PASS and not report.findings
    assert example.NAME in report.timings


def test_asked_for_first_it_still_runs_after_its_provider(example, test_screener):
    stages = build_stages(test_screener.resources, (example.NAME, "terms"))
    assert [s.name for s in stages] == ["terms", example.NAME]


def test_without_its_provider_the_pipeline_is_not_built(example, test_screener):
    with pytest.raises(StageContractError, match="needs 'lexicon_hits'.*'terms'"):
        build_stages(test_screener.resources, (example.NAME,))


class BrokenTerms:
    """Declares the term stage's hits and fails before providing them."""

    name = "broken_terms"
    provides = (LEXICON_HITS,)

    def __call__(self, context):
        raise RuntimeError("matcher crashed")


def test_when_its_provider_fails_it_fails_closed_too(example, test_screener):
    resources = test_screener.resources
    report = run(Draft(title="", body=ADVERT), resources,
                 [BrokenTerms(), example.AdvertHooks(resources)])
    assert [(f.stage, f.category) for f in report.findings] == [
        ("broken_terms", "stage_error"), (example.NAME, "stage_error")]
    assert "needs 'lexicon_hits'" in report.findings[1].detail
    assert report.verdict is Verdict.REVIEW
