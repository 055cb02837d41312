"""Many reports, one index: which reports a question is answered from.

Routing is decided here and executed by the retriever (``Retriever.retrieve(documents=…)``
filters candidates before ranking, so a report's answer does not depend on which other
reports share the index):

1. **Named years and regions** (``qa.answer.scope``). Each (region, year) the question
   names is a ``Topic``, answered from the reports whose metadata cover it. A topic no
   report covers is answered as before routing — from the reports that cover the rest of
   it (the region, else the year) or all of them — and declined unless the passage found
   mentions what was asked (a 2020 report's "2019年度…"); the decline lists what the index
   has instead.
2. **Comparisons.** Two or more topics ("2019年和2020年…各…", "Heilongjiang vs Jilin") are
   answered one part per topic, in the order asked (``PartsKind.COMPARISON``).
3. **Nothing named, several reports:** the answer comes from the best-matching report
   alone (its passages are ranked again among themselves) and names it. For a figure
   question, other reports whose best passage scores within ``close_reports_margin`` of
   the best one's are answered too and shown side by side, newest first
   (``PartsKind.CLOSE``).

With one report indexed every question goes the way it went before routing: the filter
covers every row and the answer is composed from the one retrieval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from qa import regions, timing
from qa.answer.clauses import FigureClause
from qa.answer.compose import agreement, compose
from qa.answer.intent import Intent, Part, follow, read_intent
from qa.answer.model import Answer, DeclineReason, PartsKind
from qa.answer.scope import Topic, covers, document_region, region_covers
from qa.answer.table import ClauseCache, best_clause, build_table, quote_of
from qa.documents import Document
from qa.errors import ArgumentError, UnknownDocumentError
from qa.i18n import Language, detect_language
from qa.periods import Role
from qa.policy import AnswerPolicy
from qa.question import check_question
from qa.retrieve import Hit, Retrieval, Retriever
from qa.text import fold_chars

__all__ = ["answer", "combine"]


class _Asker:
    """One question asked of a retriever: embedded once, retrieved among any documents."""

    def __init__(
        self,
        retriever: Retriever,
        question: str,
        lang: Language,
        policy: AnswerPolicy,
        intent: Intent,
        clauses: ClauseCache,
    ) -> None:
        self.retriever = retriever
        self.question = question
        self.intent = intent
        self.clauses = clauses
        self.lang = lang
        self.policy = policy
        self.documents = retriever.documents
        self.only: list[str] | None = None
        with timing.step("encode"):
            self.vector = retriever.embed_questions([question])[0]

    def restrict(self, documents: Sequence[str]) -> None:
        """Answer from ``documents`` (ids) alone, as if the index held nothing else."""
        if isinstance(documents, str) or not documents:
            raise ArgumentError("documents must be a non-empty list of report ids")
        unknown = [d for d in documents if d not in self.documents]
        if unknown:
            raise UnknownDocumentError(f"the index has no report {unknown[0]!r}")
        self.only = list(dict.fromkeys(documents))
        self.documents = {d: self.documents[d] for d in self.only}

    def retrieve(self, documents: Sequence[str] | None) -> Retrieval:
        if documents is None:
            documents = self.only
        return self.retriever.retrieve(
            self.question, k=self.policy.hits, documents=documents, vector=self.vector
        )

    def compose(self, retrieval: Retrieval, topic: Topic | None) -> Answer:
        answer = compose(
            retrieval,
            encode_sentences=self.retriever.encode_sentences,
            language=self.lang,
            policy=self.policy,
            topic=topic,
            intent=self.intent,
            english=self.retriever.english_lookup,
        )
        if len(self.documents) > 1 and answer.found and answer.quotes:
            answer = replace(answer, report=self.documents.get(answer.quotes[0].citation.doc_id))
        return answer


def answer(
    retriever: Retriever,
    question: str,
    *,
    policy: AnswerPolicy,
    language: Language | None = None,
    documents: Sequence[str] | None = None,
    follows: Answer | Intent | None = None,
    clauses: ClauseCache | None = None,
) -> Answer:
    """The answer to ``question`` from the reports it names (see the module docstring),
    among ``documents`` (ids) alone when given."""
    question = check_question(question)
    previous = follows.intent if isinstance(follows, Answer) else follows
    # A follow-up whose characters are the same in both scripts (那河北呢？) is in the
    # script of the conversation.
    script = previous.language if previous is not None else None
    lang = language or detect_language(
        question, default=script if script in ("zh-Hans", "zh-Hant") else "zh-Hant"
    )
    with timing.step("read"):
        intent = follow(read_intent(question, language=lang), previous)
    asker = _Asker(
        retriever,
        intent.query,
        lang,
        policy,
        intent,
        clauses or ClauseCache(lead_in_chars=policy.lead_in_chars),
    )
    if documents is not None:
        asker.restrict(documents)
    if intent.table and intent.figure:
        return _table(asker, intent)
    topics = _topics(intent, list(asker.documents.values()))
    if not topics:
        return _among(asker, None, None)
    parts = [_topic(asker, topic) for topic in topics]
    kind = PartsKind.COMPARISON if intent.comparison else PartsKind.ROLES
    if kind == PartsKind.ROLES and any(p.found for p in parts):
        # A year's result and its target, neither asked: the one the reports state.
        parts = [p for p in parts if p.found]
    if len(parts) == 1:
        return replace(parts[0], intent=intent)
    return replace(combine(question, asker.lang, parts, kind), intent=intent)


def _topics(intent: Intent, docs: list[Document]) -> list[Topic]:
    """The (region, year, role) combinations to answer, in order: each part of a comparison;
    a year named with no role asked, as the report reviewing it and the one planning it
    when the index has both (results first); a report named by its year and years relative
    to it (去年 in "1985年的报告里，上一年…") resolved to the years it reviews and plans."""
    parts = intent.parts or (
        (
            Part(
                intent.regions[0] if intent.regions else None,
                intent.years[0] if intent.years else None,
                intent.role,
                intent.report_year,
            ),
        )
        if intent.regions or intent.years or intent.report_year or intent.relative is not None
        else ()
    )
    topics: list[Topic] = []
    for part in parts:
        year = part.year
        role = part.role
        if year is None and (part.report_year is not None or intent.relative is not None):
            year, role = _resolved_year(part, intent, docs)
        report = part.report_year
        if year is None or role is not None:
            topics.append(Topic(part.region, year, role, report))
            continue
        both = [
            Topic(part.region, year, r, report)
            for r in ("result", "target")
            if any(covers(d, Topic(part.region, year, r, report)) for d in docs)
        ]
        if len(both) == 2 and intent.comparison:
            # A comparison of what happened in two years or places: each part's result
            # (its target only when asked for).
            topics.append(both[0])
        elif len(both) == 2 and all(d.reviews or d.plans for d in _reports(docs, part)):
            topics.extend(both)
        else:
            topics.append(Topic(part.region, year, None, report))
    return topics


def _reports(docs: list[Document], part: Part) -> list[Document]:
    """The reports a part may be answered from: of its region, and the one it names."""
    out = [d for d in docs if part.region is None or region_covers(part.region, document_region(d))]
    if part.report_year is not None:
        out = [d for d in out if d.year == part.report_year]
    return out


def _resolved_year(
    part: Part, intent: Intent, docs: list[Document]
) -> tuple[int | None, Role | None]:
    """The year a part asks about when the question names a report (2026年政府工作报告) or a
    year relative to one (去年, "last year"): the named report's — else the latest one's —
    reviewed year for 去年 or a result, its planned year for 今年 or a target."""
    reports = _reports(docs, part)
    if not reports:
        return part.report_year, part.role
    report = max(reports, key=lambda d: (d.year or 0, d.date or ""))
    role = part.role
    if intent.relative is not None and intent.relative < 0:
        role = role or "result"
    elif intent.relative == 0:
        role = role or "target"
    if role == "result" and report.reviews is not None:
        return report.reviews.end, role
    if role == "target" and report.plans is not None:
        return report.plans.start, role
    if report.year is None:
        return None, role
    return report.year + (intent.relative or 0), role


def _table(asker: _Asker, intent: Intent) -> Answer:
    """A question over a set of reports: a row per report (``qa.answer.table``)."""
    table = build_table(
        intent,
        list(asker.documents.values()),
        asker.retriever.document_passages,
        asker.clauses,
        asker.policy,
        agreement,
    )
    quotes = [r.quote for r in table.rows if r.quote is not None]
    return Answer(
        intent.question,
        asker.lang,
        quotes=quotes,
        reason=None if quotes else DeclineReason.NO_FIGURE,
        parts_kind=PartsKind.TABLE,
        intent=intent,
        table=table,
    )


def combine(question: str, lang: Language, parts: list[Answer], kind: PartsKind) -> Answer:
    """One answer made of ``parts``: found when any part is, with their quotes in order."""
    found = [p for p in parts if p.found]
    first = found[0] if found else parts[0]
    unique: dict[str, Hit] = {}  # each passage once, where it first appears
    for p in parts:
        for h in p.hits:
            unique.setdefault(h.id, h)
    hits = list(unique.values())
    return Answer(
        question,
        lang,
        quotes=[q for p in found for q in p.quotes],
        reason=None if found else first.reason,
        scope=None if found else first.scope,
        related=[] if found else list(first.related),
        hits=hits,
        report=first.report if len(found) == 1 else None,
        parts=parts,
        parts_kind=kind,
    )


def _topic(asker: _Asker, topic: Topic) -> Answer:
    docs = list(asker.documents.values())
    covering = [d.id for d in docs if covers(d, topic)]
    if covering:
        return replace(_among(asker, covering, topic), topic=topic)
    # No report covers it: answer as before routing, from the reports that cover the rest
    # of the topic, and decline unless the passage found mentions what was asked.
    fallback = _fallback(docs, topic)
    result = asker.compose(asker.retrieve(fallback), topic)
    if result.scope is not None and len(docs) > 1:
        # With several reports, the decline says what the index has instead.
        result = replace(result, scope=replace(result.scope, indexed=_indexed(docs, topic)))
    return replace(result, topic=topic)


def _fallback(docs: list[Document], topic: Topic) -> list[str] | None:
    if topic.report_year is not None:
        named = [
            d.id
            for d in docs
            if d.year == topic.report_year and covers(d, Topic(region=topic.region))
        ]
        if named:
            return named
    if topic.region is not None:
        same_region = [d.id for d in docs if covers(d, Topic(region=topic.region))]
        if same_region:
            return same_region
    if topic.year is not None:
        same_year = [d.id for d in docs if d.year == topic.year]
        if same_year:
            return same_year
    return None


def _indexed(docs: list[Document], topic: Topic) -> tuple[Document, ...]:
    """The reports a decline for ``topic`` lists: of the asked region when the index has
    any (their years are what is missing), else all; newest first within a region."""
    shown = docs
    if topic.region is not None:
        same = [d for d in docs if region_covers(topic.region, document_region(d))]
        shown = same or docs
    return tuple(sorted(shown, key=lambda d: (d.region or "", -(d.year or 0), d.title)))


def _among(asker: _Asker, documents: list[str] | None, topic: Topic | None) -> Answer:
    """The answer from the best-matching of ``documents`` (all when ``None``)."""
    intent, policy = asker.intent, asker.policy
    scope = documents if documents is not None else list(asker.documents)
    if intent.about_indicator(policy.indicator_question_coverage) and (
        len(scope) <= policy.figure_reports_read
    ):
        return _figure(asker, scope, topic)
    retrieval = asker.retrieve(documents)
    searched = len(documents) if documents is not None else len(asker.documents)
    if searched <= 1 or not retrieval.hits:
        return asker.compose(retrieval, topic)
    ranked = _best_by_document(retrieval)
    best_doc, best_score = ranked[0]
    main = asker.compose(asker.retrieve([best_doc]), topic)
    if not (main.found and asker.intent.figure):
        return main
    floor = best_score - asker.policy.close_reports_margin * abs(best_score)
    close = [
        part
        for doc, score in ranked[1:]
        if score >= floor and (part := asker.compose(asker.retrieve([doc]), topic)).found
    ]
    if not close:
        return main
    parts = sorted([main, *close], key=_newest_first)
    return replace(combine(asker.question, asker.lang, parts, PartsKind.CLOSE), topic=topic)


def _figure(asker: _Asker, documents: list[str], topic: Topic | None) -> Answer:
    """An indicator's figure, read from every clause of the reports that cover the question
    (not only the passages retrieved): the clause that fits best — the indicator, measure,
    unit, period and role asked (``qa.answer.table.best_clause``); between equal fits the
    passage retrieval ranks higher, then the one that comes first in its report (reports
    state a headline figure first). The retrieved passages are the answer's ``hits`` and,
    with a decline, its related passages."""
    intent, policy = asker.intent, asker.policy
    retrieval = asker.retrieve(documents)
    hits = list(retrieval.hits)
    ranks = {h.id: i for i, h in enumerate(hits)}
    topic = topic or Topic()
    best = None
    for doc in documents:
        found = best_clause(
            intent,
            topic,
            asker.retriever.document_passages(doc),
            asker.clauses,
            policy,
            agreement,
            prefer=lambda hit: (
                policy.fit_retrieved / (1 + ranks[hit.id]) if hit.id in ranks else 0.0
            ),
        )
        if found is not None and (best is None or found[3] > best[3]):
            best = found
    if best is None:
        answer = Answer(
            intent.question,
            asker.lang,
            reason=DeclineReason.NO_FIGURE,
            related=hits[: policy.related],
            hits=hits,
            intent=intent,
        )
        return replace(answer, topic=topic if topic != Topic() else None)
    hit, clause, _, _ = best
    quote = quote_of(hit, clause)
    sentence = _sentence_of(hit.text, clause)
    missing_place = [
        p
        for p in intent.places
        if (place := regions.lookup(p)) is None or not regions.names(sentence, place)
    ]
    if missing_place or (intent.entities and not _entities_named(intent.entities, sentence)):
        # 杭州市的地区生产总值: the province's figure is not the city's.
        reason = DeclineReason.OTHER_PLACE if missing_place else DeclineReason.OTHER_ENTITY
        return Answer(
            intent.question,
            asker.lang,
            reason=reason,
            related=hits[: policy.related],
            hits=hits,
            topic=topic if topic != Topic() else None,
            intent=intent,
        )
    report = asker.documents.get(hit.doc) if len(asker.documents) > 1 else None
    return Answer(
        intent.question,
        asker.lang,
        quotes=[quote],
        hits=hits,
        report=report,
        topic=topic if topic != Topic() else None,
        intent=intent,
    )


def _sentence_of(text: str, clause: FigureClause) -> str:
    """The sentence a figure's clause stands in (a place named anywhere in it counts)."""
    start = max(text.rfind(ch, 0, clause.start) for ch in "。！？\n") + 1
    ends = [i for ch in "。！？\n" if (i := text.find(ch, clause.end)) >= 0]
    return text[start : min(ends) + 1 if ends else len(text)]


def _entities_named(entities: tuple[str, ...], text: str) -> bool:
    folded = fold_chars(text)
    return all(fold_chars(e) in folded for e in entities)


def _best_by_document(retrieval: Retrieval) -> list[tuple[str, float]]:
    """Each document among the hits with its best passage's fused score, best first."""
    best: dict[str, float] = {}
    for hit in retrieval.hits:
        best.setdefault(hit.doc, hit.score)
    return sorted(best.items(), key=lambda item: -item[1])


def _newest_first(part: Answer) -> tuple[float, str]:
    report = part.report
    year = report.year if report is not None and report.year is not None else -np.inf
    return (-year, report.id if report is not None else "")
