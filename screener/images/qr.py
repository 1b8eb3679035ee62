"""QR codes in pictures: decoded with OpenCV; links outside the school's domains are flagged."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import cv2
import numpy as np


@dataclass(frozen=True, slots=True)
class QrCode:
    payload: str
    box: tuple[tuple[int, int], ...]


def decode_qr(rgb: np.ndarray) -> list[QrCode]:
    detector = cv2.QRCodeDetector()
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    try:
        ok, payloads, points, _ = detector.detectAndDecodeMulti(bgr)
    except cv2.error:
        ok = False
    if not ok:
        return []
    return [QrCode(p, tuple((int(x), int(y)) for x, y in pts))
            for p, pts in zip(payloads, points, strict=True) if p]


def is_school_link(payload: str, domains: tuple[str, ...]) -> bool:
    """True for http(s) links whose host is a school domain or one of its subdomains."""
    parts = urlsplit(payload.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)
