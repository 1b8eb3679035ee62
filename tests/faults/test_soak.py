"""A short soak (benchmarks/bench_soak.py for 10 s): submitters, a reviewer and a lexicon
maintainer at once against a live server lose nothing, duplicate nothing and get no 5xx."""

from __future__ import annotations

import json
import subprocess
import sys

from screener.settings import REPO_ROOT


def test_short_soak_loses_nothing():
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "bench_soak.py"), "--seconds", "10",
         "--submitters", "2", "--publish-every", "3", "--baseline-seconds", "0", "--json"],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip(), done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["accepted"] > 0 and summary["signed"] > 0, summary
    assert summary["lost"] == 0 and summary["duplicated"] == 0, summary
    assert summary["signoffs_lost"] == 0 and summary["signoffs_duplicated"] == 0, summary
    assert summary["server_errors"] == 0 and summary["cut"] == 0, summary
    assert summary["versions_published"] >= 1 and not summary["publish_failures"], summary
    assert summary["audit_ok"], summary
