# ruff: noqa: E501  (the plan and filler tables read best one entry a line)
"""Generate the synthetic labelled corpus for the classify stage (seeded, reproducible).

    /work/venv/bin/python data/samples/corpus/generate.py [--seed 20240408] [--out DIR]

writes ``train.jsonl``, ``heldout.jsonl`` and ``stats.json`` next to this file. The held-out split
is fixed by the seed and by reserved templates (the last lead and title of every kind appear only
in held-out drafts): the same seed gives byte-identical files. See README.md for how the corpus is
built and what it cannot tell you.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from templates_flagged import (  # noqa: E402  (the template modules live beside this script)
    COMMERCIAL,
    COMMERCIAL_FILLER,
    COMMERCIAL_SENTENCES,
    CONF_MAJOR,
    CONFIDENTIAL,
    CONFIDENTIAL_FILLER,
    CONFIDENTIAL_SENTENCES,
    MAJOR,
    MAJOR_FILLER,
    MAJOR_SENTENCES,
)
from templates_news import COLLEGE_FILLER, HARD_NEGATIVES, NEWS, NEWS_SENTENCES  # noqa: E402
from vocab import Slots  # noqa: E402

SEED = 20240408
HELDOUT_FRACTION = 0.2

# (kind, how many, labels, share of Weibo posts)
PLAN: list[tuple[str, int, tuple[str, ...], float]] = [
    ("news.lecture", 80, (), 0.45), ("news.seminar", 70, (), 0.4), ("news.award", 70, (), 0.5),
    ("news.admissions", 60, (), 0.45), ("news.recruitment", 60, (), 0.4),
    ("news.research", 80, (), 0.45), ("news.student_life", 80, (), 0.55),
    ("news.alumni", 60, (), 0.4), ("news.notice", 80, (), 0.45),
    ("news.service_notice", 60, (), 0.7), ("news.club_activity", 50, (), 0.8),
    ("hard.secrecy_training", 50, (), 0.4), ("hard.marketing_lecture", 45, (), 0.4),
    ("hard.company_partnership", 45, (), 0.4), ("hard.historical_obituary", 45, (), 0.4),
    ("hard.safety_drill", 35, (), 0.45), ("hard.public_exam_notice", 25, (), 0.5),
    ("hard.crisis_comm_lecture", 25, (), 0.4), ("hard.student_union", 30, (), 0.5),
    ("hard.accident_lecture", 30, (), 0.45), ("hard.external_appointment", 30, (), 0.5),
    ("hard.sponsored_competition", 30, (), 0.45), ("hard.memorial_symposium", 30, (), 0.45),
    ("commercial.course", 45, ("commercial",), 0.5), ("commercial.discount", 35, ("commercial",), 0.6),
    ("commercial.scan_to_buy", 40, ("commercial",), 0.6), ("commercial.agent", 35, ("commercial",), 0.55),
    ("commercial.paid_service", 40, ("commercial",), 0.55),
    ("commercial.sponsored", 35, ("commercial",), 0.4), ("commercial.sms_spam", 30, ("commercial",), 0.9),
    ("commercial.casual", 35, ("commercial",), 0.85),
    ("confidential.classified_doc", 55, ("confidential",), 0.3),
    ("confidential.internal_minutes", 55, ("confidential",), 0.35),
    ("confidential.exam_content", 50, ("confidential",), 0.6),
    ("confidential.defence_project", 50, ("confidential",), 0.45),
    ("confidential.personal_data", 50, ("confidential",), 0.5),
    ("confidential.casual", 35, ("confidential",), 0.85),
    ("major.obituary", 65, ("major_news",), 0.45), ("major.appointment", 70, ("major_news",), 0.45),
    ("major.accident", 65, ("major_news",), 0.5), ("major.statement", 60, ("major_news",), 0.4),
    ("major.casual", 35, ("major_news",), 0.85),
    ("conf_major.internal_report", 30, ("confidential", "major_news"), 0.4),
]

TEMPLATES = {**NEWS, **HARD_NEGATIVES, **COMMERCIAL, **CONFIDENTIAL, **MAJOR, **CONF_MAJOR}

_SEL = [0, 6, 10, 12]  # college filler about the college itself, fit for any formal post
FILLERS = {
    "news": COLLEGE_FILLER, "hard": COLLEGE_FILLER, "commercial": COMMERCIAL_FILLER,
    "confidential": CONFIDENTIAL_FILLER, "major": MAJOR_FILLER + [COLLEGE_FILLER[i] for i in _SEL],
    "conf_major": CONFIDENTIAL_FILLER + MAJOR_FILLER[1:],
}
FILLER_OVERRIDE = {"confidential.defence_project": COLLEGE_FILLER}
SENTENCES = {
    "news": NEWS_SENTENCES, "hard": NEWS_SENTENCES, "commercial": COMMERCIAL_SENTENCES,
    "confidential": CONFIDENTIAL_SENTENCES, "major": MAJOR_SENTENCES,
    "conf_major": CONFIDENTIAL_SENTENCES + MAJOR_SENTENCES,
}
SENTENCE_OVERRIDE = {"confidential.defence_project": NEWS_SENTENCES}

CLOSINGS = {
    "news": ["来源：{dept}", "编辑：{name}｜审核：{name}", "欢迎关注“北大工学院”微信公众号，获取更多资讯。",
             "供稿：{dept}  责任编辑：{name}", ""],
    "hard": ["来源：{dept}", "编辑：{name}｜审核：{name}", "供稿：{dept}  责任编辑：{name}", ""],
    "commercial": ["长按识别二维码，添加[课程顾问|客服]", "[点击阅读原文|戳左下角“阅读原文”]立即[报名|购买]",
                   "本文由{brand}提供", "[转发|分享]给需要的同学吧！", ""],
    "confidential": ["{dept}  {date}印发", "（共印{small}份）", "[抄送|分送]：{dept}", "", ""],
    "major": ["工学院  {date}", "{dept}  {date}", "[北京大学工学院|工学院院长办公室]", ""],
    "conf_major": ["{dept}  {date}", "（阅后收回）", ""],
}

_ALT = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([a-z_0-9]+)\}")


def fill(template: str, slots: Slots) -> str:
    text = _ALT.sub(lambda m: slots.rng.choice(m.group(1).split("|")), template)
    return _SLOT.sub(lambda m: slots.value(m.group(1)), text)


def weibo(spec: dict, family: str, slots: Slots) -> tuple[str, str]:
    rng = slots.rng
    body = fill(spec["lead"], slots)
    paras = list(spec["paras"]) + list(FILLERS[family])[:4]
    rng.shuffle(paras)
    for para in paras:
        if len(body) >= 30 and (len(body) > 140 or rng.random() < 0.4):
            break
        extra = fill(para, slots)
        if len(body) + len(extra) <= 295:
            body += extra
    if rng.random() < 0.35:
        body = f"#{slots.value('tag')}# " + body
    if rng.random() < 0.25 and len(body) < 290:
        body += slots.value("emoji")
    title = fill(rng.choice(spec["titles"]), slots) if rng.random() < 0.45 else ""
    if title and rng.random() < 0.5:  # Weibo has no title field: the headline goes in 【】
        body, title = f"【{title}】{body}", ""
    return title, body[:300]


def wechat(spec: dict, kind: str, family: str, slots: Slots) -> tuple[str, str]:
    rng = slots.rng
    target = int(math.exp(rng.uniform(math.log(500), math.log(2700))))
    kind_paras = list(spec["paras"])
    rng.shuffle(kind_paras)
    filler = list(FILLER_OVERRIDE.get(kind, FILLERS[family]))
    rng.shuffle(filler)
    parts = [fill(spec["lead"], slots)]
    # Kind paragraphs first so that the substance of the post is never cut off by the length.
    for para in kind_paras + filler:
        if sum(map(len, parts)) >= target:
            break
        parts.append(fill(para, slots))
    # Longer articles go on in sentences that carry no label signal.
    sentences = SENTENCE_OVERRIDE.get(kind, SENTENCES[family])
    while sum(map(len, parts)) < target:
        chosen = rng.sample(sentences, min(len(sentences), rng.randint(3, 6)))
        parts.insert(rng.randint(1, len(parts)), "".join(fill(s, slots) for s in chosen))
    closing = fill(rng.choice(CLOSINGS[family]), slots)
    if closing:
        parts.append(closing)
    sep = rng.choice(("\n\n", "\n", "\n\n"))
    return fill(rng.choice(spec["titles"]), slots), sep.join(parts)


def reserved(spec: dict, heldout: bool) -> dict:
    """The templates one side of the split may use: the last lead and the last title of every kind
    are kept for held-out drafts only, so held-out posts open with wording training never saw."""
    def side(items: list[str]) -> list[str]:
        if len(items) < 3:
            return items
        return items[-1:] if heldout else items[:-1]

    return {**spec, "leads": side(spec["leads"]), "titles": side(spec["titles"])}


def generate(seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """(train, heldout): every kind split in the same proportion, by the reserved templates."""
    rng = random.Random(seed)
    parts: tuple[list[dict], list[dict]] = ([], [])
    seen: set[str] = set()
    for kind, count, labels, weibo_share in PLAN:
        family = kind.split(".")[0]
        held = round(count * HELDOUT_FRACTION)
        for heldout, wanted in ((False, count - held), (True, held)):
            spec = reserved(TEMPLATES[kind], heldout)
            made = attempts = 0
            while made < wanted:
                attempts += 1
                if attempts > wanted * 50:
                    raise RuntimeError(f"{kind}: templates too few for {wanted} distinct drafts")
                slots = Slots(random.Random(rng.getrandbits(64)))
                is_weibo = slots.rng.random() < weibo_share
                lead = slots.rng.choice(spec["leads"])
                chosen = {**spec, "lead": lead}
                title, body = (weibo(chosen, family, slots) if is_weibo
                               else wechat(chosen, kind, family, slots))
                if body in seen:
                    continue
                seen.add(body)
                parts[heldout].append({"title": title, "body": body,
                                       "platform": "weibo" if is_weibo else "wechat",
                                       "labels": sorted(labels), "kind": kind,
                                       "template": f"{kind}#{TEMPLATES[kind]['leads'].index(lead)}"})
                made += 1
    train, heldout_drafts = parts
    shuffle = random.Random(seed + 1)
    for prefix, part in (("t", train), ("h", heldout_drafts)):
        shuffle.shuffle(part)
        for number, draft in enumerate(part, start=1):
            draft["id"] = f"{prefix}{number:05d}"
    return train, heldout_drafts


def stats(train: list[dict], heldout: list[dict]) -> dict:
    def count(part):
        labels = Counter(label for d in part for label in d["labels"] or ["none"])
        return {"drafts": len(part), "labels": dict(sorted(labels.items())),
                "kinds": dict(sorted(Counter(d["kind"] for d in part).items())),
                "platforms": dict(sorted(Counter(d["platform"] for d in part).items()))}

    return {"train": count(train), "heldout": count(heldout)}


def write_jsonl(path: Path, drafts: list[dict]) -> None:
    keys = ("id", "title", "body", "platform", "labels", "kind", "template")
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for draft in drafts:
            handle.write(json.dumps({k: draft[k] for k in keys}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    train, heldout = generate(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "train.jsonl", train)
    write_jsonl(args.out / "heldout.jsonl", heldout)
    summary = stats(train, heldout)
    (args.out / "stats.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    print(json.dumps({k: {"drafts": v["drafts"], "labels": v["labels"]} for k, v in summary.items()},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
