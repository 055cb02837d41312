"""The JSON API's typed models: what a request may hold, and what each answer holds — the
OpenAPI schema at ``/openapi.json`` is made from them.

The answer itself is the object ``qa ask --json`` prints (``qa.present.as_json``), sent as
that object: these models describe it (a test checks every answer against them) and allow
keys they do not list yet, so the API never drops what the library adds to an answer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qa import MAX_QUESTION_CHARS

Lang = Literal["zh-Hant", "zh-Hans", "en"]


class _Open(BaseModel):
    """A response object that may carry keys the schema does not list yet."""

    model_config = ConfigDict(extra="allow")


# -- requests ---------------------------------------------------------------------------


class AskRequest(BaseModel):
    """A question, with the conversation it follows and the reports to answer from."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "全省發放了多少低保金？"}]},
    )

    question: str = Field(
        description=f"The question (at most {MAX_QUESTION_CHARS} characters), in Traditional "
        "or Simplified Chinese or English."
    )
    conversation: str | None = Field(
        None,
        description="The conversation id of an earlier answer: the question follows it "
        "(what it leaves unsaid is read from that answer). Leave it out to start one.",
    )
    documents: list[str] | None = Field(
        None,
        max_length=100,
        description="Report ids (GET /api/sources): answer from these reports only.",
    )
    lang: Lang | None = Field(
        None, description="Language of the answer's own words (default: the question's)."
    )


class FeedbackRequest(BaseModel):
    """👍 or 👎 on an answer; a 👎 may name the passage that should have answered."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(description="The answer_id of the answer rated.")
    rating: Literal["up", "down"]
    passage: str | None = Field(
        None,
        description="With 'down': the id of the passage that should have answered, one of "
        "the answer's passages.",
    )


# -- the answer (qa ask --json) ---------------------------------------------------------


class FigureModel(_Open):
    text: str
    start: int
    end: int
    value: int | float
    unit: str | None
    kind: str
    qualifier: str | None


class CitationModel(_Open):
    document: str
    section: str | None
    paragraph: int | None
    source: str | None
    date: str | None
    doc_id: str
    passage_id: str


class QuoteModel(_Open):
    text: str
    figures: list[FigureModel]
    citation: CitationModel
    span: list[int] = Field(description="[start, end] of the quote in its passage's text")


class HitModel(_Open):
    id: str
    text: str
    score: float
    doc: str
    title: str | None
    section: str | None
    paragraph: int | None
    kind: str
    source: str | None
    date: str | None


class DocumentModel(_Open):
    id: str
    title: str
    year: int | None
    region: str | None
    source: str | None
    date: str | None
    publisher: str | None
    path: str
    origins: dict[str, str]


class TopicModel(_Open):
    year: int | None
    region: str | None
    role: str | None = None
    report_year: int | None = None


class IntentPartModel(_Open):
    """One part of a comparison as the question asked it."""

    region: str | None
    year: int | None
    role: str | None
    report_year: int | None


class IntentTableModel(_Open):
    """What a question over a set of reports asked for: every province, a group of
    provinces, or a run of years (``"1990–2000"``, ``"every"``), and the order asked."""

    every_region: bool
    group: str | None
    years: str | None
    order: Literal["asc", "desc"] | None


class IntentModel(_Open):
    """How the question was read (``qa.answer.intent``): what it asks about, of which
    period, region and role; for a follow-up, what it took over from the question before."""

    question: str
    language: Lang
    indicator: str | None
    indicators: list[str]
    measure: str | None
    kinds: list[str]
    unit: str | None
    years: list[int]
    relative_year: int | None
    report_year: int | None
    role: Literal["result", "target"] | None
    average: bool
    regions: list[str]
    places: list[str]
    entities: list[str]
    parts: list[IntentPartModel]
    table: IntentTableModel | None = Field(
        description="A question over a set of reports (one row per report); null otherwise."
    )
    inherited: list[str] = Field(
        description="For a follow-up: what it took over from the question before "
        "('region', 'year', 'indicator', 'role', 'measure')."
    )
    search: str = Field(description="The text the reports were searched with.")


class PartModel(_Open):
    heading: str
    found: bool
    message: str
    reason: str | None
    topic: TopicModel
    report: DocumentModel | None
    quotes: list[QuoteModel]


class TableRowModel(_Open):
    """One report's row of a table answer: what it is for (a region or a year) and the
    figure with the clause that states it — or ``found: false`` when the report states no
    such figure."""

    label: str = Field(description="The region or the year, in the reply's language")
    region: str | None
    year: int | None
    found: bool
    role: Literal["result", "target"] | None = Field(
        description="Whether the figure is a result or a target (null when not found)"
    )
    figure: str | None = Field(description="The figure as written, e.g. '58.68億元'")
    value: float | None = Field(description="Its value in base units (5868000000.0)")
    unit: str | None
    report: str = Field(description="The report the row is read from, as the reply names it")
    quote: QuoteModel | None = Field(description="The clause quoted, with its citation")


class TableModel(_Open):
    """A question over a set of reports: one row per report, in the question's order."""

    by: Literal["region", "year"]
    rows: list[TableRowModel]


class LinksModel(_Open):
    """Where a table answer's CSV and chart are (routes of this server, outside ``/api``)."""

    table_csv: str = Field(description="The table as CSV (UTF-8 with a BOM)")
    chart: str | None = Field(description="The chart as PNG; null: nothing to plot")


class AnswerModel(_Open):
    """The answer as ``qa ask --json`` prints it, plus its ``answer_id`` (for feedback) and
    ``conversation`` (for a follow-up question)."""

    question: str
    found: bool
    language: Lang
    message: str
    reason: str | None
    quotes: list[QuoteModel]
    related: list[HitModel]
    passages: list[HitModel]
    report: DocumentModel | None
    parts_kind: str | None
    parts: list[PartModel]
    intent: IntentModel | None = Field(description="How the question was read.")
    table: TableModel | None = Field(
        description="A question over a set of reports (各省…, 历年…, each province's …): "
        "one row per report; null for any other question."
    )
    context: str | None = Field(
        description="For a follow-up question, what it took over from the one before, in "
        "the reply's language ('Following on from your last question: Heilongjiang → "
        "Jilin · 2020 · …'); null otherwise."
    )
    answer_id: str | None = Field(description="Rate it with POST /api/feedback (null: off).")
    conversation: str = Field(description="Send it with the next question to follow this one.")
    turn: int = Field(description="The answer's number in its conversation (1, 2, …).")
    links: LinksModel | None = Field(
        description="For a table answer, where its CSV and chart are; null otherwise."
    )


# -- the other resources ----------------------------------------------------------------


class PassageContextModel(_Open):
    """A passage with the passages of its section around it, in report order."""

    passage: HitModel
    before: list[HitModel]
    after: list[HitModel]


class FigureRowModel(_Open):
    """One figure of a report's figure sheet (``qa figures --json``)."""

    doc: str
    document: str
    section: str | None
    paragraph: int | None
    passage_id: str
    figure: str
    value: int | float
    unit: str
    kind: str
    qualifier: str
    measures: str
    sentence: str


class HealthModel(_Open):
    """What the server serves now."""

    status: Literal["ok"]
    version: str
    generation: str
    built_at: str
    model: str
    runtime: str = Field(description="backend and precision, e.g. 'onnx fp32'")
    reports: int
    passages: int


class FeedbackModel(_Open):
    """A rating as stored: one per answer (rating again replaces it)."""

    answer: str
    rating: Literal["up", "down"]
    passage: str | None
    exportable: bool = Field(description="whether `qa feedback export` makes it a question")


class ErrorModel(BaseModel):
    """An error: one line saying what is wrong."""

    detail: str
