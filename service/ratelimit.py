"""Failed log-ins per client address in the last minute, in this process's memory: beyond the
limit, an address waits before its next try (429), so guessing is slowed before any user name
is locked. Only failures count: a successful log-in costs nothing here."""

from __future__ import annotations

import threading
import time
from collections import deque


class FailureWindow:
    def __init__(self, limit: int, seconds: float = 60.0) -> None:
        self.limit = limit
        self.seconds = seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now - self.seconds:
            times.popleft()
        return times

    def wait(self, key: str) -> int:
        """Seconds ``key`` must wait before its next try (0: go ahead)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.seconds - now + 0.999))

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._seen) > 10_000:  # forget addresses whose window has passed
                for other in [k for k, v in self._seen.items() if not self._recent(k, now)]:
                    del self._seen[other]
