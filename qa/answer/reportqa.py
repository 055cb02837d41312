"""``ReportQA``: the one entry for answers — a retriever, then answer composition."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from qa import timing
from qa.answer import agreement, candidates, routing
from qa.answer.intent import Intent
from qa.answer.model import Answer
from qa.answer.sheet import FigureRow, sheet_of
from qa.answer.table import ClauseCache
from qa.documents import Document
from qa.embed import Embedder
from qa.errors import ArgumentError
from qa.i18n import Language
from qa.index.build import BuildReport, Progress
from qa.index.served import ServedIndex
from qa.policy import DEFAULT, Policy
from qa.retrieve import Retriever
from qa.retrieve.retriever import WARM_UP_QUESTIONS

#: Candidate sentences whose vectors ``warm_up`` embeds ahead of the first questions (every
#: sentence of an index of a few reports; ~150 for the bundled one).
WARM_UP_SENTENCES = 2000


class ReportQA:
    """Answer questions about the indexed reports with their own sentences, or decline.

    >>> qa = ReportQA.open()                                               # doctest: +SKIP
    >>> answer = qa.ask("疫情期間低保金一共發放了多少？")                      # doctest: +SKIP
    >>> answer.found, answer.quotes[0].figures[0].text                     # doctest: +SKIP
    (True, '58.68億元')

    Thread-safe: a bot may answer from several worker threads at once.
    """

    def __init__(self, retriever: Retriever, *, policy: Policy = DEFAULT) -> None:
        # The retriever ranks with its own policy: a different one here would be ignored.
        if retriever.policy != policy.retrieval:
            raise ArgumentError(
                "policy.retrieval is not the retriever's policy: open both with one policy "
                "(ReportQA.open(..., policy=...) or Retriever(index, policy=policy.retrieval))"
            )
        self._retriever = retriever
        self._policy = policy
        # Figure clauses of passages, read once (a table over many reports reads them all).
        self._clauses = ClauseCache(lead_in_chars=policy.answer.lead_in_chars)

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        *,
        model: str | Embedder | None = None,
        policy: Policy = DEFAULT,
    ) -> ReportQA:
        """Open the index at ``index_dir`` (default ``QA_INDEX``); see ``Retriever.load``."""
        return cls(Retriever.load(index_dir, model=model, policy=policy), policy=policy)

    @classmethod
    def open_or_build(
        cls,
        index_dir: str | Path | None = None,
        *,
        policy: Policy = DEFAULT,
        on_build: Callable[[str], None] | None = None,
        progress: Progress | None = None,
    ) -> tuple[ReportQA, BuildReport | None]:
        """``open``, building the index first when there is none yet (from the bundled
        reports, ``QA_DATA``) or when an older Report QA built it (from the files it was
        built from); see ``ServedIndex.open_or_build``. Returns the build report too
        (``None`` when nothing was built)."""
        index, report = ServedIndex.open_or_build(
            index_dir, policy=policy.index, on_build=on_build, progress=progress
        )
        return cls(Retriever(index, policy=policy.retrieval), policy=policy), report

    @property
    def retriever(self) -> Retriever:
        """The retriever answers are composed from (``search`` lists passages)."""
        return self._retriever

    @property
    def documents(self) -> dict[str, Document]:
        """The indexed documents, by id."""
        return self._retriever.documents

    @property
    def policy(self) -> Policy:
        """The policy answers are composed with (its ``retrieval`` is the retriever's; its
        ``index`` is the one the index was opened, or built, with)."""
        return self._policy

    def ask(
        self,
        question: str,
        *,
        language: Language | None = None,
        documents: Sequence[str] | None = None,
        follows: Answer | Intent | None = None,
    ) -> Answer:
        """The sentences of the reports that answer ``question``, quoted verbatim, or an
        honest decline (``Answer.found`` false, with its ``reason``).

        With several reports indexed, a question naming years or regions is answered from
        the reports whose metadata cover them, one part per year or region when it names
        several (``Answer.parts``); otherwise from the best-matching report, which the
        answer names (``Answer.report``); see ``qa.answer.routing``.

        ``language`` ("zh-Hant", "zh-Hans", "en") sets the language of the reply's own
        words; by default it follows the question's script. Raises ``QuestionError`` for an
        empty, whitespace-only or over-long question.

        ``documents`` (report ids, see ``documents``) answers from those reports alone
        (``UnknownDocumentError`` for an id the index does not hold). ``follows`` is the
        previous answer of a conversation: what this question leaves unsaid (the region,
        the period, the indicator) is taken from it. Its intent alone will do
        (``Answer.intent``, kept as ``Intent.to_json()`` and read back with
        ``Intent.from_json``), so a face can keep a conversation across restarts.
        """
        started = time.perf_counter()
        with timing.recording() as steps:
            answer = routing.answer(
                self._retriever,
                question,
                policy=self._policy.answer,
                language=language,
                documents=documents,
                follows=follows,
                clauses=self._clauses,
            )
        total = time.perf_counter() - started
        steps["compose"] = max(0.0, total - sum(steps.values()))
        return replace(answer, seconds={**steps, "total": total})

    def enable_micro_batching(self, *, window_ms: float) -> None:
        """Embed questions asked from several threads within ``window_ms`` of each other in
        one batch (a server answering in worker threads); 0 turns it off. See
        ``qa.embed.batching``."""
        self._retriever.embedder.enable_micro_batching(window_ms=window_ms)

    def warm_up(self, *, max_sentences: int = WARM_UP_SENTENCES) -> float:
        """Load everything now that the first questions would otherwise load lazily —
        converters, glossary, lemmatiser, the model's kernels, and the vectors of up to
        ``max_sentences`` candidate sentences (all of them for an index of a few reports) —
        and return the seconds it took. The bot calls it before it starts polling."""
        started = time.perf_counter()
        self._retriever.warm_up()
        agreement.warm_up(self._retriever.english_lookup)
        for question in WARM_UP_QUESTIONS:
            self.ask(question)
        texts: list[str] = []
        index = self._retriever.index
        for passage in index.passages():
            document = index.documents.get(passage.doc)
            for start, end in candidates.spans(passage.text, passage.kind):
                texts.append(candidates.match_text(passage.text[start:end], passage.kind, document))
            if len(texts) >= max_sentences:
                break
        if texts:
            self._retriever.encode_sentences(texts[:max_sentences])
        return time.perf_counter() - started

    def figure_sheet(self, doc: str | None = None) -> list[FigureRow]:
        """Every figure of the report ``doc`` (id or title; every report when ``None``) in
        the generation being served; see ``qa.figure_sheet``."""
        store = self._retriever.index.snapshot.store
        return sheet_of(list(store.documents.values()), store.all(), doc)

    def close(self) -> None:
        self._retriever.close()
