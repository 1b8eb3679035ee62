"""Turning reviewers' decisions into feedback rows: a sign-off, a reported miss, an imported file.

A sign-off judges every finding of the report it was given on: approving a draft says its
findings were false alarms, requesting changes or rejecting it says they were right (as the
commercial consoles read a reviewer's decision), unless the reviewer judged a finding
explicitly. Findings that are not about the content (a stage that could not finish) and
findings that only inform (severity ``info``: a contact route) ask the reviewer for no
judgement and give no row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..ingest import read_bounded
from .store import CATEGORIES, JUDGEMENTS, LABELS, make_row, row_key, text_hash

NOT_CONTENT = ("stage_error",)
DEFAULT_JUDGEMENT = {"approve": "false_alarm", "changes": "confirmed", "reject": "confirmed"}
IMPORT_KEYS = ("title", "body", "label")


def signoff_rows(*, decision: str, findings: list[dict[str, Any]], title: str, body: str,
                 reviewer: str, signoff_ref: str, report_ref: str, draft_ref: str,
                 model_version: str, lexicon_version: str,
                 judgements: dict[str, str] | None = None,
                 comments: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per finding of the report signed off. ``judgements`` (finding index -> confirmed
    or false_alarm) overrides what the decision says about a finding."""
    judgements, comments = judgements or {}, comments or {}
    rows = []
    for index, finding in enumerate(findings):
        if finding.get("category") in NOT_CONTENT or finding.get("severity") == "info":
            continue
        judgement = judgements.get(str(index)) or DEFAULT_JUDGEMENT[decision]
        field = str(finding.get("field") or "")
        spanned = field in ("title", "body") and finding.get("end", 0) > finding.get("start", 0)
        rows.append(make_row(
            origin="signoff", judgement=judgement, category=str(finding.get("category", "")),
            title=title, body=body, reviewer=reviewer, key=row_key("signoff", signoff_ref, index),
            field=field, start=finding.get("start") if spanned else None,
            end=finding.get("end") if spanned else None, span=str(finding.get("text") or ""),
            stage=str(finding.get("stage") or ""), term=str(finding.get("term") or ""),
            report_ref=report_ref, draft_ref=draft_ref, model_version=model_version,
            lexicon_version=lexicon_version, comment=comments.get(str(index), "")))
    return rows


def missed_row(*, category: str, title: str, body: str, reviewer: str, report_ref: str,
               draft_ref: str, model_version: str, lexicon_version: str, span: str = "",
               comment: str = "") -> dict[str, Any]:
    """A category the tools missed on a draft, named by a reviewer; ``span`` the words that
    show it (optional), located in the title or body when they occur there."""
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}")
    span = span.strip()
    field, start, end = "", None, None
    for name, text in (("title", title), ("body", body)):
        at = text.find(span) if span else -1
        if at >= 0:
            field, start, end = name, at, at + len(span)
            break
    return make_row(origin="missed", judgement="missed", category=category, title=title,
                    body=body, reviewer=reviewer,
                    key=row_key("missed", report_ref, category, span, reviewer),
                    field=field, start=start, end=end, span=span, report_ref=report_ref,
                    draft_ref=draft_ref, model_version=model_version,
                    lexicon_version=lexicon_version, comment=comment.strip())


@dataclass(frozen=True, slots=True)
class BadLine:
    source: str
    line: int
    reason: str  # Chinese: the maintainer who prepared the file reads it

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportFile:
    source: str
    rows: tuple[dict[str, Any], ...]
    bad: tuple[BadLine, ...]
    lines: int  # non-empty lines read


def _check(record: object, max_chars: int) -> tuple[str, str, str]:
    if not isinstance(record, dict):
        raise ValueError("不是 JSON 对象（应为 {\"title\", \"body\", \"label\"}）")
    unknown = sorted(set(record) - set(IMPORT_KEYS))
    if unknown:
        raise ValueError(f"未知字段 {', '.join(map(repr, unknown))}（只接受 title、body、label）")
    if "label" not in record:
        raise ValueError("缺少 label")
    label = record["label"]
    if not isinstance(label, str) or label not in LABELS:
        raise ValueError(f"label {label!r} 不是 {'、'.join(LABELS)} 之一")
    title, body = record.get("title", ""), record.get("body", "")
    if not isinstance(title, str) or not isinstance(body, str):
        raise ValueError("title 和 body 必须是字符串")
    if not title.strip() and not body.strip():
        raise ValueError("标题和正文都是空的")
    if len(title) + len(body) > max_chars:
        raise ValueError(f"标题加正文 {len(title) + len(body):,} 字，超过上限 {max_chars:,} 字")
    return title, body, label


def read_import(path: Path, settings, *, reviewer: str) -> ImportFile:
    """Parse ``path`` (JSON Lines ``{"title", "body", "label"}``); every bad line is kept with
    its number and reason, the good ones become rows (a line repeating an earlier one of the
    file counts once)."""
    source = str(path)
    data = read_bounded(path, settings.max_import_bytes, kind="反馈文件", noun="导入文件",
                        limit_name="请把文件拆开")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(source, f"第 {line} 行不是 UTF-8 编码；请将文件另存为 UTF-8") from None
    lines = text.splitlines()
    if len(lines) > settings.max_import_rows:
        raise InputError(source, f"{len(lines):,} 行，一次最多导入 {settings.max_import_rows:,} "
                                 "行；请拆分文件")
    rows, bad, seen, count = [], [], {}, 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        try:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"不是有效的 JSON（第 {exc.colno} 列：{exc.msg}）") from None
            except RecursionError:
                raise ValueError("不是有效的 JSON（嵌套过深）") from None
            title, body, label = _check(record, settings.max_body_chars)
        except ValueError as exc:
            bad.append(BadLine(source, number, str(exc)))
            continue
        key = row_key("import", text_hash(title, body), label)
        if key in seen:
            bad.append(BadLine(source, number, f"与第 {seen[key]} 行重复"))
            continue
        seen[key] = number
        rows.append(make_row(origin="import", judgement="confirmed", category=label,
                             title=title, body=body, reviewer=reviewer, key=key,
                             comment=f"{path.name}:{number}"))
    return ImportFile(source, tuple(rows), tuple(bad), count)


__all__ = ["BadLine", "DEFAULT_JUDGEMENT", "ImportFile", "JUDGEMENTS", "missed_row",
           "read_import", "signoff_rows"]
