"""Turning reports into what people and programs read: JSON Lines and a readable text summary."""

from __future__ import annotations

import gettext
import json
import unicodedata

from rich.console import Console
from rich.markup import escape

from .i18n import translations
from .labels import CATEGORY, SEVERITY, VERDICT, field_label, label
from .model import Draft, Finding, Report, Severity, Verdict

# The JSON keys of one report line, exactly (documented in README; tests check them).
REPORT_KEYS = ("source", "draft_id", "verdict", "findings", "scores", "lexicon_version",
               "model_version", "timings")
_CONTEXT = 12
_VERDICT_STYLE = {Verdict.PASS: "bold green", Verdict.REVIEW: "bold yellow",
                  Verdict.BLOCK: "bold red"}
# Block and review look different by shape as well as colour.
_SEVERITY_MARK = {Severity.BLOCK: "✖", Severity.REVIEW: "▲", Severity.INFO: "ℹ"}
_SEVERITY_COLOUR = {Severity.BLOCK: "red", Severity.REVIEW: "yellow", Severity.INFO: "blue"}


def report_json(report: Report, source: str, *, explain: bool = False) -> str:
    data = report.to_dict(explain=explain)
    line = {key: data[key] for key in REPORT_KEYS if key != "source"}
    return json.dumps({"source": source, **line}, ensure_ascii=False)


def visible(text: str) -> str:
    """Text safe to print on a terminal, with what an evader hides made visible.

    Control characters become control pictures (no escape sequence reaches the terminal) and
    invisible or direction-changing characters become ⟨U+XXXX⟩, so the reviewer sees the
    zero-width space inside 代​孕 and the text is not reordered by a U+202E.
    """
    out = []
    for ch in text:
        cp = ord(ch)
        if ch == "\n":
            out.append(" ⏎ ")
        elif cp < 0x20 or cp == 0x7F:
            out.append(chr(0x2400 + (cp if cp < 0x20 else 0x21)))
        # Cc here is C1 (U+0080-U+009F: U+009B is an 8-bit escape on some terminals); Zl/Zp
        # (U+2028/U+2029) would break the one line a finding or an error is printed on.
        elif (unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
              or 0xFE00 <= cp <= 0xFE0F):
            out.append(f"⟨U+{cp:04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


def _in_context(original: str, finding: Finding) -> str:
    """The finding's span marked inside a little of its surrounding text, on one line."""
    lo = max(0, finding.start - _CONTEXT)
    hi = min(len(original), finding.end + _CONTEXT)
    before = visible(original[lo:finding.start])
    after = visible(original[finding.end:hi])
    return (("…" if lo else "") + escape(before) + "[reverse]" + escape(visible(finding.text))
            + "[/reverse]" + escape(after) + ("…" if hi < len(original) else ""))


def print_report(console: Console, report: Report, draft: Draft, source: str, *,
                 explain: bool = False, tr: gettext.NullTranslations | None = None) -> None:
    """The text summary: verdict, then each finding with its category, severity, where it is,
    the span in its context and the explanation, in the interface language (``tr``; the
    settings' ``locale``, Chinese by default). ``explain`` adds each finding's technical detail
    and the evidence behind a classifier score."""
    tr = tr or translations()
    _ = tr.gettext
    style = _VERDICT_STYLE[report.verdict]
    name = escape(visible(source))
    verdict = label(VERDICT, str(report.verdict), tr)
    model = f" · {report.model_version}" if report.model_version else ""
    console.print(f"[bold]{name}[/bold]  [{style}]{escape(verdict)}[/{style}]  [dim]"
                  + escape(_("{count} finding(s) · draft {draft} · lexicon {version}").format(
                      count=len(report.findings), draft=report.draft_id,
                      version=report.lexicon_version) + model) + "[/dim]")
    if report.scores:
        scores = "  ".join(f"{label(CATEGORY, name, tr)} {value:.2f}"
                           for name, value in sorted(report.scores.items()))
        console.print("  " + escape(_("classifier scores: {scores}").format(scores=scores)))
    for finding in report.findings:
        colour = _SEVERITY_COLOUR[finding.severity]
        mark = f"[{colour}]{_SEVERITY_MARK[finding.severity]} " \
               f"{escape(label(SEVERITY, str(finding.severity), tr))}[/{colour}]"
        where = field_label(finding.field, tr)
        if finding.end > finding.start:
            where = _("{field}, characters {first}–{last}").format(
                field=where, first=finding.start + 1, last=finding.end)
        term = f" → {escape(finding.term)}" if finding.term and finding.term != finding.text else ""
        console.print(f"  {mark} {escape(label(CATEGORY, finding.category, tr))} · "
                      f"{escape(where)}  {escape(visible(finding.text)) or '—'}{term}  "
                      f"[dim]{finding.article}[/dim]")
        if finding.field in ("title", "body") and finding.end > finding.start:
            console.print(f"      {_in_context(draft.text_of(finding.field), finding)}")
        console.print(f"      [dim]{escape(visible(finding.explanation))}[/dim]")
        if explain:
            if finding.detail:
                console.print(f"      [cyan]{escape(visible(finding.detail))}[/cyan]")
            for item in finding.evidence:
                spans = ", ".join(f"{f}[{s}:{e}]" for f, s, e in item.spans[:5])
                console.print(f"        [cyan]{item.weight:+.3f}[/cyan] {escape(item.feature)}"
                              f"  [dim]{spans}[/dim]")
    console.print()
