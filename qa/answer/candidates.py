"""The sentences an answer can quote, scored against the question.

Sentences of the top passages are scored on three kinds of evidence:

* meaning — cosine of the question and the sentence under the same model (the model's
  cosines are bunched, so they are min–max scaled over the candidate sentences);
* words — the share of the question's folded character bigrams the sentence contains (for
  an English question, of its Chinese translations, each weighted);
* figures — a number the question states in any notation (一萬張 ↔ 1萬張) found in the
  sentence, and, for "how much / how many" questions, a figure of the asked kind
  (money for 多少錢, people for 多少人).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa import timing
from qa.answer.clauses import FigureClause
from qa.answer.figures import Figure, FigureKind, extract_figures
from qa.answer.numbers import Quantity, asked_kinds, parse_quantities, quantity_matches
from qa.answer.roles import asked_role
from qa.documents import Document
from qa.policy import AnswerPolicy
from qa.retrieve import Hit
from qa.sentences import split_sentences
from qa.text import drop_document_references, lexical_tokens

# A question asking for a rate (per person, per month, per capita) and a sentence giving one.
_RATE_QUESTION = re.compile(
    r"每[人户戶月年天日]|人均|月均|per (?:person|capita|head|month|year|household|day)"
    r"|a month|monthly|annually|each month|each year",
    re.IGNORECASE,
)
_RATE_FIGURE = re.compile(r"每[人户戶月年天日]|人均|月均|/[人户戶月年天日]|元/")


@dataclass(frozen=True)
class Asked:
    """What the question asks, as far as choosing sentences goes."""

    #: Bigrams a sentence can share with the question, weighted (see ``_term_weights``).
    term_weights: dict[str, float]
    #: Numbers the question states (dates aside).
    quantities: list[Quantity]
    #: Kinds of figure a "how much / how many" question asks for (empty: not known).
    kinds: set[FigureKind]
    #: The role a "who is the X" question asks about, else ``None``.
    role: str | None
    #: True when the question asks for a rate (每人每月, per capita).
    rate: bool
    #: The keys of ``term_weights`` (not to be changed).
    terms: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, question: str, match_terms: Sequence[tuple[str, float]] | None) -> Asked:
        """``match_terms`` replace the question's own words for word overlap: the Chinese
        translations of an English question's terms, with their weights."""
        weights = _term_weights(question, match_terms)
        return cls(
            term_weights=weights,
            quantities=[q for q in parse_quantities(question) if q.kind != "date"],
            kinds=asked_kinds(question),
            role=asked_role(question),
            rate=_RATE_QUESTION.search(question) is not None,
            terms=set(weights),
        )


@dataclass
class Sentence:
    """A sentence of a retrieved passage (or a line of a document's notes) as a candidate
    quote, with its scores once :func:`score` has run."""

    hit: Hit
    hit_rank: int
    start: int
    end: int
    text: str
    figures: list[Figure]
    terms: set[str]
    #: What the question is matched against: the sentence, and for a line of a document's
    #: notes also the labels of the fields it states (the quote is the line alone).
    match_text: str
    meaning: float = 0.0
    words: float = 0.0
    #: How well the sentence matches the question's meaning and words (no figures).
    content: float = 0.0
    figure_bonus: float = 0.0
    score: float = 0.0
    #: The figure clause of the sentence that best answers a figure question (quoted
    #: alone when the sentence is long), if any.
    clause: FigureClause | None = None

    def has_kind(self, kinds: set[FigureKind]) -> bool:
        return any(f.kind in kinds for f in self.figures)

    def states_rate(self) -> bool:
        return _RATE_FIGURE.search(self.text) is not None


def spans(text: str, kind: str) -> list[tuple[int, int]]:
    """The candidate quotes of a passage: its sentences, or the lines of a document's notes."""
    return split_sentences(text) if kind == "text" else _lines(text)


def match_text(sentence: str, kind: str, document: Document | None) -> str:
    """What the question is matched against for ``sentence``: the sentence itself, and for a
    line of a document's notes also the labels of the fields it states."""
    if kind == "metadata" and document is not None:
        return "\n".join([*_labels_stated(sentence, document), sentence])
    return sentence


def candidates(hits: Sequence[Hit]) -> list[Sentence]:
    """The sentences of ``hits`` (lines, for a document's record), in order."""
    out: list[Sentence] = []
    for rank, hit in enumerate(hits):
        figures = extract_figures(hit.text)
        for start, end in spans(hit.text, hit.kind):
            text = hit.text[start:end]
            match = match_text(text, hit.kind, hit.document)
            out.append(
                Sentence(
                    hit=hit,
                    hit_rank=rank,
                    start=start,
                    end=end,
                    text=text,
                    figures=[f for f in figures if f.start >= start and f.end <= end],
                    terms=_bigrams(match),
                    match_text=match,
                )
            )
    return out


def score(
    sentences: list[Sentence],
    asked: Asked,
    query_vector: np.ndarray,
    encode_sentences: Callable[[list[str]], np.ndarray],
    policy: AnswerPolicy,
) -> None:
    """Set each sentence's meaning, words, content, figure bonus and score."""
    with timing.step("sentences"):
        vecs = encode_sentences([s.match_text for s in sentences])
    cos = vecs @ query_vector
    lo, hi = float(cos.min()), float(cos.max())
    weights, terms = asked.term_weights, asked.terms
    total = sum(weights.values())
    for s, c in zip(sentences, cos, strict=True):
        s.meaning = (c - lo) / (hi - lo) if hi > lo else 1.0
        s.words = sum(weights[t] for t in terms & s.terms) / total if total else 0.0
        s.content = policy.w_meaning * s.meaning + policy.w_words * s.words
        s.figure_bonus = 0.0
        if asked.quantities and any(
            quantity_matches(q, f) for q in asked.quantities for f in s.figures
        ):
            s.figure_bonus += policy.figure_match_bonus
        if asked.kinds and s.has_kind(asked.kinds):
            s.figure_bonus += policy.asked_kind_bonus
        s.score = s.content + s.figure_bonus


def _bigrams(text: str) -> set[str]:
    return {t for t in lexical_tokens(text) if len(t) >= 2}


def _term_weights(
    question: str, match_terms: Sequence[tuple[str, float]] | None
) -> dict[str, float]:
    """The bigrams a sentence can share with the question, weighted: 1 each for the
    question's own; for an English question, its translations' with their weight, so
    that the three renderings of "help" (助力, 幫助, 援助) count as one word, not three."""
    if not match_terms:
        return dict.fromkeys(_bigrams(drop_document_references(question)), 1.0)
    weights: dict[str, float] = {}
    for term, weight in match_terms:
        for bigram in _bigrams(term):
            weights[bigram] = max(weights.get(bigram, 0.0), weight)
    return weights


def _labels_stated(line: str, doc: Document) -> list[str]:
    """Labels of the document's fields whose value ``line`` states: a notes line
    "(來源:中國社會報2020.12.23)" states the source and the date, so it matches "which
    newspaper published this?" and "when was it published?" (dates compared by digits)."""
    digits = re.sub(r"\D", "", line)
    return [
        label
        for label, value in doc.fields()
        if value in line or (len(d := re.sub(r"\D", "", value)) >= 6 and d in digits)
    ]


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text`` (a document's notes: credit, source)."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            spans.append((pos, pos + len(line.rstrip())))
        pos += len(line)
    return spans or [(0, len(text))]
