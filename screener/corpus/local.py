"""The local corpus that ``screener corpus build`` writes, and what reads it.

A corpus folder holds ``corpus.jsonl`` (one record a line: id, source, text, field, label, kind,
split, rule), ``heldout.jsonl`` (the same for evaluation-only sources, all of them test) and
``manifest.json`` (their sha256, counts, the SOURCES.toml they were built from). The
default folder is ``<home>/corpus`` (the ``corpus_dir`` setting); commands take ``--corpus DIR``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import CorpusError

CORPUS_FILE = "corpus.jsonl"
HELD_OUT_FILE = "heldout.jsonl"  # evaluation-only sources: never read by training
MANIFEST_FILE = "manifest.json"
LABELS = ("confidential", "commercial", "major_news", "none", "fraud")
SPLITS = ("train", "validation", "test")
# Real text that must pass: the clean reference corpus for lexicon test/lint and false alarms.
CLEAN_KINDS = ("news.edu", "notice.univ")


@dataclass(frozen=True)
class Record:
    id: str  # "source:row-id"
    source: str
    text: str
    field: str  # title or body
    label: str  # one of LABELS; "fraud": real fraud scripts, no class of ours
    kind: str  # finer: sms.ad, news.edu, weibo.accident, ...
    split: str  # train / validation / test, from a hash of the id
    rule: str = ""  # which labelling rule decided

    def as_draft_fields(self) -> dict[str, str]:
        return {"title": self.text, "body": ""} if self.field == "title" \
            else {"title": "", "body": self.text}

    @property
    def labels(self) -> list[str]:
        return [self.label] if self.label in ("confidential", "commercial", "major_news") else []

    @property
    def clean(self) -> bool:
        return self.label == "none" and self.kind in CLEAN_KINDS


@dataclass(frozen=True)
class LocalCorpus:
    folder: Path
    records: tuple[Record, ...]
    manifest: dict
    held_out: tuple[Record, ...] = ()  # evaluation-only sources, not in ``records``

    @property
    def digest(self) -> str:
        return self.manifest.get("sha256", "")

    def split(self, name: str) -> list[Record]:
        return [r for r in self.records if r.split == name]

    def clean(self) -> list[Record]:
        return [r for r in self.records if r.clean]


def split_of(record_id: str) -> str:
    """train 60 % / validation 20 % / test 20 %, by a hash of the id: stable whatever else
    changes in the corpus, so a record never moves between splits."""
    bucket = int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if bucket < 60 else "validation" if bucket < 80 else "test"


def _write_records(path: Path, records: list[Record]) -> str:
    data = "".join(json.dumps(asdict(r), ensure_ascii=False, sort_keys=True) + "\n"
                   for r in records).encode("utf-8")
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    temporary.replace(path)
    return hashlib.sha256(data).hexdigest()


def write_corpus(folder: Path, records: list[Record], manifest: dict,
                 held_out: list[Record] | None = None) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {**manifest, "sha256": _write_records(folder / CORPUS_FILE, records),
                "records": len(records), "counts": summary(records)}
    if held_out:
        manifest["held_out"] = {"sha256": _write_records(folder / HELD_OUT_FILE, held_out),
                                "records": len(held_out), "counts": summary(held_out)}
    else:
        (folder / HELD_OUT_FILE).unlink(missing_ok=True)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    return manifest


def summary(records: list[Record]) -> dict:
    by: dict[str, Counter] = {}
    for r in records:
        by.setdefault(r.source, Counter())[f"{r.split}/{r.label}"] += 1
    return {source: dict(sorted(c.items())) for source, c in sorted(by.items())}


def find_corpus(explicit: Path | None, settings=None) -> Path | None:
    """``explicit`` if given (it must hold a corpus), else the settings' corpus folder if a
    corpus was built there, else None."""
    if explicit is not None:
        if not (Path(explicit) / CORPUS_FILE).is_file():
            raise CorpusError(str(explicit), f"这里没有语料（缺少 {CORPUS_FILE}）；先运行 "
                              "`screener corpus build --from 镜像目录 --output 此目录`")
        return Path(explicit)
    if settings is None:
        from ..settings import default_settings

        settings = default_settings()
    folder = Path(settings.corpus_folder)
    return folder if (folder / CORPUS_FILE).is_file() else None


def _read_records(path: Path, expected: str | None) -> tuple[Record, ...]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(str(path), f"无法读取（{exc.strerror or exc}）") from None
    if expected != hashlib.sha256(data).hexdigest():
        raise CorpusError(str(path), "与 manifest.json 记录的 sha256 不符：语料在构建后被改动；"
                          "请重新构建")
    records = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        try:
            records.append(Record(**json.loads(line)))
        except (json.JSONDecodeError, TypeError) as exc:
            raise CorpusError(f"{path}:{number}", f"记录格式不对（{exc}）") from None
    return tuple(records)


def load_corpus(folder: Path) -> LocalCorpus:
    try:
        manifest = json.loads((Path(folder) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise CorpusError(str(folder), f"{MANIFEST_FILE} 缺失或损坏；请重新构建语料") from None
    records = _read_records(Path(folder) / CORPUS_FILE, manifest.get("sha256"))
    held_out: tuple[Record, ...] = ()
    if "held_out" in manifest:
        held_out = _read_records(Path(folder) / HELD_OUT_FILE, manifest["held_out"].get("sha256"))
    return LocalCorpus(Path(folder), records, manifest, held_out)
