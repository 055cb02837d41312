"""What a report is made of once read: documents and their passages.

These are plain, immutable records shared by every step (corpus → index → retrieve →
answer → render). ``Passage.text`` is always the report's own text, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PassageKind = Literal["text", "metadata"]


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
    #: Lines of the document that describe it rather than report on anything (photo credit,
    #: "source: …" line), kept verbatim so that they can be quoted.
    notes: tuple[str, ...] = ()

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
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict) -> Document:
        return cls(**{**data, "notes": tuple(data.get("notes") or ())})


@dataclass(frozen=True)
class Passage:
    """A retrievable unit: one paragraph of a document (or the document's metadata).

    ``paragraph`` numbers the document's content paragraphs from 1, headings excluded.
    A ``metadata`` passage holds the document's notes (credit and source lines) so that
    "where/when was this published" finds something to quote.
    """

    id: str
    doc: str
    text: str
    section: str | None = None
    paragraph: int | None = None
    kind: PassageKind = "text"
    title: str | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "doc": self.doc,
            "text": self.text,
            "section": self.section,
            "paragraph": self.paragraph,
            "kind": self.kind,
            "title": self.title,
        }

    @classmethod
    def from_json(cls, data: dict) -> Passage:
        return cls(**data)
