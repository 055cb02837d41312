"""``Retriever``: hybrid search over a built index (dense + BM25, fused), reloading itself
when a newer index generation is published."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa import config
from qa.embed import Embedder
from qa.errors import IndexNotFoundError, IndexOutdatedError, QuestionError
from qa.index.layout import IndexLayout
from qa.index.snapshot import Snapshot
from qa.retrieve.crosslingual import translate
from qa.retrieve.fusion import FusionWeights, QueryStats, fuse
from qa.retrieve.hit import Hit
from qa.text import cjk_share, drop_document_references

if TYPE_CHECKING:
    from qa.index.build import BuildReport

#: Longest question accepted, in characters (a question, not a document).
MAX_QUESTION_CHARS = 2000
#: Candidates taken from each of the dense and lexical lists before fusion (per k).
CANDIDATES_PER_K = 20
MIN_CANDIDATES = 100
#: Passages retrieved for composing an answer (the first few are quoted from, the rest
#: are offered as "more").
ANSWER_HITS = 8
#: Questions with a smaller share of CJK letters are treated as English.
ENGLISH_BELOW_CJK_SHARE = 0.3
#: How often (seconds) a search checks whether a new index generation was published.
RELOAD_CHECK_SECONDS = 1.0


def check_question(question: object) -> str:
    """The question, stripped; ``QuestionError`` if it is not a usable question."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    text = question.strip()
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text)} characters long; ask in at most {MAX_QUESTION_CHARS}"
        )
    return text


@dataclass(frozen=True)
class LexicalEvidence:
    """What the question's words match: BM25 scores of every passage, the share of the
    question that can match the index at all, and — for an English question — the
    Chinese terms it was translated into, with their weights (``None`` otherwise)."""

    scores: np.ndarray
    share: float
    translated_terms: list[tuple[str, float]] | None = None


def _single_threaded_search() -> None:
    """One query at a time is searched; FAISS's OpenMP threads then only fight each other
    (measured: exact search over 100k vectors 14 ms with 1 thread, 60 ms with 2 on a busy
    2-core machine). Process-wide, so a serving process keeps its cores for the model."""
    import faiss

    faiss.omp_set_num_threads(1)


class Retriever:
    """Find the passages of the indexed reports that answer a question.

    >>> r = Retriever.load()                                   # doctest: +SKIP
    >>> [h.paragraph for h in r.search("How much was given to elderly-care homes?", k=3)]  # doctest: +SKIP
    [4, 6, 13]
    """

    def __init__(self, layout: IndexLayout, snapshot: Snapshot, *, weights: FusionWeights) -> None:
        self._layout = layout
        self._snapshot = snapshot
        self._generation = snapshot.path.name
        self._weights = weights
        self._reload_lock = threading.Lock()
        self._checked_at = time.monotonic()

    @classmethod
    def load(
        cls,
        index_dir: str | Path | None = None,
        *,
        model: str | Embedder | None = None,
        weights: FusionWeights | None = None,
    ) -> Retriever:
        """Open the index at ``index_dir`` (default ``QA_INDEX``).

        The model is the one recorded in the index; asking for another one (``model``, or
        ``QA_MODEL`` in the environment) raises ``ModelMismatchError``. Raises
        ``IndexNotFoundError`` when there is no index and ``IndexOutdatedError`` when an
        older Report QA built it (``load_or_build`` rebuilds it).
        """
        layout = IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())
        current = layout.current()
        _single_threaded_search()
        if isinstance(model, Embedder):
            snapshot = Snapshot.open(current, embedder=model)
        else:
            snapshot = Snapshot.open(current, model=model or config.env("QA_MODEL"))
        return cls(layout, snapshot, weights=weights or FusionWeights())

    @classmethod
    def load_or_build(
        cls,
        index_dir: str | Path | None = None,
        *,
        on_build: Callable[[str], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[Retriever, BuildReport | None]:
        """``load``, building the index first (loading the model only once) when there is
        none yet — from the bundled reports (``QA_DATA``) — or when it was built by an older
        Report QA that matched text differently — from the files it was built from.

        ``on_build(message)`` says why before such a build; ``progress`` reports on it.
        Returns the retriever and the build report (``None`` when nothing was built).
        """
        target = Path(index_dir) if index_dir else config.default_index_dir()
        try:
            return cls.load(index_dir), None
        except IndexNotFoundError:
            sources = None
            message = (
                f"no index in {target} yet: building it from {config.default_data_dir()} first"
            )
        except IndexOutdatedError as exc:
            sources = [f for f in exc.sources if Path(f).exists()] or None
            origin = (
                f"its {len(sources)} source file(s)" if sources else str(config.default_data_dir())
            )
            message = f"{exc}: rebuilding it from {origin}"
        from qa.index.build import build_index

        if on_build:
            on_build(message)
        embedder = Embedder.load()
        report = build_index(sources, target, model=embedder, progress=progress)
        return cls.load(target, model=embedder), report

    # -- index generations ------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        """The generation searches use now (switching to a newer one when published)."""
        now = time.monotonic()
        if now - self._checked_at >= RELOAD_CHECK_SECONDS:
            self._checked_at = now
            self.reload_if_changed()
        return self._snapshot

    def reload_if_changed(self) -> bool:
        """Switch to the newest published generation; True if it changed."""
        name = self._layout.current_name()
        if name is None or name == self._generation:
            return False
        with self._reload_lock:
            if name == self._generation:
                return False
            old = self._snapshot
            # Same model object: the model is loaded once per process.
            self._snapshot = Snapshot.open(self._layout.root / name, embedder=old.embedder)
            self._generation = name
        # In-flight searches hold their own reference to `old`; its SQLite handle is
        # thread-safe to close only after them, so leave it to garbage collection.
        return True

    @property
    def index_dir(self) -> Path:
        return self._layout.root

    @property
    def documents(self):
        """The indexed documents, by id."""
        return self.snapshot.store.documents

    @property
    def embedder(self) -> Embedder:
        return self._snapshot.embedder

    # -- search -----------------------------------------------------------------------
    def search(self, question: str, k: int = 5) -> list[Hit]:
        """The ``k`` passages that best answer ``question``, best first.

        Raises ``QuestionError`` for an empty, whitespace-only or over-long question.
        """
        question = check_question(question)
        if k < 1:
            raise ValueError("k must be at least 1")
        return self._search(self.snapshot, question, k)[0]

    def _search(
        self, snap: Snapshot, question: str, k: int, qvec: np.ndarray | None = None
    ) -> tuple[list[Hit], LexicalEvidence]:
        """Hits and the question's lexical evidence."""
        rows, fused, dense_n, lex_n, evidence = self._rank(snap, question, k, qvec)
        order = np.argsort(-fused, kind="stable")[:k]
        passages = snap.store.get([int(rows[i]) for i in order])
        docs = snap.store.documents
        hits = [
            Hit(
                id=p.id,
                text=p.text,
                score=float(fused[i]),
                doc=p.doc,
                section=p.section,
                paragraph=p.paragraph,
                kind=p.kind,
                title=p.title or (docs[p.doc].title if p.doc in docs else None),
                document=docs.get(p.doc),
                dense=float(dense_n[i]),
                lexical=float(lex_n[i]),
            )
            for i, p in zip(order, passages, strict=True)
        ]
        return hits, evidence

    def answer(self, question: str, *, language: str | None = None):
        """The sentences of the report that answer ``question``, quoted verbatim, or an
        honest "not found" (``Answer.found`` false). See ``qa.answer.compose``.

        ``language`` ("zh-Hant", "zh-Hans", "en") sets the language of the reply's own
        words; by default it follows the question's script.
        """
        from qa.answer.compose import compose

        question = check_question(question)
        snap = self.snapshot
        qvec = snap.encode_query(question)  # once, for the passages and the sentences
        hits, evidence = self._search(snap, question, ANSWER_HITS, qvec)
        return compose(
            question,
            hits,
            lexical_evidence=evidence.share,
            # An English question shares no characters with a Chinese sentence; its
            # dictionary translation does.
            match_terms=evidence.translated_terms,
            encode_query=lambda _q: qvec,
            encode_sentences=snap.embedder.encode_sentences,
            language=language,  # type: ignore[arg-type]
        )

    def _rank(self, snap: Snapshot, question: str, k: int, qvec: np.ndarray | None = None):
        """Candidate rows and their fused, dense and lexical scores (unsorted)."""
        if qvec is None:
            qvec = snap.encode_query(question)
        # Words match without the ones pointing at the document ("報告裡", "the report").
        words = drop_document_references(question)
        evidence = self._lexical(snap, words)
        lexical = evidence.scores
        translated = evidence.translated_terms is not None
        sentence = (
            np.zeros(snap.size, dtype=np.float32) if translated else snap.sentence_scores(words)
        )
        n_cand = min(snap.size, max(MIN_CANDIDATES, CANDIDATES_PER_K * k))
        d_scores, d_rows = snap.dense_search(qvec, n_cand)
        keep = d_rows >= 0
        d_rows, d_scores = d_rows[keep], d_scores[keep]
        if n_cand < snap.size:
            # Passages the words point to but the encoder does not rank high still compete.
            extra = np.setdiff1d(
                np.concatenate([_top(lexical, n_cand), _top(sentence, n_cand)]), d_rows
            )
        else:
            extra = np.zeros(0, dtype=np.int64)
        rows = np.concatenate([d_rows.astype(np.int64), extra.astype(np.int64)])
        dense = np.concatenate([d_scores, snap.dense_scores(qvec, extra)])
        # Paragraphs set the dense scale; documents' records are capped to it (``fusion``).
        records = snap.is_record[rows]
        stats = QueryStats.of(
            d_scores,
            lexical,
            sentence,
            share=evidence.share,
            translated=translated,
            records=records[: len(d_scores)],
        )
        fused, dense_n, lex_n = fuse(
            dense, lexical[rows], sentence[rows], stats, self._weights, records=records
        )
        return rows, fused, dense_n, lex_n, evidence

    @staticmethod
    def _lexical(snap: Snapshot, question: str) -> LexicalEvidence:
        """BM25 scores and how much of the question can match lexically at all; an
        English question is first translated term by term (see ``crosslingual``)."""
        if cjk_share(question) >= ENGLISH_BELOW_CJK_SHARE:
            return LexicalEvidence(
                snap.lexical_scores(question), snap.lexical.known_share(question)
            )
        translation = translate(question, snap.lexical.knows)
        if not translation.terms:
            return LexicalEvidence(
                snap.lexical_scores(question), snap.lexical.known_share(question)
            )
        # Only dictionary terms that occur in the index survive translation, so two or more
        # translated words are taken as full lexical evidence (on the English dev questions,
        # scaling by raw coverage ~0.5 halves the gain: hit@1 0.75 instead of 0.875).
        share = 1.0 if translation.translated_words >= 2 else translation.coverage
        return LexicalEvidence(
            snap.lexical.weighted_scores(translation.terms), share, translation.terms
        )

    def close(self) -> None:
        self._snapshot.close()


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Rows of the ``n`` highest scores that are above zero (unordered)."""
    top = np.argpartition(-scores, n - 1)[:n]
    return top[scores[top] > 0].astype(np.int64)
