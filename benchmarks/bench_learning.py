"""The learning curve: does feedback from reviewers teach the classifiers something they can use
on other real text?

    python benchmarks/bench_learning.py [--corpus DIR] [--steps 50,100,200,400]
                                        [--curves sms,copy] [--markdown FILE] [--json FILE]

Needs the local real corpus (``screener corpus build``). Feedback is N real labelled texts of
ONE source, the SMS messages (advertisements and ordinary messages, labelled by the corpus's
rules), taken from the SMS **test** split in a fixed order (by a hash of the id; the smaller
sets are the first N of the larger), so no model here trained on them before. Each candidate
is trained exactly as ``screener model train`` trains one (shipped synthetic drafts + the real
training split + the feedback, weighted ``learning.feedback_weight``, thresholds chosen on the
real validation split), then scored on held-out texts of ANOTHER source that no model here
trained on:

* the THUCNews headlines of the test split (property offers are commercial; deaths, accidents
  and appointments are major news; the rest, education news included, must pass);
* the loan-offer scripts of the fraud corpus's test split (commercial);
* the real education news and university notice titles of the test split: do news still pass?

Two curves:

1. **From the shipped model.** It was trained on every source's training split, SMS and
   THUCNews included: the question is whether more SMS texts still help elsewhere.
2. **From the shipped recipe without SMS and THUCNews** (neither their training nor their
   validation split is used): a model that never saw either genre, as the college's own posts
   are a genre the shipped model never saw. Feedback from SMS, evaluated on THUCNews: does what
   reviewers teach about one kind of advert carry over to another?

3. **From the shipped model, feedback of a genre it never saw** (``--curves copy``): product
   copy written for an online shop (the held-out source ``adgen``, Taobao clothing copy, which
   nothing trains on: ``heldout.jsonl``). Feedback is the copy for tops and trousers (上衣, 裤);
   the evaluation is the copy for skirts and dresses (裙), less any text that nearly equals a
   feedback text (character 4-gram Jaccard > 0.5), next to the same THUCNews, loan and clean
   sets as above.

Nothing here is committed text; the figures are (README, "Learning from reviewers").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEEDBACK_SOURCE = "sms"
TARGET_SOURCE = "thucnews"
LOANS = "fraud"
COPY_SOURCE = "adgen"
COPY_FED = ("shop.copy.上衣", "shop.copy.裤")
COPY_ASKED = "shop.copy.裙"


def _order(record) -> str:
    return hashlib.sha256(record.id.encode()).hexdigest()


def _example(record):
    from screener.feedback import Example, text_hash

    fields = record.as_draft_fields()
    return Example(text_hash(fields["title"], fields["body"]), fields["title"], fields["body"],
                   tuple(record.labels), "train", 1, ("import",))


def _item(record, which: str):
    from screener.learning.compare import Item

    fields = record.as_draft_fields()
    return Item(record.id, which, fields["title"], fields["body"], tuple(record.labels),
                scored=record.label != "fraud", clean=record.clean, kind=record.kind)


def _figures(items, p, limits) -> dict:
    """Commercial P/R on the target source and on loans, major-news P/R on the target, and
    clean news passing (any class)."""
    import numpy as np

    from screener.classify.model import CLASSES
    from screener.classify.real import _metrics

    flagged = {c: p[:, k] >= limits[c]["review"] for k, c in enumerate(CLASSES)}
    any_flag = np.zeros(len(items), dtype=bool)
    for f in flagged.values():
        any_flag |= f
    out = {}
    for name, which in (("target", TARGET_SOURCE), ("loans", LOANS), ("copy", COPY_SOURCE)):
        rows = np.array([i.id.startswith(which + ":") and i.scored for i in items])
        for c in ("commercial", "major_news"):
            y = np.array([c in i.labels for i in items])
            out[f"{name}.{c}"] = _metrics(y[rows], flagged[c][rows])
            wrong = np.flatnonzero(rows & flagged[c] & ~y)
            out[f"{name}.{c}"]["false_alarm_kinds"] = dict(
                Counter(items[i].kind for i in wrong).most_common(6))
    clean = np.array([i.clean for i in items])
    out["clean"] = {"of": int(clean.sum()), "not_passing": int((any_flag & clean).sum())}
    out["thresholds"] = {c: limits[c]["review"] for c in CLASSES}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--steps", default="50,100,200,400")
    parser.add_argument("--curves", default="sms,copy",
                        help="sms: SMS feedback from the shipped model and from a model without "
                             "SMS and THUCNews; copy: shop copy feedback from the shipped model")
    parser.add_argument("--markdown", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from screener.classify import MODELS
    from screener.corpus import find_corpus, load_corpus
    from screener.learning.candidate import _as_candidate, fit, load_data, training_resources
    from screener.learning.compare import score, thresholds
    from screener.settings import load_settings

    steps = [int(s) for s in args.steps.split(",") if s]
    curves = {c.strip() for c in args.curves.split(",") if c.strip()}
    settings = load_settings()
    folder = find_corpus(args.corpus, settings)
    if folder is None:
        print("no local corpus: run `screener corpus build --from /work/.mirror` first",
              file=sys.stderr)
        return 2
    corpus = load_corpus(folder)
    pool = sorted((r for r in corpus.records
                   if r.source == FEEDBACK_SOURCE and r.split == "test"), key=_order)
    if len(pool) < max(steps):
        print(f"only {len(pool)} {FEEDBACK_SOURCE} test texts", file=sys.stderr)
        return 2
    used = {r.id for r in pool[:max(steps)]}
    # The feedback texts leave the corpus (they are test texts no model here trained on; kept
    # in it they would be held-out texts, and feedback repeating a held-out text is dropped).
    base = replace(corpus, records=tuple(r for r in corpus.records if r.id not in used))
    without = replace(corpus, records=tuple(
        r for r in base.records
        if not (r.source in (FEEDBACK_SOURCE, TARGET_SOURCE) and r.split != "test")))
    items = [_item(r, "real") for r in corpus.records if r.split == "test"
             and (r.source in (TARGET_SOURCE, LOANS) or r.clean)]
    copy_fed = sorted((r for r in corpus.held_out if r.kind in COPY_FED), key=_order)
    if "copy" in curves:
        if len(copy_fed) < max(steps):
            print(f"only {len(copy_fed)} shop copy texts to feed back: rebuild the corpus "
                  "(`screener corpus build`) with the held-out source adgen", file=sys.stderr)
            return 2
        from screener.corpus.near import near_any

        asked = [r for r in corpus.held_out if r.kind == COPY_ASKED]
        close = near_any([r.text for r in asked], [r.text for r in copy_fed[:max(steps)]])
        items += [_item(r, "real") for r, c in zip(asked, close, strict=True) if not c]
        print(f"shop copy: {len(copy_fed)} texts of tops and trousers to feed back, "
              f"{len(asked) - sum(close)} of skirts and dresses to evaluate ({sum(close)} left "
              "out as near-duplicates of feedback)", file=sys.stderr)
    data = load_data(settings, corpus_dir=folder, feedback=[])
    resources = training_resources(settings)
    try:
        models = {"shipped": MODELS.get(Path(settings.model_dir) / "classify")}
        runs = [("shipped", "shipped model", 0)]
        seconds: dict[str, float] = {}

        def train(name: str, label: str, n: int, corpus_view, fed=pool) -> None:
            feedback = [_example(r) for r in fed[:n]]
            began = time.perf_counter()
            model, _report, info = fit(replace(data, corpus=corpus_view, feedback=feedback),
                                       resources, weight=settings.learning.feedback_weight,
                                       seed=settings.learning.seed, holdout_percent=0)
            seconds[name] = round(time.perf_counter() - began, 1)
            models[name] = _as_candidate(model, info)
            runs.append((name, label, n))
            print(f"  {label}, {n} feedback texts: trained in {seconds[name]} s",
                  file=sys.stderr)

        adverts = sum("commercial" in r.labels for r in pool[:max(steps)])
        print(f"feedback pool: {len(pool)} {FEEDBACK_SOURCE} test texts ({adverts} adverts "
              f"among the first {max(steps)})", file=sys.stderr)
        if "sms" in curves:
            for n in steps:
                train(f"shipped+{n}", "shipped model + SMS feedback", n, base)
            train("fresh", f"without {FEEDBACK_SOURCE} and {TARGET_SOURCE}", 0, without)
            for n in steps:
                train(f"fresh+{n}", f"without {FEEDBACK_SOURCE} and {TARGET_SOURCE} + SMS "
                      "feedback", n, without)
        if "copy" in curves:
            for n in steps:
                train(f"copy+{n}", "shipped model + shop copy feedback", n, base, copy_fed)
        scored = score(items, models, resources)
        results = []
        for name, label, n in runs:
            figures = _figures(items, scored.probabilities[name], thresholds(models[name]))
            results.append({"model": name, "start": label, "feedback": n, **figures,
                            "seconds": seconds.get(name)})
        lines = table(results, len(pool), corpus.digest)
        print("\n".join(lines))
        if args.markdown:
            args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")
        return 0
    finally:
        shutil.rmtree(resources.settings.home, ignore_errors=True)


def _pr(m: dict) -> str:
    f = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    return f"{f(m['precision'])} | {f(m['recall'])}"


def table(results: list[dict], pool: int, digest: str) -> list[str]:
    first = results[0]
    copy = first["copy.commercial"]["positives"]
    lines = [
        f"Corpus sha256 `{digest[:16]}…`; feedback: the first N of {pool} SMS test texts "
        "(adverts and ordinary messages as labelled)"
        + (", or of the shop copy for tops and trousers" if copy else "")
        + "; evaluated on the THUCNews test split "
        f"({first['target.commercial']['positives']} property offers, "
        f"{first['target.major_news']['positives']} major-news headlines), the loan scripts of "
        f"the fraud test split ({first['loans.commercial']['positives']}), "
        + (f"the shop copy for skirts and dresses ({copy}), " if copy else "")
        + f"and the real clean test titles ({first['clean']['of']}).",
        "",
        "| start | feedback | commercial review threshold | THUCNews commercial P | R "
        "| loan scripts R | shop copy (裙) R | THUCNews major_news P | R "
        "| clean titles not passing |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        loans = r["loans.commercial"]["recall"]
        shop = r["copy.commercial"]["recall"]
        lines.append(
            f"| {r['start']} | {r['feedback']} | {r['thresholds']['commercial']} | "
            f"{_pr(r['target.commercial'])} | {'–' if loans is None else f'{loans:.3f}'} | "
            f"{'–' if shop is None else f'{shop:.3f}'} | "
            f"{_pr(r['target.major_news'])} | {r['clean']['not_passing']}/{r['clean']['of']} |")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
