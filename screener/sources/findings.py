"""Reprinted text as findings (第十二条): one ``copyright`` finding per reused span, and one
per "转载" marker that no source line backs.

A reused span names its source, the share of the draft (or of the picture's text) taken from
that source and whether the draft names the source anywhere (an attribution line or a link):
named, the finding is ``info`` (shown, the verdict unchanged); not named, ``review``. The
explanation is Chinese, for the reviewer; the numbers behind it are ``evidence`` (shown with
``--explain`` and kept in the service's report).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..findings import make_finding
from ..model import Draft, Evidence, Finding, PictureText, Severity
from .attribution import Attribution, attributions, fold, names, reprint_markers
from .bank import Source
from .check import ALIGN_GRAM, Checked, Reuse, SourceChecker
from .text import folded_in_place, match_text

STAGE = "sources"
CATEGORY = "copyright"
_LINE_LABELS = "来源、转载自、原文链接或作者"


def reuse_findings(checker: SourceChecker, draft: Draft,
                   pictures: Sequence[PictureText] = ()) -> list[Finding]:
    """Every reprinted-text finding of ``draft`` and the text read from its pictures."""
    fields = [(name, draft.text_of(name)) for name in ("title", "body") if draft.text_of(name)]
    seen: set[tuple[int, str]] = set()
    picture_fields = []
    for picture in pictures:  # the frames of an animation repeat their text: checked once
        if (picture.image, picture.text) not in seen and picture.text.strip():
            seen.add((picture.image, picture.text))
            picture_fields.append(picture)
    def scan(text: str) -> str:
        return folded_in_place(checker.normalizer, text)

    credits = [a for name, text in fields for a in attributions(name, text, scan(text))]
    credits += [a for p in picture_fields
                for a in attributions(f"image:{p.image}", p.text, scan(p.text))]

    def folder(text: str) -> str:
        folded = match_text(checker.normalizer, text)
        return folded.codes.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")

    out: list[Finding] = []
    itself = checker.bank.by_origin(draft.id)  # a post re-screened from the archive
    own = {"exclude_origin": draft.id, "exclude_owner": draft.account,
           "before": itself.published_at if itself is not None else None}
    checked = [checker.check(name, text, **own) for name, text in fields]
    draft_chars = sum(c.chars for c in checked)
    by_source: dict[int, int] = {}
    for result in checked:
        for reuse in result.reuses:
            by_source[reuse.source.id] = by_source.get(reuse.source.id, 0) + reuse.chars
    for result in checked:
        for reuse in result.reuses:
            named = _named(reuse.source, credits, folder)
            share = by_source[reuse.source.id] / draft_chars if draft_chars else 0.0
            out.extend(_span_findings(reuse, named, share, result, picture=None))
    for picture in picture_fields:
        field = f"image:{picture.image}"
        result = checker.check(field, picture.text, paragraphs=False, **own)
        for reuse in result.reuses:
            named = _named(reuse.source, credits, folder)
            share = reuse.chars / result.chars if result.chars else 0.0
            out.extend(_span_findings(reuse, named, share, result, picture=picture))
    out.extend(_unbacked_markers(fields, credits, scan))
    return out


def _named(source: Source, credits: Iterable[Attribution], folder) -> Attribution | None:
    known = [fold(n, folder) for n in (source.owner, source.title, source.author) if n]
    return next((a for a in credits if names(a, known, source.url, folder)), None)


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%" if share >= 0.01 else "不到 1%"


def _span_findings(reuse: Reuse, named: Attribution | None, share: float, result: Checked,
                   picture: PictureText | None) -> list[Finding]:
    source = reuse.source
    licence = f"，许可：{source.license}" if source.license else ""
    where = (f"图片 {picture.image + 1} 中识别出的文字（表格、截图等）" if picture is not None
             else "这段文字")
    whole = "该图片文字" if picture is not None else "本稿"
    if named is not None:
        severity = Severity.INFO
        credit = (f"稿件已注明来源（“{named.label}：{named.value[:40]}”），仅提示，"
                  "请确认转载已获授权。" if named.label != "链接" else
                  f"稿件已给出原文链接（{named.value[:60]}），仅提示，请确认转载已获授权。")
    else:
        severity = Severity.REVIEW
        credit = (f"但稿件未注明来源（{_LINE_LABELS}），请核实转载是否经授权，并按新闻信息转载"
                  "规定注明出处（第十二条）。")
    evidence = (
        Evidence(f"source {source.id} ({source.kind}"
                 f"{', ' + source.origin if source.origin else ''})", round(share, 4),
                 tuple((reuse.field, s.start, s.end) for s in reuse.spans)),
        Evidence(f"MinHash LSH similarity {reuse.similarity:.2f}; exact runs of {ALIGN_GRAM}+ "
                 f"characters cover {sum(s.covered for s in reuse.spans)} of "
                 f"{reuse.chars} reused characters; {reuse.chars} of {result.chars} characters "
                 f"of {reuse.field}; attribution: "
                 f"{f'{named.label} {named.value[:60]!r}' if named else 'none found'}",
                 round(reuse.similarity, 4)),
    )
    findings = []
    for span in reuse.spans:
        box = ""
        if picture is not None:
            found = picture.box(span.start, span.end)
            if found is not None:
                box = f"（位置 x {found[0]}-{found[2]}，y {found[1]}-{found[3]}）"
        explanation = (f"{where}{box}与来源库中的{source.label}相同或相近"
                       f"（约 {span.chars} 字{licence}）。{whole}共有 {_percent(share)} "
                       f"的文字出自该来源，{credit}")
        findings.append(make_finding(
            CATEGORY, stage=STAGE, field=reuse.field, start=span.start, end=span.end,
            text=result.text.original[span.start:span.end], term=f"source {source.id}: "
            f"{source.title}", score=round(share, 4), severity=severity,
            explanation=explanation, evidence=evidence))
    return findings


def _unbacked_markers(fields: list[tuple[str, str]], credits: list[Attribution],
                      scan) -> list[Finding]:
    """"转载" with no source line anywhere in the draft: reprinted from somewhere unnamed."""
    if any(a.names_something and a.label != "链接" for a in credits):
        return []
    out = []
    for name, text in fields:
        for marker in reprint_markers(name, text, scan(text)):
            out.append(make_finding(
                CATEGORY, stage=STAGE, field=name, start=marker.start, end=marker.end,
                text=marker.text, term="转载",
                explanation=(f"稿件标注了“{marker.text}”，但全文没有注明来源（{_LINE_LABELS}）。"
                             "转载他人作品须经授权并注明出处（第十二条），请补充来源。"),
                evidence=(Evidence("reprint marker without any attribution line", 1.0,
                                   ((name, marker.start, marker.end),)),)))
            break  # one finding per field is enough to ask for the source line
    return out
