"""Report QA's own words in Simplified Chinese (zh-Hans): one entry per message.

Templates fill ``{placeholders}`` with ``str.format``. Entries used by the Telegram bot may hold
``<b>`` tags (Telegram HTML); the values filled in are escaped by the renderer.
"""

from __future__ import annotations

WORDS: dict[str, str] = {
    "answer": "报告原文",
    "not_found": "报告中没有找到这个问题的答案。",
    "other_year": "这份报告讲的是{have}年的工作，没有{want}年的数字。",
    "other_region": "这份报告讲的是{have}，没有关于{want}的内容。",
    "other_place": "这份报告讲的是{have}整体的工作，没有专门关于{want}的内容。",
    "no_figure": "报告提到相关工作，但没有给出这个数字。",
    "related": "相关段落（不是答案）",
    "paragraph": "第{n}段",
    "notes": "文末说明",
    "hint": "可以换个说法，或问报告里的具体工作和数字。",
    "start": "你好！我回答关于下列报告的问题：引用报告原文，数字加粗，并注明出处。\n\n{documents}\n\n<b>可以这样问</b>\n{examples}\n\n在群组里请用 /ask 问题，或提到 @{username}。说明见 /help。",
    "help": "<b>怎么问</b>\n直接发送问题，繁体、简体或英文都可以。我会引用报告中回答问题的原句，数字加粗，并附上出处（文件、章节、段落、来源和日期）。按“更多段落”看其他相关段落。收录了几份报告时，问题里写上年份或地区，就从那份报告回答；写上两个，就逐一比较。\n\n<b>命令</b>\n/start 简介和示例问题\n/sources 已收录的报告\n/figures [报告] 一份报告的全部数字（CSV）\n/ask 问题 在群组中提问\n/help 这份说明\n\n在任何聊天中输入 @{username} 问题，可以分享引用。",
    "sources": "已收录的报告",
    "no_sources": "还没有收录任何报告。",
    "unknown_command": "我不认识 {command} 这个命令。发送 /help 查看命令，或直接提问。",
    "ask_usage": "请在命令后面写上问题，例如：/ask {example}",
    "empty": "请发送一个问题，例如：{example}",
    "too_long": "这个问题有 {length} 个字，太长了。请用不超过 {limit} 个字提问。",
    "not_text": "我只能回答文字问题，请用文字发送你的问题。",
    "rate_limited": "问得有点快了，请 {seconds} 秒后再问。",
    "not_allowed": "抱歉，这个机器人只在指定的聊天中回答。",
    "error": "抱歉，出了点问题，请稍后再试。",
    "more_button": "更多段落",
    "more_header": "更多相关段落（{first}–{last}，共 {total} 段）",
    "more_expired": "这个回答已过期，请重新提问。",
    "answer_from": "{report}原文",
    "compared": "按提问的顺序比较",
    "close": "几份报告的答案相近，较新的在前",
    "not_indexed": "索引里没有{want}的报告，只有{have}。",
    "report_of": "{region}{years}的报告",
    "reports_of": "{region}{years}的报告",
    "report_of_region": "{region}的报告",
    "report_of_year": "{years}的报告",
    "reports_of_year": "{years}的报告",
    "report_titled": "《{title}》",
    "year": "{year}年",
    "and": "{first}和{last}",
    "list_separator": "、",
    "topic_region_year": "{region}{year}年",
    "topic_year": "{year}年",
    "topic_region": "{region}",
    "year_span": "{first}–{last}年（{n}份）",
    "national_reports": "{years}的全国报告",
    "regional_reports": "{n}份{years}的省级报告",
    "roles": "当年的实际结果和目标（分别出自回顾和部署这一年的报告）",
    "topic_result": "{label}·实际",
    "topic_target": "{label}·目标",
    "other_entity": "报告没有给出问题所说对象的这个数字。",
    "figures_summary": "<b>{report}的数字</b>\n共{count}个数字：{kinds}。\n<b>最大的金额</b>\n{largest}\n\n每个数字及其所在的句子、章节和段落，见附上的CSV文件。",
    "figures_caption": "{report}的全部数字（CSV）",
    "figures_none": "这份报告没有数字。",
    "figures_unknown": "没有 {doc} 这份报告。已收录的报告：{documents}",
    "figures_usage": "收录了几份报告，请指明一份：/figures {example}",
    "n_of_kind": "{kind}{n}个",
    "kind_money": "金额",
    "kind_people": "人数",
    "kind_count": "数量",
    "kind_percent": "百分比",
    "kind_ordinal": "序数",
    "kind_duration": "时长",
    "kind_date": "日期",
    "inline_hint": "输入一个关于报告的问题",
    "chat_hello": "用中文或英文提问报告的内容。输入 /help 查看命令；/quit 或 Ctrl-D 离开。",
    "chat_help": "输入问题后按 Enter。/passages 问题：列出最相关的段落而不是回答。/quit、/exit 或 Ctrl-D 离开；Ctrl-C 清除正在输入的一行。",
}

#: Example questions about the bundled report (tests/test_bot.py checks that each is
#: answered with a figure).
EXAMPLES: tuple[str, ...] = (
    "向全省养老机构拨付了多少补贴？",
    "全省发放了多少低保金？",
    "异地救助了多少人？",
)

#: The bot's command menu: (command, what it does).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "简介和示例问题"),
    ("help", "怎么问"),
    ("sources", "已收录的报告"),
    ("figures", "一份报告的全部数字（CSV）"),
    ("ask", "提问（在群组中）"),
)
