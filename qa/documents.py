"""What a report is made of once read: documents and their passages.

These are plain, immutable records shared by every step (corpus → index → retrieve →
answer → render). ``Passage.text`` is always the report's own text, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from qa.periods import Period, Role

PassageKind = Literal["text", "metadata"]

#: The metadata fields of a document, in the order they are listed: ``date`` is the day it
#: was delivered (its dateline) or else published; ``reviews`` the years it reports results
#: for and ``plans`` the years it sets targets for (a 2026 work report reviews 2025 and
#: plans 2026); ``speaker`` who delivered it.
FIELDS = (
    "title",
    "source",
    "date",
    "region",
    "year",
    "publisher",
    "speaker",
    "reviews",
    "plans",
)

#: Where a metadata value came from, most trusted first: a sidecar ``NAME.meta.json``, the
#: file's front matter, the format's own properties (PDF info, Word core properties, HTML
#: <title>), the document's notes (its "(來源:…)" line), its title line; or inferred — from
#: the title, from the dates it mentions, from the regions it names most; else the file name.
Origin = Literal[
    "sidecar",
    "front matter",
    "file properties",
    "notes",
    "title line",
    "dateline",
    "speaker line",
    "sections",
    "inferred from title",
    "inferred from dates",
    "inferred from text",
    "file name",
]
ORIGINS: tuple[Origin, ...] = get_args(Origin)


@dataclass(frozen=True)
class Document:
    """One report: where it came from and what it is about.

    ``region`` and ``year`` scope what the report can answer (a question about another
    year or province is not answered from this document).
    """

    id: str
    title: str
    path: str = ""
    source: str | None = None
    date: str | None = None  # ISO 8601, e.g. "2020-12-23"
    region: str | None = None
    year: int | None = None
    publisher: str | None = None
    speaker: str | None = None
    reviews: Period | None = None
    plans: Period | None = None
    #: Lines of the document that describe it rather than report on anything (photo credit,
    #: "source: …" line), kept verbatim so that they can be quoted.
    notes: tuple[str, ...] = ()
    #: (field, origin) for each known metadata field: where its value came from.
    origins: tuple[tuple[str, Origin], ...] = ()

    def origin(self, name: str) -> Origin | None:
        """Where the value of the metadata field ``name`` came from (``None`` if unknown)."""
        return dict(self.origins).get(name)

    def fields(self) -> list[tuple[str, str]]:
        """(labels, value) of the document's title, source, date, publisher and region that
        are known. The labels are the words people ask about a field with, in both scripts
        and English, so that "where/when was this published", "這篇報告在哪份報紙發表" or
        "來源是哪裡" match the document's own record (for matching only; never quoted)."""
        labelled = [
            ("標題 标题 title", self.title),
            ("來源 来源 出處 發表於 刊登於 報紙 报纸 source published in newspaper", self.source),
            ("日期 發表日期 发表时间 date published when", self.date),
            ("提供 發布單位 发布单位 publisher author", self.publisher),
            ("地區 地区 region", self.region),
        ]
        return [(label, value) for label, value in labelled if value]

    def labelled_fields(self) -> str:
        """The known fields, one "labels: value" line each (see ``fields``)."""
        return "\n".join(f"{label}: {value}" for label, value in self.fields())

    def covers(self, year: int) -> bool:
        """The report speaks of ``year``: it reviews it or plans it, or — when it says
        neither — it is the report's own year."""
        if self.reviews is None and self.plans is None:
            return self.year == year
        return any(p is not None and year in p for p in (self.reviews, self.plans))

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "path": self.path,
            "source": self.source,
            "date": self.date,
            "region": self.region,
            "year": self.year,
            "publisher": self.publisher,
            "speaker": self.speaker,
            "reviews": self.reviews.label() if self.reviews else None,
            "plans": self.plans.label() if self.plans else None,
            "notes": list(self.notes),
            "origins": dict(self.origins),
        }

    @classmethod
    def from_json(cls, data: dict) -> Document:
        return cls(
            **{
                **data,
                "reviews": Period.parse(data["reviews"]) if data.get("reviews") else None,
                "plans": Period.parse(data["plans"]) if data.get("plans") else None,
                "notes": tuple(data.get("notes") or ()),
                "origins": tuple((data.get("origins") or {}).items()),
            }
        )


@dataclass(frozen=True)
class Passage:
    """A retrievable unit: one paragraph of a document (or the document's metadata).

    ``paragraph`` numbers the document's content paragraphs from 1, headings excluded.
    ``sections`` is the path of headings the paragraph stands under, outermost first
    (``section`` the innermost), and ``period`` / ``role`` what those headings say it is
    about: under 一、2016年工作回顾 the results of 2016, under 二、2017年工作总体部署 the
    targets for 2017 (``None`` where no heading says). A ``metadata`` passage holds the
    document's notes (credit and source lines) so that "where/when was this published"
    finds something to quote.
    """

    id: str
    doc: str
    text: str
    section: str | None = None
    paragraph: int | None = None
    kind: PassageKind = "text"
    title: str | None = field(default=None, compare=False)
    sections: tuple[str, ...] = ()
    period: Period | None = None
    role: Role | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "doc": self.doc,
            "text": self.text,
            "section": self.section,
            "paragraph": self.paragraph,
            "kind": self.kind,
            "title": self.title,
            "sections": list(self.sections),
            "period": self.period.label() if self.period else None,
            "role": self.role,
        }

    @classmethod
    def from_json(cls, data: dict) -> Passage:
        return cls(
            **{
                **data,
                "sections": tuple(data.get("sections") or ()),
                "period": Period.parse(data["period"]) if data.get("period") else None,
            }
        )
