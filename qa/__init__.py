"""Report QA: ask questions about official reports, get the exact passages back.

The public surface::

    from qa import ReportQA, build_index
    build_index("data/", "index/")                 # read, embed, store (atomically)
    check_index("index/")                          # what is wrong with an index, and the fix
    qa = ReportQA.open("index/")
    answer = qa.ask("向全省養老機構撥付了多少補貼？")  # quotes, figures, citations — or a decline
    for hit in qa.retriever.search("養老機構補貼", k=3):
        print(hit.paragraph, hit.section, hit.text)

Everything a face (the CLI, the Telegram bot, a notebook) needs is exported here; the
modules behind it are private. Data flows one way: ``corpus`` (files → passages) →
``index`` (embed, store) → ``retrieve`` (hybrid search) → ``answer`` (quotes, figures,
citations) → ``present`` (terminal, JSON, Telegram HTML).
"""

from __future__ import annotations

from qa._version import __version__
from qa.answer import Answer, Citation, DeclineReason, Figure, Quote, ReportQA
from qa.answer.intent import Intent
from qa.answer.model import PartsKind
from qa.answer.sheet import FigureRow, figure_sheet
from qa.documents import Document, Passage
from qa.embed import Embedder
from qa.errors import (
    ArgumentError,
    ArgumentTypeError,
    BuildLockedError,
    DuplicateIdError,
    IndexCorruptError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexPathError,
    ModelError,
    ModelMismatchError,
    QAError,
    QuestionError,
    RuntimeMismatchError,
    ScaleOutError,
    SettingError,
    SourceError,
    UnknownDocumentError,
    caused_by_interrupt,
    describe,
    network_problem,
)
from qa.evaluation import EvalQuestion, evaluate, read_questions
from qa.feedback import (
    RATINGS,
    ExportReport,
    Feedback,
    FeedbackStats,
    FeedbackStore,
    Rating,
    RememberedAnswer,
    UnknownAnswerError,
    feedback_candidates,
)
from qa.i18n import LANGUAGES, Language, detect_language, language_from_code
from qa.index.build import BuildMonitor, BuildReport, BuildStage, EmbeddingProgress, build_index
from qa.index.catalog import indexed_documents
from qa.index.doctor import Finding, check_index
from qa.index.served import IndexStatus
from qa.index.update import add_reports, remove_reports
from qa.policy import (
    AnswerPolicy,
    FusionWeights,
    IndexPolicy,
    LanguagePolicy,
    Policy,
    RetrievalPolicy,
)
from qa.present import AnswerView, InlineQuote, TelegramHTML, view_answer
from qa.present.chart import chart_png
from qa.present.sheet import figures_csv, table_csv
from qa.question import MAX_QUESTION_CHARS, check_question
from qa.retrieve import Candidate, Explanation, Hit, PassageContext, Retrieval, Retriever
from qa.sqlite_files import connect_checked, locked_transaction, move_aside, open_or_replace

__all__ = [
    "LANGUAGES",
    "MAX_QUESTION_CHARS",
    "RATINGS",
    "Answer",
    "AnswerPolicy",
    "AnswerView",
    "ArgumentError",
    "ArgumentTypeError",
    "BuildLockedError",
    "BuildMonitor",
    "BuildReport",
    "BuildStage",
    "Candidate",
    "Citation",
    "DeclineReason",
    "Document",
    "DuplicateIdError",
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
    "FusionWeights",
    "Hit",
    "IndexCorruptError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "IndexPathError",
    "IndexPolicy",
    "IndexStatus",
    "InlineQuote",
    "Intent",
    "Language",
    "LanguagePolicy",
    "ModelError",
    "ModelMismatchError",
    "PartsKind",
    "Passage",
    "PassageContext",
    "Policy",
    "QAError",
    "QuestionError",
    "Quote",
    "Rating",
    "RememberedAnswer",
    "ReportQA",
    "Retrieval",
    "RetrievalPolicy",
    "Retriever",
    "RuntimeMismatchError",
    "ScaleOutError",
    "SettingError",
    "SourceError",
    "TelegramHTML",
    "UnknownAnswerError",
    "UnknownDocumentError",
    "__version__",
    "add_reports",
    "build_index",
    "caused_by_interrupt",
    "chart_png",
    "check_index",
    "check_question",
    "connect_checked",
    "describe",
    "detect_language",
    "evaluate",
    "feedback_candidates",
    "figure_sheet",
    "figures_csv",
    "indexed_documents",
    "language_from_code",
    "locked_transaction",
    "move_aside",
    "network_problem",
    "open_or_replace",
    "read_questions",
    "remove_reports",
    "table_csv",
    "view_answer",
]
