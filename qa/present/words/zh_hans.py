"""Report QA's own words in Simplified Chinese (zh-Hans): the Traditional catalogue
(``zh_hant``) converted at import, so the two never drift apart.

OpenCC's ``tw2s`` (Taiwan Traditional → Simplified; unlike ``t2s`` it gives 接着, not 接著)
converts the characters, corner quotes 「」 become “”, and ``OVERRIDES`` puts the mainland
word where the Taiwan one (檔案, 字元, 載入) converts character by character. Converting
the whole catalogue takes well under a millisecond.
"""

from __future__ import annotations

from qa.present.words import zh_hant
from qa.text import opencc_convert

#: Words whose character-by-character conversion is not what a mainland reader writes:
#: converted form → the word we want (checked on every entry by tests/test_present.py).
OVERRIDES: dict[str, str] = {
    "档案": "文件",
    "连到": "链接到",
    "甚么": "什么",
    "字元": "字符",
    "纯文字": "纯文本",
    "载入": "加载",
}
_QUOTES = str.maketrans("「」『』", "“”‘’")


def to_simplified(text: str) -> str:
    """``text`` of the Traditional catalogue in the Simplified one's words."""
    text = opencc_convert(text, "tw2s").translate(_QUOTES)
    for converted, wanted in OVERRIDES.items():
        text = text.replace(converted, wanted)
    return text


WORDS: dict[str, str] = {key: to_simplified(text) for key, text in zh_hant.WORDS.items()}

#: Example questions about the bundled report (tests/test_bot.py checks that each is
#: answered with a figure).
EXAMPLES: tuple[str, ...] = tuple(to_simplified(q) for q in zh_hant.EXAMPLES)

#: The bot's command menu: (command, what it does).
COMMANDS: tuple[tuple[str, str], ...] = tuple(
    (command, to_simplified(what)) for command, what in zh_hant.COMMANDS
)
