"""Report QA's own words in English: one entry per message.

Templates fill ``{placeholders}`` with ``str.format``. Entries used by the Telegram bot may hold
``<b>`` tags (Telegram HTML); the values filled in are escaped by the renderer.
"""

from __future__ import annotations

WORDS: dict[str, str] = {
    "answer": "From the report",
    "not_found": "The report does not answer this question.",
    "other_year": "The report covers {have}; it has no figures for {want}.",
    "other_region": "The report covers {have}; it says nothing about {want}.",
    "other_place": "The report covers {have} as a whole; it gives nothing specific to {want}.",
    "no_figure": "The report mentions related work but gives no such figure.",
    "related": "Related passages (not an answer)",
    "paragraph": "paragraph {n}",
    "notes": "document notes",
    "hint": "Try rephrasing, or ask about the specific work and figures in the report.",
    "start": "Hello! I answer questions about the reports below by quoting them verbatim, figures in bold, with where each quote stands.\n\n{documents}\n\n<b>Try asking</b>\n{examples}\n\nIn groups, use /ask QUESTION or mention @{username}. More in /help.",
    "help": "<b>How to ask</b>\nSend a question in Traditional or Simplified Chinese, or in English. I reply with the report's own sentences that answer it, figures in bold, and where they stand (document, section, paragraph, source and date). “More passages” shows further related passages. With several reports indexed, name a year or a region to ask that report, or two to compare them.\n\n<b>Commands</b>\n/start introduction and example questions\n/sources the indexed reports\n/figures [REPORT] every figure of a report, as CSV\n/ask QUESTION ask in a group\n/help this help\n\nIn any chat, type @{username} QUESTION to share a quote.",
    "sources": "Indexed reports",
    "no_sources": "No report is indexed yet.",
    "unknown_command": "I don't know {command}. Send /help for the commands, or just ask a question.",
    "ask_usage": "Put the question after the command, for example: /ask {example}",
    "empty": "Please send a question, for example: {example}",
    "too_long": "That question is {length} characters long; please ask in at most {limit}.",
    "not_text": "I can only answer questions sent as text.",
    "rate_limited": "You're asking quickly; please wait {seconds} s before the next question.",
    "not_allowed": "Sorry, this bot only answers in the chats it was set up for.",
    "error": "Sorry, something went wrong. Please try again in a moment.",
    "more_button": "More passages",
    "more_header": "More passages ({first}–{last} of {total})",
    "more_expired": "This answer has expired; please ask again.",
    "answer_from": "From {report}",
    "compared": "Compared, in the order asked",
    "close": "Several reports answer this closely, newest first",
    "not_indexed": "No indexed report covers {want}: the index has {have}.",
    "report_of": "the {years} report of {region}",
    "reports_of": "the {years} reports of {region}",
    "report_of_region": "the report of {region}",
    "report_of_year": "the {years} report",
    "reports_of_year": "the {years} reports",
    "report_titled": "“{title}”",
    "year": "{year}",
    "and": "{first} and {last}",
    "list_separator": ", ",
    "topic_region_year": "{region}, {year}",
    "topic_year": "{year}",
    "topic_region": "{region}",
    "year_span": "{first}–{last} ({n})",
    "national_reports": "national reports {years}",
    "regional_reports": "{n} provincial reports of {years}",
    "roles": "That year's result and its target, from the report reviewing it and the one planning it",
    "topic_result": "{label} · result",
    "topic_target": "{label} · target",
    "other_entity": "The reports give no such figure for what the question names.",
    "figures_summary": "<b>Figures of {report}</b>\n{count} figures: {kinds}.\n<b>Largest amounts</b>\n{largest}\n\nEvery figure, with the sentence, section and paragraph it stands in, is in the attached CSV.",
    "figures_caption": "All figures of {report} (CSV)",
    "figures_none": "The report has no figures.",
    "figures_unknown": "There is no report {doc}. The reports: {documents}",
    "figures_usage": "Several reports are indexed; name one: /figures {example}",
    "n_of_kind": "{n} {kind}",
    "kind_money": "money",
    "kind_people": "people",
    "kind_count": "counts",
    "kind_percent": "percentages",
    "kind_ordinal": "ordinals",
    "kind_duration": "durations",
    "kind_date": "dates",
    "inline_hint": "Type a question about the report",
    "chat_hello": "Ask about the reports in Chinese or English. /help for commands; /quit or Ctrl-D to leave.",
    "chat_help": "Type a question and press Enter. /passages QUESTION lists the top passages instead of an answer. /quit, /exit or Ctrl-D leaves; Ctrl-C drops the line being typed.",
}

#: Example questions about the bundled report (tests/test_bot.py checks that each is
#: answered with a figure).
EXAMPLES: tuple[str, ...] = (
    "How much did the province give elderly-care homes for epidemic prevention and operations?",
    "How much subsistence allowance money was paid out during the epidemic?",
    "How many people received temporary assistance outside their registered residence?",
)

#: The bot's command menu: (command, what it does).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Introduction and example questions"),
    ("help", "How to ask"),
    ("sources", "The indexed reports"),
    ("figures", "Every figure of a report (CSV)"),
    ("ask", "Ask a question (in groups)"),
)
