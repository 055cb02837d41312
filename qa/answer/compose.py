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

import numpy as np

from qa.answer import candidates
from qa.answer.agreement import counted_agrees, lenient_kinds, whole_agrees
from qa.answer.candidates import Asked, Sentence
from qa.answer.evidence import off_topic
from qa.answer.figures import Figure, FigureKind, extract_figures
from qa.answer.model import Answer, DeclineReason, Quote, citation_of
from qa.answer.roles import role_named
from qa.answer.scope import OutOfScope, Topic, check_place, check_scope
from qa.i18n import Language, detect_language
from qa.policy import DEFAULT, AnswerPolicy
from qa.retrieve import Hit, Retrieval


def compose(
    retrieval: Retrieval,
    *,
    encode_sentences: Callable[[list[str]], np.ndarray],
    language: Language | None = None,
    policy: AnswerPolicy = DEFAULT.answer,
    topic: Topic | None = None,
) -> Answer:
    """Compose the answer to ``retrieval.question`` from its hits (best first).

    ``encode_sentences`` embeds report sentences on the passage side of the model the
    question was embedded with. ``language`` sets the language of the reply's own words
    (default: the question's). ``topic`` is the year and region this answer is for, when
    the question names several (see ``qa.answer.routing``).
    """
    question, hits = retrieval.question, retrieval.hits
    lang = language or detect_language(question)

    def decline(
        reason: DeclineReason, *, related: bool = False, scope: OutOfScope | None = None
    ) -> Answer:
        shown = list(hits[: policy.related]) if related else []
        return Answer(question, lang, [], reason, scope, shown, list(hits))

    if not hits:
        return decline(DeclineReason.NO_PASSAGES)
    scope = _out_of_scope(question, hits[0], topic)
    if scope is not None:
        return decline(DeclineReason(scope.reason), related=True, scope=scope)
    if off_topic(retrieval, policy):
        # Nothing in common with the reports ("hello", "asdf", a pasted script, another
        # subject): the nearest passages — there always are some — are not an answer.
        return decline(DeclineReason.NO_EVIDENCE)

    asked = Asked.of(question, retrieval.translated_terms)
    sentences = candidates.candidates(hits[: policy.passages_for_extra_quotes])
    candidates.score(sentences, asked, retrieval.query_vector, encode_sentences, policy)
    if asked.rate and not any(s.states_rate() for s in sentences):
        # "每人每月多少元" asks for a rate; totals (58.68億元) do not answer it.
        return decline(DeclineReason.NO_FIGURE, related=True)
    ranked_all = sorted(sentences, key=lambda s: s.score, reverse=True)
    ranked = [s for s in ranked_all if s.hit_rank < policy.passages_considered]
    if asked.kinds and not _figure_answers(ranked, asked.kinds, policy):
        return decline(DeclineReason.NO_FIGURE, related=True)

    chosen = _choose(ranked_all, ranked[0], asked, policy)
    if asked.role is not None and not role_named(asked.role, [s.text for s in chosen]):
        # "Who is the director of …": quotes that never name a director do not answer it.
        return decline(DeclineReason.NO_ROLE)
    quotes = _merge(chosen)
    if not counted_agrees(question, quotes, policy):
        # "How many institutions": a number of projects is not an answer.
        return decline(DeclineReason.OTHER_COUNT, related=True)
    if not whole_agrees(question, quotes):
        # "The total budget": one item of it is not an answer.
        return decline(DeclineReason.NO_TOTAL, related=True)
    return Answer(question, lang, quotes, hits=list(hits))


def _out_of_scope(question: str, top: Hit, topic: Topic | None) -> OutOfScope | None:
    doc = top.document
    if doc is None:
        return None
    return check_scope(
        question, year=doc.year, region=doc.region, passage_text=top.text, topic=topic
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


def _quote(s: Sentence, start: int, end: int) -> Quote:
    text = s.hit.text[start:end]
    figures = tuple(
        Figure(f.text, f.start - start, f.end - start, f.value, f.unit, f.kind, f.qualifier)
        for f in extract_figures(s.hit.text)
        if f.start >= start and f.end <= end
    )
    return Quote(text, figures, citation_of(s.hit), start, end, s.hit.text, s.score)


def _merge(chosen: list[Sentence]) -> list[Quote]:
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


__all__ = ["compose"]
