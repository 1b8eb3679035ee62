"""OCR alone: our configuration of rapidocr against its defaults, on the same captioned
photographs, in one run (rounds alternate so that a shared machine's load falls on all alike).

* ours: detection on a copy whose longest side is at most 736 px, one ONNX Runtime thread (the
  pool of picture workers is the parallelism);
* rapidocr defaults: detection on a copy enlarged to a shortest side of 736 px, ONNX Runtime's
  own thread count (every core);
* ours with every core (what one process reading alone would use);
* the engine before this one, ``rapidocr_onnxruntime`` 1.4 (PP-OCRv4), with its defaults and
  with our detection size, if it is installed (``pip install "rapidocr-onnxruntime<1.5"``).

Also printed: how well each read the captions (mean best similarity of each written line to a
line read, difflib ratio), so that speed is never bought with misread text.

    python benchmarks/bench_ocr.py [--pictures 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_pictures import CAPTIONS, PHOTOS, WITHOUT_TEXT, captioned, photo  # noqa: E402

from screener.images import ocr  # noqa: E402
from screener.images.pool import default_size  # noqa: E402


def _pictures(n: int) -> list[tuple[np.ndarray, tuple[str, ...]]]:
    out = []
    for number, name in enumerate(PHOTOS[:n]):
        image, lines = photo(name), ()
        if (number + 1) % WITHOUT_TEXT:
            lines = CAPTIONS[number % len(CAPTIONS)]
            image = captioned(image, lines)
        out.append((np.asarray(image), lines))
    return out


def _ours(threads: int, side: int = ocr.DETECT_SIDE, limit: str = "max"):
    from rapidocr import RapidOCR

    params = {"Global.log_level": "error", "Det.limit_type": limit, "Det.limit_side_len": side,
              "EngineConfig.onnxruntime.intra_op_num_threads": threads,
              "EngineConfig.onnxruntime.inter_op_num_threads": 1}
    params.update({f"{task}.model_path": path for task, path in ocr._model_paths().items()})
    engine = RapidOCR(params=params)
    return lambda bgr: list(engine(bgr).txts or ())


def _old(**options):
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(**options)
    return lambda bgr: [text for _, text, _ in (engine(bgr)[0] or [])]


def _quality(read: list[str], lines: tuple[str, ...]) -> float:
    return statistics.mean(max((difflib.SequenceMatcher(None, line, text).ratio()
                                for text in read), default=0.0) for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pictures", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cores = default_size()
    engines = {"ours (max side 736, 1 thread)": _ours(1),
               "rapidocr defaults (min side 736, all threads)": _ours(-1, 736, "min"),
               f"ours with {cores} threads": _ours(cores)}
    try:
        engines["rapidocr_onnxruntime 1.4 defaults"] = _old()
        engines["rapidocr_onnxruntime 1.4, max side 736, 1 thread"] = _old(
            det_limit_type="max", det_limit_side_len=736, intra_op_num_threads=1,
            inter_op_num_threads=1)
    except ImportError:
        print("(rapidocr_onnxruntime is not installed: the old engine is not measured)")
    pictures = _pictures(args.pictures)
    bgrs = [np.ascontiguousarray(rgb[:, :, ::-1]) for rgb, _ in pictures]
    for read in engines.values():
        read(bgrs[0])  # load the models
    seconds: dict[str, list[float]] = {name: [] for name in engines}
    quality: dict[str, float] = {}
    for round_number in range(args.rounds):
        names = list(engines) if round_number % 2 == 0 else list(engines)[::-1]
        for name in names:
            began, scores = time.perf_counter(), []
            for bgr, (_, lines) in zip(bgrs, pictures, strict=True):
                read = engines[name](bgr)
                if lines:
                    scores.append(_quality(read, lines))
            seconds[name].append((time.perf_counter() - began) / len(bgrs))
            quality[name] = statistics.mean(scores)
    base = statistics.median(seconds["ours (max side 736, 1 thread)"])
    print(f"{len(bgrs)} pictures ({sum(1 for _, lines in pictures if lines)} with five lines of "
          f"caption), median of {args.rounds} rounds, {cores} CPUs")
    print(f"{'engine':<50} {'ms/picture':>10} {'vs ours':>8} {'text read':>9}")
    for name in engines:
        median = statistics.median(seconds[name])
        print(f"{name:<50} {median * 1000:>10.0f} {median / base:>7.2f}x {quality[name]:>9.3f}")


if __name__ == "__main__":
    main()
