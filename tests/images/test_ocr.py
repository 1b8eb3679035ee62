"""Text in pictures: models from the installed package, recognition only where there is text,
results cached by content and by engine."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from screener.images import ocr as ocr_module
from screener.images.errors import OcrError
from screener.images.ocr import ENGINE, OcrCache, OcrEngine

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _caption(text: str) -> np.ndarray:
    image = Image.new("RGB", (520, 120), (255, 255, 255))
    ImageDraw.Draw(image).text((20, 35), text, font=ImageFont.truetype(CJK_FONT, 40),
                               fill=(0, 0, 0))
    return np.asarray(image)


@pytest.fixture
def recognitions(monkeypatch):
    """Counts the batches of lines rapidocr's recogniser is given."""
    engine = OcrEngine(1)
    calls: list[int] = []
    original = engine._engine.recognize_txt

    def counting(lines):
        calls.append(len(lines))
        return original(lines)

    monkeypatch.setattr(engine._engine, "recognize_txt", counting)
    return engine, calls


def test_recognition_runs_only_where_detection_found_text(recognitions, photos):
    engine, calls = recognitions
    timings: dict[str, float] = {}
    assert engine.read(np.asarray(photos["flower"]), timings).text == ""
    assert calls == [] and timings["detection"] > 0 and "recognition" not in timings
    result = engine.read(_caption("内部资料"), timings)
    assert result.text == "内部资料" and calls == [1] and timings["recognition"] > 0


def test_the_models_are_the_files_inside_the_installed_package(monkeypatch):
    import rapidocr

    package = rapidocr.__file__.rsplit("/", 1)[0]
    paths = ocr_module._model_paths()
    assert sorted(paths) == ["Cls", "Det", "Rec"]
    assert all(path.startswith(package) and path.endswith(".onnx") for path in paths.values())
    # A model missing from the installation is an error, never a download.
    monkeypatch.setitem(ocr_module.MODELS, "Rec", "no-such-model.onnx")
    with pytest.raises(OcrError, match="no-such-model.onnx"):
        ocr_module._model_paths()


def test_a_cache_entry_of_another_engine_is_read_again(tmp_path):
    rgb = _caption("涉密文件")
    entry = tmp_path / "key.json"
    entry.write_text(json.dumps({"version": 2, "engine": "some older engine",
                                 "lines": [{"text": "旧的结果", "box": [[0, 0], [1, 0], [1, 1],
                                                                      [0, 1]],
                                            "score": 0.9}]}), encoding="utf-8")
    result = OcrCache(tmp_path).read("key", rgb)
    assert result.text == "涉密文件"
    assert json.loads(entry.read_text(encoding="utf-8"))["engine"] == ENGINE
