"""Fixtures for image tests: real photographs that ship with scikit-learn, and a bank."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from screener.images.bank import AssetBank
from screener.images.config import ImageConfig
from screener.images.decode import decode_bytes


@pytest.fixture(scope="session")
def photos() -> dict[str, Image.Image]:
    from sklearn.datasets import load_sample_images

    images = load_sample_images()
    names = [f.rsplit("/", 1)[-1].split(".")[0] for f in images.filenames]
    return {name: Image.fromarray(array) for name, array in zip(names, images.images, strict=True)}


@pytest.fixture(scope="session")
def config() -> ImageConfig:
    return ImageConfig()


@pytest.fixture(scope="session")
def bank_dir(tmp_path_factory, photos):
    folder = tmp_path_factory.mktemp("bank")
    photos["china"].save(folder / "china.png")
    photos["flower"].save(folder / "flower.png")
    return folder


@pytest.fixture(scope="session")
def china_bank(bank_dir, config) -> tuple[AssetBank, int]:
    """A bank holding china.jpg only; flower.jpg is never registered."""
    bank = AssetBank(f"sqlite:///{bank_dir}/assets.db", config)
    added = bank.add(bank_dir / "china.png", kind="copyright", title="China", owner="Someone")
    return bank, added.asset.id


def as_rgb(image: Image.Image, config: ImageConfig) -> np.ndarray:
    """Through the real decoder, as a pasted file would go."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return decode_bytes(buffer.getvalue(), "test.png", config).first


@pytest.fixture(scope="module")
def resources(tmp_path_factory, shared_cache):
    """Test lexicons, the shipped classifier, and a state folder (bank, OCR cache) per module."""
    from screener.pipeline import build_resources

    from ..conftest import TEST_LEXICONS, make_settings

    home = tmp_path_factory.mktemp("img-home")
    return build_resources(make_settings(home, TEST_LEXICONS, shared_cache))
