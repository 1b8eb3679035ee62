"""Test-only entry point: run a screener command that stops at a named checkpoint.

    python tests/faults/paused.py POINT MODULE [ARGS...]

installs a ``screener.checkpoints`` hook that, at POINT, writes ``paused at POINT`` to stderr
and waits to be killed, then runs ``python -m MODULE ARGS...`` in this process.
"""

from __future__ import annotations

import runpy
import sys
import time

from screener import checkpoints


def stop_at(point: str):
    def hook(name: str) -> None:
        if name == point:
            sys.stderr.write(f"paused at {name}\n")
            sys.stderr.flush()
            while True:
                time.sleep(60)

    return hook


if __name__ == "__main__":
    point, module, *args = sys.argv[1:]
    checkpoints.install(stop_at(point))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
