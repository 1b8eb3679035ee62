"""Turning image results into Findings (one place for the wording reviewers read)."""

from __future__ import annotations

from ..classify.judge import Judgement
from ..findings import hit_finding, make_finding
from ..lexicon import Hit
from ..model import Evidence, Finding
from .matcher import Match
from .ocr import OcrResult, enclosing
from .qr import QrCode

STAGE = "images"


def unreadable(index: int, source: str, problem: str) -> Finding:
    return make_finding("stage_error", stage=STAGE, field=f"image:{index}", score=0.0,
                        explanation=f"image {source!r} could not be checked: {problem}; "
                                    "a person must look at it")


def bank_match(index: int, match: Match, frame: int, n_frames: int,
               scale: float = 1.0) -> Finding:
    """``scale`` maps the reduced working copy back to the picture's own pixels."""
    asset, check = match.asset, match.verification
    x0, y0, x1, y1 = (round(v * scale) for v in check.region)
    where = f" (frame {frame + 1} of {n_frames})" if n_frames > 1 else ""
    distance = "no close hash" if match.distance >= 64 else f"hash distance {match.distance}"
    return make_finding(
        asset.kind, stage=STAGE, field=f"image:{index}", term=f"asset {asset.id}: {asset.title}",
        score=round(min(1.0, check.inliers / 100), 3),
        explanation=(f"matches bank asset {asset.id} {asset.title!r} (owner {asset.owner or '?'}, "
                     f"licence {asset.license or '?'}){where}: {distance} via {match.via}; "
                     f"verified by {check.inliers} RANSAC inliers of {check.matches} feature "
                     f"matches{', mirrored' if check.mirrored else ''}; region in the picture "
                     f"x {x0}-{x1}, y {y0}-{y1}"),
    )


def outside_qr(index: int, code: QrCode) -> Finding:
    return make_finding("commercial", stage=STAGE, field=f"image:{index}", term=code.payload,
                        explanation=f"QR code points outside the school's domains: "
                                    f"{code.payload!r} (corners {list(code.box)}); check it is "
                                    "permitted")


def _where(frame: int, box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    return f"{f'frame {frame + 1}, ' if frame else ''}box x {x0}-{x1}, y {y0}-{y1}"


def _scaled(points, scale: float) -> tuple[int, int, int, int]:
    """The OCR box (read on the reduced working copy) in the picture's own pixels."""
    return tuple(round(v * scale) for v in enclosing(points))  # type: ignore[return-value]


def text_hit(index: int, hit: Hit, ocr: OcrResult, frame: int, scale: float) -> Finding:
    """A lexicon term in the text read from a picture; offsets point into ``ocr.text``."""
    box = _scaled([ocr.box_at(hit.start, hit.end)], scale)
    return hit_finding(STAGE, f"image:{index}", hit, ocr.text,
                       explanation=f"text in the image ({_where(frame, box)}): "
                                   f"{hit.explanation()}")


# The evidence that makes up this share of the shown evidence's weight drove the score; the
# long tail of small contributions would stretch the box over lines that barely mattered.
_DRIVING_SHARE = 0.8


def _driving(evidence: tuple[Evidence, ...]) -> list[Evidence]:
    """The strongest evidence items, up to ``_DRIVING_SHARE`` of the total weight."""
    total, chosen, running = sum(item.weight for item in evidence), [], 0.0
    for item in sorted(evidence, key=lambda item: -item.weight):
        chosen.append(item)
        running += item.weight
        if running >= _DRIVING_SHARE * total:
            break
    return chosen


def text_judgement(index: int, judged: Judgement, ocr: OcrResult, frame: int,
                   scale: float) -> Finding:
    """A classifier score over the text read from a picture. The span and box are those of
    the lines holding the evidence that drove the score (all lines if none stands out); the
    evidence itself is kept whole, pointing into ``ocr.text``."""
    field = f"image:{index}"
    spans = [(s, e) for item in _driving(judged.evidence) for f, s, e in item.spans
             if f == field]
    lines = ocr.lines_covering(spans) or ocr.lines
    start, end = lines[0].start, lines[-1].start + len(lines[-1].text)
    box = _scaled([line.box for line in lines], scale)
    return make_finding(
        judged.name, stage=STAGE, severity=judged.severity, field=field,
        start=start, end=end, text=ocr.text[start:end], score=round(judged.probability, 4),
        explanation=f"text in the image ({_where(frame, box)}, {len(lines)} of "
                    f"{len(ocr.lines)} lines): {judged.explanation}",
        evidence=judged.evidence)
