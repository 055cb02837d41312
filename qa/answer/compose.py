"""From retrieved passages to an answer: the one to three sentences of the report that
answer the question, verbatim, with their figures and a citation — or an honest decline.

The steps, in order (each decline names its ``DeclineReason``):

1. no passage at all → ``NO_PASSAGES``;
2. the question (or, for a routed question, the ``topic`` it is answered for) names
   another year or region than the top passage's document, which that passage does not
   mention either (``qa.answer.scope``) → ``OTHER_YEAR`` / ``OTHER_REGION``;
3. the question names a place below the document's region (a city or county of its
   province) that the top passage does not name (``scope.check_place``) → ``OTHER_PLACE``;
4. the question has next to nothing in common with the reports, in words or in words and
   meaning (``qa.answer.evidence``) → ``NO_EVIDENCE``;
5. the sentences of the top passages are scored (``qa.answer.candidates``); a question
   asking for a rate that no sentence states, or a "how much / how many" question whose
   best sentences carry no figure of the asked kind (read leniently:
   ``agreement.lenient_kinds``) → ``NO_FIGURE``;
6. the best sentence is quoted, and more sentences follow when they cover parts of the
   question the first leaves uncovered ("A and B, how much each?" often spans two
   paragraphs);
7. a "who is the X" question whose quotes never name an X (``qa.answer.roles``) → ``NO_ROLE``;
8. a "how many X" question whose quoted figures count something else → ``OTHER_COUNT``,
   and a question about a whole (a budget, a total over a category) whose quoted figures
   are items of it → ``NO_TOTAL`` (``qa.answer.agreement``).

Every number involved is in ``qa.policy.AnswerPolicy``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qa.answer import candidates
from qa.answer.agreement import counted_agrees, lenient_kinds, whole_agrees
from qa.answer.candidates import Asked, Sentence
from qa.answer.clauses import FigureClause, indicator_match, read_clauses
from qa.answer.evidence import off_topic
from qa.answer.figures import Figure, FigureKind, extract_figures
from qa.answer.intent import Intent, read_intent
from qa.answer.model import Answer, DeclineReason, Quote, citation_of
from qa.answer.numbers import units_agree
from qa.answer.roles import role_named
from qa.answer.scope import OutOfScope, Topic, check_place, check_scope
from qa.i18n import Language, detect_language
from qa.policy import DEFAULT, AnswerPolicy
from qa.retrieve import Hit, Retrieval
from qa.retrieve.crosslingual import SHIPPED_LOOKUP, EnglishLookup
from qa.text import fold_chars


def compose(
    retrieval: Retrieval,
    *,
    encode_sentences: Callable[[list[str]], np.ndarray],
    language: Language | None = None,
    policy: AnswerPolicy = DEFAULT.answer,
    topic: Topic | None = None,
    intent: Intent | None = None,
    english: EnglishLookup = SHIPPED_LOOKUP,
) -> Answer:
    """Compose the answer to ``retrieval.question`` from its hits (best first).

    ``encode_sentences`` embeds report sentences on the passage side of the model the
    question was embedded with. ``language`` sets the language of the reply's own words
    (default: the question's). ``topic`` is the year and region this answer is for, when
    the question names several (see ``qa.answer.routing``). ``english`` is the index's
    dictionary tables (``Retriever.english_lookup``) English words are checked with.
    """
    hits = retrieval.hits
    lang = language or detect_language(retrieval.question)
    intent = intent or read_intent(retrieval.question, language=lang)
    # The question asked (a follow-up's own words); the reports were searched with
    # ``retrieval.question``, which adds what it took over from the one before.
    question = intent.question

    def decline(
        reason: DeclineReason, *, related: bool = False, scope: OutOfScope | None = None
    ) -> Answer:
        shown = list(hits[: policy.related]) if related else []
        return Answer(question, lang, [], reason, scope, shown, list(hits), intent=intent)

    if not hits:
        return decline(DeclineReason.NO_PASSAGES)
    scope = _out_of_scope(question, hits[0], topic)
    if scope is not None:
        return decline(DeclineReason(scope.reason), related=True, scope=scope)
    if off_topic(retrieval, policy):
        # Nothing in common with the reports ("hello", "asdf", a pasted script, another
        # subject): the nearest passages — there always are some — are not an answer.
        return decline(DeclineReason.NO_EVIDENCE)

    asked = Asked.of(retrieval.question, retrieval.translated_terms)
    figure_question = intent.about_indicator(policy.indicator_question_coverage)
    pool = policy.passages_for_figures if figure_question else policy.passages_for_extra_quotes
    sentences = candidates.candidates(hits[:pool])
    candidates.score(sentences, asked, retrieval.query_vector, encode_sentences, policy)
    if figure_question:
        fits = _fit_figures(sentences, intent, topic, policy)
        best = max(fits, key=lambda f: f.fit, default=None)
        if best is None or best.indicator < policy.min_indicator_match or best.fit < policy.min_fit:
            # No clause carries the asked indicator for the asked period and role: the
            # reports say related things, not this figure.
            return decline(DeclineReason.NO_FIGURE, related=True)
        considered = max(policy.passages_considered, pool)
    else:
        considered = policy.passages_considered
    if asked.rate and not any(s.states_rate() for s in sentences):
        # "每人每月多少元" asks for a rate; totals (58.68億元) do not answer it.
        return decline(DeclineReason.NO_FIGURE, related=True)
    ranked_all = sorted(sentences, key=lambda s: s.score, reverse=True)
    ranked = [s for s in ranked_all if s.hit_rank < considered]
    if not figure_question and asked.kinds and not _figure_answers(ranked, asked.kinds, policy):
        return decline(DeclineReason.NO_FIGURE, related=True)

    # An indicator's figure is one clause; a description may take several sentences.
    chosen = [ranked[0]] if figure_question else _choose(ranked_all, ranked[0], asked, policy)
    if asked.role is not None and not role_named(
        asked.role, [s.text for s in chosen], english=english
    ):
        # "Who is the director of …": quotes that never name a director do not answer it.
        return decline(DeclineReason.NO_ROLE)
    quotes = _merge(chosen, policy)
    if not figure_question and not counted_agrees(question, quotes, policy, english=english):
        # "How many institutions": a number of projects is not an answer.
        return decline(DeclineReason.OTHER_COUNT, related=True)
    if not intent.indicators and not whole_agrees(question, quotes, english=english):
        # "The total budget": one item of it is not an answer (a named indicator such as
        # 进出口总额 is not a whole over a category).
        return decline(DeclineReason.NO_TOTAL, related=True)
    if intent.entities and not _entities_named(intent.entities, quotes):
        # "杭州华为公司的营业收入": the province's or another company's figure is not its.
        return decline(DeclineReason.OTHER_ENTITY, related=True)
    return Answer(question, lang, quotes, hits=list(hits), intent=intent)


def _out_of_scope(question: str, top: Hit, topic: Topic | None) -> OutOfScope | None:
    doc = top.document
    if doc is None:
        return None
    covered = tuple(
        year
        for period in (doc.reviews, doc.plans)
        if period is not None
        for year in range(period.start, period.end + 1)
    )
    return check_scope(
        question,
        year=doc.year,
        region=doc.region,
        passage_text=top.text,
        topic=topic,
        covered=covered,
    ) or check_place(question, region=doc.region, passage_text=top.text)


def _figure_answers(ranked: list[Sentence], kinds: set[FigureKind], policy: AnswerPolicy) -> bool:
    """A "how much / how many" question is answered only by a sentence that carries a
    figure of the asked kind *and* is about what the question is about: its content
    score must come close to the best content score of any sentence. Otherwise the report
    talks about the subject but gives no such figure (e.g. it says the minimum living
    standard was raised, not to how much)."""
    best_content = max(s.content for s in ranked)
    with_figure = [s.content for s in ranked if s.has_kind(kinds) or lenient_kinds(s.text) & kinds]
    return bool(with_figure) and max(with_figure) >= policy.figure_content_ratio * best_content


def _choose(
    ranked_all: list[Sentence], best: Sentence, asked: Asked, policy: AnswerPolicy
) -> list[Sentence]:
    """The best sentence, then others that score close to it and cover question terms (or
    a figure of the asked kind in another passage) that the quotes so far leave open."""
    chosen = [best]
    covered = set(best.terms)
    for s in ranked_all:
        if s is best:
            continue
        if len(chosen) == policy.max_quotes:
            break
        new_terms = (s.terms & asked.terms) - covered
        adds_figure = asked.kinds and s.has_kind(asked.kinds) and s.hit is not best.hit
        if s.score >= policy.extra_quote_min_score * best.score and (
            len(new_terms) >= policy.extra_quote_min_new_terms or (adds_figure and new_terms)
        ):
            chosen.append(s)
            covered |= s.terms
    return chosen


@dataclass
class _Fit:
    sentence: Sentence
    clause: FigureClause
    indicator: float
    fit: float


def _fit_figures(
    sentences: list[Sentence], intent: Intent, topic: Topic | None, policy: AnswerPolicy
) -> list[_Fit]:
    """Score every figure of the candidate sentences against the intent (its indicator, the
    measure, unit, period and role asked) and add each sentence's best to its score; the
    sentence remembers its best clause, which is what gets quoted."""
    year = (
        topic.year if topic is not None else (intent.years[0] if len(intent.years) == 1 else None)
    )
    role = (topic.role if topic is not None else None) or intent.role
    by_hit: dict[str, list[FigureClause]] = {}
    fits: list[_Fit] = []
    for s in sentences:
        if s.hit.kind != "text":
            continue
        clauses = by_hit.get(s.hit.id)
        if clauses is None:
            doc = s.hit.document
            clauses = by_hit[s.hit.id] = read_clauses(
                s.hit.text,
                period=s.hit.period,
                role=s.hit.role,
                anchor=doc.year if doc is not None else None,
                reviews=doc.reviews if doc is not None else None,
                lead_in_chars=policy.lead_in_chars,
            )
        best: _Fit | None = None
        for c in clauses:
            if not (s.start <= c.figure.start and c.figure.end <= s.end):
                continue
            ind = indicator_match(intent.terms, c.context, intent.others)
            if ind <= 0:
                continue
            bonus = agreement(c, intent, year, role, policy)
            fit = _Fit(s, c, ind, max(0.0, ind * (1.0 + bonus)))
            fits.append(fit)
            if best is None or fit.fit > best.fit:
                best = fit
        if best is not None:
            s.score += policy.w_fit * best.fit
            s.clause = best.clause
    return fits


def agreement(
    c: FigureClause, intent: Intent, year: int | None, role: str | None, policy: AnswerPolicy
) -> float:
    """How a figure's clause agrees with what is asked beyond the indicator: the measure
    (a growth rate for 增长了多少), the unit (多少万吨), the period and the role. Each that
    agrees adds its weight; one that contradicts what the question states rules the clause
    out (``-inf``): another unit, a rank or a length of time for a value, a result for a
    target, another year, a five-year average or a goal for one year's figure."""
    out = float("-inf")
    if intent.unit and not units_agree(intent.unit, c.figure.unit, c.figure.text):
        return out  # 多少万吨 is not answered by 十多斤
    if c.counts_things and not intent.unit and "count" not in intent.kinds:
        return out  # 迈上4个万亿元台阶 counts steps: it is not the level asked
    if c.figure.kind in _NOT_MEASURES and c.figure.kind not in intent.kinds:
        return out  # 居全国第5位, 连续37年: a rank or a length of time is not a value
    if role is not None and c.role is not None and c.role != role:
        return out
    if year is not None and c.period is not None and year not in c.period:
        return out
    if c.average != intent.average or (c.goal and role != "target"):
        return out
    if c.span and year is not None:
        return out  # 5年增长18.7%, 累计完成3.7万亿元: not one year's figure
    total = 0.0
    if intent.measure == "growth" and not intent.unit:
        total += policy.fit_measure if c.relation == "growth" else -policy.fit_measure
    elif intent.measure == "level" and c.relation == "growth":
        # 是多少 asks the level: 增加109亿公斤 (an increase) is not it, nor 增长7.3%.
        total -= policy.fit_measure
    if intent.unit:
        total += policy.fit_unit
    elif intent.kinds:
        total += policy.fit_unit if c.figure.kind in intent.kinds else -policy.fit_unit
    if year is not None and c.period is not None:
        total += policy.fit_period * (0.5 if c.span else 1.0)
    if role is not None and c.role is not None:
        total += policy.fit_role
    return total


#: Kinds of figure that are not an indicator's value unless asked for.
_NOT_MEASURES = frozenset({"ordinal", "duration", "date"})


def _entities_named(entities: tuple[str, ...], quotes: list[Quote]) -> bool:
    text = fold_chars("".join(q.text for q in quotes))
    return all(fold_chars(e) in text for e in entities)


def _quote(s: Sentence, start: int, end: int) -> Quote:
    text = s.hit.text[start:end]
    figures = tuple(
        Figure(f.text, f.start - start, f.end - start, f.value, f.unit, f.kind, f.qualifier)
        for f in extract_figures(s.hit.text)
        if f.start >= start and f.end <= end
    )
    return Quote(text, figures, citation_of(s.hit), start, end, s.hit.text, s.score)


def _span(s: Sentence, policy: AnswerPolicy) -> tuple[int, int]:
    """What of a sentence is quoted: all of it, or — for a long sentence whose answering
    figure is known — the clause that carries the figure, with its lead-in."""
    c = s.clause
    if c is not None and s.end - s.start > policy.clause_quote_min_chars:
        return max(s.start, c.start), min(s.end, max(c.end, c.figure.end))
    return s.start, s.end


def _merge(chosen: list[Sentence], policy: AnswerPolicy) -> list[Quote]:
    """Quotes in answer order; sentences of one passage that touch become one quote."""
    quotes: list[Quote] = []
    by_hit: dict[str, list[Sentence]] = {}
    order: list[str] = []
    for s in chosen:
        if s.hit.id not in by_hit:
            order.append(s.hit.id)
        by_hit.setdefault(s.hit.id, []).append(s)
    for hit_id in order:
        group = sorted(by_hit[hit_id], key=lambda s: s.start)
        spans = [(_span(s, policy), s) for s in group]
        (start, end), first = spans[0]
        for (s_start, s_end), s in spans[1:]:
            if s.hit.text[end:s_start].strip() == "":
                end = s_end
            else:
                quotes.append(_quote(first, start, end))
                (start, end), first = (s_start, s_end), s
        quotes.append(_quote(first, start, end))
    return quotes


__all__ = ["agreement", "compose"]
