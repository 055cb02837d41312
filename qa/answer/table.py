"""One indicator across an archive: a row per report — every province, a group of provinces,
a run of years — each a verbatim clause with its figure, role and citation.

The rows are read from each report's figures (``qa.answer.clauses``: a figure with its
indicator context, period and role), scored against the question's intent exactly as a
single-report question's clauses are (``qa.answer.compose``: the indicator's words, the
measure, the unit, the period and the role asked). A report that states no such figure is a
row too, marked missing — never dropped silently. Provinces come in the standard order (by
division code) or by value when asked (从高到低); years in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.answer.clauses import FigureClause, indicator_match, read_clauses, term_words
from qa.answer.figures import Figure
from qa.answer.intent import Intent
from qa.answer.model import Quote, citation_of
from qa.answer.scope import Topic, covers, document_region
from qa.documents import Document
from qa.periods import Period, Role
from qa.policy import AnswerPolicy
from qa.regions import Region
from qa.retrieve import Hit
from qa.text import fold_chars


@dataclass(frozen=True)
class Row:
    """One report's row: what it is for (a region or a year), and its answering clause — or
    ``quote is None`` when the report states no such figure."""

    report: Document
    region: Region | None
    year: int | None
    role: Role | None
    quote: Quote | None = None
    figure: Figure | None = None
    period: Period | None = None

    @property
    def found(self) -> bool:
        return self.quote is not None

    @property
    def value(self) -> float | None:
        return self.figure.value if self.figure is not None else None


@dataclass(frozen=True)
class Table:
    """The rows of a question over a set of reports, in order; ``by`` says what a row
    stands for ("region" or "year")."""

    rows: tuple[Row, ...]
    by: str

    @property
    def found(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.found)

    @property
    def missing(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.found)


#: Reads the passages of a report (as hits), in report order.
PassagesOf = Callable[[str], Sequence[Hit]]


def reports_for(
    intent: Intent, documents: Sequence[Document]
) -> tuple[list[tuple[Document, Topic]], str]:
    """The reports a set question is answered from, each with the (region, year, role) its
    row is for, and whether rows stand for regions or years."""
    role = intent.role
    if intent.every_region or intent.group is not None:
        year = intent.years[0] if intent.years else None
        members = set(intent.group.members) if intent.group is not None else None
        chosen: dict[str, tuple[Document, Topic]] = {}
        for doc in documents:
            region = document_region(doc)
            if region is None or region.level == "country":
                continue
            if members is not None and not any(m.contains(region) or m == region for m in members):
                continue
            topic = Topic(region, year, role, intent.report_year)
            if not covers(doc, topic):
                continue
            # The latest report of a region when several cover the year.
            held = chosen.get(region.code)
            if held is None or (doc.year or 0) > (held[0].year or 0):
                chosen[region.code] = (doc, topic)
        rows = sorted(chosen.values(), key=lambda dt: dt[1].region.code if dt[1].region else "")
        if members is not None:
            # A member with no report covering the year is a row too: it has none indexed.
            return rows, "region"
        return rows, "region"
    # A run of years (or every year): one report per year, of the region asked (the country
    # when none is).
    region = intent.regions[0] if intent.regions else None
    pool = [
        d
        for d in documents
        if (
            region is None
            and ((doc_region := document_region(d)) is None or doc_region.level == "country")
        )
        or (region is not None and covers(d, Topic(region=region)))
    ]
    years = sorted(
        {
            y
            for d in pool
            for p in ((d.plans,) if role == "target" else (d.reviews,))
            if p is not None
            for y in range(p.start, p.end + 1)
        }
        | {d.year for d in pool if d.year is not None and d.reviews is None and d.plans is None}
    )
    if intent.run is not None:
        years = [y for y in years if y in intent.run]
    out: list[tuple[Document, Topic]] = []
    for year in years:
        topic = Topic(region, year, role or "result")
        covering = [d for d in pool if covers(d, topic)]
        if covering:
            out.append((max(covering, key=lambda d: d.year or 0), topic))
    return out, "year"


class ClauseCache:
    """Each passage's figure clauses, read once per index generation (they depend on the
    passage's text, section and report only)."""

    #: Passages whose clauses are kept (an index of a few hundred reports); past it the
    #: cache starts afresh.
    MAX_PASSAGES = 100_000

    def __init__(self, *, lead_in_chars: int) -> None:
        self._clauses: dict[tuple[str, int], list[FigureClause]] = {}
        self._folded: dict[tuple[str, int], str] = {}
        self._lead_in = lead_in_chars

    def of(self, hit: Hit) -> list[FigureClause]:
        # Keyed by the text too: a new index generation may give an id other text.
        key = (hit.id, hash(hit.text))
        found = self._clauses.get(key)
        if found is None:
            if len(self._clauses) >= self.MAX_PASSAGES:
                self._clauses.clear()
            doc = hit.document
            found = self._clauses[key] = read_clauses(
                hit.text,
                period=hit.period,
                role=hit.role,
                anchor=doc.year if doc is not None else None,
                reviews=doc.reviews if doc is not None else None,
                lead_in_chars=self._lead_in,
            )
        return found

    def folded(self, hit: Hit) -> str:
        """The passage's text folded (``fold_chars``, lower case), kept like its clauses."""
        key = (hit.id, hash(hit.text))
        found = self._folded.get(key)
        if found is None:
            if len(self._folded) >= self.MAX_PASSAGES:
                self._folded.clear()
            found = self._folded[key] = fold_chars(hit.text).lower()
        return found


def best_clause(
    intent: Intent,
    topic: Topic,
    passages: Sequence[Hit],
    cache: ClauseCache,
    policy: AnswerPolicy,
    agreement: Callable[[FigureClause, Intent, int | None, str | None, AnswerPolicy], float],
    *,
    prefer: Callable[[Hit], float] | None = None,
) -> tuple[Hit, FigureClause, float, float] | None:
    """The passage and clause of a report that best answer ``intent`` for ``topic``, with
    its indicator match and fit; ``None`` when none names the indicator well enough.
    ``prefer`` adds to a clause's fit for its passage (retrieval's rank, to break ties);
    between equal scores the clause that comes first wins."""
    words = {w for t in intent.terms for w in term_words(t)}
    best: tuple[Hit, FigureClause, float, float] | None = None
    for hit in passages:
        if hit.kind != "text":
            continue
        folded = cache.folded(hit)
        if words and not any(w in folded for w in words):
            continue  # not one word of the indicator: no clause of it can match
        for clause in cache.of(hit):
            ind = indicator_match(intent.terms, clause.context, intent.others)
            if ind < policy.min_indicator_match:
                continue
            fit = max(0.0, ind * (1.0 + agreement(clause, intent, topic.year, topic.role, policy)))
            if fit < policy.min_fit:
                continue
            score = fit + (prefer(hit) if prefer is not None else 0.0)
            if best is None or score > best[3]:
                best = (hit, clause, ind, score)
    return best


def quote_of(hit: Hit, clause: FigureClause) -> Quote:
    """The clause as a verbatim quote, with its figures."""
    from qa.answer.figures import extract_figures

    start, end = clause.start, max(clause.end, clause.figure.end)
    text = hit.text[start:end]
    figures = tuple(
        Figure(f.text, f.start - start, f.end - start, f.value, f.unit, f.kind, f.qualifier)
        for f in extract_figures(hit.text)
        if f.start >= start and f.end <= end
    )
    return Quote(text, figures, citation_of(hit), start, end, hit.text, 0.0)


def build_table(
    intent: Intent,
    documents: Sequence[Document],
    passages_of: PassagesOf,
    cache: ClauseCache,
    policy: AnswerPolicy,
    agreement: Callable[[FigureClause, Intent, int | None, str | None, AnswerPolicy], float],
) -> Table:
    """The table of a set question (see the module docstring)."""
    chosen, by = reports_for(intent, documents)
    rows: list[Row] = []
    for doc, topic in chosen:
        found = best_clause(intent, topic, passages_of(doc.id), cache, policy, agreement)
        if found is None:
            rows.append(Row(doc, topic.region, topic.year, topic.role))
            continue
        hit, clause, _, _ = found
        rows.append(
            Row(
                doc,
                topic.region,
                topic.year,
                clause.role or topic.role,
                quote_of(hit, clause),
                clause.figure,
                clause.period,
            )
        )
    if intent.order in ("desc", "asc"):
        present = sorted(
            (r for r in rows if r.found),
            key=lambda r: r.value or 0.0,
            reverse=intent.order == "desc",
        )
        rows = [*present, *(r for r in rows if not r.found)]
    return Table(tuple(rows), by)


__all__ = ["ClauseCache", "Row", "Table", "best_clause", "build_table", "quote_of", "reports_for"]
