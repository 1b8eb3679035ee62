from __future__ import annotations

from screener import Finding, Verdict
from screener.lexicon import load_lexicon_dir
from screener.policy import CATEGORIES, POLICY, verdict_of
from screener.settings import REPO_ROOT

SHIPPED_LEXICONS = REPO_ROOT / "lexicons"


def _finding(severity: str) -> Finding:
    return Finding("t", "illegal", severity, "body", 0, 0, "", "", 0.0, "", "")


def test_verdict_is_the_worst_severity():
    assert verdict_of([]) is Verdict.PASS
    assert verdict_of([_finding("review")]) is Verdict.REVIEW
    assert verdict_of([_finding("review"), _finding("block")]) is Verdict.BLOCK


def test_every_article_names_its_subject():
    for rule in POLICY.values():
        assert rule.article.startswith("第") and "（" in rule.article


def test_shipped_lexicons_cover_the_categories_the_rule_names():
    files = load_lexicon_dir(SHIPPED_LEXICONS)
    categories = {f.category for f in files}
    assert {"confidential", "commercial", "illegal", "unhealthy", "major_news",
            "protected_name", "allow"} <= categories
    assert categories - {"allow"} <= set(CATEGORIES)
    assert all(len(f.entries) >= 10 for f in files)
