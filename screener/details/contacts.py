"""Contact routes in a post: phone numbers (also in number words), WeChat and QQ ids, e-mail
addresses and links outside pku.edu.cn, short links.

A reviewer must see every way a post sends its readers elsewhere; whether that is an
advertisement is decided by the stage (``stages/contacts.py``) from the rest of the post.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from .numbers import DigitRun, digit_runs, pieces

OWN_DOMAIN = "pku.edu.cn"
SHORT_LINK_HOSTS = ("t.cn", "dwz.cn", "url.cn", "w.url.cn", "suo.im", "suo.nz", "bit.ly",
                    "tinyurl.com", "goo.gl", "t.co", "is.gd", "ow.ly", "dwz.date", "u.nu",
                    "c.tb.cn", "m.tb.cn", "s.click.taobao.com", "u.jd.com", "v.douyin.com",
                    "b23.tv", "xhslink.com")

_MOBILE = re.compile(r"^(?:86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0[1-9]\d{1,2}[2-9]\d{6,7}$")
_SERVICE = re.compile(r"^(?:400|800)\d{7}$")
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。！？；、（）【】《》]+"
                  r"|\b(?:[a-z0-9-]+\.)+(?:com|cn|net|org|top|xyz|cc|me|io|vip|shop|info|tv|"
                  r"ly|co|im|tk|club|site|online|link|wang)\b(?:/[^\s<>\"'，。！？；、（）【】《》]*)?",
                  re.IGNORECASE)
_WECHAT = re.compile(r"(?:微信|威信|薇信|徽信|weixin|wechat|vx|wx|v信|ｖｘ|ｗｘ|Ｖ信|\bv)"
                     r"\s*(?:号|号码|id|ID)?\s*[:：]?\s*(?:是|为)?\s*"
                     r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![A-Za-z0-9@.])", re.IGNORECASE)
_QQ = re.compile(r"(?:qq|ｑｑ|扣扣|企鹅|🐧)\s*(?:号|群|号码)?\s*[:：]?\s*(?:是|为)?\s*"
                 r"([1-9]\d{4,10})(?!\d)", re.IGNORECASE)


class Contact(NamedTuple):
    kind: str  # phone, wechat, qq, email, link, short_link
    start: int
    end: int
    value: str  # normalized: digits of a phone, the address, the link

    def label(self) -> str:
        return {"phone": "电话号码", "wechat": "微信号", "qq": "QQ号", "email": "电子邮箱",
                "link": "外部链接", "short_link": "短链接"}[self.kind]


def _host(link: str) -> str:
    rest = re.sub(r"^[a-z]+://", "", link.lower())
    return re.split(r"[/?#:]", rest, maxsplit=1)[0]


def _own(host: str) -> bool:
    return host == OWN_DOMAIN or host.endswith("." + OWN_DOMAIN)


def phone_numbers(text: str) -> Iterator[tuple[DigitRun, int, int, str]]:
    """(run, first digit index, end digit index, digits) of each phone number."""
    for run in digit_runs(text):
        for i, j in pieces(run):
            digits = run.digits[i:j]
            if _MOBILE.match(digits) or (not run.words and (
                    _LANDLINE.match(digits) or _SERVICE.match(digits))):
                yield run, i, j, digits
                break


def find_contacts(text: str) -> list[Contact]:
    found: list[Contact] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int, value: str) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        found.append(Contact(kind, start, end, value))

    for match in _EMAIL.finditer(text):
        domain = match.group().rsplit("@", 1)[1].lower()
        if not _own(domain):
            add("email", match.start(), match.end(), match.group())
        else:
            taken.append(match.span())
    for match in _URL.finditer(text):
        link = match.group().rstrip(".,;:!?)")
        host = _host(link if "://" in link else "http://" + link)
        if _own(host):
            taken.append(match.span())
            continue
        short = host in SHORT_LINK_HOSTS
        add("short_link" if short else "link", match.start(), match.start() + len(link), link)
    for match in _QQ.finditer(text):
        add("qq", match.start(), match.end(), match.group(1))
    for run, i, j, digits in phone_numbers(text):
        add("phone", run.positions[i], run.positions[j - 1] + 1, digits)
    for match in _WECHAT.finditer(text):
        add("wechat", match.start(), match.end(), match.group(1))
    return sorted(found, key=lambda c: c.start)
