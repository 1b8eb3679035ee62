"""What the reviewer's draft page and print sheet show, shaped from a draft as the queries
return it: no database here, no HTTP.

* ``findings``: one line per finding (category, severity, the quoted text, where it is, in the
  interface language) with the link to its place: its mark in the title or body (a classifier's
  finding: the first of the passages that drove its score), its box on the picture, or the line
  itself when it has no place of its own; the draft page lists ``LINE_LIMIT`` findings a page
  (the most severe first) and marks those, the print sheet lists them all;
* the title and body with the findings and the classifier evidence marked (``highlight``);
* the pictures with each finding's box or outline, in the picture's own pixels;
* what changed since the previous revision, with that revision's sign-off comments.
"""

from __future__ import annotations

import difflib
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from screener.classify.evidence import describe_zh
from screener.labels import CATEGORY, SEVERITY, field_label, label

from .highlight import SEVERITY_RANK, Span, highlight

MARK_LIMIT = 400  # marks one page draws in the text; the rest stay in the findings list
# Findings one draft page lists (and marks); the others are on the next pages of the list. Each
# listed finding has two fields in the sign-off form (comment, true or false alarm), and the
# form takes at most 500 fields: a page listing them all could not be signed off at all.
LINE_LIMIT = 200
_PICTURE = re.compile(r"^image:(\d+)$")
_ASSET_TERM = re.compile(r"^asset (\d+): (.*)$", re.S)
SEVERITY_MARK = {"block": "✖", "review": "▲", "info": "ℹ"}  # shapes, not only colours


@dataclass
class Line:
    """One finding on the page."""

    index: int
    finding: dict[str, Any]
    where: str
    target: str  # the id its links go to
    picture: int | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return self.finding["severity"]

    @property
    def mark(self) -> str:
        return SEVERITY_MARK.get(self.severity, "•")


def _picture_of(finding: dict[str, Any]) -> int | None:
    found = _PICTURE.match(finding.get("field", ""))
    return int(found.group(1)) if found else None


def _where(finding: dict[str, Any], tr: gettext.NullTranslations,
           texts: dict[str, str]) -> str:
    _ = tr.gettext
    place = field_label(finding["field"], tr)
    if finding["field"] in texts and finding["end"] > finding["start"]:
        return _("{field}, characters {first}–{last}").format(
            field=place, first=finding["start"] + 1, last=finding["end"])
    return place


def _spans(findings: list[dict[str, Any]], listed: list[int],
           texts: dict[str, str]) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {name: [] for name in texts}
    for i in listed:
        f = findings[i]
        if f["field"] in texts and f["end"] > f["start"]:
            spans[f["field"]].append(Span(f["start"], f["end"], i, f["category"],
                                          f["severity"]))
        elif f["field"] == "draft":
            for item in f.get("evidence", ()):
                for where, start, end in item["spans"]:
                    if where in texts:
                        spans[where].append(Span(start, end, i, f["category"], f["severity"],
                                                 evidence=True))
    return spans


def _evidence(finding: dict[str, Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for item in finding.get("evidence", ()):
        snippets = [texts[where][start:end] for where, start, end in item["spans"]
                    if where in texts][:3]
        rows.append({"feature": describe_zh(item["feature"]), "weight": item["weight"],
                     "snippets": snippets})
    return rows


def _box(location: dict[str, Any] | None) -> dict[str, Any] | None:
    """A picture finding's outline for the page: the polygon where there is one, else the box,
    in the picture's own pixels (the page's SVG has the picture's size as its viewBox)."""
    if not location or not location.get("box") or not location.get("size"):
        return None
    x0, y0, x1, y1 = location["box"]
    polygon = location.get("polygon") or [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    return {"points": " ".join(f"{x},{y}" for x, y in polygon), "size": location["size"],
            "box": [x0, y0, x1, y1], "frame": location.get("frame", 0)}


def pictures(draft: dict[str, Any], lines: list[Line], url: str) -> list[dict[str, Any]]:
    """Each submitted picture with the outlines of its listed findings, the bank assets they
    matched (shown beside it), and how many of its findings other pages of the list hold."""
    findings = (draft["report"] or {"findings": []})["findings"]
    on_picture = Counter(_picture_of(f) for f in findings)
    listed_on = Counter(line.picture for line in lines)
    shown = []
    for number, image in enumerate(draft["images"]):
        boxes, matches, others = [], [], []
        for line in lines:
            if line.picture != number:
                continue
            f = line.finding
            outline = _box(f.get("location"))
            if outline is not None:
                boxes.append({"line": line, **outline})
            else:
                others.append(line)
            asset = _ASSET_TERM.match(f.get("term") or "")
            if asset and f["category"] in ("copyright", "emblem"):
                matches.append({"line": line, "asset_id": int(asset.group(1)),
                                "title": asset.group(2),
                                "url": f"/assets/{asset.group(1)}/image"})
        size = next((b["size"] for b in boxes), None)
        shown.append({"index": number, "name": image["name"], "sha256": image["sha256"],
                      "url": url.format(draft=draft["id"], index=number), "boxes": boxes,
                      "size": size, "matches": matches, "unplaced": others,
                      "elsewhere": on_picture[number] - listed_on[number]})
    return shown


def _listed(findings: list[dict[str, Any]], page: int | None,
            per_page: int) -> tuple[list[int], int, int]:
    """The findings one page of the list holds (report order), the page (clamped: an old link
    may name a page a new revision no longer has) and the number of pages.

    Pages take the findings most severe first (then in report order), so the first page holds
    every blocking finding it can; ``page=None`` lists them all (the print sheet)."""
    if page is None or len(findings) <= per_page:
        return list(range(len(findings))), 1, 1
    pages = -(-len(findings) // per_page)
    page = min(max(page, 1), pages)
    ranked = sorted(range(len(findings)),
                    key=lambda i: (SEVERITY_RANK.get(findings[i]["severity"], 3), i))
    return sorted(ranked[(page - 1) * per_page:page * per_page]), page, pages


def review_lines(draft: dict[str, Any], tr: gettext.NullTranslations,
                 limit: int = MARK_LIMIT, page: int | None = None,
                 per_page: int = LINE_LIMIT) -> dict[str, Any]:
    """The findings' lines, the marked title and body, and how many marks were left out.

    With ``page``, the lines are that page of the list (``per_page`` findings) and the text
    marks those findings only, so every mark and every link on the page leads to a line on it;
    ``listing`` says which page it is, of how many, and how many findings the other pages
    hold. Without, every finding is listed (the print sheet)."""
    report = draft["report"] or {"findings": []}
    findings = report["findings"]
    texts = {"title": draft["title"], "body": draft["body"]}
    listed, page, pages = _listed(findings, page, per_page)
    spans = _spans(findings, listed, texts)
    tips = {c: label(CATEGORY, c, tr) for c in {f["category"] for f in findings}}
    title = highlight(texts["title"], spans["title"], limit=limit, tooltips=tips)
    body = highlight(texts["body"], spans["body"], limit=max(0, limit - len(spans["title"])),
                     tooltips=tips)
    marked = title.marked | body.marked
    lines = []
    for i in listed:
        f = findings[i]
        picture = _picture_of(f)
        if i in marked:
            target = f"f-{i}"
        elif picture is not None:
            target = f"f-{i}" if _box(f.get("location")) else f"picture-{picture}"
        else:
            target = f"finding-{i}"
        lines.append(Line(i, f, _where(f, tr, texts), target, picture, _evidence(f, texts)))
    counts = {s: 0 for s in SEVERITY_RANK}
    for f in findings:
        if f["severity"] in counts:
            counts[f["severity"]] += 1
    return {"lines": lines, "title_html": title.html, "body_html": body.html,
            "left_out": title.left_out + body.left_out, "counts": counts,
            "severity_names": {s: label(SEVERITY, s, tr) for s in counts},
            "listing": {"page": page, "pages": pages, "total": len(findings),
                        "unlisted": len(findings) - len(lines)}}


# -- what changed since the previous revision --------------------------------------------------
DIFF_CHARACTERS = 20_000  # beyond this, lines are compared rather than characters


def diff_html(before: str, after: str) -> Markup:
    """``after`` with what was deleted since ``before`` struck through and what was inserted
    underlined (characters: Chinese has no spaces to split words at)."""
    if len(before) + len(after) > 2 * DIFF_CHARACTERS:
        a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    else:
        a, b = list(before), list(after)
    out: list[Markup] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.append(escape(new))
            continue
        if old:
            out.append(Markup("<del>{}</del>").format(old))
        if new:
            out.append(Markup("<ins>{}</ins>").format(new))
    return Markup("").join(out)


def changes(draft: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """The previous revision against this one, with its sign-offs (and their per-finding
    comments quoting that revision's findings); None for a first revision."""
    if previous is None:
        return None
    known = previous["title"] is not None and previous["body"] is not None
    old_findings = previous["findings"]
    signoffs = []
    for s in previous["signoffs"]:
        notes = []
        for key, comment in s["finding_comments"].items():
            quoted = old_findings[int(key)] if key.isdigit() and int(key) < len(
                old_findings) else None
            notes.append({"number": int(key) + 1 if key.isdigit() else key,
                          "finding": quoted, "comment": comment})
        signoffs.append({**s, "notes": notes})
    return {"revision": previous["revision"], "known": known,
            "title": diff_html(previous["title"], draft["title"]) if known else None,
            "body": diff_html(previous["body"], draft["body"]) if known else None,
            "same": known and previous["title"] == draft["title"]
            and previous["body"] == draft["body"],
            "signoffs": signoffs, "verdict": previous["verdict"]}
