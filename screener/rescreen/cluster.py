"""Re-screening on a Dask cluster (``screener rescreen --dask tcp://scheduler:8786``).

The driver (this process) does what it does locally: it reads the pending posts from the store,
sends them out in chunks (a task per chunk: the rows, the settings and the probes, never a file
path to unpickle), and writes every returned chunk in one transaction. Workers only compute: each
worker process builds its Screener (compiled lexicon from its cache, models) on the first chunk
and keeps it (``worker.screener_for``). A fixed number of chunks is in flight at a time, so the
driver's memory does not grow with the archive, and an interrupted run resumes as any other (the
store knows which posts have a report for this version).

Workers need what a local screening needs: the settings' paths (lexicon files, models, the cache
folder) visible at the same place, and the lexicon database URL reachable (PostgreSQL on a
cluster). Dask is imported only here, so the core install does not need it.
"""

from __future__ import annotations

from ..errors import RescreenError
from ..settings import Settings
from .worker import current_version, work

INSTALL_HINT = "pip install 'screener[dask]'"


def _distributed():
    try:
        import distributed  # optional: the core install has no Dask
    except ImportError:
        raise RescreenError(f"--dask 需要 Dask 的分布式调度器（distributed）：{INSTALL_HINT}") \
            from None
    return distributed


class DaskExecutor:
    """Chunks screened by a Dask cluster: ``target`` is a scheduler address, a ``Client`` or a
    cluster object (``LocalCluster``). A client made here is closed here."""

    model = ""  # the run's model version, set once known

    def __init__(self, target: object, settings: Settings, stages: tuple[str, ...] | None,
                 timeout: float = 30.0, in_flight_per_worker: int = 2) -> None:
        distributed = _distributed()
        self.settings, self.stages = settings, stages
        self.per_worker = in_flight_per_worker
        self._own = not isinstance(target, distributed.Client)
        try:
            self.client = distributed.Client(target, timeout=timeout) if self._own else target
        except (OSError, TimeoutError, ValueError) as exc:
            raise RescreenError(f"无法连接 Dask 调度器 {target!r}：{exc}") from None
        self._futures: set = set()

    def _result(self, future):
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001  (a worker's error ends the run, kept results stay)
            raise RescreenError(f"Dask 的一个 worker 出错：{type(exc).__name__}: {exc}") from None

    def lexicon_version(self) -> str:
        # Ask a worker: the version the workers load is the one the reports will carry.
        future = self.client.submit(current_version, self.settings, self.stages, pure=False)
        self.lexicon = self._result(future)
        return self.lexicon

    def run(self, tasks, store) -> None:
        distributed = _distributed()
        completed = distributed.as_completed()
        sizes = {}
        try:
            for ids, probes in tasks:
                while completed.count() >= self._window():
                    self._store(next(completed), sizes, store)
                future = self.client.submit(work, self.settings, self.stages, self.lexicon,
                                            self.model, ids, probes, pure=False)
                sizes[future.key] = len(ids)
                self._futures.add(future)
                completed.add(future)
            for future in completed:
                self._store(future, sizes, store)
        except BaseException:
            self.client.cancel(list(self._futures))
            raise

    def _window(self) -> int:
        # Chunks per worker thread: one running, one waiting, so no worker idles while the
        # driver stores a result; asked again each time, as workers may join or leave.
        return max(2, self.per_worker * sum(self.client.nthreads().values()))

    def _store(self, future, sizes, store) -> None:
        results = self._result(future)
        self._futures.discard(future)
        store(results, sizes.pop(future.key))

    def close(self) -> None:
        if self._own:
            self.client.close()
