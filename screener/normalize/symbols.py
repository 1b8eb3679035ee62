"""Emoji and symbols that evaders write instead of a word: the one substitution table.

``加🐧`` is 加QQ, ``买🔫`` is 买枪, ``➕微信`` is 加微信. Everywhere else emoji and symbols are
noise between the characters of a term (``代❤孕``); the symbols listed here are read as what they
stand for instead. Keep the list to symbols whose reading is unambiguous in the spam that reaches
us: a decorative emoji read as a word would create false alarms in ordinary posts.
"""

from __future__ import annotations

# symbol -> the text it stands for (folded form: lower case, simplified)
SYMBOL_MEANINGS: dict[str, str] = {
    "🐧": "qq",  # the QQ mascot
    "🔫": "枪",
    "➕": "加",
    "✚": "加",
    "✙": "加",
    "💊": "药",
    "💉": "针",
    "🈲": "禁",
    "🌿": "草",
    "💰": "钱",
    "💴": "钱",
    "💵": "钱",
    "📱": "手机",
    "☎": "电话",
    "📞": "电话",
    "✉": "邮箱",
    "📧": "邮箱",
}
