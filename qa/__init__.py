"""Report QA: ask questions about official reports, get the exact passages back.

The public surface::

    from qa import ReportQA, build_index
    build_index("data/", "index/")                 # read, embed, store (atomically)
    check_index("index/")                          # what is wrong with an index, and the fix
    qa = ReportQA.open("index/")
    answer = qa.ask("向全省養老機構撥付了多少補貼？")  # quotes, figures, citations — or a decline
    for hit in qa.retriever.search("養老機構補貼", k=3):
        print(hit.paragraph, hit.section, hit.text)

This package exports the entry points and the data types a caller handles; the other public
modules are ``qa.errors`` (every error, and ``describe`` for a one-line message),
``qa.policy`` (every tuned number), ``qa.present`` (views and renderers: terminal, JSON,
Telegram HTML, CSV, charts) and ``qa.config`` (the one reader of the environment). Every
public name is listed in docs/api.md; the modules behind them are private. Names load on
first use, so ``import qa`` is cheap. Data flows one way: ``corpus`` (files → passages) →
``index`` (embed, store) → ``retrieve`` (hybrid search) → ``answer`` (quotes, figures,
citations) → ``present`` (terminal, JSON, Telegram HTML).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa._lazy import lazy_exports
from qa._version import __version__

if TYPE_CHECKING:
    from qa.answer import Answer, Citation, DeclineReason, Figure, Quote, ReportQA
    from qa.answer.compose import compose
    from qa.answer.figures import extract_figures
    from qa.answer.intent import Intent
    from qa.answer.model import PartsKind
    from qa.answer.sheet import FigureRow, figure_sheet
    from qa.corpus import read_sources
    from qa.documents import Document, Passage
    from qa.embed import DEFAULT_BATCH_SIZE, Embedder, ensure_onnx_model
    from qa.embed import runtime as embedding_runtime
    from qa.embed.onnx_runtime import OnnxEncoder
    from qa.errors import QAError
    from qa.evaluation import EvalQuestion, evaluate, read_questions
    from qa.feedback import (
        RATINGS,
        ExportReport,
        Feedback,
        FeedbackStats,
        FeedbackStore,
        Rating,
        RememberedAnswer,
        feedback_candidates,
    )
    from qa.i18n import LANGUAGES, Language, detect_language
    from qa.index import dense as dense_index
    from qa.index.build import (
        BuildMonitor,
        BuildReport,
        BuildStage,
        EmbeddingProgress,
        build_index,
        index_text,
    )
    from qa.index.cache import text_key
    from qa.index.catalog import indexed_documents
    from qa.index.doctor import Finding, check_index, healthy
    from qa.index.ray_embed import RayCluster
    from qa.index.served import IndexStatus
    from qa.index.update import add_reports, remove_reports
    from qa.model_cache import CacheEntry, cache_entries, clear_cache
    from qa.numerals import chinese_numeral
    from qa.question import MAX_QUESTION_CHARS, check_question
    from qa.retrieve import Candidate, Explanation, Hit, PassageContext, Retrieval, Retriever
    from qa.sqlite_files import connect_checked, locked_transaction, move_aside, open_or_replace
    from qa.text import to_script

_EXPORTS = {
    # answering
    "ReportQA": "qa.answer:ReportQA",
    "Answer": "qa.answer:Answer",
    "Quote": "qa.answer:Quote",
    "Figure": "qa.answer:Figure",
    "Citation": "qa.answer:Citation",
    "DeclineReason": "qa.answer:DeclineReason",
    "PartsKind": "qa.answer.model:PartsKind",
    "Intent": "qa.answer.intent:Intent",
    "FigureRow": "qa.answer.sheet:FigureRow",
    "figure_sheet": "qa.answer.sheet:figure_sheet",
    # questions and languages
    "MAX_QUESTION_CHARS": "qa.question:MAX_QUESTION_CHARS",
    "check_question": "qa.question:check_question",
    "LANGUAGES": "qa.i18n:LANGUAGES",
    "Language": "qa.i18n:Language",
    "detect_language": "qa.i18n:detect_language",
    # retrieval
    "Retriever": "qa.retrieve:Retriever",
    "Retrieval": "qa.retrieve:Retrieval",
    "Hit": "qa.retrieve:Hit",
    "Candidate": "qa.retrieve:Candidate",
    "Explanation": "qa.retrieve:Explanation",
    "PassageContext": "qa.retrieve:PassageContext",
    "Embedder": "qa.embed:Embedder",
    # reports and indexes
    "Document": "qa.documents:Document",
    "Passage": "qa.documents:Passage",
    "build_index": "qa.index.build:build_index",
    "add_reports": "qa.index.update:add_reports",
    "remove_reports": "qa.index.update:remove_reports",
    "indexed_documents": "qa.index.catalog:indexed_documents",
    "check_index": "qa.index.doctor:check_index",
    "Finding": "qa.index.doctor:Finding",
    "healthy": "qa.index.doctor:healthy",
    "IndexStatus": "qa.index.served:IndexStatus",
    "BuildReport": "qa.index.build:BuildReport",
    "BuildMonitor": "qa.index.build:BuildMonitor",
    "BuildStage": "qa.index.build:BuildStage",
    "EmbeddingProgress": "qa.index.build:EmbeddingProgress",
    # evaluation and feedback
    "EvalQuestion": "qa.evaluation:EvalQuestion",
    "evaluate": "qa.evaluation:evaluate",
    "read_questions": "qa.evaluation:read_questions",
    "FeedbackStore": "qa.feedback:FeedbackStore",
    "Feedback": "qa.feedback:Feedback",
    "FeedbackStats": "qa.feedback:FeedbackStats",
    "ExportReport": "qa.feedback:ExportReport",
    "RememberedAnswer": "qa.feedback:RememberedAnswer",
    "Rating": "qa.feedback:Rating",
    "RATINGS": "qa.feedback:RATINGS",
    "feedback_candidates": "qa.feedback:feedback_candidates",
    # the base of every error (the others are in qa.errors)
    "QAError": "qa.errors:QAError",
    # the converted model's cache (QA_CACHE_DIR)
    "CacheEntry": "qa.model_cache:CacheEntry",
    "cache_entries": "qa.model_cache:cache_entries",
    "clear_cache": "qa.model_cache:clear_cache",
    # SQLite files the library's way (the feedback store, the bot's state)
    "connect_checked": "qa.sqlite_files:connect_checked",
    "move_aside": "qa.sqlite_files:move_aside",
    "locked_transaction": "qa.sqlite_files:locked_transaction",
    "open_or_replace": "qa.sqlite_files:open_or_replace",
    # one step at a time, for the benchmarks that measure it
    "read_sources": "qa.corpus:read_sources",
    "index_text": "qa.index.build:index_text",
    "to_script": "qa.text:to_script",
    "compose": "qa.answer.compose:compose",
    "extract_figures": "qa.answer.figures:extract_figures",
    "chinese_numeral": "qa.numerals:chinese_numeral",
    "embedding_runtime": "qa.embed:runtime",
    "DEFAULT_BATCH_SIZE": "qa.embed:DEFAULT_BATCH_SIZE",
    "ensure_onnx_model": "qa.embed:ensure_onnx_model",
    "OnnxEncoder": "qa.embed.onnx_runtime:OnnxEncoder",
    "dense_index": "qa.index.dense",
    "text_key": "qa.index.cache:text_key",
    "RayCluster": "qa.index.ray_embed:RayCluster",
}

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "LANGUAGES",
    "MAX_QUESTION_CHARS",
    "RATINGS",
    "Answer",
    "BuildMonitor",
    "BuildReport",
    "BuildStage",
    "CacheEntry",
    "Candidate",
    "Citation",
    "DeclineReason",
    "Document",
    "Embedder",
    "EmbeddingProgress",
    "EvalQuestion",
    "Explanation",
    "ExportReport",
    "Feedback",
    "FeedbackStats",
    "FeedbackStore",
    "Figure",
    "FigureRow",
    "Finding",
    "Hit",
    "IndexStatus",
    "Intent",
    "Language",
    "OnnxEncoder",
    "PartsKind",
    "Passage",
    "PassageContext",
    "QAError",
    "Quote",
    "Rating",
    "RayCluster",
    "RememberedAnswer",
    "ReportQA",
    "Retrieval",
    "Retriever",
    "__version__",
    "add_reports",
    "build_index",
    "cache_entries",
    "check_index",
    "check_question",
    "chinese_numeral",
    "clear_cache",
    "compose",
    "connect_checked",
    "dense_index",
    "detect_language",
    "embedding_runtime",
    "ensure_onnx_model",
    "evaluate",
    "extract_figures",
    "feedback_candidates",
    "figure_sheet",
    "healthy",
    "index_text",
    "indexed_documents",
    "locked_transaction",
    "move_aside",
    "open_or_replace",
    "read_questions",
    "read_sources",
    "remove_reports",
    "text_key",
    "to_script",
]
