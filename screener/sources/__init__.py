"""Reprinted text (第十二条): the bank of source texts and the check of drafts against it.

* ``bank.py``: the sources (the university's and the college's published news, press
  releases, licensed articles, published posts), cut into passages with MinHash signatures;
* ``text.py``, ``minhash.py``, ``index.py``: folded text, shingles, signatures (datasketch) and
  the LSH index that names candidate sources;
* ``align.py``, ``check.py``: exact alignment of a text with its candidates, as spans;
* ``attribution.py``: 来源 / 转载自 / 原文链接 / 作者 lines, links and "转载" markers;
* ``findings.py``: ``copyright`` findings (``stages/sources.py`` runs them on every draft);
* ``files.py``: reading sources from files and folders (``screener sources add``).
"""

from .bank import Added, Source, SourceBank, SourceText
from .check import Reuse, SourceChecker
from .findings import reuse_findings

__all__ = ["Added", "Reuse", "Source", "SourceBank", "SourceChecker", "SourceText",
           "reuse_findings"]
