"""Report QA's own words in Traditional Chinese (zh-Hant): one entry per message.

Templates fill ``{placeholders}`` with ``str.format``. Entries used by the Telegram bot may hold
``<b>`` tags (Telegram HTML); the values filled in are escaped by the renderer.
"""

from __future__ import annotations

WORDS: dict[str, str] = {
    "answer": "報告原文",
    "not_found": "報告中沒有找到這個問題的答案。",
    "other_year": "這份報告講的是{have}年的工作，沒有{want}年的數字。",
    "other_region": "這份報告講的是{have}，沒有關於{want}的內容。",
    "other_place": "這份報告講的是{have}整體的工作，沒有專門關於{want}的內容。",
    "no_figure": "報告提到相關工作，但沒有給出這個數字。",
    "related": "相關段落（不是答案）",
    "paragraph": "第{n}段",
    "notes": "文末說明",
    "hint": "可以換個說法，或問報告裡的具體工作和數字。",
    "start": "你好！我回答關於下列報告的問題：引用報告原文，數字加粗，並註明出處。\n\n{documents}\n\n<b>可以這樣問</b>\n{examples}\n\n在群組裡請用 /ask 問題，或提到 @{username}。說明見 /help。",
    "help": "<b>怎麼問</b>\n直接發送問題，繁體、簡體或英文都可以。我會引用報告中回答問題的原句，數字加粗，並附上出處（文件、章節、段落、來源和日期）。按「更多段落」看其他相關段落。收錄了幾份報告時，問題裡寫上年份或地區，就從那份報告回答；寫上兩個，就逐一比較。\n\n<b>命令</b>\n/start 簡介和示例問題\n/sources 已收錄的報告\n/figures [報告] 一份報告的全部數字（CSV）\n/ask 問題 在群組中提問\n/help 這份說明\n\n在任何聊天中輸入 @{username} 問題，可以分享引用。",
    "sources": "已收錄的報告",
    "no_sources": "還沒有收錄任何報告。",
    "unknown_command": "我不認識 {command} 這個命令。發送 /help 查看命令，或直接提問。",
    "ask_usage": "請在命令後面寫上問題，例如：/ask {example}",
    "empty": "請發送一個問題，例如：{example}",
    "too_long": "這個問題有 {length} 個字，太長了。請用不超過 {limit} 個字提問。",
    "not_text": "我只能回答文字問題，請用文字發送你的問題。",
    "rate_limited": "問得有點快了，請 {seconds} 秒後再問。",
    "not_allowed": "抱歉，這個機器人只在指定的聊天中回答。",
    "error": "抱歉，出了點問題，請稍後再試。",
    "more_button": "更多段落",
    "more_header": "更多相關段落（{first}–{last}，共 {total} 段）",
    "more_expired": "這個回答已過期，請重新提問。",
    "answer_from": "{report}原文",
    "compared": "按提問的順序比較",
    "close": "幾份報告的答案相近，較新的在前",
    "not_indexed": "索引裡沒有{want}的報告，只有{have}。",
    "report_of": "{region}{years}的報告",
    "reports_of": "{region}{years}的報告",
    "report_of_region": "{region}的報告",
    "report_of_year": "{years}的報告",
    "reports_of_year": "{years}的報告",
    "report_titled": "《{title}》",
    "year": "{year}年",
    "and": "{first}和{last}",
    "list_separator": "、",
    "topic_region_year": "{region}{year}年",
    "topic_year": "{year}年",
    "topic_region": "{region}",
    "year_span": "{first}–{last}年（{n}份）",
    "national_reports": "{years}的全國報告",
    "regional_reports": "{n}份{years}的省級報告",
    "roles": "當年的實際結果和目標（分別出自回顧和部署這一年的報告）",
    "topic_result": "{label}·實際",
    "topic_target": "{label}·目標",
    "other_entity": "報告沒有給出問題所說對象的這個數字。",
    "figures_summary": "<b>{report}的數字</b>\n共{count}個數字：{kinds}。\n<b>最大的金額</b>\n{largest}\n\n每個數字及其所在的句子、章節和段落，見附上的CSV檔案。",
    "figures_caption": "{report}的全部數字（CSV）",
    "figures_none": "這份報告沒有數字。",
    "figures_unknown": "沒有 {doc} 這份報告。已收錄的報告：{documents}",
    "figures_usage": "收錄了幾份報告，請指明一份：/figures {example}",
    "n_of_kind": "{kind}{n}個",
    "kind_money": "金額",
    "kind_people": "人數",
    "kind_count": "數量",
    "kind_percent": "百分比",
    "kind_ordinal": "序數",
    "kind_duration": "時長",
    "kind_date": "日期",
    "inline_hint": "輸入一個關於報告的問題",
    "chat_hello": "用中文或英文提問報告的內容。輸入 /help 查看命令；/quit 或 Ctrl-D 離開。",
    "chat_help": "輸入問題後按 Enter。/passages 問題：列出最相關的段落而不是回答。/quit、/exit 或 Ctrl-D 離開；Ctrl-C 清除正在輸入的一行。",
}

#: Example questions about the bundled report (tests/test_bot.py checks that each is
#: answered with a figure).
EXAMPLES: tuple[str, ...] = (
    "向全省養老機構撥付了多少補貼？",
    "全省發放了多少低保金？",
    "異地救助了多少人？",
)

#: The bot's command menu: (command, what it does).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "簡介和示例問題"),
    ("help", "怎麼問"),
    ("sources", "已收錄的報告"),
    ("figures", "一份報告的全部數字（CSV）"),
    ("ask", "提問（在群組中）"),
)
