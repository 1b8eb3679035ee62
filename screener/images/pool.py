"""Where pictures are checked: a pool of long-running worker processes, or this process.

``PicturePool`` keeps up to ``size`` worker processes (by default one per CPU this process may
run on), each with the OCR models and the bank loaded once, and hands each a picture at a time.
Any number of threads may call ``run`` at once (the review service screens drafts in threads);
their pictures share one queue. It fails closed and never hangs:

* a worker that dies (killed, out of memory, a crash in a native library) costs exactly the
  picture it was checking, which comes back with a ``problem``; a new worker takes its place;
* a picture that takes longer than ``task_seconds`` has its worker killed, likewise;
* a worker that cannot load (``start_seconds``) fails the picture it was given.

Workers are started through a fork server: a clean process that has imported numpy, OpenCV and
rapidocr once, so a new worker costs the model load, not a fresh interpreter. They are never
forked from the calling process itself: a fork copies its threads' locks and OpenCV's thread
pool in whatever state they are (measured: a worker forked from a process that had used OpenCV
died now and then on its first picture), and the review service runs many threads.

``InProcess`` checks the pictures one at a time in the calling process: the baseline, and what
a process that must not have children uses (a daemonic worker of another pool).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import wait

from .picture import CheckerSetup, PictureChecker, PictureResult, PictureTask, prepare_bank

_PRELOAD = ["numpy", "cv2", "PIL.Image", "imagehash", "sqlalchemy", "onnxruntime", "rapidocr",
            "screener.images.picture"]


def default_size() -> int:
    """Worker processes for this machine: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _failed(task: PictureTask, why: str) -> PictureResult:
    return PictureResult(task.key, task.source, problem=why)


class InProcess:
    """Pictures one at a time in this process, models loaded on first use; ``threads`` for
    ONNX Runtime (this process reads alone, so it may use every core)."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_size()
        self._checkers: dict[CheckerSetup, PictureChecker] = {}
        self._lock = threading.Lock()

    def run(self, setup: CheckerSetup, tasks: list[PictureTask]) -> list[PictureResult]:
        with self._lock:
            checker = self._checkers.get(setup)
            if checker is None:
                checker = self._checkers[setup] = PictureChecker(setup, self.threads)
            results = []
            for task in tasks:
                try:
                    results.append(checker.check(task))
                except Exception as exc:  # noqa: BLE001  (fail closed on this picture)
                    results.append(_failed(task, f"{type(exc).__name__}: {exc}"))
            return results

    def close(self) -> None:
        with self._lock:
            self._checkers.clear()


def _serve(conn) -> None:
    """A worker's life: load the OCR models once, then check pictures (a checker per setup:
    bank and cache) until told to stop or orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    import cv2

    from .ocr import OcrEngine

    cv2.setNumThreads(1)  # the pool is the parallelism
    try:
        OcrEngine(1).warm_up()
    except Exception:  # noqa: BLE001  (each picture reports the failure, closed, when it comes)
        pass
    checkers: dict[CheckerSetup, PictureChecker] = {}
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        ident, setup, task = message
        try:
            checker = checkers.get(setup)
            if checker is None:
                checker = checkers[setup] = PictureChecker(setup, 1)
            result = checker.check(task)
        except Exception as exc:  # noqa: BLE001
            result = _failed(task, f"{type(exc).__name__}: {exc}")
        conn.send(("done", ident, result))


class _Worker:
    __slots__ = ("process", "conn", "ready", "job", "deadline")

    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn
        self.ready = False
        self.job: tuple[int, CheckerSetup, PictureTask, Future] | None = None
        self.deadline = float("inf")


class PicturePool:
    def __init__(self, size: int | None = None, *, start_seconds: float = 120.0) -> None:
        self.size = size or default_size()
        self.start_seconds = start_seconds
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._queue: deque[tuple[int, CheckerSetup, PictureTask, Future]] = deque()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        self._next = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    # -- callers' side -------------------------------------------------------------------------
    def run(self, setup: CheckerSetup, tasks: list[PictureTask]) -> list[PictureResult]:
        """Check ``tasks``; one result per task, in order. Never raises for a picture: what went
        wrong is the result's ``problem``."""
        prepare_bank(setup)
        futures = self._submit(setup, tasks)
        return [self._result(task, future) for task, future in zip(tasks, futures, strict=True)]

    def workers(self) -> list[tuple[int, str | None]]:
        """(pid, key of the picture it is checking or None) for each worker process."""
        with self._lock:
            return [(w.process.pid, w.job[2].key if w.job else None) for w in self._workers]

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for worker in self._workers:
                self._stop(worker)
            self._workers.clear()
            while self._queue:
                _, _, task, future = self._queue.popleft()
                future.set_result(_failed(task, "the picture checker was shut down"))

    def _submit(self, setup: CheckerSetup, tasks: list[PictureTask]) -> list[Future]:
        futures: list[Future] = [Future() for _ in tasks]
        with self._lock:
            if self._closed:
                for task, future in zip(tasks, futures, strict=True):
                    future.set_result(_failed(task, "the picture checker was shut down"))
                return futures
            for task, future in zip(tasks, futures, strict=True):
                self._next += 1
                self._queue.append((self._next, setup, task, future))
            self._assign()  # start workers and hand out pictures now, not a wake-up later
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._dispatch, name="picture-pool",
                                                daemon=True)
                self._thread.start()
        self._wake()
        return futures

    def _result(self, task: PictureTask, future: Future) -> PictureResult:
        while True:
            try:
                return future.result(timeout=1.0)
            except FutureTimeout:
                if self._thread is None or not self._thread.is_alive():
                    return _failed(task, "the picture checker stopped")

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"!")
        except OSError:
            pass

    # -- the dispatcher thread ------------------------------------------------------------------
    def _dispatch(self) -> None:
        try:
            while self._step():
                pass
        except Exception as exc:  # noqa: BLE001  (a bug here must not leave callers waiting)
            self._abandon(f"the picture checker failed ({type(exc).__name__}: {exc})")

    def _step(self) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._assign()
            workers = list(self._workers)
            deadline = min((w.deadline for w in workers), default=float("inf"))
        objects = [self._wake_r] + [w.conn for w in workers] + [w.process.sentinel
                                                              for w in workers]
        timeout = None if deadline == float("inf") else max(0.0, deadline - time.monotonic())
        ready = wait(objects, timeout)
        if self._wake_r in ready:
            while self._wake_r.poll():
                self._wake_r.recv_bytes()
        with self._lock:
            for worker in workers:
                if worker.conn in ready:
                    self._receive(worker)
                elif worker.process.sentinel in ready:
                    self._lost(worker, f"the worker process ended (exit code "
                                       f"{worker.process.exitcode})")
                elif time.monotonic() >= worker.deadline:
                    why = (f"checking it took longer than {worker.job[1].config.task_seconds:g} s"
                           if worker.ready and worker.job else "the worker process did not start")
                    self._lost(worker, why)
        return True

    def _assign(self) -> None:
        while self._queue:
            idle = next((w for w in self._workers if w.job is None), None)
            if idle is None:
                if len(self._workers) >= self.size:
                    return
                idle = self._start()
            job = self._queue.popleft()
            ident, setup, task, future = job
            if future.done():
                continue
            try:
                idle.conn.send((ident, setup, task))
            except OSError:
                self._queue.appendleft(job)
                self._lost(idle, "the worker process could not be reached")
                continue
            idle.job = job
            idle.deadline = time.monotonic() + self._allowed(idle)

    def _allowed(self, worker: _Worker) -> float:
        seconds = worker.job[1].config.task_seconds if worker.job else 0.0
        return seconds + (0.0 if worker.ready else self.start_seconds)

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child,), name="picture-worker",
                                        daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        return worker

    def _receive(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._lost(worker, f"the worker process ended (exit code "
                               f"{worker.process.exitcode})")
            return
        if message[0] == "ready":
            worker.ready = True
            if worker.job is not None:
                worker.deadline = time.monotonic() + self._allowed(worker)
        elif message[0] == "done" and worker.job is not None and worker.job[0] == message[1]:
            worker.job[3].set_result(message[2])
            worker.job, worker.deadline = None, float("inf")

    def _lost(self, worker: _Worker, why: str) -> None:
        """The worker is gone or given up on: its picture fails closed, the process is ended."""
        if worker in self._workers:
            self._workers.remove(worker)
        if worker.job is not None:
            _, _, task, future = worker.job
            worker.job = None
            if not future.done():
                future.set_result(_failed(task, f"the process checking it stopped: {why}"))
        self._stop(worker)

    @staticmethod
    def _stop(worker: _Worker) -> None:
        try:
            if worker.process.is_alive():
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
                worker.process.join(timeout=0.5 if worker.job is None else 0)
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(timeout=5)
        finally:
            worker.conn.close()

    def _abandon(self, why: str) -> None:
        with self._lock:
            jobs = [w.job for w in self._workers if w.job] + list(self._queue)
            self._queue.clear()
            for worker in self._workers:
                worker.job = None
                self._stop(worker)
            self._workers.clear()
        for _, _, task, future in jobs:
            if not future.done():
                future.set_result(_failed(task, why))


_RUNNERS: dict[tuple[str, int], InProcess | PicturePool] = {}
_RUNNERS_LOCK = threading.Lock()


def runner_for(workers: int | None) -> InProcess | PicturePool:
    """This process's runner, kept for its lifetime (models stay loaded): a pool of
    ``workers`` processes (None: one per CPU), or this process when ``workers`` is 0 or this
    process may not have children (a daemonic worker of another pool)."""
    in_process = workers == 0 or multiprocessing.current_process().daemon
    key = ("in-process", 0) if in_process else ("pool", workers or default_size())
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get(key)
        if runner is None:
            runner = _RUNNERS[key] = InProcess() if in_process else PicturePool(key[1])
        return runner


@atexit.register
def close_all() -> None:
    with _RUNNERS_LOCK:
        runners = list(_RUNNERS.values())
        _RUNNERS.clear()
    for runner in runners:
        runner.close()
