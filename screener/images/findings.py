"""Turning picture results into Findings (one place for the wording reviewers read).

People read where a finding is in words (图片2第3行文字, 图片1右下部), in Chinese; programs read
it from the finding's ``location`` (picture, frame, box and polygon in the picture's own pixels),
and the technical account (hash distance, inliers, shape agreement, the decoder's error) from its
``detail`` and ``evidence``.
"""

from __future__ import annotations

from ..classify.judge import Judgement
from ..findings import hit_finding, make_finding
from ..lexicon import Hit
from ..model import Evidence, Finding, Location
from .matcher import Match
from .ocr import OcrResult, enclosing
from .qr import QrCode

STAGE = "images"

Points = tuple[tuple[int, int], ...]


def picture_name(index: int, frame: int = 0, n_frames: int = 1) -> str:
    """图片3, or 图片3第2帧 in an animation (numbered from 1 for people)."""
    return f"图片{index + 1}" + (f"第{frame + 1}帧" if n_frames > 1 else "")


def _scaled(points, scale: float) -> Points:
    return tuple((round(x * scale), round(y * scale)) for x, y in points)


def _clipped(points: Points, size: tuple[int, int]) -> Points:
    w, h = size
    return tuple((min(max(x, 0), w), min(max(y, 0), h)) for x, y in points)


def where(index: int, frame: int, points: Points, size: tuple[int, int]) -> Location:
    """The location of ``points`` (picture pixels), clipped to the picture."""
    polygon = _clipped(points, size)
    return Location(image=index, frame=frame, box=enclosing([polygon]), polygon=polygon,
                    size=size)


_ROWS = ("上", "中", "下")
_COLUMNS = ("左", "中", "右")


def part_of(box: tuple[int, int, int, int], size: tuple[int, int]) -> str:
    """Where a box sits in the picture, in words: 整幅, 左上部, 中部, 下部..."""
    x0, y0, x1, y1 = box
    w, h = max(1, size[0]), max(1, size[1])
    if (x1 - x0) * (y1 - y0) >= 0.6 * w * h:
        return "整幅"
    row = _ROWS[min(2, int(3 * (y0 + y1) / 2 / h))]
    column = _COLUMNS[min(2, int(3 * (x0 + x1) / 2 / w))]
    if row == column == "中":
        return "中部"
    if column == "中":
        return f"{row}部"
    if row == "中":
        return f"{column}部"
    return f"{column}{row}部"


# Why a picture could not be read, by the start of the problem: the decoder's (Chinese, with the
# technical details after it) and the picture workers' (English).
_PROBLEMS = (
    ("remote image", "网络图片，从不下载，没有检查"),
    ("空文件", "文件是空的"),
    ("不是图片", "文件内容不是已知的图片格式"),
    ("疑为解压炸弹", "像素过多（疑为解压炸弹），拒绝打开"),
    ("图片损坏", "文件损坏或不完整"),
    ("图片格式", "图片格式不在允许之列"),
    ("图片有", "图片尺寸超过上限"),
    ("动图有", "动图的帧数或像素超过上限"),
    ("text in the image could not be read", "图中文字未能识别"),
    ("the text read from it could not be scored", "图中文字未能由分类模型评分"),
    ("找不到图片文件", "找不到图片文件"),
    ("the process checking it stopped", "检查图片的进程意外终止（已重试），这张图片没有检查完"),
    ("the picture checker stopped", "检查图片的进程意外终止，这张图片没有检查完"),
    ("PIL 被设置", "图片读取设置不安全，拒绝打开"),
    ("picture workers ended", "检查图片的进程多次中断（可能是某张图片使检查程序崩溃），未能检查"),
)


def problem_zh(problem: str) -> str:
    """The problem for people: the short words for a known one, the problem itself for another
    the decoder wrote in Chinese (a folder, a file too large), else a general sentence."""
    known = next((words for start, words in _PROBLEMS if problem.startswith(start)), None)
    if known is not None:
        return known
    return problem if not problem[:1].isascii() else "图片无法读取"


def unreadable(index: int, source: str, problem: str,
               size: tuple[int, int] | None = None) -> Finding:
    """A picture that could not be checked (or only partly, when ``size`` is known: the box is
    then the whole picture)."""
    box = (0, 0, size[0], size[1]) if size else None
    return make_finding("stage_error", stage=STAGE, field=f"image:{index}", score=0.0,
                        explanation=f"{picture_name(index)}无法检查：{problem_zh(problem)}；"
                                    "须由人工查看这张图片",
                        detail=f"image {source!r} could not be checked: {problem}",
                        location=Location(image=index, box=box, size=size))


def bank_match(index: int, match: Match, frame: int, n_frames: int, size: tuple[int, int],
               scale: float = 1.0) -> Finding:
    """``scale`` maps the reduced working copy back to the picture's own pixels."""
    asset, check = match.asset, match.verification
    location = where(index, frame, _scaled(check.quad, scale), size)
    kind = "徽标" if asset.kind == "emblem" else "受著作权保护的图片"
    how = "形状比对" if check.method == "shape" else "特征点核验"
    evidence = [Evidence("hash_distance", float(match.distance)),
                Evidence(f"nominated_by {match.via}", 1.0)]
    if check.method == "shape":
        evidence.append(Evidence("shape_agreement", round(check.agreement, 4)))
    else:
        evidence += [Evidence("ransac_inliers", float(check.inliers)),
                     Evidence("feature_matches", float(check.matches))]
    if check.mirrored:
        evidence.append(Evidence("mirrored", 1.0))
    return make_finding(
        asset.kind, stage=STAGE, field=f"image:{index}", term=f"asset {asset.id}: {asset.title}",
        score=round(check.score, 3),
        explanation=(f"{picture_name(index, frame, n_frames)}{part_of(location.box, size)}"
                     f"与资产库第{asset.id}号{kind}“{asset.title}”相同"
                     f"{'（镜像）' if check.mirrored else ''}（所有者：{asset.owner or '未登记'}，"
                     f"许可：{asset.license or '未登记'}），经{how}确认"),
        detail=(f"matches bank asset {asset.id} {asset.title!r} (owner {asset.owner or '?'}, "
                f"licence {asset.license or '?'}), frame {frame + 1} of {n_frames}: "
                f"{'no close hash' if match.distance >= 64 else f'hash distance {match.distance}'}"
                f" via {match.via}; verified by "
                + (f"shape agreement {check.agreement:.3f}" if check.method == "shape" else
                   f"{check.inliers} RANSAC inliers of {check.matches} feature matches")
                + f"{', mirrored' if check.mirrored else ''}; box {list(location.box or ())}"),
        evidence=tuple(evidence), location=location)


def outside_qr(index: int, code: QrCode, frame: int, n_frames: int, size: tuple[int, int],
               scale: float = 1.0) -> Finding:
    location = where(index, frame, _scaled(code.box, scale), size)
    return make_finding("commercial", stage=STAGE, field=f"image:{index}", term=code.payload,
                        explanation=f"{picture_name(index, frame, n_frames)}"
                                    f"{part_of(location.box, size)}的二维码指向学校域名以外："
                                    f"{code.payload}；请确认是否允许",
                        detail=f"QR code points outside the school's domains: "
                               f"{code.payload!r} (corners {list(code.box)})",
                        location=location)


def text_hit(index: int, hit: Hit, ocr: OcrResult, frame: int, n_frames: int,
             size: tuple[int, int], scale: float) -> Finding:
    """A lexicon term in the text read from a picture; offsets point into ``ocr.text``."""
    line = ocr.line_at(hit.start)
    points = ocr.lines[line].box if line >= 0 else ()
    location = where(index, frame, _scaled(points, scale), size)
    return hit_finding(STAGE, f"image:{index}", hit, ocr.text,
                       explanation=(f"{picture_name(index, frame, n_frames)}第{line + 1}行文字："
                                    f"{hit.explanation(ocr.text[hit.start:hit.end])}"),
                       detail=(f"text in the image (frame {frame + 1}, line {line + 1}, box "
                               f"{list(location.box or ())}): {hit.technical()}"),
                       location=location)


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


def text_judgement(index: int, judged: Judgement, ocr: OcrResult, frame: int, n_frames: int,
                   size: tuple[int, int], scale: float) -> Finding:
    """A classifier score over the text read from a picture. The span and box are those of
    the lines holding the evidence that drove the score (all lines if none stands out); the
    evidence itself is kept whole, pointing into ``ocr.text``."""
    field = f"image:{index}"
    spans = [(s, e) for item in _driving(judged.evidence) for f, s, e in item.spans
             if f == field]
    lines = ocr.lines_covering(spans) or ocr.lines
    start, end = lines[0].start, lines[-1].start + len(lines[-1].text)
    first, last = ocr.lines.index(lines[0]) + 1, ocr.lines.index(lines[-1]) + 1
    box = enclosing([_scaled(line.box, scale) for line in lines])
    location = Location(image=index, frame=frame, box=_clip_box(box, size), size=size)
    rows = f"第{first}行" if first == last else f"第{first}至{last}行"
    return make_finding(
        judged.name, stage=STAGE, severity=judged.severity, field=field,
        start=start, end=end, text=ocr.text[start:end], score=round(judged.probability, 4),
        explanation=f"{picture_name(index, frame, n_frames)}{rows}文字（共{len(ocr.lines)}行）："
                    f"{judged.explanation}",
        detail=f"text in the image (frame {frame + 1}, lines {first}-{last} of "
               f"{len(ocr.lines)}, box {list(location.box or ())}): {judged.detail}",
        evidence=judged.evidence, location=location)


def _clip_box(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, ...]:
    x0, y0, x1, y1 = box
    w, h = size
    return (min(max(x0, 0), w), min(max(y0, 0), h), min(max(x1, 0), w), min(max(y1, 0), h))
