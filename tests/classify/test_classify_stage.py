"""The classify stage in the pipeline: scores, findings, thresholds, failing closed."""

from __future__ import annotations

import pytest

import screener.stages.classify  # noqa: F401  (registers the stage)
from screener.classify import CLASSES
from screener.model import Draft, Severity, Verdict
from screener.pipeline import run
from screener.policy import THRESHOLDS, rule_for
from screener.stages import build_stages


@pytest.fixture(scope="module")
def stages(resources):
    return build_stages(resources, ("classify",))


def screen(draft, resources, stages):
    return run(draft, resources, stages)


def test_thresholds_cover_every_class():
    for name in CLASSES:
        assert 0 < THRESHOLDS[name]["review"] <= THRESHOLDS[name]["block"]


def test_scores_and_a_whole_draft_finding(resources, stages):
    draft = Draft(title="考研数学冲刺班最后3个名额", body="原价1980元，现在报名只要999元！"
                  "感兴趣的同学私我，微信号：kaoyan_2024，支持分期，名额有限先到先得。")
    report = screen(draft, resources, stages)
    assert set(report.scores) == set(CLASSES)
    (finding,) = [f for f in report.findings if f.category == "commercial"]
    assert finding.stage == "classify" and finding.field == "draft"
    assert (finding.start, finding.end, finding.text, finding.term) == (0, 0, "", "")
    assert finding.score == report.scores["commercial"] >= THRESHOLDS["commercial"]["review"]
    assert finding.article == rule_for("commercial").article
    assert finding.evidence and "strongest evidence" in finding.detail
    assert report.verdict is Verdict.REVIEW


def test_confidential_blocks_when_sure(resources, stages):
    draft = Draft(title="党政联席会纪要（第3期）",
                  body="本纪要仅限参会人员阅知。会议投票推荐张伟、李娜晋升教授，其中李娜得票5票，"
                       "未达到三分之二，请大家不要议论。绩效分配方案暂不公开，请勿向外传播。")
    report = screen(draft, resources, stages)
    (finding,) = [f for f in report.findings if f.category == "confidential"]
    assert finding.severity is Severity.BLOCK


def test_ordinary_news_and_hard_negatives_pass(resources, stages, heldout):
    clean = [r for r in heldout if not r["labels"]]
    flagged = [r["id"] for r in clean
               if screen(Draft(title=r["title"], body=r["body"]), resources, stages).findings]
    assert len(flagged) <= 0.05 * len(clean), flagged


def _with_models(resources, folder):
    import dataclasses

    settings = resources.settings.model_copy(update={"model_dir": folder})
    return dataclasses.replace(resources, settings=settings, model=None)  # the shipped one


def test_missing_model_fails_closed(resources, tmp_path):
    resources = _with_models(resources, tmp_path)
    report = run(Draft(title="", body="工学院举办学术讲座。"), resources,
                 build_stages(resources, ("classify",)))
    (finding,) = report.findings
    assert finding.category == "stage_error" and report.verdict is Verdict.REVIEW
    assert "ModelMissingError" in finding.detail


def test_tampered_model_fails_closed(resources, tmp_path, shipped_dir):
    import shutil

    shutil.copytree(shipped_dir, tmp_path / "classify")
    with (tmp_path / "classify" / "vocabulary.json").open("a", encoding="utf-8") as handle:
        handle.write(" ")
    resources = _with_models(resources, tmp_path)
    report = run(Draft(title="", body="工学院举办学术讲座。"), resources,
                 build_stages(resources, ("classify",)))
    assert [f.category for f in report.findings] == ["stage_error"]
    assert "ModelTamperedError" in report.findings[0].detail


def test_policy_thresholds_are_the_ones_the_model_cards_describe(shipped_model):
    # Retraining records new thresholds in the manifest and the cards; the policy table must be
    # updated with them, or the cards would describe thresholds nobody uses.
    assert {name: THRESHOLDS[name] for name in CLASSES} == shipped_model.metadata["thresholds"]


def test_hand_written_clean_samples_pass(resources, stages):
    import json

    from screener.settings import REPO_ROOT

    paths = sorted((REPO_ROOT / "data" / "samples" / "clean").glob("*.json"))
    if not paths:
        pytest.skip("no hand-written clean samples")
    flagged = []
    for path in paths:
        record = json.loads(path.read_text(encoding="utf-8"))
        draft = Draft(title=record.get("title", ""), body=record.get("body", ""))
        if screen(draft, resources, stages).findings:
            flagged.append(path.stem)
    assert len(flagged) <= 0.05 * len(paths), flagged


def test_a_leak_pasted_into_a_long_article_is_found(resources, stages, heldout):
    host = next(r for r in heldout if not r["labels"] and len(r["body"]) > 1200)
    leak = ("本纪要仅限参会人员阅知：会议投票推荐张伟、李娜晋升教授，其中李娜得票5票，"
            "未达到三分之二，名单尚未公布，请大家不要议论。")
    paragraphs = host["body"].split("\n")
    body = "\n".join([*paragraphs[:2], leak, *paragraphs[2:]])
    report = screen(Draft(title=host["title"], body=body), resources, stages)
    (finding,) = [f for f in report.findings if f.category == "confidential"]
    assert "passage" in finding.detail and "这一段" in finding.explanation
    start = body.index(leak)
    spans = [span for item in finding.evidence for span in item.spans]
    assert spans and all(f == "body" and start <= s < e <= start + len(leak) for f, s, e in spans)


def test_lexicon_features_reuse_the_terms_stage_hits(resources):
    """The classifier scores the same whether it reuses the term hits or matches again."""
    from screener.stages import build_stages

    draft = Draft(title="", body="本店优惠价出售，详情加ｖｘ：shop888，扫码购买立减五十元。")
    alone = run(draft, resources, build_stages(resources, ("classify",)))
    after_terms = run(draft, resources, build_stages(resources, ("terms", "classify")))
    assert alone.scores == after_terms.scores and alone.scores["commercial"] > 0.5
