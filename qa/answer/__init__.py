"""Answers: the sentences of the reports that answer a question, with their figures and
citations, or an honest decline (``ReportQA`` is the entry)."""

from __future__ import annotations

from qa.answer.figures import Figure
from qa.answer.model import Answer, Citation, DeclineReason, Quote, citation_of
from qa.answer.reportqa import ReportQA

__all__ = ["Answer", "Citation", "DeclineReason", "Figure", "Quote", "ReportQA", "citation_of"]
