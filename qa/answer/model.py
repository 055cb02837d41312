"""What an answer is made of: quotes with their figures and citations, or a decline with its
reason. Plain immutable records; wording them for people is the presentation layer's job
(``qa.present``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from qa.answer.figures import Figure
from qa.answer.intent import Intent

if TYPE_CHECKING:
    from qa.answer.table import Table
from qa.answer.scope import OutOfScope, Topic
from qa.documents import Document
from qa.i18n import Language
from qa.retrieve import Hit


class DeclineReason(str, Enum):
    """Why Report QA says the reports do not answer a question (the value is what JSON
    output carries)."""

    #: The index holds no passage at all.
    NO_PASSAGES = "no_passages"
    #: The question names a year the report does not cover (2019 for a 2020 report).
    OTHER_YEAR = "other_year"
    #: The question names a region the report does not cover (吉林 for a Heilongjiang one).
    OTHER_REGION = "other_region"
    #: The question names a place below the report's region (a city or county of its
    #: province) that the passage found does not name: the province's figure is not its.
    OTHER_PLACE = "other_place"
    #: The question has next to nothing in common with the reports, in words or in meaning
    #: ("hello", "asdf", a question about something else entirely).
    NO_EVIDENCE = "no_evidence"
    #: A "how much / how many" question whose best sentences state no such figure.
    NO_FIGURE = "no_figure"
    #: A "how many X" question whose quoted figures count something else than X.
    OTHER_COUNT = "other_count"
    #: A question about a whole (a budget, a total over a category) whose quoted figures
    #: are items of it.
    NO_TOTAL = "no_total"
    #: A "who is the X" question whose quotes never name an X.
    NO_ROLE = "no_role"
    #: The question names an organisation, a company or a project that the quoted clause
    #: does not name: another entity's figure is not its.
    OTHER_ENTITY = "other_entity"


class PartsKind(str, Enum):
    """Why an answer comes in parts, one per report (the value is what JSON carries)."""

    #: The question names two or more years or regions: one part each, in the order asked.
    COMPARISON = "comparison"
    #: Several reports answer a figure question closely: side by side, newest first.
    CLOSE = "close"
    #: A year's result and its target, from the report reviewing it and the one planning it
    #: (asked for neither alone): the result first.
    ROLES = "roles"
    #: A question over a set of reports (every province, a group, a run of years): one row
    #: per report in ``Answer.table``.
    TABLE = "table"


@dataclass(frozen=True)
class Citation:
    """Where a quote stands, for a reader to check. ``paragraph`` is ``None`` for a line of
    the document's notes (credit, source)."""

    document: str
    section: str | None
    paragraph: int | None
    source: str | None
    date: str | None
    doc_id: str
    passage_id: str


def citation_of(hit: Hit) -> Citation:
    """The citation of a retrieved passage."""
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


@dataclass(frozen=True)
class Quote:
    """A verbatim excerpt of a passage (``text == passage_text[start:end]``), with its
    figures (spans relative to ``text``) and citation."""

    text: str
    figures: tuple[Figure, ...]
    citation: Citation
    start: int
    end: int
    passage_text: str = field(repr=False)
    score: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What Report QA says to a question: quotes of the report, or a decline.

    ``found`` is false when the reports do not answer; ``reason`` says why, ``scope`` what
    was asked and what is covered (for another year or region), ``quotes`` are then empty
    and ``related`` may list nearby passages, which are *not* an answer. ``hits`` are all
    the passages retrieved, best first. ``language`` is the language of the reply's own
    words (quotes stay in the report's).

    With several reports indexed, ``report`` is the one the quotes come from, and ``topic``
    the year and region a routed answer was asked about. A question naming two or more
    years or regions — or answered closely by several reports — is answered in ``parts``
    (one ``Answer`` per report or topic, each possibly declined with its own reason;
    ``parts_kind`` says which). Such an answer's own ``quotes`` are all its found parts'
    quotes, and it is ``found`` when any part is, so a caller that ignores parts still
    gets the quotes.
    """

    question: str
    language: Language
    quotes: list[Quote] = field(default_factory=list)
    reason: DeclineReason | None = None
    scope: OutOfScope | None = None
    related: list[Hit] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    report: Document | None = None
    topic: Topic | None = None
    parts: list[Answer] = field(default_factory=list)
    parts_kind: PartsKind | None = None
    #: How the question was read (``qa.answer.intent``): what a follow-up inherits.
    intent: Intent | None = field(default=None, compare=False)
    #: A question over a set of reports: its rows (``qa.answer.table``); ``quotes`` are
    #: the rows' quotes in order.
    table: Table | None = field(default=None, compare=False)
    #: Seconds each step of answering took (``qa.timing``): read (the question), encode,
    #: lexical, dense, fusion (retrieval), sentences (embedding candidate sentences),
    #: compose (everything else) and total. Empty when not measured.
    seconds: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def found(self) -> bool:
        """True when the quotes answer the question."""
        return self.reason is None


__all__ = ["Answer", "Citation", "DeclineReason", "PartsKind", "Quote", "citation_of"]
