"""Images: bank matches (copyright, emblem), text inside pictures, QR codes.

Fails closed per image: a picture that cannot be read safely, a remote link that is never
fetched, or an OCR failure each yields a ``stage_error`` finding on ``image:N`` so a person looks.
"""

from __future__ import annotations

import threading

from ..images.bank import AssetBank
from ..images.config import assets_url, cache_dir, image_config
from ..images.decode import read_image
from ..images.errors import ImageDecodeError
from ..images.findings import STAGE, bank_match, outside_qr, unreadable
from ..images.matcher import BankIndex
from ..images.ocr import OcrCache
from ..images.qr import decode_qr, is_school_link
from ..model import Finding
from ..policy import ACCOUNT_NAME_ONLY
from . import register
from .base import Context, Resources

REMOTE = ("http://", "https://", "//")


class ImageStage:
    name = STAGE

    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.config = image_config(resources.settings)
        self._bank: AssetBank | None = None
        self._index: BankIndex | None = None
        self._stamp = -1
        self._lock = threading.Lock()
        self.ocr = OcrCache(cache_dir(resources.settings) / "ocr")

    def bank_index(self) -> BankIndex:
        """The active bank, reloaded when it changed (one indexed query per draft)."""
        with self._lock:
            if self._bank is None:
                self._bank = AssetBank(assets_url(self.resources.settings), self.config)
            stamp = self._bank.stamp()
            if self._index is None or stamp != self._stamp:
                self._index, self._stamp = BankIndex(self._bank), stamp
            return self._index

    def __call__(self, context: Context) -> list[Finding]:
        findings: list[Finding] = []
        index = None
        for number, path in enumerate(context.draft.images):
            if path.lower().startswith(REMOTE):
                findings.append(unreadable(number, path, "remote image, never fetched"))
                continue
            try:
                image = read_image(path, self.config)
            except ImageDecodeError as exc:
                findings.append(unreadable(number, path, exc.problem))
                continue
            index = index or self.bank_index()
            findings.extend(self._check(context, number, image, index))
        return findings

    def _check(self, context: Context, number: int, image, index: BankIndex) -> list[Finding]:
        findings: list[Finding] = []
        seen_assets: set[int] = set()
        seen_qr: set[str] = set()
        for frame_no, frame in enumerate(image.frames):
            scale = image.size[0] / frame.shape[1]
            for match in index.match(frame):
                if match.asset.id not in seen_assets:
                    seen_assets.add(match.asset.id)
                    findings.append(bank_match(number, match, image.frame_numbers[frame_no],
                                               image.n_frames, scale))
            for code in decode_qr(frame):
                if code.payload not in seen_qr and not is_school_link(
                        code.payload, self.config.school_domains):
                    seen_qr.add(code.payload)
                    findings.append(outside_qr(number, code))
            key = image.sha256 if frame_no == 0 else f"{image.sha256}-f{frame_no}"
            try:
                ocr = self.ocr.read(key, frame)
            except Exception as exc:  # noqa: BLE001  (OCR engine failure: fail closed)
                findings.append(unreadable(number, image.source,
                                           f"text in the image could not be read "
                                           f"({type(exc).__name__}: {exc})"))
                continue
            findings.extend(self._text_findings(context, number, frame_no, ocr))
        return findings

    def _text_findings(self, context: Context, number: int, frame_no: int, ocr) -> list[Finding]:
        if not ocr.text.strip():
            return []
        resources = context.resources
        out = []
        for hit in resources.matcher.find(resources.normalizer(ocr.text),
                                          exclude=ACCOUNT_NAME_ONLY):
            box = ocr.box_at(hit.start, hit.end)
            where = f"frame {frame_no + 1}, " if frame_no else ""
            out.append(Finding(
                stage=self.name, category=hit.entry.category, severity=hit.entry.severity,
                field=f"image:{number}", start=hit.start, end=hit.end,
                text=ocr.text[hit.start:hit.end], term=hit.entry.term, score=1.0,
                article=hit.entry.article,
                explanation=f"text in the image ({where}box {list(box)}): {hit.explanation()}",
            ))
        return out


register("images")(ImageStage)
