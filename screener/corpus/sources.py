"""``data/corpora/SOURCES.toml``: which third-party files the corpus is built from.

One ``[[source]]`` per use of a repository: its commit, licence, how its rows are read
(``format``), labelled and split, and every file with its sha256. Sources with many files (one
JSON file per Weibo post, every committed version of a crawler's output) list them in a
checksum file next to SOURCES.toml (``sha256  path`` or ``sha256  commit:path`` per line, as
``sha256sum`` writes), so the list of files is fixed here, never taken from whatever a local
copy happens to hold.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError
from ..settings import REPO_ROOT

SOURCES_FILE = REPO_ROOT / "data" / "corpora" / "SOURCES.toml"
ROLES = ("rows", "exclude", "candidates")
_HEX = set("0123456789abcdef")


@dataclass(frozen=True)
class SourceFile:
    path: str
    sha256: str
    commit: str  # the source's commit, or the commit of this version (history sources)
    role: str = "rows"  # rows: read into the corpus; exclude: near-duplicates of it are dropped
    encoding: str = "utf-8"
    tag: str = ""  # what the format reader needs to know about this file (e.g. its category)


@dataclass(frozen=True)
class Source:
    name: str
    repository: str
    commit: str
    licence: str
    format: str
    labelling: str
    use: str
    files: tuple[SourceFile, ...]
    count: int | None = None
    branch: str = ""
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def held_out(self) -> bool:
        """Evaluation only: its rows are never trained on nor used to choose thresholds."""
        return bool(self.extra.get("held_out", False))

    @property
    def folder_name(self) -> str:
        """How a local copy of the repository is named: ``owner+name``."""
        return self.repository.replace("/", "+")

    def rows(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.files if f.role == "rows")


def _sha(value: object, where: str) -> str:
    text = str(value).strip().lower()
    if len(text) != 64 or not set(text) <= _HEX:
        raise CorpusError(where, f"sha256 必须是 64 位十六进制数，而不是 {value!r}")
    return text


def _checksum_file(path: Path, commit: str, encoding: str, tag: str) -> list[SourceFile]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(str(path), f"校验和清单无法读取（{exc.strerror or exc}）") from None
    files = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        if not name:
            raise CorpusError(f"{path}:{number}", "格式应为“sha256  路径”或“sha256  提交:路径”")
        version, sep, inner = name.partition(":")
        if sep and len(version) == 40 and set(version) <= _HEX:
            files.append(SourceFile(inner, _sha(digest, f"{path}:{number}"), version,
                                    encoding=encoding, tag=tag))
        else:
            files.append(SourceFile(name, _sha(digest, f"{path}:{number}"), commit,
                                    encoding=encoding, tag=tag))
    return files


def load_sources(path: Path = SOURCES_FILE) -> list[Source]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(str(path), f"无法读取（{exc.strerror or exc}）") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(str(path), f"不是有效的 TOML：{exc}") from None
    sources = []
    for index, raw in enumerate(data.get("source", []), start=1):
        where = f"{path} [[source]] #{index}"
        try:
            commit = str(raw["commit"])
            files: list[SourceFile] = []
            for item in raw.get("file", []):
                role = item.get("role", "rows")
                if role not in ROLES:
                    raise CorpusError(where, f"未知的 role {role!r}（可用：{', '.join(ROLES)}）")
                files.append(SourceFile(str(item["path"]), _sha(item["sha256"], where),
                                        str(item.get("commit", commit)), role,
                                        str(item.get("encoding", "utf-8")),
                                        str(item.get("tag", ""))))
            if "checksums" in raw:
                files += _checksum_file(path.parent / raw["checksums"], commit,
                                        str(raw.get("encoding", "utf-8")), str(raw.get("tag", "")))
            known = {"name", "repository", "commit", "licence", "format", "labelling", "use",
                     "file", "count", "branch", "notes", "checksums", "encoding", "tag"}
            sources.append(Source(
                name=str(raw["name"]), repository=str(raw["repository"]), commit=commit,
                licence=str(raw["licence"]), format=str(raw["format"]),
                labelling=str(raw.get("labelling", "")), use=str(raw.get("use", "")),
                files=tuple(files), count=raw.get("count"), branch=str(raw.get("branch", "")),
                notes=str(raw.get("notes", "")),
                extra={k: v for k, v in raw.items() if k not in known}))
        except KeyError as exc:
            raise CorpusError(where, f"缺少字段 {exc.args[0]!r}") from None
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise CorpusError(str(path), "source 名称重复")
    return sources
