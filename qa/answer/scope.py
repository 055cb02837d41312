"""Which years and regions a question names, and whether a report covers them.

The classic wrong answer quotes the 2020 Heilongjiang figure to a question about 2019 or
about Jilin. A question *names* years ("2019年", "in 2019", "二〇一九年") and regions — the
whole country, provinces in any script or in English, and a prefecture by its full name
(哈爾濱市, which stands for its province) — found with ``qa.regions``. Each (region, year)
combination it names is a ``Topic``; the answer step routes each topic to the reports whose
metadata cover it (``qa.answer.routing``).

A report is out of scope for a topic when it is about another year (or region), and the
passage found does not mention the asked one either: a 2020 report's "2019年度政治生態建設"
still answers a question about 2019年度.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from qa import regions
from qa.answer.numbers import parse_quantities
from qa.documents import Document
from qa.regions import Region
from qa.text import fold

#: Calendar years a question can name.
MIN_YEAR, MAX_YEAR = 1900, 2100
_YEAR_UNITS = frozenset({"年", "年度", ""})


@dataclass(frozen=True)
class Topic:
    """One (region, year) combination a question asks about; either may be ``None``."""

    region: Region | None = None
    year: int | None = None


@dataclass(frozen=True)
class Named:
    """The years and regions (the country or provinces) a question names, in order."""

    years: tuple[int, ...] = ()
    regions: tuple[Region, ...] = ()

    def topics(self) -> list[Topic]:
        """Each combination asked about, regions first, in the order named; empty when the
        question names neither a year nor a region."""
        if not self.years and not self.regions:
            return []
        return [
            Topic(region, year)
            for region, year in product(self.regions or (None,), self.years or (None,))
        ]


def named_years(question: str) -> tuple[int, ...]:
    """Calendar years the question names, in order ("2019年", "in 2019", "2019年度")."""
    years = [
        int(q.value)
        for q in parse_quantities(question)
        if q.kind == "date"
        and q.unit in _YEAR_UNITS
        and q.value == int(q.value)
        and MIN_YEAR <= q.value <= MAX_YEAR
    ]
    return tuple(dict.fromkeys(years))


def named_regions(question: str) -> tuple[Region, ...]:
    """The country and provinces the question names, in order; a prefecture named by its
    full name (哈爾濱市) stands for its province. Short prefecture names are left out: many
    are everyday words (白銀 "silver", 日照 "sunshine", 開封 "to unseal")."""
    out: list[Region] = []
    for mention in regions.named_in(question):
        region = mention.region
        if region.level == "prefecture":
            if mention.form != "name":
                continue
            region = regions.province_of(region)
        if region is not None:
            out.append(region)
    return tuple(dict.fromkeys(out))


def named(question: str) -> Named:
    """The years and regions ``question`` names."""
    return Named(named_years(question), named_regions(question))


def document_region(doc: Document) -> Region | None:
    """The region a report's metadata names (``None`` when unknown or not a division)."""
    return regions.lookup(doc.region) if doc.region else None


def region_covers(asked: Region, own: Region | None) -> bool:
    """A report about ``own`` covers a question about ``asked``: the same region, or one
    within it (a prefecture's report is about its province too; a province's report is not
    about the whole country)."""
    if own is None:
        return False
    return own.code == asked.code or (asked.level != "country" and asked.contains(own))


def covers(doc: Document, topic: Topic) -> bool:
    """The report's metadata cover ``topic`` (its year, its region)."""
    if topic.year is not None and doc.year != topic.year:
        return False
    return topic.region is None or region_covers(topic.region, document_region(doc))


@dataclass(frozen=True)
class OutOfScope:
    """Why a question is outside what a document covers: what was asked (``want``, and the
    region asked about when it is one), what the document covers (``have``), and what the
    index has (``indexed``: the reports the reply lists instead)."""

    reason: str  # "other_year" | "other_region"
    want: str  # what the question asks about
    have: str  # what the document covers
    want_region: Region | None = None
    indexed: tuple[Document, ...] = field(default=(), compare=False)


def _mentions(passage: str, region: Region) -> bool:
    return any(
        region.contains(m.region)
        for m in regions.named_in(passage, levels=("country", "province", "prefecture"))
    )


def check_scope(
    question: str,
    *,
    year: int | None,
    region: str | None,
    passage_text: str,
    topic: Topic | None = None,
) -> OutOfScope | None:
    """``OutOfScope`` when the question is about another year or region than the document
    (``year``, ``region``) and the passage found does not mention the asked one.

    ``topic`` is the one (region, year) asked about, when the question names several;
    otherwise every year and region the question names counts, and naming the document's
    own alongside another is not out of scope.
    """
    asked = (
        named(question)
        if topic is None
        else Named(
            (topic.year,) if topic.year is not None else (),
            (topic.region,) if topic.region is not None else (),
        )
    )
    p = fold(passage_text)
    if year is not None and asked.years:
        others = [y for y in asked.years if y != year and str(y) not in p]
        if others and year not in asked.years:
            return OutOfScope("other_year", want=str(others[0]), have=str(year))
    own = regions.lookup(region) if region else None
    if own is not None and asked.regions:
        inside = [r for r in asked.regions if region_covers(r, own) or own.contains(r)]
        others = [r for r in asked.regions if r not in inside and not _mentions(passage_text, r)]
        if others and not inside:
            want = others[0]
            return OutOfScope("other_region", want=want.short, have=region, want_region=want)
    return None


__all__ = [
    "Named",
    "OutOfScope",
    "Topic",
    "check_scope",
    "covers",
    "document_region",
    "named",
    "named_regions",
    "named_years",
    "region_covers",
]
