"""Characters that change how a name looks without being part of it.

An account, unit or person name is shown in reports, lists and sign-off pages. A control
character (an escape sequence, a NUL) or a format character (U+202E reverses the text after it,
U+200B is invisible) lets two names look alike or a name look like something else, so names must
be plain: ``first_hidden`` finds the first such character and ``plain_name`` refuses it.
Draft text is different: there these characters are undone by normalization and shown to the
reviewer, never refused.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

# Cc control, Cf format (bidi controls, zero-width), Cs lone surrogates, Co private use,
# Cn unassigned: none of them belongs in a name.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


# Unicode's names of the C0 controls (unicodedata.name() has none for them) and DEL.
_C0_NAMES = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
    "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
    "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL",
    "END OF MEDIUM", "SUBSTITUTE", "ESCAPE", "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE",
)
# Chinese names for the reviewer, for the characters evaders and broken copy-paste bring in.
CHINESE_NAMES = {
    0x00: "空字符", 0x07: "响铃符", 0x08: "退格符", 0x0B: "垂直制表符", 0x0C: "换页符",
    0x1B: "转义符", 0x7F: "删除符", 0x00AD: "软连字符", 0x034F: "组合用字形连接符",
    0x061C: "阿拉伯文字母标记", 0x115F: "朝鲜文初声填充符", 0x1160: "朝鲜文中声填充符",
    0x180E: "蒙古文元音分隔符", 0x200B: "零宽空格", 0x200C: "零宽不连字", 0x200D: "零宽连字",
    0x200E: "从左至右标记", 0x200F: "从右至左标记", 0x2028: "行分隔符", 0x2029: "段分隔符",
    0x202A: "从左至右嵌入", 0x202B: "从右至左嵌入", 0x202C: "嵌入方向结束",
    0x202D: "从左至右强制", 0x202E: "从右至左强制", 0x2060: "零宽不换行", 0x2061: "不可见函数",
    0x2062: "不可见乘号", 0x2063: "不可见分隔符", 0x2064: "不可见加号", 0x2066: "从左至右隔离",
    0x2067: "从右至左隔离", 0x2068: "首强字符隔离", 0x2069: "方向隔离结束",
    0x3164: "朝鲜文填充符", 0xFEFF: "零宽不换行空格（字节序标记）", 0xFFA0: "半角朝鲜文填充符",
    0xFFF9: "行间注释开始", 0xFFFA: "行间注释分隔", 0xFFFB: "行间注释结束",
}


def unicode_name(char: str) -> str:
    cp = ord(char)
    if cp < 0x20:
        return _C0_NAMES[cp]
    if cp == 0x7F:
        return "DELETE"
    return unicodedata.name(char, "") or f"<{unicodedata.category(char)}>"


def chinese_name(char: str) -> str:
    cp = ord(char)
    if cp in CHINESE_NAMES:
        return CHINESE_NAMES[cp]
    category = unicodedata.category(char)
    if category == "Cc":
        return "控制字符"
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return "异体字选择符"
    if 0xE0000 <= cp <= 0xE007F:
        return "标签字符"
    return {"Cf": "格式控制字符", "Co": "私用区字符", "Cs": "代理项", "Cn": "未分配字符"}.get(
        category, "隐藏字符")


def describe_char(char: str) -> str:
    """``U+0000 (NULL)``: the code point and Unicode's name of a character."""
    return f"U+{ord(char):04X} ({unicode_name(char)})"


class Hidden(NamedTuple):
    offset: int
    char: str

    def describe(self) -> str:
        return f"{describe_char(self.char)}（偏移 {self.offset}）"


def first_hidden(text: str) -> Hidden | None:
    for offset, char in enumerate(text):
        if unicodedata.category(char) in _HIDDEN_CATEGORIES or 0xFE00 <= ord(char) <= 0xFE0F:
            return Hidden(offset, char)
    return None


def plain_name(value: str) -> str:
    """``value`` if it is a plain name; else a ValueError saying which character and where."""
    found = first_hidden(value)
    if found is not None:
        raise ValueError(f"含有控制字符或不可见字符 {found.describe()}；名称须是纯文本")
    return value
