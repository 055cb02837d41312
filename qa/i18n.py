"""The language a user writes in: Traditional Chinese, Simplified Chinese or English.

Report QA's own words in each language are in ``qa.present.words``.
"""

from __future__ import annotations

from typing import Literal

from qa.text import chinese_script, is_english

Language = Literal["zh-Hant", "zh-Hans", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-Hant", "zh-Hans", "en")


def detect_language(text: str, default: Language = "zh-Hant") -> Language:
    """zh-Hant, zh-Hans or en, from the script of ``text``.

    Chinese text is in the script most of its script-specific characters belong to (see
    ``qa.text.chinese_script``); text whose characters are the same in both scripts, or
    mixes them evenly, gets ``default``.
    """
    if is_english(text):
        return "en" if any(ch.isalpha() for ch in text) else default
    return chinese_script(text) or default


def language_from_code(code: str | None) -> Language | None:
    """Map a BCP-47 code (a Telegram user's ``language_code``) to one of ours."""
    if not code:
        return None
    code = code.lower()
    if code.startswith("zh"):
        simplified = ("hans", "cn", "sg", "my")
        return "zh-Hans" if any(s in code for s in simplified) else "zh-Hant"
    return "en"
