"""What the bot says in its own words, in Traditional Chinese, Simplified Chinese and English.

Templates are Telegram HTML written by us; the values filled into their ``{placeholders}``
are user or report text and are always escaped (see :func:`text`). The library's own
sentences (not found, the hint on how to ask) stay in :mod:`qa.i18n`.
"""

from __future__ import annotations

import html

from qa.i18n import Language

#: The language of the bot's words when neither the user nor the text tells.
DEFAULT_LANGUAGE: Language = "zh-Hant"

#: Example questions about the bundled report, one list per language (each is answered
#: with a figure; tests/test_bot.py checks that they still are).
EXAMPLES: dict[Language, tuple[str, ...]] = {
    "zh-Hant": (
        "向全省養老機構撥付了多少補貼？",
        "全省發放了多少低保金？",
        "異地救助了多少人？",
    ),
    "zh-Hans": (
        "向全省养老机构拨付了多少补贴？",
        "全省发放了多少低保金？",
        "异地救助了多少人？",
    ),
    "en": (
        "How much did the province give elderly-care homes for epidemic prevention and operations?",
        "How much subsistence allowance money was paid out during the epidemic?",
        "How many people received temporary assistance outside their registered residence?",
    ),
}

#: The command menu Telegram shows, by language (Telegram keys menus by two-letter codes
#: only, so Chinese gets the report's own script).
COMMANDS: dict[Language, tuple[tuple[str, str], ...]] = {
    "zh-Hant": (
        ("start", "簡介和示例問題"),
        ("help", "怎麼問"),
        ("sources", "已收錄的報告"),
        ("ask", "提問（在群組中）"),
    ),
    "zh-Hans": (
        ("start", "简介和示例问题"),
        ("help", "怎么问"),
        ("sources", "已收录的报告"),
        ("ask", "提问（在群组中）"),
    ),
    "en": (
        ("start", "Introduction and example questions"),
        ("help", "How to ask"),
        ("sources", "The indexed reports"),
        ("ask", "Ask a question (in groups)"),
    ),
}

TEXTS: dict[str, dict[Language, str]] = {
    "start": {
        "zh-Hant": (
            "你好！我回答關於下列報告的問題：引用報告原文，數字加粗，並註明出處。\n\n"
            "{documents}\n\n<b>可以這樣問</b>\n{examples}\n\n"
            "在群組裡請用 /ask 問題，或提到 @{username}。說明見 /help。"
        ),
        "zh-Hans": (
            "你好！我回答关于下列报告的问题：引用报告原文，数字加粗，并注明出处。\n\n"
            "{documents}\n\n<b>可以这样问</b>\n{examples}\n\n"
            "在群组里请用 /ask 问题，或提到 @{username}。说明见 /help。"
        ),
        "en": (
            "Hello! I answer questions about the reports below by quoting them verbatim, "
            "figures in bold, with where each quote stands.\n\n"
            "{documents}\n\n<b>Try asking</b>\n{examples}\n\n"
            "In groups, use /ask QUESTION or mention @{username}. More in /help."
        ),
    },
    "help": {
        "zh-Hant": (
            "<b>怎麼問</b>\n直接發送問題，繁體、簡體或英文都可以。我會引用報告中回答問題的原句，"
            "數字加粗，並附上出處（文件、章節、段落、來源和日期）。按「更多段落」看其他相關段落。\n\n"
            "<b>命令</b>\n/start 簡介和示例問題\n/sources 已收錄的報告\n"
            "/ask 問題 在群組中提問\n/help 這份說明\n\n"
            "在任何聊天中輸入 @{username} 問題，可以分享引用。"
        ),
        "zh-Hans": (
            "<b>怎么问</b>\n直接发送问题，繁体、简体或英文都可以。我会引用报告中回答问题的原句，"
            "数字加粗，并附上出处（文件、章节、段落、来源和日期）。按“更多段落”看其他相关段落。\n\n"
            "<b>命令</b>\n/start 简介和示例问题\n/sources 已收录的报告\n"
            "/ask 问题 在群组中提问\n/help 这份说明\n\n"
            "在任何聊天中输入 @{username} 问题，可以分享引用。"
        ),
        "en": (
            "<b>How to ask</b>\nSend a question in Traditional or Simplified Chinese, or in "
            "English. I reply with the report's own sentences that answer it, figures in bold, "
            "and where they stand (document, section, paragraph, source and date). "
            "“More passages” shows further related passages.\n\n"
            "<b>Commands</b>\n/start introduction and example questions\n"
            "/sources the indexed reports\n/ask QUESTION ask in a group\n/help this help\n\n"
            "In any chat, type @{username} QUESTION to share a quote."
        ),
    },
    "sources": {"zh-Hant": "已收錄的報告", "zh-Hans": "已收录的报告", "en": "Indexed reports"},
    "no_sources": {
        "zh-Hant": "還沒有收錄任何報告。",
        "zh-Hans": "还没有收录任何报告。",
        "en": "No report is indexed yet.",
    },
    "unknown_command": {
        "zh-Hant": "我不認識 {command} 這個命令。發送 /help 查看命令，或直接提問。",
        "zh-Hans": "我不认识 {command} 这个命令。发送 /help 查看命令，或直接提问。",
        "en": "I don't know {command}. Send /help for the commands, or just ask a question.",
    },
    "ask_usage": {
        "zh-Hant": "請在命令後面寫上問題，例如：/ask {example}",
        "zh-Hans": "请在命令后面写上问题，例如：/ask {example}",
        "en": "Put the question after the command, for example: /ask {example}",
    },
    "empty": {
        "zh-Hant": "請發送一個問題，例如：{example}",
        "zh-Hans": "请发送一个问题，例如：{example}",
        "en": "Please send a question, for example: {example}",
    },
    "too_long": {
        "zh-Hant": "這個問題有 {length} 個字，太長了。請用不超過 {limit} 個字提問。",
        "zh-Hans": "这个问题有 {length} 个字，太长了。请用不超过 {limit} 个字提问。",
        "en": "That question is {length} characters long; please ask in at most {limit}.",
    },
    "not_text": {
        "zh-Hant": "我只能回答文字問題，請用文字發送你的問題。",
        "zh-Hans": "我只能回答文字问题，请用文字发送你的问题。",
        "en": "I can only answer questions sent as text.",
    },
    "rate_limited": {
        "zh-Hant": "問得有點快了，請 {seconds} 秒後再問。",
        "zh-Hans": "问得有点快了，请 {seconds} 秒后再问。",
        "en": "You're asking quickly; please wait {seconds} s before the next question.",
    },
    "not_allowed": {
        "zh-Hant": "抱歉，這個機器人只在指定的聊天中回答。",
        "zh-Hans": "抱歉，这个机器人只在指定的聊天中回答。",
        "en": "Sorry, this bot only answers in the chats it was set up for.",
    },
    "error": {
        "zh-Hant": "抱歉，出了點問題，請稍後再試。",
        "zh-Hans": "抱歉，出了点问题，请稍后再试。",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "more_button": {"zh-Hant": "更多段落", "zh-Hans": "更多段落", "en": "More passages"},
    "more_header": {
        "zh-Hant": "更多相關段落（{first}–{last}，共 {total} 段）",
        "zh-Hans": "更多相关段落（{first}–{last}，共 {total} 段）",
        "en": "More passages ({first}–{last} of {total})",
    },
    "more_expired": {
        "zh-Hant": "這個回答已過期，請重新提問。",
        "zh-Hans": "这个回答已过期，请重新提问。",
        "en": "This answer has expired; please ask again.",
    },
    "inline_hint": {
        "zh-Hant": "輸入一個關於報告的問題",
        "zh-Hans": "输入一个关于报告的问题",
        "en": "Type a question about the report",
    },
}


def text(key: str, lang: Language, **values: object) -> str:
    """The bot's ``key`` text in ``lang`` as Telegram HTML; ``values`` are escaped."""
    escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
    return TEXTS[key][lang].format(**escaped)


def plain(key: str, lang: Language, **values: object) -> str:
    """The same text without markup, for places that take no HTML (button labels, alerts)."""
    return TEXTS[key][lang].format(**values)


def example_list(lang: Language) -> str:
    """The example questions as a bulleted list (plain text: pass it through :func:`text`)."""
    return "\n".join(f"• {q}" for q in EXAMPLES[lang])
