"""Named points inside critical windows (an open write transaction), where a test can act.

Production code calls ``checkpoint("submit.write")`` at such a point; it does nothing unless a
hook was installed, and nothing in production installs one. The fault tests start a child
process through a test-only entry point (``tests/faults/paused.py``) that installs a hook which
stops at the named point and waits to be killed with SIGKILL, so the kill lands inside the
transaction every time instead of by luck.

Points: ``submit.write`` (a submission's draft row written, its report not yet),
``signoff.write`` (a sign-off row and its feedback rows written, the draft's status not yet),
``lexicon.commit`` (a lexicon version row written, its terms not yet), ``model.change`` (a model
promotion or rollback made, its audit row not yet).
"""

from __future__ import annotations

from collections.abc import Callable

_hook: Callable[[str], None] | None = None


def checkpoint(name: str) -> None:
    if _hook is not None:
        _hook(name)


def install(hook: Callable[[str], None] | None) -> None:
    """Call ``hook(name)`` at every checkpoint of this process (None: stop calling)."""
    global _hook
    _hook = hook
