"""Turning image results into Findings (one place for the wording reviewers read)."""

from __future__ import annotations

from ..model import Finding
from ..policy import rule_for
from .matcher import Match
from .qr import QrCode

STAGE = "images"


def unreadable(index: int, source: str, problem: str) -> Finding:
    rule = rule_for("stage_error")
    return Finding(stage=STAGE, category="stage_error", severity=rule.severity,
                   field=f"image:{index}", start=0, end=0, text="", term="", score=0.0,
                   article=rule.article,
                   explanation=f"image {source!r} could not be checked: {problem}; "
                               "a person must look at it")


def bank_match(index: int, match: Match, frame: int, n_frames: int,
               scale: float = 1.0) -> Finding:
    """``scale`` maps the reduced working copy back to the picture's own pixels."""
    asset, check = match.asset, match.verification
    x0, y0, x1, y1 = (round(v * scale) for v in check.region)
    rule = rule_for(asset.kind)
    where = f" (frame {frame + 1} of {n_frames})" if n_frames > 1 else ""
    distance = "no close hash" if match.distance >= 64 else f"hash distance {match.distance}"
    return Finding(
        stage=STAGE, category=asset.kind, severity=rule.severity, field=f"image:{index}",
        start=0, end=0, text="", term=f"asset {asset.id}: {asset.title}",
        score=round(min(1.0, check.inliers / 100), 3), article=rule.article,
        explanation=(f"matches bank asset {asset.id} {asset.title!r} (owner {asset.owner or '?'}, "
                     f"licence {asset.license or '?'}){where}: {distance} via {match.via}; "
                     f"verified by {check.inliers} RANSAC inliers of {check.matches} feature "
                     f"matches{', mirrored' if check.mirrored else ''}; region in the picture "
                     f"x {x0}-{x1}, y {y0}-{y1}"),
    )


def outside_qr(index: int, code: QrCode) -> Finding:
    rule = rule_for("commercial")
    return Finding(stage=STAGE, category="commercial", severity=rule.severity,
                   field=f"image:{index}", start=0, end=0, text="", term=code.payload,
                   score=1.0, article=rule.article,
                   explanation=f"QR code points outside the school's domains: {code.payload!r} "
                               f"(corners {list(code.box)}); check it is permitted")
