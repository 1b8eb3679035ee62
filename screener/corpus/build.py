"""``screener corpus build``: from local copies of the sources to a labelled, split corpus.

For every source of SOURCES.toml that supplies rows: read each recorded file (sha256 checked),
apply the source's filters (near-duplicates of an excluded file, the md5 rule, ids), drop
near-duplicates within the source (so that a reposted text cannot sit in training and in the
held-out split at once), label with the rules, split by a hash of the id, and write
``corpus.jsonl`` with its manifest. Held-out sources (evaluation only) go to ``heldout.jsonl``
instead: the corpus that models train on, and its sha256, stay what they were without them.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError
from . import near, rules
from .formats import READERS, Row, md5_hex
from .local import Record, split_of, write_corpus
from .origin import Origin, decode
from .sources import SOURCES_FILE, Source, load_sources

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class SourceReport:
    name: str
    read: int = 0
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    expected: int | None = None


def _rows(source: Source, origin: Origin, progress: Progress | None) -> tuple[list[Row], list[Row]]:
    """(rows to use, rows of excluded files), every file checked."""
    reader = READERS.get(source.format)
    if reader is None:
        raise CorpusError(source.name, f"未知格式 {source.format!r}")
    rows: list[Row] = []
    excluded: list[Row] = []
    files = [f for f in source.files if f.role in ("rows", "exclude")]
    for done, (item, data) in enumerate(origin.read_all(files), start=1):
        where = f"{source.repository}:{item.path}"
        text = decode(item, data, where)
        (rows if item.role == "rows" else excluded).extend(reader(item, text, where))
        if progress:
            progress(source.name, done, len(files))
    return rows, excluded


def _label(source: Source, row: Row) -> rules.Label:
    if source.format == "sms_tsv":
        return rules.sms_label(row.text, row.meta["spam"])
    if source.format == "fraud_csv":
        return rules.fraud_label(row.meta["category"])
    if source.format == "weibo_json":
        return rules.weibo_label(row.text)
    if source.format == "law_md":
        return rules.law_label(row.text)
    if source.format == "adgen_jsonl":
        return rules.copy_label(row.meta.get("product", ""))
    return rules.title_label(row.text, row.meta.get("section", ""), source.name)


def build_source(source: Source, origin: Origin,
                 progress: Progress | None = None) -> tuple[list[Record], SourceReport]:
    report = SourceReport(source.name, expected=source.count)
    rows, excluded = _rows(source, origin, progress)
    report.read = len(rows)
    # The same row repeated (a title in many versions of a crawl): the first one stands.
    unique: dict[str, Row] = {}
    for row in rows:
        if row.id in unique:
            continue
        unique[row.id] = row
    report.dropped["same id (repeated)"] = len(rows) - len(unique)
    rows = list(unique.values())
    prefix = source.extra.get("title_md5_first")
    if prefix:
        kept = [r for r in rows if md5_hex(r.text)[0] in str(prefix)]
        report.dropped["md5 rule"] = len(rows) - len(kept)
        rows = kept
    if excluded:
        hit = near.near_any([r.text for r in rows], [r.text for r in excluded])
        report.dropped["near-duplicate of an excluded file"] = sum(hit)
        rows = [r for r, h in zip(rows, hit, strict=True) if not h]
    duplicate_of = near.first_of_each([r.text for r in rows])
    report.dropped["near-duplicate within the source"] = sum(d is not None for d in duplicate_of)
    rows = [r for r, d in zip(rows, duplicate_of, strict=True) if d is None]
    records = []
    for row in rows:
        label = _label(source, row)
        if not label.label:
            report.dropped[f"left out by rule {label.rule}"] += 1
            continue
        record_id = f"{source.name}:{row.id}"
        # A held-out source is all test: nothing trains or chooses a threshold on it.
        split = "test" if source.held_out else split_of(record_id)
        records.append(Record(record_id, source.name, row.text, row.field, label.label,
                              label.kind, split, label.rule))
        report.labels[label.label] += 1
    report.kept = len(records)
    report.dropped = Counter({k: v for k, v in report.dropped.items() if v})
    return records, report


def build(mirror: Path, output: Path, sources_file: Path = SOURCES_FILE,
          only: list[str] | None = None,
          progress: Progress | None = None) -> tuple[dict, list[SourceReport]]:
    """Build the corpus from the local copies under ``mirror`` into ``output``."""
    sources = [s for s in load_sources(sources_file)
               if any(f.role == "rows" for f in s.files) and (not only or s.name in only)]
    if only:
        unknown = set(only) - {s.name for s in sources}
        if unknown:
            raise CorpusError(str(sources_file), f"没有这些来源：{', '.join(sorted(unknown))}")
    records: list[Record] = []
    held_out: list[Record] = []
    reports = []
    for source in sources:
        built, report = build_source(source, Origin(mirror, source), progress)
        (held_out if source.held_out else records).extend(built)
        reports.append(report)
    records.sort(key=lambda r: (r.source, r.id))
    held_out.sort(key=lambda r: (r.source, r.id))
    manifest = {
        "sources_file_sha256": hashlib.sha256(sources_file.read_bytes()).hexdigest(),
        "sources": {r.name: {"read": r.read, "kept": r.kept, "expected": r.expected,
                             "dropped": dict(sorted(r.dropped.items())),
                             "labels": dict(sorted(r.labels.items()))} for r in reports},
    }
    return write_corpus(output, records, manifest, held_out), reports
