"""The format-neutral view of what Report QA shows: an answer's quotes with their figure
spans and places, or the decline with its reason and related passages, in the words of the
reply's language. The terminal, JSON and Telegram back ends render this view and decide
nothing of their own. Text in a view is safe to show (``qa.present.safe``); the answer and
hits it holds stay verbatim, for JSON."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from qa import regions
from qa.answer import Answer, Citation, DeclineReason, Quote, citation_of
from qa.answer.figures import extract_figures
from qa.answer.model import PartsKind
from qa.answer.scope import Topic
from qa.documents import Document
from qa.i18n import Language
from qa.present.safe import clean, clean_with_spans
from qa.present.words import say
from qa.regions import Region
from qa.retrieve import Hit
from qa.text import to_script

#: (start, end) of a figure inside an excerpt's text.
Span = tuple[int, int]

#: The catalogue entry that words each decline.
_DECLINE_WORDS: dict[DeclineReason, str] = {
    DeclineReason.NO_PASSAGES: "not_found",
    DeclineReason.OTHER_YEAR: "other_year",
    DeclineReason.OTHER_REGION: "other_region",
    DeclineReason.OTHER_PLACE: "other_place",
    DeclineReason.NO_EVIDENCE: "not_found",
    DeclineReason.NO_FIGURE: "no_figure",
    DeclineReason.OTHER_COUNT: "no_figure",
    DeclineReason.NO_TOTAL: "no_figure",
    DeclineReason.NO_ROLE: "not_found",
    DeclineReason.OTHER_ENTITY: "other_entity",
}


@dataclass(frozen=True)
class Excerpt:
    """Report text as shown: verbatim but for control characters, escape sequences and bidi
    overrides (stripped: see ``qa.present.safe``), with the spans of its figures (to mark)."""

    text: str
    figures: tuple[Span, ...]

    @classmethod
    def of(cls, text: str, figures: Sequence[Span]) -> Excerpt:
        """The excerpt showing ``text``, its ``figures`` spans moved with the stripping."""
        return cls(*clean_with_spans(text, figures))


@dataclass(frozen=True)
class QuoteView:
    """A quote of an answer, with where it stands."""

    excerpt: Excerpt
    place: str
    quote: Quote


@dataclass(frozen=True)
class PassageView:
    """A whole retrieved passage (related to a declined question, or one more passage),
    with where it stands."""

    excerpt: Excerpt
    place: str
    hit: Hit


@dataclass(frozen=True)
class RowView:
    """A row of a table answer: what it is for (a region or a year), the figure and the
    quote that states it (``quote`` is ``None`` where the report states no such figure)."""

    label: str
    region: str | None
    year: int | None
    role: str
    figure: str
    value: float | None
    unit: str
    quote: QuoteView | None
    report: str
    message: str = ""
    #: ``role`` as data: "result" or "target" (``None`` when unknown).
    role_code: str | None = None


@dataclass(frozen=True)
class TableView:
    """A table answer: its column headings and rows (``by``: "region" or "year")."""

    by: str
    headings: tuple[str, ...]
    rows: tuple[RowView, ...]

    @property
    def found(self) -> tuple[RowView, ...]:
        return tuple(r for r in self.rows if r.quote is not None)


@dataclass(frozen=True)
class AnswerView:
    """An answer as shown: a heading and quotes, or the decline message, the related
    passages (not an answer) and a hint on how to ask.

    An answer in parts (a comparison, or several reports answering closely) has one view
    per part in ``parts``, each with its own heading (the report it quotes, or the year and
    region it was asked about when declined), under ``parts_heading``."""

    answer: Answer
    language: Language
    heading: str
    quotes: list[QuoteView]
    message: str
    related_heading: str
    related: list[PassageView]
    hint: str
    parts: list[AnswerView] = field(default_factory=list)
    parts_heading: str = ""
    #: For a follow-up question: what it took over from the previous one and what it
    #: replaced (江苏省 → 浙江省 · 2025 · 地区生产总值), so a wrong carry-over shows.
    context: str = ""
    #: A question over a set of reports: one row per report.
    table: TableView | None = None

    @property
    def found(self) -> bool:
        return self.answer.found


def place(citation: Citation, lang: Language) -> str:
    """Where a passage stands, the one way it is written in ``lang``: document · section ·
    paragraph (or the document's notes) · source and date."""
    parts = [citation.document]
    if citation.section:
        parts.append(citation.section)
    parts.append(
        say("paragraph", lang, n=citation.paragraph)
        if citation.paragraph is not None
        else say("notes", lang)
    )
    if citation.source or citation.date:
        parts.append(" ".join(x for x in (citation.source, citation.date) if x))
    return clean(" · ".join(parts))


def region_name(region: str | None, lang: Language) -> str | None:
    """A region of a report's metadata as the reply's language names it (黑龍江省 /
    黑龙江省 / Heilongjiang); a name that is no division of China stays as written."""
    if not region:
        return None
    found = regions.lookup(region)
    if found is not None:
        return found.display(lang)
    return region if lang == "en" else to_script(region, lang)


def _join(items: Sequence[str], lang: Language) -> str:
    """ "a", "a and b", "a, b and c" in ``lang``."""
    if len(items) <= 1:
        return "".join(items)
    head = say("list_separator", lang).join(items[:-1])
    return say("and", lang, first=head, last=items[-1])


def _years(years: Sequence[int], lang: Language) -> str:
    return _join([say("year", lang, year=y) for y in sorted(set(years))], lang)


def report_name(doc: Document, lang: Language) -> str:
    """A report as a reply names it: "the 2020 report of Heilongjiang", "黑龍江省2020年的報告"
    (its title when neither its year nor its region is known)."""
    region = region_name(doc.region, lang)
    if doc.year is not None and region:
        return say("report_of", lang, years=_years([doc.year], lang), region=region)
    if region:
        return say("report_of_region", lang, region=region)
    if doc.year is not None:
        return say("report_of_year", lang, years=_years([doc.year], lang))
    return say("report_titled", lang, title=doc.title)


#: A region with more reports than this is summed up by its span of years, and reports of
#: one year from more regions than this by their number (an archive's one-line coverage).
COVERAGE_LIST_MAX = 3


def _span(years: Sequence[int], lang: Language) -> str:
    ordered = sorted(set(years))
    if len(ordered) <= COVERAGE_LIST_MAX:
        return _years(ordered, lang)
    return say("year_span", lang, first=ordered[0], last=ordered[-1], n=len(years))


def coverage(docs: Sequence[Document], lang: Language) -> str:
    """What the index has, in one line: "the 2019 and 2020 reports of Heilongjiang and the
    2020 report of Jilin"; for an archive, "national reports 1954–2017 (49) and 16
    provincial reports of 2026" — never a list of every report."""
    by_region: dict[str | None, list[Document]] = {}
    for doc in docs:
        by_region.setdefault(region_name(doc.region, lang), []).append(doc)
    country = regions.country().display(lang)
    phrases: list[str] = []
    # Regions with reports of the same years, many of them: counted, not named.
    by_years: dict[tuple[int, ...], list[str]] = {}
    for region, group in by_region.items():
        distinct = tuple(sorted({d.year for d in group if d.year is not None}))
        if region and region != country and distinct and len(group) == len(distinct):
            by_years.setdefault(distinct, []).append(region)
    counted = {
        r for regions_ in by_years.values() if len(regions_) > COVERAGE_LIST_MAX for r in regions_
    }
    for region, group in by_region.items():
        if region in counted:
            continue
        years = [d.year for d in group if d.year is not None]
        phrases.extend(report_name(d, lang) for d in group if d.year is None)
        if not years:
            continue
        many = len(set(years)) > 1
        if region == country and len(set(years)) > COVERAGE_LIST_MAX:
            phrases.append(say("national_reports", lang, years=_span(years, lang)))
        elif region:
            key = "reports_of" if many else "report_of"
            phrases.append(say(key, lang, years=_span(years, lang), region=region))
        else:
            key = "reports_of_year" if many else "report_of_year"
            phrases.append(say(key, lang, years=_span(years, lang)))
    for distinct, regions_ in by_years.items():
        if len(regions_) > COVERAGE_LIST_MAX:
            phrases.append(
                say("regional_reports", lang, n=len(regions_), years=_span(list(distinct), lang))
            )
    return _join(list(dict.fromkeys(phrases)), lang)


def topic_label(topic: Topic | None, lang: Language) -> str:
    """The year and region a part of a comparison was asked about ("Jilin, 2019")."""
    if topic is None:
        return ""
    region = topic.region.display(lang) if topic.region is not None else None
    if region and topic.year is not None:
        label = say("topic_region_year", lang, region=region, year=topic.year)
    elif region:
        label = say("topic_region", lang, region=region)
    else:
        label = say("topic_year", lang, year=topic.year) if topic.year is not None else ""
    if label and topic.role is not None:
        return say(f"topic_{topic.role}", lang, label=label)
    return label


def decline_message(answer: Answer) -> str:
    """The reply's own sentence for a declined answer ("" when the answer was found). With
    several reports indexed, a year or region none of them covers is declined naming what
    the index has."""
    if answer.reason is None:
        return ""
    lang, scope = answer.language, answer.scope
    if scope is None:
        return clean(say(_DECLINE_WORDS[answer.reason], lang))
    want = scope.want_region.display(lang) if scope.want_region is not None else scope.want
    if scope.indexed:
        # Several reports: say which year and region none covers, and what the index has.
        asked = topic_label(answer.topic, lang) or want
        return clean(say("not_indexed", lang, want=asked, have=coverage(scope.indexed, lang)))
    have = scope.have
    if answer.reason in (DeclineReason.OTHER_REGION, DeclineReason.OTHER_PLACE):
        have = region_name(scope.have, lang) or scope.have
    return clean(say(_DECLINE_WORDS[answer.reason], lang, want=want, have=have))


def view_passages(hits: Sequence[Hit], lang: Language) -> list[PassageView]:
    """Whole passages with their figures marked and their places."""
    return [
        PassageView(
            Excerpt.of(hit.text, [(f.start, f.end) for f in extract_figures(hit.text)]),
            place(citation_of(hit), lang),
            hit,
        )
        for hit in hits
    ]


def _heading(answer: Answer) -> str:
    """ "From the report", or, with several reports indexed, the report it quotes."""
    if answer.report is not None:  # a report's name comes from its metadata: cleaned
        return clean(
            say("answer_from", answer.language, report=report_name(answer.report, answer.language))
        )
    return say("answer", answer.language)


def _part_heading(part: Answer, kind: PartsKind | None) -> str:
    label = clean(topic_label(part.topic, part.language))
    if part.found and part.report is not None:
        heading = _heading(part)
        # Parts that split one year into its result and its target say which each is
        # (2025 · result); a comparison's parts differ by the report, which the heading names.
        return f"{label} — {heading}" if label and kind == PartsKind.ROLES else heading
    return label or _heading(part)


_PARTS_WORDS = {
    PartsKind.COMPARISON: "compared",
    PartsKind.CLOSE: "close",
    PartsKind.ROLES: "roles",
}


def follow_up_context(answer: Answer) -> str:
    """ "Following on: Jiangsu → Zhejiang · 2025 · 地区生产总值" in the reply's language, for
    an answer to a follow-up question ("" for any other)."""
    intent = answer.intent
    if intent is None or intent.previous is None:
        return ""
    lang, previous = answer.language, intent.previous
    bits: list[str] = []

    def changed(old: str, new: str, taken: bool) -> str:
        return new if taken or not old or old == new else f"{old} → {new}"

    def names(rs: Iterable[Region]) -> str:
        return _join([r.display(lang) for r in rs], lang)

    if intent.regions:
        bits.append(
            changed(names(previous.regions), names(intent.regions), "region" in intent.inherited)
        )
    years = [*intent.years] or ([intent.report_year] if intent.report_year else [])
    old_years = [*previous.years] or ([previous.report_year] if previous.report_year else [])
    if years:
        bits.append(
            changed(
                _years(old_years, lang) if old_years else "",
                _years(years, lang),
                "year" in intent.inherited,
            )
        )
    what = (intent.indicators[0].name if intent.indicators else intent.indicator) or ""
    old_what = (previous.indicators[0].name if previous.indicators else previous.indicator) or ""
    if what:
        bits.append(
            changed(
                to_script(old_what, lang) if lang != "en" else old_what,
                to_script(what, lang) if lang != "en" else what,
                "indicator" in intent.inherited,
            )
        )
    if intent.role is not None:
        bits.append(
            changed(
                say(f"role_{previous.role}", lang) if previous.role else "",
                say(f"role_{intent.role}", lang),
                "role" in intent.inherited,
            )
        )
    bits = [b for b in bits if b]
    return clean(say("follow_up", lang, context=" · ".join(bits))) if bits else ""


def view_table(answer: Answer) -> TableView | None:
    """The rows of a table answer as shown: label, role, figure, quote and place."""
    table, lang = answer.table, answer.language
    if table is None:
        return None
    rows: list[RowView] = []
    for row in table.rows:
        region = row.region.display(lang) if row.region is not None else None
        year_label = say("year", lang, year=row.year) if row.year is not None else ""
        label = region if table.by == "region" and region else year_label or region or ""
        quote = None
        if row.quote is not None:
            q = row.quote
            quote = QuoteView(
                Excerpt.of(q.text, [(f.start, f.end) for f in q.figures]),
                place(q.citation, lang),
                q,
            )
        rows.append(
            RowView(
                label=clean(label),
                region=region,
                year=row.year,
                role=say(f"role_{row.role}", lang) if row.role else "",
                figure=row.figure.text if row.figure is not None else "",
                value=row.value,
                unit=row.figure.unit if row.figure is not None else "",
                quote=quote,
                report=clean(report_name(row.report, lang)),
                message="" if row.found else say("row_missing", lang),
                role_code=row.role,
            )
        )
    headings = tuple(
        say(key, lang)
        for key in (
            "column_region" if table.by == "region" else "column_year",
            "column_role",
            "column_figure",
            "column_quote",
        )
    )
    return TableView(table.by, headings, tuple(rows))


def view_answer(answer: Answer) -> AnswerView:
    """The view of ``answer`` in its language (and of each of its parts)."""
    lang = answer.language
    if answer.parts:
        parts = [
            replace(view_answer(p), heading=_part_heading(p, answer.parts_kind))
            for p in answer.parts
        ]
        heading = say(_PARTS_WORDS[answer.parts_kind or PartsKind.COMPARISON], lang)
    elif answer.table is not None:
        table = answer.table
        parts, heading = [], say("table", lang, found=len(table.found), total=len(table.rows))
    else:
        parts, heading = [], _heading(answer)
    quotes = [
        QuoteView(
            Excerpt.of(q.text, [(f.start, f.end) for f in q.figures]),
            place(q.citation, lang),
            q,
        )
        for q in answer.quotes
    ]
    return AnswerView(
        answer=answer,
        language=lang,
        heading=heading,
        quotes=quotes,
        message=decline_message(answer),
        related_heading=say("related", lang),
        related=view_passages(answer.related, lang),
        hint=say("hint", lang),
        parts=parts,
        parts_heading=heading if parts else "",
        context=follow_up_context(answer),
        table=view_table(answer),
    )
