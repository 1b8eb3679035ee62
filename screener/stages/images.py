"""Images: bank matches (copyright, emblem), text inside pictures, QR codes.

Text read from a picture goes through the same normalizer, term matcher and classifier as the
draft's own text; its findings sit on field ``image:N`` with offsets into the text read and the
box where it was found.

Fails closed per image: a picture that cannot be read safely, a remote link that is never
fetched, an OCR failure or a classifier that cannot score the text each yields a
``stage_error`` finding on ``image:N`` so a person looks.
"""

from __future__ import annotations

import threading

from ..errors import ModelError
from ..images.bank import AssetBank
from ..images.config import assets_url, cache_dir, image_config
from ..images.decode import read_image
from ..images.errors import ImageDecodeError
from ..images.findings import STAGE, bank_match, outside_qr, text_hit, text_judgement, unreadable
from ..images.matcher import BankIndex
from ..images.ocr import OcrCache, OcrResult, enclosing
from ..images.qr import decode_qr, is_school_link
from ..model import Finding
from ..policy import ACCOUNT_NAME_ONLY
from .base import CLASS_SCORES, PICTURE_TEXT, Context, PictureText, Resources
from .registry import register

REMOTE = ("http://", "https://", "//")


class ImageStage:
    name = STAGE
    uses = (CLASS_SCORES,)  # text in pictures is scored when the draft's text was
    provides = (PICTURE_TEXT,)  # what was read, for later stages (reprinted tables: sources)

    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.config = image_config(resources.settings)
        self._bank: AssetBank | None = None
        self._index: BankIndex | None = None
        self._stamp = -1
        self._lock = threading.Lock()
        self.ocr = OcrCache(cache_dir(resources.settings) / "ocr")
        # Same model, thresholds and evidence as the draft's text; loaded on first use.
        self.classifier = resources.classifier

    def bank_index(self) -> BankIndex:
        """The active bank, reloaded when it changed (one indexed query per draft)."""
        with self._lock:
            if self._bank is None:
                self._bank = AssetBank(assets_url(self.resources.settings), self.config)
            stamp = self._bank.stamp()
            if self._index is None or stamp != self._stamp:
                self._index, self._stamp = BankIndex.of(self._bank), stamp
            return self._index

    def __call__(self, context: Context) -> list[Finding]:
        findings: list[Finding] = []
        texts: list[PictureText] = []
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
            findings.extend(self._check(context, number, image, index, texts))
        context.provide(PICTURE_TEXT, tuple(texts))
        return findings

    def _check(self, context: Context, number: int, image, index: BankIndex,
               texts: list[PictureText]) -> list[Finding]:
        findings: list[Finding] = []
        seen_assets: set[int] = set()
        seen_qr: set[str] = set()
        seen_classes: set[str] = set()
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
            if ocr.text.strip():
                texts.append(_picture_text(number, image.frame_numbers[frame_no], ocr, scale))
            findings.extend(self._text_findings(context, number, image.source, ocr,
                                                image.frame_numbers[frame_no], scale,
                                                seen_classes))
        return findings

    def _text_findings(self, context: Context, number: int, source: str, ocr: OcrResult,
                       frame_no: int, scale: float, seen_classes: set[str]) -> list[Finding]:
        if not ocr.text.strip():
            return []
        resources = context.resources
        field = f"image:{number}"
        normalized = resources.normalizer(ocr.text)
        hits = list(resources.matcher.find(normalized, exclude=ACCOUNT_NAME_ONLY))
        out = [text_hit(number, hit, ocr, frame_no, scale) for hit in hits]
        # Judged like the draft's text when the draft's text was: a run without the classify
        # stage wants no scores, and a classify stage that failed already made its finding.
        if CLASS_SCORES not in context:
            return out
        try:
            judged = self.classifier.judge(
                [(field, normalized)], {field: ocr.text},
                [(field, h.start, h.end, h.entry.category) for h in hits], long_field=field)
        except ModelError as exc:
            out.append(unreadable(number, source, f"the text read from it could not be "
                                                  f"scored ({exc})"))
            return out
        for item in judged:
            # One finding per class and picture: the frames of an animation repeat their text.
            if item.severity is not None and item.name not in seen_classes:
                seen_classes.add(item.name)
                out.append(text_judgement(number, item, ocr, frame_no, scale))
        return out


def _picture_text(number: int, frame: int, ocr: OcrResult, scale: float) -> PictureText:
    lines = tuple((line.start, line.start + len(line.text),
                   tuple(round(v * scale) for v in enclosing([line.box])))
                  for line in ocr.lines)
    return PictureText(number, frame, ocr.text, lines)  # type: ignore[arg-type]


register("images")(ImageStage)
