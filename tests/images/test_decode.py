"""Every bad-image case ends in ImageDecodeError with a reason, never a crash or a pass."""

import io

import numpy as np
import pytest
from PIL import Image

from screener.images.config import ImageConfig
from screener.images.decode import decode_bytes, read_image
from screener.images.errors import ImageDecodeError


def _bytes(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _problem(data: bytes, config=None) -> str:
    with pytest.raises(ImageDecodeError) as caught:
        decode_bytes(data, "x.png", config or ImageConfig())
    return caught.value.problem


def test_decompression_bomb_is_refused_from_its_header():
    bomb = _bytes(Image.new("1", (12_000, 12_000)), "PNG")  # 144 Mpx in a few kB
    assert len(bomb) < 100_000
    assert "144000000" in _problem(bomb).replace(",", "") or "12000x12000" in _problem(bomb)


def test_huge_dimensions_over_the_configured_limit():
    data = _bytes(Image.new("RGB", (300, 300)), "PNG")
    assert "300x300" in _problem(data, ImageConfig(max_pixels=50_000))


def test_truncated_jpeg(photos):
    data = _bytes(photos["china"], "JPEG")
    assert _problem(data[: len(data) // 2]).startswith("图片损坏")


def test_corrupt_bytes_after_a_valid_header(photos):
    data = bytearray(_bytes(photos["china"].resize((64, 64)), "PNG"))
    data[60:400] = b"\x00" * 340
    assert _problem(bytes(data)).startswith("图片损坏")


@pytest.mark.parametrize("content", [b"<html>not a picture</html>", b"%PDF-1.4 ...", b"\x00" * 10])
def test_non_image_with_an_image_extension(content):
    assert _problem(content).startswith("不是图片")


def test_empty_file():
    assert _problem(b"") == "空文件，不是图片"


def test_missing_file_and_folder(tmp_path):
    for path, words in ((tmp_path / "nope.png", "找不到图片文件"),
                        (tmp_path, "是文件夹，不是图片")):
        with pytest.raises(ImageDecodeError) as caught:
            read_image(path, ImageConfig())
        assert words in caught.value.problem


def test_file_too_large(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(b"\x89PNG" + b"\x00" * 2000)
    with pytest.raises(ImageDecodeError, match="文件有 2,004 字节；图片最多 1,000 字节"):
        read_image(path, ImageConfig(max_file_bytes=1000))


def test_animated_gif_frames_are_sampled_first_and_last_included():
    frames = [Image.new("RGB", (40, 40), (i * 8, 0, 0)) for i in range(30)]
    data = _bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    image = decode_bytes(data, "a.gif", ImageConfig(max_frames=5))
    assert image.n_frames == 30
    assert image.frame_numbers[0] == 0 and image.frame_numbers[-1] == 29
    assert len(image.frames) == 5


def test_animation_too_large_overall():
    frames = [Image.new("L", (200, 200), i) for i in range(20)]
    data = _bytes(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert _problem(data, ImageConfig(max_frames=4, max_total_pixels=100_000)) == \
        "动图有 20 帧，每帧 200x200，太大，无法检查"


def test_cmyk_jpeg_becomes_rgb(photos):
    data = _bytes(photos["china"].resize((80, 60)).convert("CMYK"), "JPEG")
    image = decode_bytes(data, "c.jpg", ImageConfig())
    assert image.first.shape == (60, 80, 3)
    assert image.first.dtype == np.uint8


def test_16_bit_grey_is_stretched_not_clipped():
    ramp = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (16, 1))
    data = _bytes(Image.fromarray(ramp), "PNG")
    image = decode_bytes(data, "deep.png", ImageConfig())
    assert image.first[0, 0, 0] == 0 and image.first[0, -1, 0] == 255
    assert len(np.unique(image.first[0, :, 0])) > 32  # a ramp, not a clipped white


def test_exif_rotation_is_applied(photos):
    picture = photos["china"].resize((120, 80))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image = decode_bytes(_bytes(picture, "JPEG", exif=exif), "r.jpg", ImageConfig())
    assert image.first.shape[:2] == (120, 80)
    assert image.size == (80, 120)


def test_transparent_png_is_composited_on_white():
    clear = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    image = decode_bytes(_bytes(clear, "PNG"), "t.png", ImageConfig())
    assert image.first.min() == 255


def test_large_image_is_reduced_for_work(photos):
    data = _bytes(photos["china"].resize((2000, 1500)), "PNG")
    image = decode_bytes(data, "l.png", ImageConfig(work_side=500))
    assert max(image.first.shape[:2]) == 500
    assert image.size == (2000, 1500)
