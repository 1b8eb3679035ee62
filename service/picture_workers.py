"""The picture stage in the background: worker processes that ``screener serve`` starts and
keeps running, each with its screener and OCR models loaded once.

A worker claims the oldest open job (``usecases.picture_jobs``), screens the draft revision's
text and pictures, renewing its lease and writing its progress after every picture, and stores
the complete report (``usecases.drafts.complete_pictures``). A worker that dies (kill -9, out of
memory) is replaced at once and its job goes back to the queue; a whole server that dies leaves
jobs whose leases run out, and the next start takes them up. A draft whose pictures keep killing
workers is tried ``picture_attempts`` times: the last attempt checks each picture in a child
process of its own, so the picture that kills it becomes a ``stage_error`` finding; after that,
every picture not checked is one, and the job ends — a person looks, nothing hangs.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from typing import Any

from sqlalchemy import select

from screener import Draft, Report, Screener
from screener.images.ocr import OcrEngine
from screener.images.picture import PictureResult, PictureTask
from screener.images.pool import InProcess, PicturePool, default_size
from screener.settings import Settings
from screener.stages.images import pictures_through

from .config import ServiceSettings
from .context import Services
from .db import accounts, make_engine, read
from .queries.drafts import get_draft
from .queries.picture_jobs import held_by_workers
from .usecases import picture_jobs
from .usecases.audit import open_chain
from .usecases.drafts import complete_pictures
from .usecases.picture_jobs import Claim

_log = logging.getLogger(__name__)
SUPERVISOR = "system:picture-workers"


def worker_name(pid: int | None = None) -> str:
    return f"picture-worker:{socket.gethostname()}:{pid or os.getpid()}"


class Lease:
    """Renews the job's lease in a thread (a slow picture must not look like a dead worker)
    and writes the progress the pages show."""

    def __init__(self, svc: Services, claim: Claim) -> None:
        self.svc, self.claim = svc, claim
        self.seconds = svc.config.picture_lease_seconds
        self.done, self.stage = 0, "pictures"
        self._lock = threading.Lock()
        self._renewed = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="picture-lease", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        # progress renews the lease after every picture; this thread only when one picture
        # takes half the lease
        while not self._stop.wait(self.seconds / 8):
            if time.monotonic() - self._renewed > self.seconds / 2:
                self.renew()

    def renew(self) -> bool:
        with self._lock:
            self._renewed = time.monotonic()
            try:
                return picture_jobs.renew(self.svc.engine, self.claim, self.seconds,
                                          done=self.done, stage=self.stage)
            except Exception:  # noqa: BLE001  (a missed renewal is retried; the lease has slack)
                _log.exception("renewing picture job %s", self.claim.job_id)
                return False

    def progress(self, done: int | None = None, stage: str | None = None) -> None:
        self.done = self.done if done is None else done
        self.stage = stage or self.stage
        self.renew()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class _Progress:
    """A picture runner that checks the pictures one after another through ``inner`` and says
    after each how many of the draft's pictures are done (identical pictures count together)."""

    def __init__(self, inner: Any, images: tuple[str, ...], lease: Lease) -> None:
        self.inner, self.images, self.lease = inner, images, lease

    def run(self, setup: Any, tasks: list[PictureTask]) -> list[Any]:
        checked = {path for path in self.images if path not in {t.path for t in tasks}}
        results = []
        for task in tasks:
            results.extend(self.inner.run(setup, [task]))
            checked.add(task.path)
            self.lease.progress(done=sum(1 for path in self.images if path in checked))
        return results


def _draft(svc: Services, claim: Claim) -> Draft:
    with read(svc.engine) as conn:
        row = get_draft(conn, claim.draft_id)
        account = conn.execute(select(accounts).where(accounts.c.id == row.account_id)).one()
    return Draft(title=row.title, body=row.body, account=account.name,
                 platform=account.platform,
                 images=tuple(i["path"] for i in json.loads(row.images)), author=row.author)


class _Refused:
    """The runner of a job tried too often: no picture is checked again; each one becomes a
    ``stage_error`` finding saying why."""

    def __init__(self, why: str) -> None:
        self.why = why

    def run(self, setup: Any, tasks: list[PictureTask]) -> list[PictureResult]:
        return [PictureResult(task.key, task.source, problem=self.why) for task in tasks]


def screen_job(svc: Services, claim: Claim, runner: Any, lease: Lease) -> Report:
    """The complete report of the claimed revision: the whole pipeline on its text and
    pictures (the pictures through this worker's runner, progress after each)."""
    draft = _draft(svc, claim)
    most = svc.config.picture_attempts
    isolated = None
    if claim.attempt > most:
        runner = _Refused(f"picture workers ended {claim.attempt - 1} times while checking "
                          "this draft's pictures")
    elif claim.attempt == most and most > 1:
        runner = isolated = PicturePool(1)
    try:
        with pictures_through(_Progress(runner, draft.images, lease)):
            return svc.screener.screen(draft)
    finally:
        if isolated is not None:
            isolated.close()


def work_once(svc: Services, runner: Any, name: str | None = None) -> bool:
    """Take one job and finish it; False when the queue was empty."""
    claim = picture_jobs.claim(svc.engine, name or worker_name(),
                               svc.config.picture_lease_seconds)
    if claim is None:
        return False
    lease = Lease(svc, claim)
    try:
        report = screen_job(svc, claim, runner, lease)
        lease.progress(stage="report")
        stored = complete_pictures(svc, claim, report)
        _log.info("picture job %s (draft %s revision %s): %s", claim.job_id, claim.draft_id,
                  claim.revision, "stored" if stored else "result not wanted")
    finally:
        lease.stop()
    return True


def open_worker_services(settings: Settings, config: ServiceSettings) -> Services:
    """The worker's services: the database the server migrated, the keyed audit chain, its
    own screener (the server's staging folder is left alone: a submission may be using it)."""
    engine = make_engine(config.database_url)
    keys = open_chain(engine, config)
    return Services(engine, settings, config, Screener(settings), keys=keys)


def picture_runner(workers: int) -> InProcess:
    """One picture at a time in this process, the machine's cores shared among the workers."""
    return InProcess(threads=max(1, default_size() // max(1, workers)))


def worker_main(settings: Settings, config: ServiceSettings, parent: int) -> None:
    """A worker process's life: load the models, then take jobs until the server ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    svc = open_worker_services(settings, config)
    runner = picture_runner(config.picture_workers)
    svc.screener.lexicon_version  # noqa: B018  (the lexicon and classifiers, loaded now)
    OcrEngine(runner.threads).warm_up()
    name = worker_name()
    _log.info("%s ready", name)
    while os.getppid() == parent:  # orphaned when the server was killed: stop
        try:
            if work_once(svc, runner, name):
                continue
        except Exception:  # noqa: BLE001  (the job's lease runs out and it is retried)
            _log.exception("%s: picture job failed; it will be retried", name)
        time.sleep(0.5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PictureWorkers:
    """The server's worker processes: started with it, replaced when one dies (its job goes
    back to the queue), stopped with it."""

    def __init__(self, svc: Services, count: int) -> None:
        self.svc, self.count = svc, count
        self._context = multiprocessing.get_context("spawn")
        self._processes: list[Any] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="picture-workers",
                                        daemon=True)

    def start(self) -> None:
        self._release_dead()
        self._processes = [self._spawn() for _ in range(self.count)]
        self._thread.start()

    def _spawn(self) -> Any:
        process = self._context.Process(
            target=worker_main, args=(self.svc.settings, self.svc.config, os.getpid()),
            name="picture-worker")
        process.start()
        return process

    def _release_dead(self) -> None:
        """Jobs held by workers of this machine that no longer run (a server killed before):
        back to the queue now rather than when their leases run out."""
        host = f"picture-worker:{socket.gethostname()}:"
        for worker in held_by_workers(self.svc.engine):
            pid = worker.removeprefix(host)
            if worker.startswith(host) and pid.isdigit() and not _alive(int(pid)):
                picture_jobs.release(self.svc.engine, worker, SUPERVISOR)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            for index, process in enumerate(self._processes):
                if process.is_alive() or self._stop.is_set():
                    continue
                process.join()
                _log.warning("picture worker %s ended (exit %s); starting another",
                             process.pid, process.exitcode)
                try:
                    picture_jobs.release(self.svc.engine, worker_name(process.pid), SUPERVISOR)
                except Exception:  # noqa: BLE001  (its lease runs out instead)
                    _log.exception("releasing the jobs of picture worker %s", process.pid)
                self._processes[index] = self._spawn()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
