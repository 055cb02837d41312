"""The language a user writes in, and the few sentences Report QA says itself.

Quotes always stay in the report's own characters; only the words around them (labels,
"not found") follow the question: Traditional Chinese, Simplified Chinese or English.
"""

from __future__ import annotations

from typing import Literal

from qa.text import chinese_script, cjk_share

Language = Literal["zh-Hant", "zh-Hans", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-Hant", "zh-Hans", "en")


def detect_language(text: str, default: Language = "zh-Hant") -> Language:
    """zh-Hant, zh-Hans or en, from the script of ``text``.

    Chinese text is in the script most of its script-specific characters belong to (see
    ``qa.text.chinese_script``); text whose characters are the same in both scripts, or
    mixes them evenly, gets ``default``.
    """
    if cjk_share(text) < 0.3:
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


MESSAGES: dict[str, dict[Language, str]] = {
    "answer": {"zh-Hant": "報告原文", "zh-Hans": "报告原文", "en": "From the report"},
    "not_found": {
        "zh-Hant": "報告中沒有找到這個問題的答案。",
        "zh-Hans": "报告中没有找到这个问题的答案。",
        "en": "The report does not answer this question.",
    },
    "other_year": {
        "zh-Hant": "這份報告講的是{have}年的工作，沒有{want}年的數字。",
        "zh-Hans": "这份报告讲的是{have}年的工作，没有{want}年的数字。",
        "en": "The report covers {have}; it has no figures for {want}.",
    },
    "other_region": {
        "zh-Hant": "這份報告講的是{have}，沒有關於{want}的內容。",
        "zh-Hans": "这份报告讲的是{have}，没有关于{want}的内容。",
        "en": "The report covers {have}; it says nothing about {want}.",
    },
    "no_figure": {
        "zh-Hant": "報告提到相關工作，但沒有給出這個數字。",
        "zh-Hans": "报告提到相关工作，但没有给出这个数字。",
        "en": "The report mentions related work but gives no such figure.",
    },
    "related": {
        "zh-Hant": "相關段落（不是答案）",
        "zh-Hans": "相关段落（不是答案）",
        "en": "Related passages (not an answer)",
    },
    "paragraph": {"zh-Hant": "第{n}段", "zh-Hans": "第{n}段", "en": "paragraph {n}"},
    "notes": {"zh-Hant": "文末說明", "zh-Hans": "文末说明", "en": "document notes"},
    "hint": {
        "zh-Hant": "可以換個說法，或問報告裡的具體工作和數字。",
        "zh-Hans": "可以换个说法，或问报告里的具体工作和数字。",
        "en": "Try rephrasing, or ask about the specific work and figures in the report.",
    },
}


def message(key: str, lang: Language, **values: object) -> str:
    """A localized message; ``values`` fill its ``{placeholders}``."""
    return MESSAGES[key][lang].format(**values)
