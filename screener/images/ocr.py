"""Text inside images, read by rapidocr with the ONNX models shipped inside its wheel.

The model files are named explicitly, from the installed package: rapidocr's own download code
(which fetches a model that is missing) is never reached, and a missing file is an error that
fails the picture closed. Each process loads the models once and keeps them.

Two things keep a picture cheap: detection runs on a copy whose longest side is at most
``DETECT_SIDE`` (rapidocr's default enlarges small pictures to a shortest side of 736 first),
and recognition only runs on the lines detection found (a picture without text costs one
detection pass). Recognition reads the lines from the full working copy, not the reduced one.

Results are cached by the image's sha256 as JSON in ``<home>/cache/ocr/`` so the same picture is
never read twice (JSON, never pickle: a cache file is data, not code); an entry made by another
engine or another detection size is read again.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import OcrError

_CACHE_VERSION = 2
DETECT_SIDE = 736
MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx",
          "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
ENGINE = f"rapidocr PP-OCRv6 small, detection at {DETECT_SIDE} px"


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

    def line_at(self, start: int) -> int:
        """Index of the line that offset ``start`` of ``text`` falls in (-1 if none)."""
        for number, line in enumerate(self.lines):
            if line.start <= start < line.start + len(line.text) + 1:
                return number
        return -1

    def box_at(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        number = self.line_at(start)
        return self.lines[number].box if number >= 0 else ()

    def lines_covering(self, spans: list[tuple[int, int]]) -> tuple[OcrLine, ...]:
        """The lines any of ``spans`` (offsets in ``text``) falls in, in reading order."""
        return tuple(line for line in self.lines
                     if any(line.start <= s < line.start + len(line.text) + 1
                            or s < line.start < e for s, e in spans))

    def to_json(self) -> dict:
        return {"version": _CACHE_VERSION, "engine": ENGINE,
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


def _model_paths() -> dict[str, str]:
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - a broken installation
        raise OcrError(f"没有安装文字识别（OCR）引擎（{exc}）") from None
    folder = Path(rapidocr.__file__).resolve().parent / "models"
    paths = {task: folder / name for task, name in MODELS.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise OcrError(f"安装中缺少文字识别（OCR）模型文件：{'、'.join(missing)}；"
                       "请重新安装 rapidocr")
    return {task: str(path) for task, path in paths.items()}


class OcrEngine:
    """One rapidocr instance per process and thread count, created on first use (loading the
    models takes about a second). ``threads`` is ONNX Runtime's intra-op thread count: 1 in a
    pool of worker processes (the pool is the parallelism), more when one process reads alone."""

    _shared: dict[int, object] = {}
    _lock = threading.Lock()

    def __init__(self, threads: int = 1) -> None:
        with OcrEngine._lock:
            engine = OcrEngine._shared.get(threads)
            if engine is None:
                # onnxruntime and the OCR models (measured: 180 ms to import): on first use only
                from rapidocr import RapidOCR

                params = {"Global.log_level": "error", "Det.limit_type": "max",
                          "Det.limit_side_len": DETECT_SIDE,
                          "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                          "EngineConfig.onnxruntime.inter_op_num_threads": 1}
                params.update({f"{task}.model_path": path
                               for task, path in _model_paths().items()})
                # log level "error": rapidocr warns about every picture without text.
                engine = OcrEngine._shared[threads] = RapidOCR(params=params)
        self._engine = engine

    def warm_up(self) -> None:
        """Load all three models now (rapidocr loads each on first use), so the first
        picture of a draft does not pay for it."""
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (240, 60), (255, 255, 255))
        ImageDraw.Draw(image).rectangle((20, 22, 220, 38), fill=(0, 0, 0))
        self._engine(np.asarray(image)[:, :, ::-1].copy())

    def read(self, rgb: np.ndarray, timings: dict[str, float] | None = None) -> OcrResult:
        """The lines of text in ``rgb``; ``timings``, if given, accumulates seconds spent on
        detection, angle classification and recognition."""
        began = time.perf_counter()
        # rapidocr expects BGR like OpenCV.
        output = self._engine(np.ascontiguousarray(rgb[:, :, ::-1]))
        elapsed = time.perf_counter() - began
        txts, boxes, scores = output.txts, output.boxes, output.scores
        if timings is not None:
            parts = list(getattr(output, "elapse_list", None) or [])
            if len(parts) == 3 and txts:
                for name, seconds in zip(("detection", "classification", "recognition"), parts,
                                         strict=True):
                    timings[name] = timings.get(name, 0.0) + float(seconds)
            else:  # nothing detected: detection was all there was
                timings["detection"] = timings.get("detection", 0.0) + elapsed
        if not txts or boxes is None:
            return OcrResult("", ())
        raw = [(str(text), [(float(x), float(y)) for x, y in box], float(score))
               for text, box, score in zip(txts, boxes, scores, strict=True)]
        return OcrResult.from_lines(raw)


class OcrCache:
    def __init__(self, folder: Path, engine_factory=OcrEngine) -> None:
        self.folder = folder
        self._factory = engine_factory
        self._engine = None

    def read(self, sha256: str, rgb: np.ndarray,
             timings: dict[str, float] | None = None) -> OcrResult:
        path = self.folder / f"{sha256}.json"
        cached = self._load(path)
        if cached is not None:
            return cached
        if self._engine is None:
            self._engine = self._factory()
        result = self._engine.read(rgb, timings) if timings is not None else self._engine.read(
            rgb)
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
        temp.write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")
        temp.replace(path)  # atomic: a reader never sees half a file
        return result

    @staticmethod
    def _load(path: Path) -> OcrResult | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != _CACHE_VERSION or data.get("engine") != ENGINE:
                return None
            return OcrResult.from_lines([(ln["text"], ln["box"], ln["score"])
                                         for ln in data["lines"]])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: read the image again
