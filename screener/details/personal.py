"""Personal information in a post (第十一条（内容）): resident ID numbers (GB 11643 check
digit), bank card numbers (Luhn), passport numbers, student numbers next to a name, phone numbers
next to names in a list. A number whose check digit is wrong is not reported: it is not an ID.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import NamedTuple

from .contacts import phone_numbers
from .numbers import digit_runs, pieces

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID = re.compile(r"(?<![0-9A-Za-z])([1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                 r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![0-9A-Za-z])")
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])([EG]\d{8}|[DSPHK]\d{7,8}|E[A-HJ-NP-Z]\d{7})"
                       r"(?![0-9A-Za-z])")
_PASSPORT_CONTEXT = re.compile(r"护照|passport", re.IGNORECASE)
# An ID number with a wrong check digit is no ID, and not a bank card either.
_ID_CONTEXT = re.compile(r"身份证|证件号")
_STUDENT_LABEL = re.compile(r"学号\s*[:：]?\s*(\d{8,12})(?!\d)")
# The most common surnames, for "a name next to a number" (姓名 + 学号 / 电话 in a list).
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁"
            "蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
            "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_NAME = rf"[{SURNAMES}][\u4e00-\u9fff]{{1,2}}"
_NAME_THEN_NUMBER = re.compile(rf"(?<![\u4e00-\u9fff])({_NAME})[\s:：,，（(]*(\d{{10}})(?!\d)")
_NUMBER_THEN_NAME = re.compile(rf"(?<!\d)(\d{{10}})[\s:：,，）)]*({_NAME})(?![\u4e00-\u9fff])")
_NAME_BEFORE = re.compile(rf"({_NAME})[\s:：,，（(]*$")
_LIST_MIN = 2  # phone numbers next to names: a list, not one contact person


class Personal(NamedTuple):
    kind: str  # id_number, bank_card, passport, student_number, name_phone
    start: int
    end: int
    value: str

    def label(self) -> str:
        return {"id_number": "居民身份证号码", "bank_card": "银行卡号", "passport": "护照号码",
                "student_number": "学号（与姓名一起）",
                "name_phone": "姓名与手机号（名单）"}[self.kind]


def id_number_valid(number: str) -> bool:
    """GB 11643-1999: 17 digits, a date of birth, and the ISO 7064 MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born > datetime.date.today():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(number: str) -> bool:
    if not number.isdigit():
        return False
    total = 0
    for i, d in enumerate(reversed(number)):
        value = int(d) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def find_personal(text: str) -> list[Personal]:
    found: list[Personal] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int, value: str) -> None:
        if not any(a < end and start < b for a, b in taken):
            taken.append((start, end))
            found.append(Personal(kind, start, end, value))

    for match in _ID.finditer(text):
        if id_number_valid(match.group(1)):
            add("id_number", match.start(1), match.end(1), match.group(1))
    for run in digit_runs(text):
        for i, j in pieces(run):
            digits = run.digits[i:j]
            start = run.positions[i]
            if 16 <= len(digits) <= 19 and digits[0] in "3456" and luhn_valid(digits) \
                    and not (len(digits) == 18 and id_number_valid(digits)) \
                    and not _ID_CONTEXT.search(text, max(0, start - 8), start):
                add("bank_card", run.positions[i], run.positions[j - 1] + 1, digits)
                break
    for match in _PASSPORT.finditer(text):
        if _PASSPORT_CONTEXT.search(text, max(0, match.start() - 12), match.start()) or \
                match.group(1)[0] in "EG":
            add("passport", match.start(1), match.end(1), match.group(1))
    for match in _STUDENT_LABEL.finditer(text):
        add("student_number", match.start(1), match.end(1), match.group(1))
    for pattern, group in ((_NAME_THEN_NUMBER, 2), (_NUMBER_THEN_NAME, 1)):
        for match in pattern.finditer(text):
            add("student_number", match.start(group), match.end(group), match.group(group))
    found.extend(_name_phone_list(text, taken))
    return sorted(found, key=lambda p: p.start)


def _name_phone_list(text: str, taken: list[tuple[int, int]]) -> Iterator[Personal]:
    pairs = []
    for run, i, j, digits in phone_numbers(text):
        start, end = run.positions[i], run.positions[j - 1] + 1
        if _NAME_BEFORE.search(text, max(0, start - 8), start) and len(digits) >= 11:
            pairs.append(Personal("name_phone", start, end, digits))
    if len(pairs) >= _LIST_MIN:
        for pair in pairs:
            if not any(a < pair.end and pair.start < b for a, b in taken):
                taken.append((pair.start, pair.end))
                yield pair
