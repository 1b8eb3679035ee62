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


class Hidden(NamedTuple):
    offset: int
    char: str

    def describe(self) -> str:
        cp = ord(self.char)
        name = unicodedata.name(self.char, "") or unicodedata.category(self.char)
        return f"U+{cp:04X} ({name}) at offset {self.offset}"


def first_hidden(text: str) -> Hidden | None:
    for offset, char in enumerate(text):
        if unicodedata.category(char) in _HIDDEN_CATEGORIES or 0xFE00 <= ord(char) <= 0xFE0F:
            return Hidden(offset, char)
    return None


def plain_name(value: str) -> str:
    """``value`` if it is a plain name; else a ValueError saying which character and where."""
    found = first_hidden(value)
    if found is not None:
        raise ValueError(f"has the control or invisible character {found.describe()}; "
                         "names must be plain text")
    return value
