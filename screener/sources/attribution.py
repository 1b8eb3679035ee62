"""Where a draft names what it reprints: 来源 / 转载自 / 原文链接 / 作者 lines and links, and the
"转载" markers that say a text is reprinted.

* An **attribution** is a label and what follows it: a line or a bracket that starts with a noun
  label and a separator (``来源：北京大学新闻网``, ``（来源：新华社）``, ``作者｜张三``,
  ``原文链接：https://…``, ``Source: …``), or a verb label anywhere (``本文转载自北京大学新闻网``,
  ``摘自《中国教育报》``). A link anywhere in the text is one too (its label is ``链接``): a link
  to the source names it.
* A **reprint marker** is 转载 / 转帖 / 转自 / 【转】 not in a notice about reprinting this post
  (``欢迎转载``, ``转载请注明出处``, ``未经授权不得转载``).

``names(attribution, source)`` says whether an attribution names a given source: its publisher
(owner), title, author or a name it is known by appears in what the attribution says (folded:
full-width, case and traditional characters do not matter; 北大 and 北京大学 are one), or a link
points at the source's address or its site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_NOUN_LABELS = ("文章来源", "本文来源", "稿件来源", "信息来源", "新闻来源", "内容来源", "图文来源",
                "文字来源", "资料来源", "数据来源", "图片来源", "表格来源", "来源", "出处",
                "原文链接", "原文地址", "原文网址", "原文作者", "原作者", "作者", "撰文", "撰稿",
                "供稿", "图文", "文", "source", "via", "credit", "from")
# Not 来自 or 来源于: 来自北京大学的团队 is running text, not a credit line.
_VERB_LABELS = ("本文转载自", "本文转自", "转载自", "转载于", "转引自", "转自", "摘编自", "摘自",
                "选自", "引自")
_OPEN = "（(【[「『〔"
_CLOSE = "）)】]」』〕"
_SEPARATOR = r"[:：|｜丨/／]"
_NOUN = re.compile(
    r"(?:^|(?<=[\n" + re.escape(_OPEN) + r"])|(?<=[|｜丨]))[ \t　]*"
    r"(?P<label>" + "|".join(map(re.escape, _NOUN_LABELS)) + r")"
    r"[ \t　]*" + _SEPARATOR + r"[ \t　]*(?P<value>[^\n" + re.escape(_CLOSE) + r"]*)",
    re.IGNORECASE)
_VERB = re.compile(
    r"(?P<label>" + "|".join(map(re.escape, _VERB_LABELS)) + r")[:：]?[ \t　]*"
    r"(?P<value>[^\n，。；;" + re.escape(_CLOSE) + r"]*)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()（）\"'“”，。；]+", re.IGNORECASE)

_MARKER = re.compile(r"[【\[（(]转载?[】\]）)]|转载|转帖")
# Words around 转载 that make it a notice about reprinting this post, not a reprint.
_NOTICE_BEFORE = re.compile(r"(欢迎|请勿|禁止|谢绝|不得|严禁|如需|未经[^\n，。]{0,6}|可以|允许|"
                            r"拒绝|不可|授权|申请|开放|同意|支持)\s*$")
_NOTICE_AFTER = re.compile(r"^\s*(请|须|需|务必|时|的话|必须|前|联系|授权|须知|规则|声明|"
                           r"注明|开白|量|数)")
_ALIASES = (("北京大学", "北大"),)


@dataclass(frozen=True, slots=True)
class Attribution:
    """``field[start:end]`` is the label and what it says (``value``)."""

    field: str
    start: int
    end: int
    label: str
    value: str
    urls: tuple[str, ...] = ()

    @property
    def names_something(self) -> bool:
        return bool(self.value.strip(" \t　:：|｜-—") or self.urls)


@dataclass(frozen=True, slots=True)
class Marker:
    field: str
    start: int
    end: int
    text: str


def attributions(field: str, text: str, folded: str | None = None) -> list[Attribution]:
    """The attributions in ``text``; ``folded``: ``text`` folded character for character
    (``text.folded_in_place``), where the labels are looked for (來源 is 来源)."""
    found: dict[int, Attribution] = {}
    scan = folded if folded is not None and len(folded) == len(text) else text
    for pattern in (_NOUN, _VERB):
        for m in pattern.finditer(scan):
            start = m.start("label")
            if any(a.start <= start < a.end for a in found.values()):
                continue
            value = text[m.start("value"):m.end("value")].strip()
            urls = tuple(u.group(0) for u in _URL.finditer(value))
            found[start] = Attribution(field, start, m.end(), text[start:m.end("label")],
                                       value, urls)
    for m in _URL.finditer(text):
        if not any(a.start <= m.start() < a.end for a in found.values()):
            found[m.start()] = Attribution(field, m.start(), m.end(), "链接", m.group(0),
                                           (m.group(0),))
    return [found[k] for k in sorted(found)]


def reprint_markers(field: str, text: str, folded: str | None = None) -> list[Marker]:
    out = []
    scan = folded if folded is not None and len(folded) == len(text) else text
    for m in _MARKER.finditer(scan):
        before = scan[max(0, m.start() - 12):m.start()]
        after = scan[m.end():m.end() + 6]
        if _NOTICE_BEFORE.search(before) or _NOTICE_AFTER.match(after):
            continue
        out.append(Marker(field, m.start(), m.end(), text[m.start():m.end()]))
    return out


def fold(text: str, folder) -> str:
    """``text`` as names are compared: folded content characters (``folder``: a callable that
    folds, ``text.match_text``'s kept characters), one spelling for the school's name."""
    folded = folder(text)
    for long, short in _ALIASES:
        folded = folded.replace(long, short)
    return folded


def _site(url: str) -> tuple[str, str]:
    """(host without www., path without trailing slash), lower-cased; scheme ignored."""
    if not re.match(r"^[a-z]+://", url, re.IGNORECASE):
        url = "http://" + url
    parts = urlsplit(url.strip().rstrip("/.,;"))
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, parts.path.rstrip("/").lower()


def names(attribution: Attribution, names_folded: list[str], url: str, folder) -> bool:
    """Whether ``attribution`` names a source known by ``names_folded`` (already ``fold``ed) or
    published at ``url``."""
    if url:
        host, _ = _site(url)
        if host and any(_site(u)[0] == host for u in attribution.urls):
            return True
    if attribution.label == "链接":
        return False
    value = fold(attribution.value, folder)
    if not value:
        return False
    return any(len(name) >= 2 and (name in value or (len(value) >= 4 and value in name))
               for name in names_folded)
