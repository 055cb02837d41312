"""``Retriever``: hybrid search over a served index (dense + passage and sentence BM25, fused).

Retrieval only: opening, building and reloading index generations is ``qa.index``'s job,
composing answers from the hits is ``qa.answer``'s.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import qa.text as text
from qa import timing
from qa.documents import Document, Passage
from qa.embed import Embedder
from qa.errors import ArgumentError, ArgumentTypeError
from qa.index.served import ServedIndex
from qa.index.snapshot import Snapshot
from qa.policy import DEFAULT, Policy, RetrievalPolicy
from qa.question import check_question
from qa.retrieve import crosslingual
from qa.retrieve.crosslingual import translate
from qa.retrieve.explanation import Candidate, Explanation
from qa.retrieve.fusion import QueryStats, fuse, lexical_weight, sentence_weight
from qa.retrieve.hit import Hit, PassageContext
from qa.text import drop_document_references, is_english

#: One question per language, run by ``warm_up`` (any question does; these exercise each path).
WARM_UP_QUESTIONS = ("發放了多少補貼？", "发放了多少补贴？", "How much money was paid?")


@dataclass(frozen=True)
class LexicalEvidence:
    """What the question's words match: BM25 scores of every passage, the share of the
    question that can match the index at all, and — for an English question — the
    Chinese terms it was translated into, with their weights (``None`` otherwise).
    ``bigram_share`` is the share of a Chinese question's two-character terms that occur
    in the index (0 for an English question)."""

    scores: np.ndarray
    share: float
    translated_terms: list[tuple[str, float]] | None = None
    bigram_share: float = 0.0


@dataclass(frozen=True)
class Retrieval:
    """The passages retrieved for a question and the evidence behind them, as the answer
    step needs it: the question's vector (embedded once), how much of it matched lexically
    (``lexical_share``, after translation for English) and, for an English question, the
    Chinese terms it was translated into with their weights."""

    question: str
    hits: list[Hit]
    query_vector: np.ndarray
    lexical_share: float
    translated_terms: list[tuple[str, float]] | None
    #: The documents searched (``None``: every document of the index).
    documents: frozenset[str] | None = None
    #: The best raw cosine of the question with any passage searched: how close in meaning
    #: the nearest passage is, before any per-query scaling.
    top_cosine: float = 0.0
    #: Share of a Chinese question's two-character terms that occur in the index.
    bigram_share: float = 0.0


@dataclass(frozen=True)
class _Scored:
    """Every candidate of one search, with its scores (unsorted)."""

    rows: np.ndarray
    fused: np.ndarray
    dense_raw: np.ndarray
    dense: np.ndarray
    lexical_raw: np.ndarray
    lexical: np.ndarray
    sentence_raw: np.ndarray
    sentence: np.ndarray
    records: np.ndarray
    stats: QueryStats
    evidence: LexicalEvidence
    words: str
    seconds: dict[str, float]
    top_cosine: float


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise ArgumentTypeError(f"k must be a whole number, not {type(k).__name__}")
    if k < 1:
        raise ArgumentError(f"k must be at least 1, not {k}")
    return k


class Retriever:
    """Find the passages of the indexed reports that answer a question.

    >>> r = Retriever.load()                                   # doctest: +SKIP
    >>> [h.paragraph for h in r.search("How much was given to elderly-care homes?", k=3)]  # doctest: +SKIP
    [4, 6, 13]
    """

    def __init__(self, index: ServedIndex, *, policy: RetrievalPolicy = DEFAULT.retrieval) -> None:
        self._index = index
        self._policy = policy

    @classmethod
    def load(
        cls,
        index_dir: str | Path | None = None,
        *,
        model: str | Embedder | None = None,
        policy: Policy = DEFAULT,
    ) -> Retriever:
        """Open the index at ``index_dir`` (default ``QA_INDEX``) for searching.

        The model is the one recorded in the index; asking for another one (``model``, or
        ``QA_MODEL`` in the environment) raises ``ModelMismatchError``. Raises
        ``IndexNotFoundError`` when there is no index and ``IndexOutdatedError`` when an
        older Report QA built it (``ReportQA.open_or_build`` rebuilds it).
        """
        index = ServedIndex.open(index_dir, model=model, policy=policy.index)
        return cls(index, policy=policy.retrieval)

    # -- what it searches -------------------------------------------------------------
    @property
    def index(self) -> ServedIndex:
        """The served index (its ``snapshot`` is the generation searched now)."""
        return self._index

    @property
    def index_dir(self) -> Path:
        return self._index.root

    @property
    def documents(self) -> dict[str, Document]:
        """The indexed documents, by id."""
        return self._index.documents

    @property
    def embedder(self) -> Embedder:
        return self._index.embedder

    def encode_sentences(self, texts: Sequence[str]) -> np.ndarray:
        """Passage-side vectors of report sentences: memoised in the process and kept in the
        index folder for the next one (``qa.index.kept_sentences``)."""
        return self.embedder.encode_sentences(texts, kept=self._index.kept_sentences)

    @property
    def policy(self) -> RetrievalPolicy:
        return self._policy

    @property
    def english_lookup(self) -> crosslingual.EnglishLookup:
        """The dictionary tables this index and policy read English with (the answer step
        checks quotes with them too)."""
        return crosslingual.EnglishLookup(
            bag_headwords=self._index.snapshot.english_bag_headwords,
            max_phrase_words=self._policy.max_phrase_words,
            max_headword_chars=self._policy.max_headword_chars,
        )

    # -- search -----------------------------------------------------------------------
    def search(
        self, question: str, k: int = 5, *, documents: Collection[str] | None = None
    ) -> list[Hit]:
        """The ``k`` passages that best answer ``question``, best first.

        ``documents`` (ids) restricts the search to those reports *before* ranking: the
        passages of other reports neither compete nor set the per-query scales, so a
        report's ranking does not depend on which other reports share the index.

        Raises ``QuestionError`` for an empty, whitespace-only or over-long question,
        ``ArgumentTypeError`` (a ``TypeError``) or ``ArgumentError`` (a ``ValueError``) for a
        ``k`` that is not a whole number ≥ 1.
        """
        return self.retrieve(question, k=k, documents=documents).hits

    def retrieve(
        self,
        question: str,
        *,
        k: int,
        documents: Collection[str] | None = None,
        vector: np.ndarray | None = None,
    ) -> Retrieval:
        """The ``k`` best passages and the evidence behind them (for composing an answer),
        among ``documents`` only when given (see ``search``). ``vector`` is the question's
        vector if already embedded (a question asked of several reports is embedded once)."""
        question = check_question(question)
        k = _check_k(k)
        docs = _check_documents(documents)
        snap = self._index.snapshot
        with timing.step("encode"):
            qvec = snap.encode_query(question) if vector is None else vector
        scored = self._score(snap, question, k, qvec, snap.rows_of(docs))
        order = np.argsort(-scored.fused, kind="stable")[:k]
        return Retrieval(
            question=question,
            hits=self._hits(snap, scored, order),
            query_vector=qvec,
            lexical_share=scored.evidence.share,
            translated_terms=scored.evidence.translated_terms,
            documents=docs,
            top_cosine=scored.top_cosine,
            bigram_share=scored.evidence.bigram_share,
        )

    def embed_questions(self, questions: list[str]) -> np.ndarray:
        """Question vectors in one batch (a question in the other Chinese script than the
        index's is embedded converted to it); pass a row to ``explain(vector=…)``."""
        return self._index.snapshot.encode_queries([check_question(q) for q in questions])

    def explain(
        self,
        question: str,
        *,
        k: int = 10,
        vector: np.ndarray | None = None,
        documents: Collection[str] | None = None,
    ) -> Explanation:
        """How ``question`` is scored: every fused candidate with its raw and scaled dense,
        BM25 and best-sentence scores, the per-query scales and weights, and the time each
        step took. ``vector`` is the question's vector if already embedded
        (``embed_questions``); ``documents`` restricts the candidates as in ``search``.
        ``explain(q).ranking("fused", k)`` is what ``search`` returns.
        """
        question = check_question(question)
        k = _check_k(k)
        docs = _check_documents(documents)
        snap = self._index.snapshot
        started = time.perf_counter()
        qvec = snap.encode_query(question) if vector is None else vector
        encode = time.perf_counter() - started
        scored = self._score(snap, question, k, qvec, snap.rows_of(docs))
        order = np.argsort(-scored.fused, kind="stable")
        ids = [p.id for p in snap.store.get([int(scored.rows[i]) for i in order])]
        candidates = [
            Candidate(
                id=pid,
                row=int(scored.rows[i]),
                fused=float(scored.fused[i]),
                dense_raw=float(scored.dense_raw[i]),
                dense=float(scored.dense[i]),
                lexical_raw=float(scored.lexical_raw[i]),
                lexical=float(scored.lexical[i]),
                sentence_raw=float(scored.sentence_raw[i]),
                sentence=float(scored.sentence[i]),
                is_record=bool(scored.records[i]),
            )
            for i, pid in zip(order, ids, strict=True)
        ]
        return Explanation(
            question=question,
            words=scored.words,
            translated_terms=scored.evidence.translated_terms,
            lexical_share=scored.evidence.share,
            stats=scored.stats,
            lexical_weight=lexical_weight(scored.stats, self._policy.fusion),
            sentence_weight=sentence_weight(scored.stats, self._policy.fusion),
            candidates=candidates,
            seconds={"encode": encode, **scored.seconds},
        )

    def passages(self, ids: Sequence[str]) -> list[Hit | None]:
        """The passages with these ids in the generation served now, as hits in the order
        given (score 0: not ranked), ``None`` for an id no longer in the index — for callers
        that keep ids rather than texts, such as the bot's "more passages" pages."""
        snap = self._index.snapshot
        rows = snap.store.rows_of_ids(ids)
        found = dict(zip(rows, snap.store.get(list(rows.values())), strict=True))
        docs = snap.store.documents
        return [None if (p := found.get(pid)) is None else _hit(p, docs) for pid in ids]

    def document_passages(self, doc: str) -> list[Hit]:
        """Every passage of the report ``doc`` in the generation served now, in report order,
        as hits (score 0: not ranked) — for reading a report's figures whole (a table of one
        indicator across reports)."""
        snap = self._index.snapshot
        span = snap.document_rows.get(doc)
        if span is None:
            return []
        docs = snap.store.documents
        return [_hit(p, docs) for p in snap.store.get(list(range(*span)))]

    # -- scoring ----------------------------------------------------------------------
    def context(self, passage_id: str, *, around: int = 3) -> PassageContext | None:
        """The passage ``passage_id`` of the generation served now with up to ``around``
        passages of the same section on each side (none for a document's own record);
        ``None`` when the index does not hold it."""
        snap = self._index.snapshot
        row = snap.store.rows_of_ids([passage_id]).get(passage_id)
        if row is None:
            return None
        (passage,) = snap.store.get([row])
        first, end = snap.document_rows.get(passage.doc, (row, row + 1))
        lo, hi = max(first, row - around), min(end, row + around + 1)
        near = snap.store.get(list(range(lo, hi))) if passage.kind == "text" else [passage]
        docs = snap.store.documents

        def same_section(ps: list[Passage]) -> list[Hit]:
            out: list[Hit] = []
            for p in ps:
                if p.kind != "text" or p.section != passage.section:
                    break
                out.append(_hit(p, docs))
            return out

        at = row - lo if passage.kind == "text" else 0
        return PassageContext(
            passage=_hit(passage, docs),
            before=same_section(near[:at][::-1])[::-1],
            after=same_section(near[at + 1 :]),
        )

    def _hits(self, snap: Snapshot, scored: _Scored, order: np.ndarray) -> list[Hit]:
        passages = snap.store.get([int(scored.rows[i]) for i in order])
        docs = snap.store.documents
        return [
            _hit(
                p,
                docs,
                score=float(scored.fused[i]),
                dense=float(scored.dense[i]),
                lexical=float(scored.lexical[i]),
            )
            for i, p in zip(order, passages, strict=True)
        ]

    def _score(
        self,
        snap: Snapshot,
        question: str,
        k: int,
        qvec: np.ndarray,
        subset: np.ndarray | None = None,
    ) -> _Scored:
        """Candidate rows and their fused, dense and lexical scores (unsorted), among the
        rows of ``subset`` only when given: other rows get no BM25 score and are not searched
        densely, and the per-query scales (best BM25, its margin, the dense reference rank)
        are taken over the subset."""
        policy = self._policy
        t0 = time.perf_counter()
        # Words match without the ones pointing at the document ("報告裡", "the report").
        words = drop_document_references(question)
        evidence = self._lexical(snap, words)
        lexical = evidence.scores
        translated = evidence.translated_terms is not None
        sentence = (
            np.zeros(snap.size, dtype=np.float32) if translated else snap.sentence_scores(words)
        )
        size = snap.size
        if subset is not None:
            inside = np.zeros(snap.size, dtype=bool)
            inside[subset] = True
            lexical = np.where(inside, lexical, 0).astype(np.float32)
            sentence = np.where(inside, sentence, 0).astype(np.float32)
            size = len(subset)
        t1 = time.perf_counter()
        n_cand = min(size, max(policy.min_candidates, policy.candidates_per_k * k))
        if n_cand:
            d_scores, d_rows = snap.dense_search(qvec, n_cand, rows=subset)
        else:
            d_scores, d_rows = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        keep = d_rows >= 0
        d_rows, d_scores = d_rows[keep], d_scores[keep]
        if n_cand < size:
            # Passages the words point to but the encoder does not rank high still compete.
            extra = np.setdiff1d(
                np.concatenate([_top(lexical, n_cand), _top(sentence, n_cand)]), d_rows
            )
        else:
            extra = np.zeros(0, dtype=np.int64)
        rows = np.concatenate([d_rows.astype(np.int64), extra.astype(np.int64)])
        dense = np.concatenate([d_scores, snap.dense_scores(qvec, extra)])
        t2 = time.perf_counter()
        # Paragraphs set the dense scale; documents' records are capped to it (``fusion``).
        records = snap.is_record[rows]
        english = is_english(words)
        stats = QueryStats.of(
            d_scores,
            lexical if subset is None else lexical[subset],
            sentence if subset is None else sentence[subset],
            share=evidence.share,
            translated=translated,
            records=records[: len(d_scores)],
            reference_rank=policy.fusion.dense_reference_rank,
            candidates=dense[~records]
            if english and policy.crosslingual.dense_norm == "z"
            else None,
        )
        fused, dense_n, lex_n, sent_n = fuse(
            dense, lexical[rows], sentence[rows], stats, policy.fusion, records=records
        )
        t3 = time.perf_counter()
        for name, seconds in (("lexical", t1 - t0), ("dense", t2 - t1), ("fusion", t3 - t2)):
            timing.add(name, seconds)
        return _Scored(
            rows=rows,
            fused=fused,
            dense_raw=dense,
            dense=dense_n,
            lexical_raw=lexical[rows],
            lexical=lex_n,
            sentence_raw=sentence[rows],
            sentence=sent_n,
            records=records,
            stats=stats,
            evidence=evidence,
            words=words,
            seconds={"lexical": t1 - t0, "dense": t2 - t1, "fusion": t3 - t2},
            top_cosine=float(d_scores.max()) if len(d_scores) else 0.0,
        )

    def _lexical(self, snap: Snapshot, question: str) -> LexicalEvidence:
        """BM25 scores and how much of the question can match lexically at all. An
        English question is matched in two ways (see ``crosslingual``): its words
        translated into Chinese terms (with its own Latin words and numbers as they are),
        and its own words against each passage's English bag; each is scaled by its best
        score and the two are summed, the bags weighted by the policy's
        ``document_translation_weight``."""
        if not is_english(question):
            return LexicalEvidence(
                snap.lexical_scores(question),
                snap.lexical.known_share(question),
                bigram_share=snap.lexical.known_bigram_share(question),
            )
        policy = self._policy
        translation = translate(question, snap.lexical.knows, policy=policy)
        if not translation.terms:
            return LexicalEvidence(
                snap.lexical_scores(question), snap.lexical.known_share(question)
            )
        share = (
            1.0
            if translation.translated_words >= policy.translated_full_share_words
            else translation.coverage
        )
        scores = snap.lexical.weighted_scores(translation.terms)
        if translation.own_terms:
            scores = scores + snap.lexical.term_scores(translation.own_terms)
        weight = policy.crosslingual.document_translation_weight
        if weight:
            scores = _by_best(scores) + weight * _by_best(snap.english_scores(question))
        return LexicalEvidence(scores.astype(np.float32), share, translation.terms)

    def warm_up(self) -> None:
        """Load now what the first questions would otherwise load: the script converters,
        the English glossary and lemmatiser, and the model's kernels (one search per
        language). A server calls it before it takes questions."""
        text.warm_up()
        crosslingual.warm_up(self._policy)
        for question in WARM_UP_QUESTIONS:
            self.search(question, k=1)

    def close(self) -> None:
        self._index.close()


def _check_documents(documents: Collection[str] | None) -> frozenset[str] | None:
    if documents is None:
        return None
    if isinstance(documents, (str, bytes)) or not isinstance(documents, Collection):
        raise ArgumentTypeError(
            f"documents must be a collection of document ids, not {type(documents).__name__}"
        )
    return frozenset(str(d) for d in documents)


def _by_best(scores: np.ndarray) -> np.ndarray:
    """Scores divided by the best one (unchanged when all are zero)."""
    best = float(scores.max(initial=0.0))
    return scores / best if best > 0 else scores


def _hit(
    p: Passage,
    docs: dict[str, Document],
    *,
    score: float = 0.0,
    dense: float = 0.0,
    lexical: float = 0.0,
) -> Hit:
    """A passage as a hit, with its document (and the document's title when it has none)."""
    return Hit(
        id=p.id,
        text=p.text,
        score=score,
        doc=p.doc,
        section=p.section,
        paragraph=p.paragraph,
        kind=p.kind,
        title=p.title or (docs[p.doc].title if p.doc in docs else None),
        document=docs.get(p.doc),
        dense=dense,
        lexical=lexical,
        sections=p.sections or ((p.section,) if p.section else ()),
        period=p.period,
        role=p.role,
    )


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Rows of the ``n`` highest scores that are above zero (unordered)."""
    top = np.argpartition(-scores, n - 1)[:n]
    return top[scores[top] > 0].astype(np.int64)
