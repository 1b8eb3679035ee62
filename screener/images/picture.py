"""Checking one picture: decode, bank match, QR codes, text (OCR). Plain data in, plain data out.

This is the part of the images stage that costs (hundreds of milliseconds a picture) and needs
no lexicon: it runs in worker processes (pool.py), or in the calling process, and returns a
``PictureResult`` that the stage turns into findings with the lexicon and classifiers in force.
A ``PictureChecker`` holds what a process loads once: the OCR models, the bank index (reloaded
when the bank changes) and the OCR cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .bank import AssetBank
from .config import ImageConfig
from .decode import read_image
from .errors import AssetError, ImageDecodeError
from .matcher import BankIndex, Match
from .ocr import OcrCache, OcrEngine, OcrResult
from .qr import QrCode, decode_qr


@dataclass(frozen=True, slots=True)
class PictureTask:
    """One distinct picture of a draft: ``key`` is the sha256 of its bytes (identical pictures
    are checked once), ``path`` where it is, ``source`` how the draft names it."""

    key: str
    path: str
    source: str


@dataclass(frozen=True, slots=True)
class FrameResult:
    number: int  # frame of the file (0 for a still picture)
    scale: float  # working copy pixel -> picture pixel
    matches: tuple[Match, ...]
    codes: tuple[QrCode, ...]
    ocr: OcrResult | None  # None when the text could not be read (see ``ocr_problem``)
    ocr_problem: str = ""


@dataclass(frozen=True, slots=True)
class PictureResult:
    key: str
    source: str
    size: tuple[int, int] = (0, 0)  # width, height of the picture
    n_frames: int = 0
    frames: tuple[FrameResult, ...] = ()
    # Why the picture could not be checked at all (unreadable, a worker that died): then
    # ``frames`` is empty and the picture is reported for a person to look at.
    problem: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per part


@dataclass(frozen=True, slots=True)
class CheckerSetup:
    """What a process needs to build a checker; plain values, so it crosses processes."""

    config: ImageConfig
    bank_url: str
    ocr_folder: str


_PREPARED: set[str] = set()


def prepare_bank(setup: CheckerSetup) -> None:
    """Bring the bank's tables to the newest revision once in this process, before workers open
    it together: two workers migrating a new bank at once, one waits for the other's lock and
    may give up ("database is locked"). A bank that cannot be opened is left for each picture
    to report."""
    if setup.bank_url in _PREPARED:
        return
    try:
        AssetBank(setup.bank_url, setup.config)
    except AssetError:
        return
    _PREPARED.add(setup.bank_url)


def _add(timings: dict[str, float], part: str, began: float) -> None:
    timings[part] = timings.get(part, 0.0) + time.perf_counter() - began


class PictureChecker:
    """``threads``: ONNX Runtime's threads for this process's OCR (1 in a pool's workers)."""

    def __init__(self, setup: CheckerSetup, threads: int = 1) -> None:
        self.setup = setup
        self.threads = threads
        self.config = setup.config
        self.ocr = OcrCache(Path(setup.ocr_folder), lambda: OcrEngine(threads))
        self._bank: AssetBank | None = None
        self._index: BankIndex | None = None
        self._stamp = -1

    def warm_up(self) -> None:
        """Load the OCR models and the bank now rather than with the first picture."""
        OcrEngine(self.threads).warm_up()
        self.bank_index()

    def bank_index(self) -> BankIndex:
        """The active bank, reloaded when it changed (one indexed query per picture)."""
        if self._bank is None:
            self._bank = AssetBank(self.setup.bank_url, self.config)
        stamp = self._bank.stamp()
        if self._index is None or stamp != self._stamp:
            self._index, self._stamp = BankIndex.of(self._bank), stamp
        return self._index

    def check(self, task: PictureTask) -> PictureResult:
        timings: dict[str, float] = {}
        began = time.perf_counter()
        try:
            image = read_image(task.path, self.config)
        except ImageDecodeError as exc:
            return PictureResult(task.key, task.source, problem=exc.problem, timings=timings)
        finally:
            _add(timings, "decode", began)
        began = time.perf_counter()
        index = self.bank_index()
        _add(timings, "bank", began)
        frames = []
        for position, frame in enumerate(image.frames):
            scale = image.size[0] / frame.shape[1]
            matches = tuple(index.match(frame, timings))
            began = time.perf_counter()
            codes = tuple(decode_qr(frame))
            _add(timings, "qr", began)
            key = image.sha256 if position == 0 else f"{image.sha256}-f{position}"
            try:
                ocr, problem = self.ocr.read(key, frame, timings), ""
            except Exception as exc:  # noqa: BLE001  (OCR engine failure: fail closed)
                ocr, problem = None, f"{type(exc).__name__}: {exc}"
            frames.append(FrameResult(image.frame_numbers[position], scale, matches, codes, ocr,
                                      problem))
        return PictureResult(task.key, task.source, image.size, image.n_frames, tuple(frames),
                             timings=timings)
