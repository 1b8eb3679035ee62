"""Reading a source's files from a local copy, each checked against its recorded sha256.

A local copy of ``owner/name`` is the folder ``DIR/owner+name`` and is either

* a git directory (a bare clone, a clone's ``.git``, or either under ``repo/``): files are read
  as ``git cat-file`` reads ``COMMIT:PATH``, so any commit in its history can be used; or
* plain copies of the files: ``DIR/owner+name/PATH`` for files of the recorded commit, and
  ``DIR/owner+name/COMMIT/PATH`` for a file of another commit (a version from a history).

Nothing is trusted before its sha256 matches SOURCES.toml: a file that is missing, altered or in
the wrong encoding stops the build with a Chinese message naming it.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import CorpusError
from .sources import Source, SourceFile


def _is_git_dir(folder: Path) -> bool:
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir()


def git_dir(folder: Path) -> Path | None:
    for candidate in (folder, folder / ".git", folder / "repo", folder / "repo" / ".git"):
        if candidate.is_dir() and _is_git_dir(candidate):
            return candidate
    return None


class Origin:
    """Where one repository's files are read from."""

    def __init__(self, root: Path, source: Source) -> None:
        self.source = source
        self.folder = Path(root) / source.folder_name
        if not self.folder.is_dir():
            raise CorpusError(source.name, f"找不到 {source.repository} 的本地副本：应在 "
                              f"{self.folder}（git 目录或文件副本）")
        self.git = git_dir(self.folder)
        if self.git is not None and shutil.which("git") is None:
            raise CorpusError(source.name, "读取 git 副本需要 git 命令，但本机没有安装 git")

    def describe(self) -> str:
        return f"git {self.git}" if self.git else f"文件副本 {self.folder}"

    def read_all(self, files: Iterable[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        """Every file's bytes, in the order given, each checked against its sha256."""
        files = list(files)
        raw = self._git_read(files) if self.git else (self._plain_read(f) for f in files)
        for item, data in zip(files, raw, strict=True):
            yield item, self._checked(item, data)

    def _label(self, item: SourceFile) -> str:
        at = "" if item.commit == self.source.commit else f"@{item.commit[:10]}"
        return f"{self.source.repository}:{item.path}{at}"

    def _checked(self, item: SourceFile, data: bytes | None) -> bytes:
        if data is None:
            raise CorpusError(self._label(item), f"文件缺失（在 {self.describe()} 中找不到提交 "
                              f"{item.commit[:10]} 的这个文件）")
        actual = hashlib.sha256(data).hexdigest()
        if actual != item.sha256:
            raise CorpusError(self._label(item), f"校验和不符：sha256 为 {actual[:16]}…，"
                              f"SOURCES.toml 记录的是 {item.sha256[:16]}…；文件已被改动或版本"
                              "不同，拒绝使用")
        return data

    def _plain_read(self, item: SourceFile) -> bytes | None:
        for path in (self.folder / item.path, self.folder / item.commit / item.path):
            if item.commit != self.source.commit and path == self.folder / item.path:
                continue  # a plain file stands for the recorded commit only
            if path.is_file():
                return path.read_bytes()
        return None

    def _git_read(self, files: list[SourceFile]) -> Iterator[bytes | None]:
        """``git cat-file --batch``: one process for any number of files."""
        process = subprocess.Popen(
            ["git", "--git-dir", str(self.git), "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert process.stdin is not None and process.stdout is not None
        try:
            for item in files:
                process.stdin.write(f"{item.commit}:{item.path}\n".encode())
                process.stdin.flush()
                header = process.stdout.readline().decode("utf-8", "replace").split()
                if len(header) != 3 or header[1] != "blob":
                    yield None
                    continue
                data = process.stdout.read(int(header[2]))
                process.stdout.read(1)  # the newline after every object
                yield data
        finally:
            process.stdin.close()
            process.stdout.close()
            process.wait(timeout=30)


def decode(item: SourceFile, data: bytes, where: str) -> str:
    """The file's text in its recorded encoding; a byte that does not decode is named."""
    encoding = item.encoding.lower()
    try:
        text = data.decode(encoding)
    except LookupError:
        raise CorpusError(where, f"未知编码 {item.encoding!r}") from None
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 4].hex(" ")
        raise CorpusError(where, f"不是 {item.encoding} 编码：第 {exc.start} 字节（{bad}）无法"
                          "解码") from None
    return text.removeprefix("\ufeff")
