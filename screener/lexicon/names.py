"""Latin spellings that are names, addresses or acronyms, never evasions.

An engineering college publishes author lists in pinyin every week: ``主讲人 Dai Yun 教授`` is a
person, not 代孕; ``yuqing@pku.edu.cn`` is a mailbox, ``https://daiyun.example.com`` a link,
``@daiyun2023`` a handle and ``DY`` an acronym. ``name_or_address`` says which of these a Latin
hit is (or None when it may be an evasion); the matcher drops such hits.

A hit is a name when its letters are written as names are (each word capitalised, or an
upper-case surname and a capitalised given name: ``Dai Yun``, ``DAI Yun``) and something says
"person": two or more words, a title or role next to it (教授, 作者, 老师, 同学, 主讲人 ...),
another capitalised word beside it (an author list), or a first syllable that is a common
surname. Evaders write the lower-case run-together spelling (``daiyun``), which still fires.
"""

from __future__ import annotations

import re

# Pinyin of the most common Chinese surnames (the first ~120 of the usual frequency lists, which
# cover about nine in ten people), and of the common two-syllable ones.
SURNAMES = frozenset("""
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang
xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei
su lv lu ding ren shen yao jin fu zhong cui tan qiu jia xia fan fang shi qin gu hou shao meng
long wan duan qian tang yin yi chang niu kong bai mao hao qiu kang gong xing an yan wen lei
dai lai qi ni zou hong xiong bao mo tao ge tong zhan xue ji ou geng mu zhuo ling sheng hua
mi ke cen rao shang ai chu diao bian le lan man pu quan bi zang ning miao zha ruan nie
ouyang situ shangguan zhuge sima dongfang huangfu
""".split())

TITLE_WORDS = ("教授", "作者", "老师", "同学", "主讲人", "主讲", "报告人", "讲者", "嘉宾", "博士",
               "硕士", "先生", "女士", "研究员", "讲师", "院士", "导师", "主持人", "学者", "校友",
               "通讯作者", "第一作者", "负责人", "联系人", "prof", "dr.", "mr.", "ms.")

# The characters of an address-like token around a Latin hit.
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9._%+\-@/:~?=&#]")
_DOMAIN = re.compile(r"[a-z0-9-]\.(?:com|cn|net|org|edu|gov|io|me|cc|top|xyz|info|co|tv|hk)\b",
                     re.IGNORECASE)
_WORDS = re.compile(r"[A-Za-z]+")
_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]*")
_ACRONYM_LETTERS = 5
_CONTEXT = 12


def _token(text: str, start: int, end: int) -> str:
    lo, hi = start, end
    while lo > 0 and _TOKEN_CHAR.match(text[lo - 1]):
        lo -= 1
    while hi < len(text) and _TOKEN_CHAR.match(text[hi]):
        hi += 1
    return text[lo:hi]


def _is_name_shaped(words: list[str]) -> bool:
    """Each word capitalised (Dai, Yun) or an upper-case surname (DAI) beside capitalised ones."""
    if not words:
        return False
    shaped = all(w[0].isupper() and (w[1:].islower() or not w[1:] or w.isupper()) for w in words)
    return shaped and not all(w.isupper() for w in words)


def address(text: str, start: int, end: int) -> bool:
    """Whether the Latin hit lies in an e-mail address, a link or a handle."""
    token = _token(text, start, end)
    return "@" in token or "://" in token or token.lower().startswith("www.") or \
        bool(_DOMAIN.search(token))


def name_or_address(text: str, start: int, end: int) -> str | None:
    """Why the Latin hit ``text[start:end]`` is a name, address or acronym (None: it is not)."""
    if address(text, start, end):
        return "邮箱、网址或账号"
    words = _WORDS.findall(text[start:end])
    letters = "".join(words)
    if letters.isupper():
        return "缩写" if len(letters) <= _ACRONYM_LETTERS else None
    if not _is_name_shaped(words):
        return None
    around = text[max(0, start - _CONTEXT):start] + " " + text[end:end + _CONTEXT]
    if any(title in around.lower() for title in TITLE_WORDS) or len(words) >= 2:
        return "人名"
    before = text[max(0, start - _CONTEXT):start].rstrip(" ,，、;；-")
    after = text[end:end + _CONTEXT].lstrip(" ,，、;；-")
    if re.search(r"[A-Z][a-z]+$", before) or _CAPITALISED_WORD.match(after):
        return "人名"
    head = words[0].lower()
    if any(head.startswith(s) and len(s) >= 2 for s in SURNAMES):
        return "人名"
    return None
