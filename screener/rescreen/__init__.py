"""Batch re-screening of published posts.

* ``archive``: importing past posts (JSON Lines, CSV, folders of draft files) into ``rs_posts``;
* ``runner``: screening the archive with the current lexicon and models, one stored report per
  post and version, committed in batches (resumable), optionally in worker processes;
* ``db``: the ``rs_`` tables in the state folder's database (shared with the lexicon store).
"""

from __future__ import annotations

from .archive import ImportResult, import_paths
from .runner import Summary, rescreen, version_key

__all__ = ["ImportResult", "Summary", "import_paths", "rescreen", "version_key"]
