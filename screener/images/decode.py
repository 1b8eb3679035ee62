"""Safe decoding: every way an image file can be hostile or broken ends in ImageDecodeError.

Checks happen before pixels are decoded (size on disk, dimensions, frame count), so a
decompression bomb is refused from its header. Output frames are 8-bit RGB numpy arrays, upright
(EXIF orientation applied), reduced to ``work_side``.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..ingest import read_bounded
from .config import ImageConfig
from .errors import ImageDecodeError

FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO")


@dataclass(frozen=True, slots=True)
class DecodedImage:
    source: str
    sha256: str
    format: str
    size: tuple[int, int]  # upright width, height of the original
    n_frames: int
    frames: tuple[np.ndarray, ...]  # RGB uint8, reduced to work_side
    frame_numbers: tuple[int, ...] = (0,)  # which frames of an animation were sampled

    @property
    def first(self) -> np.ndarray:
        return self.frames[0]


def read_image(path: str | Path, config: ImageConfig) -> DecodedImage:
    source = str(path)
    data = read_bounded(Path(path), config.max_file_bytes, error=ImageDecodeError,
                        kind="图片", noun="图片", missing="找不到图片文件")
    return decode_bytes(data, source, config)


def decode_bytes(data: bytes, source: str, config: ImageConfig) -> DecodedImage:
    import io

    if not data:
        raise ImageDecodeError(source, "空文件，不是图片")
    digest = hashlib.sha256(data).hexdigest()
    # A process-wide flag some libraries set; truncated files must fail here, not load half-grey.
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise ImageDecodeError(source, "PIL 被设置为接受不完整的图片；拒绝读取")
    with warnings.catch_warnings():
        # PIL's bomb warning becomes an error: a half-size bomb is still a bomb.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                return _decode(image, source, digest, config)
        except ImageDecodeError:
            raise
        except UnidentifiedImageError:
            raise ImageDecodeError(source, "不是图片（内容不是任何已知的图片格式，"
                                           "与文件名无关）") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageDecodeError(source, f"疑为解压炸弹，拒绝打开：{exc}") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            raise ImageDecodeError(source, f"图片损坏或不完整：{exc}") from None
        except Exception as exc:  # noqa: BLE001
            # PIL's format plugins also fail with TypeError, KeyError, IndexError, struct.error
            # on hostile headers (found by fuzzing: a TIFF without dimensions). Fail closed.
            raise ImageDecodeError(source, f"图片损坏（{type(exc).__name__}: "
                                           f"{str(exc)[:200]}）") from None


def _decode(image: Image.Image, source: str, digest: str, config: ImageConfig) -> DecodedImage:
    fmt = image.format or "?"
    if fmt not in FORMATS:
        raise ImageDecodeError(source, f"图片格式 {fmt} 不在允许之列"
                                       f"（可用：{'、'.join(FORMATS)}）")
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > config.max_pixels:
        raise ImageDecodeError(source, f"图片有 {width}x{height} 像素；最多只解码 "
                                       f"{config.max_pixels:,} 像素")
    n_frames = int(getattr(image, "n_frames", 1) or 1)
    if n_frames * width * height > config.max_total_pixels and n_frames > config.max_frames:
        # Only sampled frames are decoded, but GIF seeking decodes every frame before it.
        raise ImageDecodeError(source, f"动图有 {n_frames} 帧，每帧 {width}x{height}，"
                                       "太大，无法检查")
    frames = []
    sample = _frame_sample(n_frames, config.max_frames)
    for index in sample:
        image.seek(index)
        frame = image.copy() if index else image
        frame.load()
        frames.append(_to_rgb(frame if index else ImageOps.exif_transpose(frame), config))
    upright = frames[0].shape[1], frames[0].shape[0]
    scale = max(width, height) / max(upright)
    size = (round(upright[0] * scale), round(upright[1] * scale))
    return DecodedImage(source, digest, fmt, size, n_frames, tuple(frames), tuple(sample))


def _frame_sample(n_frames: int, limit: int) -> list[int]:
    if n_frames <= limit:
        return list(range(n_frames))
    return sorted({round(i * (n_frames - 1) / (limit - 1)) for i in range(limit)})


def _to_rgb(frame: Image.Image, config: ImageConfig) -> np.ndarray:
    mode = frame.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greys: stretch to 8 bits; PIL's convert("L") would clip at 255.
        array = np.asarray(frame, dtype=np.float64)
        low, high = float(array.min()), float(array.max())
        scaled = (array - low) * (255.0 / (high - low)) if high > low else array * 0
        frame = Image.fromarray(scaled.astype(np.uint8), "L")
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        # Transparent areas are shown on white in WeChat; composite the same way.
        rgba = frame.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(background, rgba)
    rgb = frame.convert("RGB")  # CMYK, YCbCr, P, L, 1 -> RGB
    if max(rgb.size) > config.work_side:
        rgb.thumbnail((config.work_side, config.work_side), Image.Resampling.LANCZOS)
    return np.asarray(rgb, dtype=np.uint8).copy()
