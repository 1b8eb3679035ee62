"""Turning image results into Findings (one place for the wording reviewers read).

People read the picture by its number (图片2, counted from 1) and what was found there, in
Chinese; the technical account (hash distance, inliers, pixel boxes, the decoder's error) is
the finding's ``detail``."""

from __future__ import annotations

from ..classify.judge import Judgement
from ..findings import hit_finding, make_finding
from ..lexicon import Hit
from ..model import Evidence, Finding
from .matcher import Match
from .ocr import OcrResult, enclosing
from .qr import QrCode

STAGE = "images"


def picture_name(index: int) -> str:
    return f"图片{index + 1}"


# Why a picture could not be read, by the start of the decoder's (English) problem.
_PROBLEMS = (
    ("remote image", "网络图片，从不下载，没有检查"),
    ("empty file", "文件是空的"),
    ("not an image", "文件内容不是已知的图片格式"),
    ("refused as a decompression bomb", "像素过多（疑为解压炸弹），拒绝打开"),
    ("corrupt", "文件损坏或不完整"),
    ("image format", "图片格式不在允许之列"),
    ("image is", "图片尺寸超过上限"),
    ("animation of", "动图的帧数或像素超过上限"),
    ("text in the image could not be read", "图中文字未能识别"),
    ("the text read from it could not be scored", "图中文字未能由分类模型评分"),
    ("not found", "找不到图片文件"),
    ("PIL is set", "图片读取设置不安全，拒绝打开"),
)


def problem_zh(problem: str) -> str:
    return next((words for start, words in _PROBLEMS if problem.startswith(start)),
                "图片无法读取")


def unreadable(index: int, source: str, problem: str) -> Finding:
    return make_finding("stage_error", stage=STAGE, field=f"image:{index}", score=0.0,
                        explanation=f"{picture_name(index)}无法检查：{problem_zh(problem)}；"
                                    "须由人工查看这张图片",
                        detail=f"image {source!r} could not be checked: {problem}")


def bank_match(index: int, match: Match, frame: int, n_frames: int,
               scale: float = 1.0) -> Finding:
    """``scale`` maps the reduced working copy back to the picture's own pixels."""
    asset, check = match.asset, match.verification
    x0, y0, x1, y1 = (round(v * scale) for v in check.region)
    where = f" (frame {frame + 1} of {n_frames})" if n_frames > 1 else ""
    distance = "no close hash" if match.distance >= 64 else f"hash distance {match.distance}"
    kind = "徽标" if asset.kind == "emblem" else "受著作权保护的图片"
    return make_finding(
        asset.kind, stage=STAGE, field=f"image:{index}", term=f"asset {asset.id}: {asset.title}",
        score=round(min(1.0, check.inliers / 100), 3),
        explanation=(f"{picture_name(index)}{f'第{frame + 1}帧' if n_frames > 1 else ''}"
                     f"与图库第{asset.id}号{kind}“{asset.title}”相同"
                     f"{'（镜像）' if check.mirrored else ''}（权利人：{asset.owner or '未登记'}，"
                     f"许可：{asset.license or '未登记'}）"),
        detail=(f"matches bank asset {asset.id} {asset.title!r} (owner {asset.owner or '?'}, "
                     f"licence {asset.license or '?'}){where}: {distance} via {match.via}; "
                     f"verified by {check.inliers} RANSAC inliers of {check.matches} feature "
                     f"matches{', mirrored' if check.mirrored else ''}; region in the picture "
                     f"x {x0}-{x1}, y {y0}-{y1}"),
    )


def outside_qr(index: int, code: QrCode) -> Finding:
    return make_finding("commercial", stage=STAGE, field=f"image:{index}", term=code.payload,
                        explanation=f"{picture_name(index)}中的二维码指向学校域名以外："
                                    f"{code.payload}；请确认是否允许",
                        detail=f"QR code points outside the school's domains: "
                               f"{code.payload!r} (corners {list(code.box)})")


def _where(frame: int, box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    return f"{f'frame {frame + 1}, ' if frame else ''}box x {x0}-{x1}, y {y0}-{y1}"


def _scaled(points, scale: float) -> tuple[int, int, int, int]:
    """The OCR box (read on the reduced working copy) in the picture's own pixels."""
    return tuple(round(v * scale) for v in enclosing(points))  # type: ignore[return-value]


def text_hit(index: int, hit: Hit, ocr: OcrResult, frame: int, scale: float) -> Finding:
    """A lexicon term in the text read from a picture; offsets point into ``ocr.text``."""
    box = _scaled([ocr.box_at(hit.start, hit.end)], scale)
    found = ocr.text[hit.start:hit.end]
    return hit_finding(STAGE, f"image:{index}", hit, ocr.text,
                       explanation=f"{picture_name(index)}中的文字：{hit.explanation(found)}",
                       detail=f"text in the image ({_where(frame, box)}): {hit.technical()}")


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
        explanation=f"{picture_name(index)}中的文字（{len(lines)} 行）：{judged.explanation}",
        detail=f"text in the image ({_where(frame, box)}, {len(lines)} of "
               f"{len(ocr.lines)} lines): {judged.detail}",
        evidence=judged.evidence)
