"""Forgiving text search over lists already on hand (a unit's procedures, an officer's cases).

Vietnamese is often typed without its marks on a cheap phone ("cap giay khai sinh" for "cấp giấy
khai sinh") and capitals vary, so both sides are folded to unmarked lower case before comparing.
The databases cannot do this alike: SQLite's LIKE folds only ASCII letters, PostgreSQL's ILIKE
keeps the marks. A unit offers a few hundred procedures at most and the case lists are loaded
whole, so folding in Python is cheap and behaves the same everywhere. A search over a table too
large to load would need a folded column instead.
"""

from __future__ import annotations

import unicodedata

# Đ/đ is a letter of its own, not D with a mark, so decomposition leaves it alone.
_UNMARKED = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case without diacritics: "Đăng ký KẾT HÔN" → "dang ky ket hon"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_UNMARKED).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(query: str, *fields: str) -> bool:
    """Whether ``query`` occurs in one of ``fields``, marks, case and extra spaces forgiven.

    A typed mark is forgiven too: a wrong tone ("giây" for "giấy") is a common slip on a small
    keyboard, and a near miss in a list of procedures costs nothing.
    """
    wanted = " ".join(fold(query).split())
    return any(wanted in " ".join(fold(field).split()) for field in fields)
