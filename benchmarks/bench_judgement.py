"""Real-world judgement: the whole pipeline on real text nobody here wrote, held out from training.

    python benchmarks/bench_judgement.py [--corpus DIR] [--build-from /work/.mirror]
                                          [--markdown FILE] [--skip-evasion]

Needs the local real corpus (``screener corpus build``): ``--corpus DIR``, or the corpus_dir
setting's folder, or ``--build-from MIRRORS`` to build it first (into ``--corpus`` or the
setting's folder). Nothing here is committed text; the figures are.

Every text of the corpus's test split (never trained on, never tuned on) and every real clean
text goes through the full screening pipeline (all stages, shipped lexicons and models, a fresh
state folder), as a draft with the text as its title (headlines, notice titles) or body. Printed:

1. per class and per source, precision / recall of the classifiers at the policy thresholds
   (from each report's scores), on real held-out text; fraud scripts (no class of ours) apart;
2. the news pass rate: real education news titles and university notice titles of the test split
   that the classifiers let pass, and that the whole pipeline lets pass;
3. the clean-corpus false-alarm rate of the whole pipeline (any finding that changes the verdict)
   on every real clean text and on the hand-written samples, with the stages that raised it;
4. if ``benchmarks/judgement_evasion.py`` is importable, its evasion table (every technique,
   embedded in real clean titles), its clean-corpus figures and its names/e-mails/links guard set.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CLASSES = ("confidential", "commercial", "major_news")


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "–"


def screen_all(screener, records, progress: str) -> list:
    from screener import Draft

    reports = []
    began = time.perf_counter()
    for i, r in enumerate(records, start=1):
        fields = r.as_draft_fields()
        reports.append(screener.screen(Draft(title=fields["title"], body=fields["body"],
                                             id=r.id)))
        if i % 2000 == 0:
            print(f"  {progress}: {i}/{len(records)} ({time.perf_counter() - began:.0f} s)",
                  file=sys.stderr)
    return reports


def flags(report, thresholds) -> dict[str, bool]:
    return {c: report.scores.get(c, 0.0) >= thresholds[c]["review"] for c in CLASSES}


def class_table(records, reports, thresholds) -> list[str]:
    rows = ["| class | source | positives | precision | recall | TP | FP | FN |",
            "|---|---|---|---|---|---|---|---|"]
    by_source = sorted({r.source for r in records})
    for c in CLASSES:
        for source in ["all", *by_source]:
            tp = fp = fn = 0
            for r, rep in zip(records, reports, strict=True):
                if r.label == "fraud" or (source != "all" and r.source != source):
                    continue
                flagged, positive = flags(rep, thresholds)[c], r.label == c
                tp += flagged and positive
                fp += flagged and not positive
                fn += positive and not flagged
            if source != "all" and not (tp + fn):
                continue
            if source == "all" and not (tp + fn):
                rows.append(f"| {c} | all | 0 (no real positives) | – | – | 0 | {fp} | 0 |")
                continue
            rows.append(f"| {c} | {source} | {tp + fn} | {_ratio(tp, tp + fp)} | "
                        f"{_ratio(tp, tp + fn)} | {tp} | {fp} | {fn} |")
    return rows


def _pipeline_alarm(report) -> bool:
    return report.verdict.value != "pass"


def _stages(report) -> set[str]:
    return {f"{f.stage}:{f.category}" for f in report.findings
            if f.severity.value in ("review", "block")}


def clean_table(name: str, records, reports, thresholds) -> tuple[list[str], dict]:
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    raised: Counter = Counter()
    for r, rep in zip(records, reports, strict=True):
        k = by_kind[r.source]
        k[0] += 1
        k[1] += any(flags(rep, thresholds).values())
        k[2] += _pipeline_alarm(rep)
        if _pipeline_alarm(rep):
            raised.update(_stages(rep))
    total = [sum(v[i] for v in by_kind.values()) for i in range(3)]
    rows = [f"| {name} | texts | not passing the classifiers | not passing the whole pipeline |",
            "|---|---|---|---|"]
    for source, (n, cls, pipe) in sorted(by_kind.items()):
        rows.append(f"| {source} | {n} | {cls} ({cls / n:.2%}) | {pipe} ({pipe / n:.2%}) |")
    rows.append(f"| **all** | {total[0]} | {total[1]} ({total[1] / total[0]:.2%}) | "
                f"{total[2]} ({total[2] / total[0]:.2%}) |")
    return rows, {"texts": total[0], "classifier_alarms": total[1], "pipeline_alarms": total[2],
                  "raised_by": dict(raised.most_common())}


def hand_written(screener) -> tuple[int, int, list[str]]:
    from screener.ingest import load_draft

    folder = ROOT / "data" / "samples" / "clean"
    names = []
    files = sorted(folder.glob("*.json"))
    for path in files:
        report = screener.screen(load_draft(path, screener.settings))
        if _pipeline_alarm(report):
            names.append(f"{path.name} ({', '.join(sorted(_stages(report)))})")
    return len(files), len(names), names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="built corpus folder")
    parser.add_argument("--build-from", type=Path, help="build the corpus first from these "
                                                        "mirrors (e.g. /work/.mirror)")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    parser.add_argument("--skip-evasion", action="store_true")
    args = parser.parse_args(argv)

    from screener import Screener
    from screener.corpus import find_corpus, load_corpus
    from screener.policy import THRESHOLDS
    from screener.settings import load_settings

    home = Path(tempfile.mkdtemp(prefix="bench-judgement-"))
    settings = load_settings(home=home)
    if args.build_from:
        from screener.corpus.build import build

        target = args.corpus or load_settings().corpus_folder
        print(f"building the corpus from {args.build_from} into {target}", file=sys.stderr)
        build(args.build_from, target)
        args.corpus = target
    folder = find_corpus(args.corpus, load_settings())
    if folder is None:
        print("no local corpus: build it with `screener corpus build --from /work/.mirror` or "
              "pass --build-from", file=sys.stderr)
        return 2
    corpus = load_corpus(folder)
    screener = Screener(settings)
    test = corpus.split("test")
    clean_all = corpus.clean()
    out = [f"Corpus {folder} (sha256 `{corpus.digest[:16]}…`, {len(corpus.records)} records); "
           f"test split {len(test)} texts; real clean texts {len(clean_all)}; lexicon "
           f"{screener.lexicon_version}; thresholds from screener/policy.py.", ""]

    began = time.perf_counter()
    test_reports = screen_all(screener, test, "test split")
    by_id = {r.id: rep for r, rep in zip(test, test_reports, strict=True)}
    rest = [r for r in clean_all if r.id not in by_id]
    rest_reports = screen_all(screener, rest, "clean texts")
    by_id.update({r.id: rep for r, rep in zip(rest, rest_reports, strict=True)})
    seconds = time.perf_counter() - began

    out += ["### Classifiers on the real test split (per class and per source)", ""]
    out += class_table(test, test_reports, THRESHOLDS)
    fraud = [(r, rep) for r, rep in zip(test, test_reports, strict=True) if r.label == "fraud"]
    reached = sum(any(flags(rep, THRESHOLDS).values()) for _, rep in fraud)
    blocked = sum(_pipeline_alarm(rep) for _, rep in fraud)
    out += ["", f"Fraud scripts (police, customer-service and acquaintance impersonation; no "
                f"class of ours, never trained on): {reached} of {len(fraud)} reach a "
                f"classifier's review threshold; {blocked} do not pass the whole pipeline.", ""]

    clean_test = [r for r in test if r.clean]
    rows, test_news = clean_table("real clean texts, test split", clean_test,
                                  [by_id[r.id] for r in clean_test], THRESHOLDS)
    out += ["### News pass rate (real education news and university notices, test split)", "",
            *rows, "",
            f"Passing the classifiers: "
            f"{1 - test_news['classifier_alarms'] / test_news['texts']:.4f} (target ≥ 0.97); "
            f"passing the whole pipeline: "
            f"{1 - test_news['pipeline_alarms'] / test_news['texts']:.4f}.", ""]
    rows, all_clean = clean_table("every real clean text (all splits)", clean_all,
                                  [by_id[r.id] for r in clean_all], THRESHOLDS)
    n_hand, hand_alarms, hand_names = hand_written(screener)
    out += ["### Clean-corpus false alarms of the whole pipeline", "", *rows, "",
            f"Whole-pipeline false alarms on every real clean text: {all_clean['pipeline_alarms']}"
            f" of {all_clean['texts']} ({all_clean['pipeline_alarms'] / all_clean['texts']:.2%};"
            f" target ≤ 0.5%), raised by: "
            + (", ".join(f"{k} {v}" for k, v in all_clean["raised_by"].items()) or "nothing")
            + ".", "",
            f"Hand-written clean samples (data/samples/clean): {hand_alarms} of {n_hand} do not "
            f"pass" + (f": {'; '.join(hand_names)}." if hand_names else "."), ""]
    out += [f"Screened {len(test) + len(rest)} real texts in {seconds:.0f} s (one process; "
            "the machine is shared).", ""]

    if not args.skip_evasion:
        try:
            evasion = importlib.import_module("judgement_evasion")
        except ImportError:
            evasion = None
        if evasion is None or not hasattr(evasion, "run"):
            out += ["(benchmarks/judgement_evasion.py is not available: no evasion or guard "
                    "table.)", ""]
        else:
            texts = [r.text for r in clean_all]
            tables = evasion.run(Screener(load_settings(home=Path(tempfile.mkdtemp()))), texts)
            out += ["### Evasions, clean corpus and guard set (benchmarks/judgement_evasion.py)",
                    "", evasion.render(tables), ""]
    text = "\n".join(out)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
