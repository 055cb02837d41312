"""All user-facing words of Report QA, one catalogue per language.

Quotes always stay in the report's own characters; only the words around them (labels, "not
found", the bot's replies) follow the user: Traditional Chinese, Simplified Chinese or
English. Every catalogue has the same keys and the same ``{placeholders}`` (a test checks).
"""

from __future__ import annotations

from types import ModuleType

from qa.i18n import LANGUAGES, Language
from qa.present.words import en, zh_hans, zh_hant

CATALOGUES: dict[Language, ModuleType] = {"zh-Hant": zh_hant, "zh-Hans": zh_hans, "en": en}
assert set(CATALOGUES) == set(LANGUAGES)


def say(key: str, lang: Language, **values: object) -> str:
    """The ``key`` message in ``lang``, its ``{placeholders}`` filled from ``values`` (as
    given: a renderer escapes them for its format first)."""
    return CATALOGUES[lang].WORDS[key].format(**values)


def examples(lang: Language) -> tuple[str, ...]:
    """Example questions about the bundled report, in ``lang``."""
    return CATALOGUES[lang].EXAMPLES


def commands(lang: Language) -> tuple[tuple[str, str], ...]:
    """The bot's commands with what each does, in ``lang``."""
    return CATALOGUES[lang].COMMANDS
