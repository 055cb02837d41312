"""From retrieved passages to an answer: the one to three sentences of the report that
answer the question, verbatim, with their figures and a citation — or an honest
"not found".

Sentences of the top passages are scored on three kinds of evidence:

* meaning — cosine of the question and the sentence under the same model (the model's
  cosines are bunched, so they are min–max scaled over the candidate sentences);
* words — the share of the question's folded character bigrams the sentence contains;
* figures — a number the question states in any notation (一萬張 ↔ 1萬張) found in the
  sentence, and, for "how much / how many" questions, a figure of the asked kind
  (money for 多少錢, people for 多少人).

The best sentence is quoted; more sentences follow when they cover parts of the question
the first leaves uncovered ("A and B, how much each?" often spans two paragraphs).
The answer is "not found" when the question is about another year or region than the
document, when a figure question finds no sentence with a figure of the asked kind, when
a "who is the X" question finds no sentence naming an X (``qa.answer.roles``), or when the
evidence is weak (``MIN_LEXICAL_EVIDENCE``, ``FIGURE_CONTENT_RATIO``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa.answer.figures import Figure, extract_figures
from qa.answer.numbers import asked_kinds, parse_quantities, quantity_matches
from qa.answer.roles import asked_role, role_named
from qa.answer.scope import check_scope
from qa.documents import Document
from qa.i18n import Language, detect_language, message
from qa.retrieve.hit import Hit
from qa.sentences import split_sentences
from qa.text import drop_document_references, lexical_tokens

MAX_QUOTES = 3
#: Passages whose sentences can be the answer; further passages can only add a quote that
#: covers a part of the question the first quotes leave open ("A and B, how much each?").
PASSAGES_CONSIDERED = 3
PASSAGES_FOR_EXTRA_QUOTES = 5

# Weights of the sentence score and the acceptance thresholds; chosen on the dev questions
# and the reasons in the module docstring (see benchmarks/quality.py for the figures).
W_MEANING = 0.55
W_WORDS = 0.45
FIGURE_MATCH_BONUS = 0.5
ASKED_KIND_BONUS = 0.25
EXTRA_QUOTE_MIN_SCORE = 0.55  # relative to the best sentence
EXTRA_QUOTE_MIN_NEW_TERMS = 2
MIN_LEXICAL_EVIDENCE = 0.3  # every answerable dev question has >= 0.37
FIGURE_CONTENT_RATIO = 0.7  # answerable dev questions: >= 0.82; unanswerable: <= 0.6


# A question asking for a rate (per person, per month, per capita) and a sentence giving one.
_RATE_QUESTION = re.compile(
    r"每[人户戶月年天日]|人均|月均|per (?:person|capita|head|month|year|household|day)"
    r"|a month|monthly|annually|each month|each year",
    re.IGNORECASE,
)
_RATE_FIGURE = re.compile(r"每[人户戶月年天日]|人均|月均|/[人户戶月年天日]|元/")


@dataclass(frozen=True)
class Citation:
    """Where a quote stands, for a reader to check."""

    document: str
    section: str | None
    paragraph: int | None
    source: str | None
    date: str | None
    doc_id: str
    passage_id: str

    def to_json(self) -> dict:
        return {
            "document": self.document,
            "section": self.section,
            "paragraph": self.paragraph,
            "source": self.source,
            "date": self.date,
            "doc_id": self.doc_id,
            "passage_id": self.passage_id,
        }


@dataclass(frozen=True)
class Quote:
    """A verbatim excerpt of a passage (``text == passage[start:end]``), with its figures
    (spans relative to ``text``) and citation."""

    text: str
    figures: tuple[Figure, ...]
    citation: Citation
    start: int
    end: int
    passage_text: str = field(repr=False)
    score: float = 0.0

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "figures": [f.to_json() for f in self.figures],
            "citation": self.citation.to_json(),
            "span": [self.start, self.end],
        }


@dataclass(frozen=True)
class Answer:
    """What Report QA says to a question.

    ``found`` is false when the report does not answer; ``quotes`` are then empty and
    ``related`` may list nearby passages, which are *not* an answer. ``message`` is the
    reply's own sentence in the question's language (empty when quotes answer).
    """

    question: str
    found: bool
    quotes: list[Quote]
    language: Language
    message: str = ""
    reason: str | None = None
    related: list[Hit] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "found": self.found,
            "language": self.language,
            "message": self.message,
            "reason": self.reason,
            "quotes": [q.to_json() for q in self.quotes],
            "related": [h.to_json() for h in self.related],
        }


@dataclass
class _Sentence:
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
    figure_bonus: float = 0.0
    score: float = 0.0

    @property
    def content(self) -> float:
        """How well the sentence matches the question's meaning and words (no figures)."""
        return W_MEANING * self.meaning + W_WORDS * self.words

    def has_kind(self, kinds: set[str]) -> bool:
        return any(f.kind in kinds for f in self.figures)


def _bigrams(text: str) -> set[str]:
    return {t for t in lexical_tokens(text) if len(t) >= 2}


def citation_of(hit: Hit) -> Citation:
    d: Document | None = hit.document
    return Citation(
        document=hit.title or (d.title if d else hit.doc),
        section=hit.section,
        paragraph=hit.paragraph if hit.kind == "text" else None,
        source=d.source if d else None,
        date=d.date if d else None,
        doc_id=hit.doc,
        passage_id=hit.id,
    )


def _quote(s: _Sentence, start: int, end: int) -> Quote:
    text = s.hit.text[start:end]
    figures = tuple(
        Figure(f.text, f.start - start, f.end - start, f.value, f.unit, f.kind, f.qualifier)
        for f in extract_figures(s.hit.text)
        if f.start >= start and f.end <= end
    )
    return Quote(text, figures, citation_of(s.hit), start, end, s.hit.text, s.score)


def _sentences(hits: Sequence[Hit]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for rank, hit in enumerate(hits):
        spans = split_sentences(hit.text) if hit.kind == "text" else _lines(hit.text)
        figures = extract_figures(hit.text)
        for start, end in spans:
            text = hit.text[start:end]
            match = text
            if hit.kind == "metadata" and hit.document is not None:
                match = "\n".join([*_labels_stated(text, hit.document), text])
            out.append(
                _Sentence(
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


def compose(
    question: str,
    hits: Sequence[Hit],
    *,
    encode_query: Callable[[str], np.ndarray],
    encode_sentences: Callable[[list[str]], np.ndarray],
    language: Language | None = None,
    lexical_evidence: float = 1.0,
    match_terms: Sequence[tuple[str, float]] | None = None,
) -> Answer:
    """Compose the answer to ``question`` from ``hits`` (best first).

    ``lexical_evidence`` is the share of the question that can match the index lexically
    (after translation for English questions); below ``MIN_LEXICAL_EVIDENCE`` the question
    has nothing in common with the reports ("hello", "asdf", a pasted script) and the
    nearest passages — there always are some — are not an answer. ``match_terms`` replace
    the question's own words for word overlap: the Chinese translations of an English
    question's terms, with their weights (1/n for each of a word's n translations).
    """
    lang = language or detect_language(question)
    if not hits:
        return Answer(question, False, [], lang, message("not_found", lang), "no_passages")

    top = hits[0]
    doc = top.document
    if doc is not None:
        scope = check_scope(question, year=doc.year, region=doc.region, passage_text=top.text)
        if scope is not None:
            text = message(scope.reason, lang, want=scope.want, have=scope.have)
            return Answer(question, False, [], lang, text, scope.reason, list(hits[:3]), list(hits))

    if lexical_evidence < MIN_LEXICAL_EVIDENCE:
        return Answer(
            question, False, [], lang, message("not_found", lang), "no_evidence", [], list(hits)
        )

    candidates = _sentences(hits[:PASSAGES_FOR_EXTRA_QUOTES])
    weights = _term_weights(question, match_terms)
    q_terms = set(weights)
    q_weight = sum(weights.values())
    quantities = [q for q in parse_quantities(question) if q.kind != "date"]
    kinds = asked_kinds(question)

    vecs = encode_sentences([s.match_text for s in candidates])
    qvec = encode_query(question)
    cos = vecs @ qvec
    lo, hi = float(cos.min()), float(cos.max())
    for s, c in zip(candidates, cos, strict=True):
        s.meaning = (c - lo) / (hi - lo) if hi > lo else 1.0
        s.words = sum(weights[t] for t in q_terms & s.terms) / q_weight if q_weight else 0.0
        if quantities and any(quantity_matches(q, f) for q in quantities for f in s.figures):
            s.figure_bonus += FIGURE_MATCH_BONUS
        if kinds and any(f.kind in kinds for f in s.figures):
            s.figure_bonus += ASKED_KIND_BONUS
        s.score = s.content + s.figure_bonus

    if _RATE_QUESTION.search(question) and not any(_RATE_FIGURE.search(s.text) for s in candidates):
        # "每人每月多少元" asks for a rate; totals (58.68億元) do not answer it.
        related = list(hits[:3])
        return Answer(
            question, False, [], lang, message("no_figure", lang), "no_figure", related, list(hits)
        )

    ranked_all = sorted(candidates, key=lambda s: s.score, reverse=True)
    ranked = [s for s in ranked_all if s.hit_rank < PASSAGES_CONSIDERED]
    best = ranked[0]
    if kinds and not _figure_answers(ranked, kinds):
        related = list(hits[:3])
        return Answer(
            question, False, [], lang, message("no_figure", lang), "no_figure", related, list(hits)
        )

    chosen = [best]
    covered = set(best.terms)
    for s in ranked_all:
        if s is best:
            continue
        if len(chosen) == MAX_QUOTES:
            break
        new_terms = (s.terms & q_terms) - covered
        adds_figure = kinds and any(f.kind in kinds for f in s.figures) and s.hit is not best.hit
        if s.score >= EXTRA_QUOTE_MIN_SCORE * best.score and (
            len(new_terms) >= EXTRA_QUOTE_MIN_NEW_TERMS or (adds_figure and new_terms)
        ):
            chosen.append(s)
            covered |= s.terms
    role = asked_role(question)
    if role is not None and not role_named(role, [s.text for s in chosen]):
        # "Who is the director of …": quotes that never name a director do not answer it.
        return Answer(
            question, False, [], lang, message("not_found", lang), "no_role", [], list(hits)
        )
    return Answer(question, True, _merge(chosen), lang, "", None, [], list(hits))


def _figure_answers(ranked: list[_Sentence], kinds: set[str]) -> bool:
    """A "how much / how many" question is answered only by a sentence that carries a
    figure of the asked kind *and* is about what the question is about: its content
    score must come close to the best content score of any sentence. Otherwise the report
    talks about the subject but gives no such figure (e.g. it says the minimum living
    standard was raised, not to how much)."""
    best_content = max(s.content for s in ranked)
    with_figure = [s.content for s in ranked if s.has_kind(kinds)]
    return bool(with_figure) and max(with_figure) >= FIGURE_CONTENT_RATIO * best_content


def _merge(chosen: list[_Sentence]) -> list[Quote]:
    """Quotes in answer order; sentences of one passage that touch become one quote."""
    quotes: list[Quote] = []
    by_hit: dict[str, list[_Sentence]] = {}
    order: list[str] = []
    for s in chosen:
        if s.hit.id not in by_hit:
            order.append(s.hit.id)
        by_hit.setdefault(s.hit.id, []).append(s)
    for hit_id in order:
        group = sorted(by_hit[hit_id], key=lambda s: s.start)
        run = [group[0]]
        for s in group[1:]:
            between = s.hit.text[run[-1].end : s.start]
            if between.strip() == "":
                run.append(s)
            else:
                quotes.append(_quote(run[0], run[0].start, run[-1].end))
                run = [s]
        quotes.append(_quote(run[0], run[0].start, run[-1].end))
    return quotes


__all__ = ["Answer", "Citation", "Quote", "citation_of", "compose"]
