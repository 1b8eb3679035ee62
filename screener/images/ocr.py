"""Text inside images, read by rapidocr (ONNX models shipped inside the wheel: no download).

Results are cached by the image's sha256 as JSON in ``<home>/cache/ocr/`` so the same picture is
never read twice (JSON, never pickle: a cache file is data, not code).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    start: int  # offset of this line in OcrResult.text
    box: tuple[tuple[int, int], ...]
    score: float


def enclosing(boxes: list[tuple[tuple[int, int], ...]]) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 of the smallest upright rectangle holding every point of ``boxes``."""
    xs = [x for box in boxes for x, _ in box]
    ys = [y for box in boxes for _, y in box]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else (0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class OcrResult:
    text: str  # lines joined by "\n"
    lines: tuple[OcrLine, ...]

    def box_at(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        for line in self.lines:
            if line.start <= start < line.start + len(line.text) + 1:
                return line.box
        return ()

    def lines_covering(self, spans: list[tuple[int, int]]) -> tuple[OcrLine, ...]:
        """The lines any of ``spans`` (offsets in ``text``) falls in, in reading order."""
        return tuple(line for line in self.lines
                     if any(line.start <= s < line.start + len(line.text) + 1
                            or s < line.start < e for s, e in spans))

    def to_json(self) -> dict:
        return {"version": _CACHE_VERSION,
                "lines": [{"text": ln.text, "box": [list(p) for p in ln.box], "score": ln.score}
                          for ln in self.lines]}

    @classmethod
    def from_lines(cls, raw: list[tuple[str, list, float]]) -> OcrResult:
        lines, offset = [], 0
        for text, box, score in raw:
            lines.append(OcrLine(text, offset, tuple((int(x), int(y)) for x, y in box),
                                 float(score)))
            offset += len(text) + 1
        return cls("\n".join(ln.text for ln in lines), tuple(lines))


class OcrEngine:
    """One rapidocr instance per process, created on first use (loading takes a second)."""

    _shared = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        with OcrEngine._lock:
            if OcrEngine._shared is None:
                # onnxruntime and the OCR models (measured: 180 ms to import): on first use only
                from rapidocr_onnxruntime import RapidOCR

                OcrEngine._shared = RapidOCR()
        self._engine = OcrEngine._shared

    def read(self, rgb: np.ndarray) -> OcrResult:
        # rapidocr expects BGR like OpenCV.
        result, _ = self._engine(np.ascontiguousarray(rgb[:, :, ::-1]))
        raw = [(str(text), box, float(score)) for box, text, score in (result or [])]
        return OcrResult.from_lines(raw)


class OcrCache:
    def __init__(self, folder: Path, engine_factory=OcrEngine) -> None:
        self.folder = folder
        self._factory = engine_factory
        self._engine = None

    def read(self, sha256: str, rgb: np.ndarray) -> OcrResult:
        path = self.folder / f"{sha256}.json"
        cached = self._load(path)
        if cached is not None:
            return cached
        if self._engine is None:
            self._engine = self._factory()
        result = self._engine.read(rgb)
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")
        temp.replace(path)  # atomic: a reader never sees half a file
        return result

    @staticmethod
    def _load(path: Path) -> OcrResult | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != _CACHE_VERSION:
                return None
            return OcrResult.from_lines([(ln["text"], ln["box"], ln["score"])
                                         for ln in data["lines"]])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: read the image again
