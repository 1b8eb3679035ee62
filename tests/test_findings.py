"""One factory makes findings: the article and the severity come from the policy table."""

from __future__ import annotations

import ast

import pytest

from screener import Severity
from screener.findings import make_finding, stage_error
from screener.ingest import load_draft
from screener.policy import POLICY, rule_for
from screener.settings import REPO_ROOT

SAMPLES = REPO_ROOT / "data" / "samples"


@pytest.mark.parametrize("category", sorted(POLICY))
def test_a_finding_cites_the_article_and_severity_of_its_category(category):
    finding = make_finding(category, stage="x", explanation="why")
    assert (finding.article, finding.severity) == (POLICY[category].article,
                                                   POLICY[category].severity)
    assert (finding.field, finding.start, finding.end, finding.text) == ("draft", 0, 0, "")


def test_a_stage_may_set_the_severity_but_never_the_article():
    finding = make_finding("confidential", stage="classify", severity=Severity.REVIEW,
                           explanation="score 0.4")
    assert finding.severity is Severity.REVIEW
    assert finding.article == rule_for("confidential").article
    with pytest.raises(TypeError):
        make_finding("confidential", stage="x", explanation="", article="第一条")


def test_an_unknown_category_is_refused():
    with pytest.raises(KeyError, match="unknown category 'confidental'"):
        make_finding("confidental", stage="x", explanation="typo")


def test_a_stage_error_is_a_review_naming_the_stage_and_the_problem():
    finding = stage_error("images", "OCR engine missing", field="image:0")
    assert (finding.category, finding.severity, finding.field) == (
        "stage_error", Severity.REVIEW, "image:0")
    assert finding.article == rule_for("stage_error").article
    assert "图片检查" in finding.explanation and "人工" in finding.explanation
    assert "'images'" in finding.detail and "OCR engine missing" in finding.detail


REGULATION = (REPO_ROOT / "docs" / "regulation.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("category", sorted(POLICY))
def test_every_rule_quotes_its_article_word_for_word(category):
    """The words a finding quotes are the rule's own (docs/regulation.txt, as issued), and come
    from the article it cites."""
    rule = POLICY[category]
    number = rule.article.split("（")[0]
    assert rule.quote in REGULATION, category
    articles = [part for part in REGULATION.split("        ") if part.strip().startswith(number)]
    assert any(rule.quote in article for article in articles), (category, number)


@pytest.mark.parametrize("category", sorted(POLICY))
def test_an_explanation_says_what_was_found_then_why_in_the_rules_words(category):
    finding = make_finding(category, stage="x", explanation="发现某物；", detail="tech")
    rule = POLICY[category]
    assert finding.explanation == f"发现某物。依据{rule.article}：“{rule.quote}”。"
    assert finding.detail == "tech"


def test_the_shipped_copy_of_the_rule_is_the_rule():
    shared = REPO_ROOT.parent.parent / "shared" / "regulation.txt"
    if shared.exists():  # the lead's copy, where this checkout has one beside it
        assert shared.read_text(encoding="utf-8") == REGULATION


def test_every_finding_of_the_shipped_screener_agrees_with_the_policy_table(shipped_screener):
    """The shipped lexicons set no article of their own: every finding, whichever stage made it,
    cites its category's article."""
    categories = set()
    for path in sorted([*SAMPLES.glob("*.json"), *(SAMPLES / "flagged").glob("*.json")]):
        report = shipped_screener.screen(load_draft(path, shipped_screener.settings))
        for finding in report.findings:
            categories.add(finding.category)
            assert finding.article == rule_for(finding.category).article, (path.name, finding)
            assert finding.explanation.endswith(f"“{rule_for(finding.category).quote}”。")
            assert finding.detail, (path.name, finding)
    account = shipped_screener.screen_account_name("ＰＫＵ工学小站")
    assert account and all(f.article == rule_for(f.category).article for f in account)
    assert len(categories) >= 3, categories


def test_no_module_builds_a_finding_by_hand():
    """Only screener/findings.py calls Finding(...): a new stage cannot forget the table."""
    package = REPO_ROOT / "screener"
    by_hand = []
    for path in package.rglob("*.py"):
        if path.name == "findings.py" and path.parent == package:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                by_hand.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert by_hand == []
