"""The one presentation layer: an answer becomes a format-neutral view (``view``), which
back ends render — the terminal (``terminal``), JSON (``as_json``), Telegram HTML
(``telegram``) and the web page (``html``); a table answer is also CSV (``sheet``) and a chart
(``chart``). Every user-facing word is in ``words``, one catalogue per language.

The faces (the CLI, the chat, the bot, the web server) import what they render with from
here: the names below, and the JSON back end ``as_json`` as a module (its functions are
named after what they convert: ``as_json.hit``, ``as_json.answer_data``). Names load on first
use, so importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa._lazy import lazy_exports

if TYPE_CHECKING:
    from qa.i18n import language_from_code
    from qa.paths import shown
    from qa.present import as_json
    from qa.present.chart import ChartData, chart_data, chart_png
    from qa.present.html import STATIC, PageHTML, highlight_span
    from qa.present.progress import build_progress
    from qa.present.safe import UNSAFE, clean, one_line
    from qa.present.sheet import (
        figures_csv,
        figures_data,
        figures_json,
        print_figures,
        print_sources,
        sources_json,
        table_csv,
    )
    from qa.present.telegram import InlineQuote, TelegramHTML
    from qa.present.terminal import (
        print_answer,
        print_eval,
        print_feedback_stats,
        print_findings,
        print_passages,
        timings_line,
    )
    from qa.present.view import (
        AnswerView,
        Excerpt,
        PassageView,
        QuoteView,
        place,
        report_name,
        view_answer,
        view_passages,
    )
    from qa.present.words import examples, say

_EXPORTS = {
    # the neutral view
    "AnswerView": "qa.present.view:AnswerView",
    "Excerpt": "qa.present.view:Excerpt",
    "PassageView": "qa.present.view:PassageView",
    "QuoteView": "qa.present.view:QuoteView",
    "place": "qa.present.view:place",
    "report_name": "qa.present.view:report_name",
    "view_answer": "qa.present.view:view_answer",
    "view_passages": "qa.present.view:view_passages",
    # words
    "examples": "qa.present.words:examples",
    "language_from_code": "qa.i18n:language_from_code",
    "say": "qa.present.words:say",
    # terminal
    "build_progress": "qa.present.progress:build_progress",
    "print_answer": "qa.present.terminal:print_answer",
    "print_eval": "qa.present.terminal:print_eval",
    "print_feedback_stats": "qa.present.terminal:print_feedback_stats",
    "print_figures": "qa.present.sheet:print_figures",
    "print_findings": "qa.present.terminal:print_findings",
    "print_passages": "qa.present.terminal:print_passages",
    "print_sources": "qa.present.sheet:print_sources",
    "timings_line": "qa.present.terminal:timings_line",
    # JSON, CSV and charts
    "as_json": "qa.present.as_json",
    "ChartData": "qa.present.chart:ChartData",
    "chart_data": "qa.present.chart:chart_data",
    "chart_png": "qa.present.chart:chart_png",
    "figures_csv": "qa.present.sheet:figures_csv",
    "figures_data": "qa.present.sheet:figures_data",
    "figures_json": "qa.present.sheet:figures_json",
    "sources_json": "qa.present.sheet:sources_json",
    "table_csv": "qa.present.sheet:table_csv",
    # Telegram HTML and the web page
    "InlineQuote": "qa.present.telegram:InlineQuote",
    "PageHTML": "qa.present.html:PageHTML",
    "STATIC": "qa.present.html:STATIC",
    "TelegramHTML": "qa.present.telegram:TelegramHTML",
    "highlight_span": "qa.present.html:highlight_span",
    # text safe to show
    "UNSAFE": "qa.present.safe:UNSAFE",
    "clean": "qa.present.safe:clean",
    "one_line": "qa.present.safe:one_line",
    "shown": "qa.paths:shown",
}

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)

__all__ = [
    "STATIC",
    "UNSAFE",
    "AnswerView",
    "ChartData",
    "Excerpt",
    "InlineQuote",
    "PageHTML",
    "PassageView",
    "QuoteView",
    "TelegramHTML",
    "as_json",
    "build_progress",
    "chart_data",
    "chart_png",
    "clean",
    "examples",
    "figures_csv",
    "figures_data",
    "figures_json",
    "highlight_span",
    "language_from_code",
    "one_line",
    "place",
    "print_answer",
    "print_eval",
    "print_feedback_stats",
    "print_figures",
    "print_findings",
    "print_passages",
    "print_sources",
    "report_name",
    "say",
    "shown",
    "sources_json",
    "table_csv",
    "timings_line",
    "view_answer",
    "view_passages",
]
