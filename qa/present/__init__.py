"""The one presentation layer: an answer becomes a format-neutral view (``view``), which
back ends render — the terminal (``terminal``), JSON (``as_json``), Telegram HTML
(``telegram``) and the web page (``html``); a table answer is also CSV (``sheet``) and a chart
(``chart``). Every user-facing word is in ``words``, one catalogue per language."""

from __future__ import annotations

from qa.present.sheet import table_csv
from qa.present.telegram import InlineQuote, TelegramHTML
from qa.present.view import (
    AnswerView,
    Excerpt,
    PassageView,
    QuoteView,
    place,
    view_answer,
    view_passages,
)
from qa.present.words import say

__all__ = [
    "AnswerView",
    "Excerpt",
    "InlineQuote",
    "PassageView",
    "QuoteView",
    "TelegramHTML",
    "place",
    "say",
    "table_csv",
    "view_answer",
    "view_passages",
]
