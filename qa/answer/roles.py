"""Questions that ask who holds a role: "Who is the director of …?", "民政廳廳長是誰？".

Such a question is answered only by a sentence that names the role. The report always
has *some* nearest sentence, and quoting one about a village committee when the question
asks for the department's director is a wrong answer, not a partial one. Questions about
who *did* something ("誰提供了圖片") are not role questions and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.text import fold

if TYPE_CHECKING:
    from qa.retrieve.crosslingual import EnglishLookup

__all__ = ["asked_role", "role_named"]

# Title endings that make a phrase a role (廳長, 局長, 書記, 主任, 主席, 負責人 …), folded
# to Simplified; the role checked is the phrase's last two characters (廳長, not the
# whole 黑龍江省民政廳廳長, which the report would never write in one piece).
_ZH_TITLE = re.compile(r"(?:长|书记|主任|主席|负责人|总理|总监|经理|主管|领导|专员)$")
_ZH_ROLE = (
    re.compile(r"(?:谁|哪位|何人)(?:是|担任|当|出任)(?P<role>[\u4e00-\u9fff]{2,16})"),
    re.compile(r"(?P<role>[\u4e00-\u9fff]{2,16}?)(?:是|为|由)(?:谁|哪位|哪一位|何人)"),
)

_EN_ROLES = frozenset(
    [
        "director",
        "head",
        "minister",
        "secretary",
        "chairman",
        "chairwoman",
        "chair",
        "president",
        "governor",
        "mayor",
        "leader",
        "chief",
        "commissioner",
        "manager",
        "officer",
        "deputy",
    ]
)
_EN_ROLE = re.compile(
    r"\bwho(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|a\s+|an\s+|its\s+)?"
    r"(?P<role>(?:[a-z-]+\s+){0,3}?[a-z-]+?)s?(?=\s+(?:of|for|in|at|from)\b|\s*[?.!,]|\s*$)",
    re.IGNORECASE,
)


def asked_role(question: str) -> str | None:
    """The role a "who is the X" question asks about: two folded Chinese characters
    (厅长, 书记) or an English role noun (director); ``None`` for other questions."""
    folded = fold(question)
    for pattern in _ZH_ROLE:
        m = pattern.search(folded)
        if m and _ZH_TITLE.search(m.group("role")):
            return m.group("role")[-2:]
    m = _EN_ROLE.search(question)
    if m:
        noun = m.group("role").split()[-1].lower()
        if noun in _EN_ROLES:
            return noun
    return None


def role_named(role: str, texts: Sequence[str], *, english: EnglishLookup | None = None) -> bool:
    """True when one of ``texts`` names ``role`` (an English role through any of its
    CC-CEDICT translations: director → 主任, 总监, 经理 …), looked up with ``english``
    (``Retriever.english_lookup``; the shipped tables when ``None``)."""
    from qa.retrieve.crosslingual import SHIPPED_LOOKUP

    table = (english or SHIPPED_LOOKUP).glossary()
    folded = [fold(t) for t in texts]
    forms = [role] if not role.isascii() else [c for c in table.get(role, ()) if len(c) >= 2]
    return any(form in text for form in forms for text in folded)
