"""Model cards (models/<class>.md): what a model was trained on and how well it does."""

from __future__ import annotations

from .train import (
    BLOCK_FLOOR,
    BLOCK_TARGET_PRECISION,
    CONFIDENTIAL_MIN_PRECISION,
    CONFIDENTIAL_TARGET_RECALL,
    NEVER,
    REVIEW_CAP,
)

PURPOSE = {
    "confidential": "第十一条（内容）: drafts carrying classified or internal-only material "
                    "(classification marks and 保密期限, internal minutes, unpublished exam "
                    "content, classified/defence project details, personal data).",
    "commercial": "第十一条（内容）: unauthorised commercial activity (course and training "
                  "promotion, discounts, 扫码/加微信 to buy, agent recruitment, paid services, "
                  "sponsored product placement, SMS-style spam).",
    "major_news": "第十三条: major news and major matters reserved for central release "
                  "(讣告, appointments and removals, accident and emergency reports, statements "
                  "on public controversies).",
}


def _why(name: str, thresholds: dict[str, float]) -> str:
    if name == "confidential":
        block = ("never (no threshold reached the precision target)" if thresholds["block"] >= 1
                 else f"{thresholds['block']}")
        return (f"Recall first. `review` is the highest cross-validated threshold that still "
                f"finds ≥ {CONFIDENTIAL_TARGET_RECALL:.0%} of confidential drafts at precision ≥ "
                f"{CONFIDENTIAL_MIN_PRECISION:.0%}, capped at {REVIEW_CAP} so that a draft the "
                f"model is only partly sure about still reaches a person. `block` ({block}) is "
                f"the lowest threshold with cross-validated precision ≥ "
                f"{BLOCK_TARGET_PRECISION:.0%}, and never below {BLOCK_FLOOR}: blocking stops "
                "publication outright, so only where the model is very sure.")
    return (f"`review` is the middle of the plateau of best cross-validated F1 (furthest from "
            f"both edges, so least sensitive to where exactly the scores fall). `block` is "
            f"{NEVER}, above any probability: the policy table makes {name} a review matter "
            "(a person decides whether the post was authorised / must go to the dean's office), "
            "so the classifier never blocks on its own.")


def _metrics_table(section: dict, name: str) -> str:
    m = section["classes"][name]
    return (f"| {m['positives']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
            f"{m['tp']} | {m['fp']} | {m['fn']} |")


def render(name: str, report: dict, manifest: dict) -> str:
    thresholds = report["thresholds"][name]
    train, heldout = report["counts"]["train"], report["counts"]["heldout"]
    versions = ", ".join(f"{k} {v}" for k, v in manifest["versions"].items())
    lines = [
        f"# Model card: `{name}` classifier",
        "",
        f"**Purpose.** {PURPOSE[name]}",
        "",
        "**Model.** One head of the `classify` bundle in `models/classify/` (shared vocabulary): "
        "character 2- and 3-grams of the normalized text (digits read as 0), pattern features "
        "(URLs, phone numbers, WeChat/QQ ids, prices, discounts, ID/student/bank-card numbers, "
        "classification marks) and lexicon hits by category; sublinear TF-IDF, L2-normalised; "
        f"logistic regression (C={report['hyperparameters']['C']}, balanced class weights, "
        "liblinear); Platt calibration fitted on out-of-fold scores (5 folds that keep each "
        "template's drafts together). Stored as JSON + "
        "`.npz` (no pickle) with sha256 in `manifest.json`. Scoring uses numpy only.",
        "",
        f"**Trained** with seed {report['seed']}, vocabulary of {report['vocabulary_size']} "
        f"features, with {versions}. Same data, seed and versions give byte-identical model "
        "files (training time is printed by `screener train` and "
        "`benchmarks/bench_classify.py`, not recorded here, so that this card is reproducible "
        "too).",
        "",
        "## Data",
        "",
        "Synthetic, template-generated drafts (`data/samples/corpus/`, see its README): they "
        "resemble the college's posts but are not real ones.",
        "",
        "| split | drafts | positive for this class | confidential | commercial | major_news | "
        "no label |",
        "|---|---|---|---|---|---|---|",
    ]
    for split, counts in (("train", train), ("held-out", heldout)):
        lines.append(f"| {split} | {counts['drafts']} | {counts[name]} | {counts['confidential']}"
                     f" | {counts['commercial']} | {counts['major_news']} | {counts['none']} |")
    lines += [
        "",
        "## Metrics at the review threshold",
        "",
        "| evaluation | positives | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if "cross_validated" in report:
        lines.append(f"| 5-fold cross-validated, grouped by template (train split) "
                     f"{_metrics_table(report['cross_validated'], name)}")
    if "heldout" in report:
        lines.append(f"| held-out split {_metrics_table(report['heldout'], name)}")
    if "embedded" in report:
        lines.append(f"| held-out Weibo posts pasted into held-out news articles "
                     f"{_metrics_table(report['embedded'], name)}")
        held = report["heldout"]
        news, hard = held["news_not_passing"], held["hard_negatives_not_passing"]
        lines += [
            "",
            f"Ordinary news not passing (any classifier at its review threshold), held-out: "
            f"{news['flagged']} of {news['of']}; hard negatives: {hard['flagged']} of "
            f"{hard['of']}.",
        ]
    if "embedded" in report:
        pasted = report["embedded"]
        clean = sum(pasted[g]["of"] for g in ("news_not_passing", "hard_negatives_not_passing"))
        flagged = sum(pasted[g]["flagged"]
                      for g in ("news_not_passing", "hard_negatives_not_passing"))
        lines += [
            "",
            "The pasted row: each short held-out post pasted as one paragraph into a random long "
            "unlabelled held-out article (the way a leak or an advert hides in ordinary news). "
            "Long bodies are also scored passage by passage, which is what finds these: scored "
            "only as a whole, the pasted paragraph is diluted by the article around it. "
            f"Unlabelled posts pasted the same way: {flagged} of {clean} not passing.",
        ]
    errors = []
    for section, title in (("cross_validated", "cross-validated"), ("heldout", "held-out"),
                           ("embedded", "pasted")):
        if section in report:
            m = report[section]["classes"][name]
            for key, what in (("missed_kinds", "missed"), ("false_alarm_kinds", "false alarms")):
                if m.get(key):
                    kinds = ", ".join(f"{k} {n}" for k, n in m[key].items())
                    errors.append(f"- {title}, {what}: {kinds}")
    if errors:
        lines += ["", "Errors by kind of draft:", "", *errors]
    lines += [
        "",
        "## Thresholds",
        "",
        f"`review` = {thresholds['review']}, `block` = {thresholds['block']} "
        "(the values in `screener/policy.py` `THRESHOLDS`; chosen on cross-validated "
        "probabilities of the training split, never on the held-out split).",
        "",
        _why(name, thresholds),
        "",
        "## Limits",
        "",
        "- The data is synthetic. Held-out drafts open with lead sentences and titles that no "
        "training draft uses, and cross-validation folds keep each template's drafts together, "
        "but both still share paragraph templates and slot vocabularies with training: the "
        "figures measure generalisation to new phrasings of familiar content, not to real "
        "posts. Before relying on the model, score a few hundred real, labelled posts and "
        "re-check the thresholds.",
        "- Evidence weights are exact contributions to the log-odds before calibration; the "
        "calibration is monotone, so the ranking of evidence is the ranking of influence.",
        "- Bodies of 400 characters or more are also scored passage by passage (paragraphs, long "
        "ones cut at sentence ends into ≤ 300 characters) and each class keeps its highest "
        "score, so one offending paragraph is not diluted by a long article. Every passage is "
        "one more chance of a false alarm: training adds passages of unflagged drafts as "
        "negatives for that reason. A problem spread thinly over many paragraphs can still be "
        "missed; the lexicon (terms stage) remains the first line for explicit marks.",
        "",
        "Retrain: `screener train` (or `screener.classify.cli.train(Path('models'), "
        "Path('data/samples/corpus'))`); same data and seed give the same files.",
        "",
    ]
    return "\n".join(lines)
