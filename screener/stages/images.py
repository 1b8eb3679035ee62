"""Images: bank matches (copyright, emblem), text inside pictures, QR codes.

The costly part of a picture (decoding, hashing, verification, OCR) needs no lexicon and runs in
a pool of worker processes (images/pool.py), a picture per worker at a time; identical pictures
of a draft are checked once. What was found then becomes findings here, in the calling process:
text read from a picture goes through the same normalizer, term matcher and classifier as the
draft's own text, on field ``image:N`` with offsets into the text read; every picture finding
carries its ``location`` (picture, frame, box).

``screen_pictures`` does all of it for one draft and returns the findings: the pipeline's
stage calls it, and so can a background job that screens a draft's pictures on its own.

Fails closed per image: a picture that cannot be read safely, a remote link that is never
fetched, a worker that dies or runs out of time on it, an OCR failure or a classifier that
cannot score the text each yields a ``stage_error`` finding on ``image:N`` so a person looks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ..classify.judge import Classifier
from ..errors import ModelError
from ..images.config import assets_url, cache_dir, image_config
from ..images.errors import ImageDecodeError
from ..images.findings import (
    STAGE,
    bank_match,
    outside_qr,
    text_hit,
    text_judgement,
    unreadable,
)
from ..images.ocr import OcrResult, enclosing
from ..images.picture import CheckerSetup, PictureResult, PictureTask
from ..images.pool import InProcess, PicturePool, runner_for
from ..images.qr import is_school_link
from ..ingest import read_bounded
from ..model import Draft, Finding
from ..policy import ACCOUNT_NAME_ONLY
from .base import CLASS_SCORES, PICTURE_TEXT, Context, PictureText, Resources
from .registry import register

REMOTE = ("http://", "https://", "//")


_RUNNER: ContextVar = ContextVar("picture_runner", default=None)


@contextmanager
def pictures_through(runner) -> Iterator[None]:
    """Screenings in this context check their pictures through ``runner`` rather than the
    process's pool: a long-running worker that reports progress after each picture, or checks
    each in a child process of its own (the review service's picture workers)."""
    token = _RUNNER.set(runner)
    try:
        yield
    finally:
        _RUNNER.reset(token)


def checker_setup(settings: object) -> CheckerSetup:
    return CheckerSetup(image_config(settings), assets_url(settings),
                        str(cache_dir(settings) / "ocr"))


def picture_runner(settings: object) -> InProcess | PicturePool:
    """The process's runner for ``images.workers`` (None: a pool of one worker process per CPU,
    0: this process, N: a pool of N)."""
    return runner_for(settings.images.workers)  # type: ignore[attr-defined]


def _digest(path: str, limit: int) -> str:
    """sha256 of the picture's bytes, or the ImageDecodeError the decoder's own read would
    raise (missing, a folder, too large...)."""
    return hashlib.sha256(read_bounded(Path(path), limit, error=ImageDecodeError,
                                       kind="图片", noun="图片",
                                       missing="找不到图片文件")).hexdigest()


def screen_pictures(draft: Draft, resources: Resources, *, runner=None,
                    with_scores: bool = True,
                    texts: list[PictureText] | None = None) -> list[Finding]:
    """Every finding about ``draft``'s pictures, in picture order.

    ``runner`` checks the pictures (default: this process's pool for ``resources.settings``);
    ``with_scores``: judge the text read by ``resources.classifier`` too, as the pipeline does
    when the draft's text was scored; ``texts``: gets the text read in each picture, frame by
    frame (for later stages: reprinted tables, ``sources``)."""
    config = image_config(resources.settings)
    findings_of: dict[int, list[Finding]] = {}
    tasks: dict[str, PictureTask] = {}
    key_of: dict[int, str] = {}
    for number, path in enumerate(draft.images):
        if path.lower().startswith(REMOTE):
            findings_of[number] = [unreadable(number, path, "远程图片链接，不会下载")]
            continue
        try:
            key = _digest(path, config.max_file_bytes)
        except ImageDecodeError as exc:
            findings_of[number] = [unreadable(number, path, exc.problem)]
            continue
        key_of[number] = key
        tasks.setdefault(key, PictureTask(key, path, path))
    results: dict[str, PictureResult] = {}
    if tasks:
        runner = runner or _RUNNER.get() or picture_runner(resources.settings)
        checked = runner.run(checker_setup(resources.settings), list(tasks.values()))
        results = dict(zip(tasks, checked, strict=True))
    classifier = resources.classifier if with_scores else None
    for number, key in key_of.items():
        findings_of[number] = _findings(resources, number, draft.images[number], results[key],
                                        classifier, config)
        if texts is not None:
            texts.extend(_picture_text(number, frame.number, frame.ocr, frame.scale)
                         for frame in results[key].frames
                         if frame.ocr is not None and frame.ocr.text.strip())
    return [finding for number in sorted(findings_of) for finding in findings_of[number]]


def _findings(resources: Resources, number: int, source: str, result: PictureResult,
              classifier: Classifier | None, config) -> list[Finding]:
    if result.problem:
        return [unreadable(number, source, result.problem)]
    findings: list[Finding] = []
    seen_assets: set[int] = set()
    seen_codes: set[str] = set()
    seen_classes: set[str] = set()
    for frame in result.frames:
        for match in frame.matches:
            if match.asset.id not in seen_assets:
                seen_assets.add(match.asset.id)
                findings.append(bank_match(number, match, frame.number, result.n_frames,
                                           result.size, frame.scale))
        for code in frame.codes:
            if code.payload not in seen_codes and not is_school_link(code.payload,
                                                                     config.school_domains):
                seen_codes.add(code.payload)
                findings.append(outside_qr(number, code, frame.number, result.n_frames,
                                           result.size, frame.scale))
        if frame.ocr is None:
            findings.append(unreadable(number, source, f"图中文字无法识别（{frame.ocr_problem}）",
                                       result.size))
            continue
        findings.extend(_text_findings(resources, number, source, result, frame, classifier,
                                       seen_classes))
    return findings


def _text_findings(resources: Resources, number: int, source: str, result: PictureResult,
                   frame, classifier: Classifier | None,
                   seen_classes: set[str]) -> list[Finding]:
    ocr = frame.ocr
    if not ocr.text.strip():
        return []
    field = f"image:{number}"
    normalized = resources.normalizer(ocr.text)
    hits = list(resources.matcher.find(normalized, exclude=ACCOUNT_NAME_ONLY))
    out = [text_hit(number, hit, ocr, frame.number, result.n_frames, result.size, frame.scale)
           for hit in hits]
    if classifier is None:
        return out
    try:
        judged = classifier.judge(
            [(field, normalized)], {field: ocr.text},
            [(field, h.start, h.end, h.entry.category) for h in hits], long_field=field)
    except ModelError as exc:
        out.append(unreadable(number, source, f"图中文字无法评分（{exc}）", result.size))
        return out
    for item in judged:
        # One finding per class and picture: the frames of an animation repeat their text.
        if item.severity is not None and item.name not in seen_classes:
            seen_classes.add(item.name)
            out.append(text_judgement(number, item, ocr, frame.number, result.n_frames,
                                      result.size, frame.scale))
    return out


class ImageStage:
    name = STAGE
    uses = (CLASS_SCORES,)  # text in pictures is scored when the draft's text was
    provides = (PICTURE_TEXT,)  # what was read, for later stages (reprinted tables: sources)

    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        # Same model, thresholds and evidence as the draft's text: the one shared classifier.
        self.classifier = resources.classifier

    def __call__(self, context: Context) -> list[Finding]:
        texts: list[PictureText] = []
        if not context.draft.images:
            context.provide(PICTURE_TEXT, ())
            return []
        # Judged like the draft's text when the draft's text was: a run without the classify
        # stage wants no scores, and a classify stage that failed already made its finding.
        findings = screen_pictures(context.draft, context.resources,
                                   with_scores=CLASS_SCORES in context, texts=texts)
        context.provide(PICTURE_TEXT, tuple(texts))
        return findings


def _picture_text(number: int, frame: int, ocr: OcrResult, scale: float) -> PictureText:
    lines = tuple((line.start, line.start + len(line.text),
                   tuple(round(v * scale) for v in enclosing([line.box])))
                  for line in ocr.lines)
    return PictureText(number, frame, ocr.text, lines)  # type: ignore[arg-type]


register("images")(ImageStage)
