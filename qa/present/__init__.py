"""The one presentation layer: an answer becomes a format-neutral view (``view``), which
three back ends render — the terminal (``terminal``), JSON (``as_json``) and Telegram HTML
(``telegram``). Every user-facing word is in ``words``, one catalogue per language."""

from __future__ import annotations

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
    "view_answer",
    "view_passages",
]
