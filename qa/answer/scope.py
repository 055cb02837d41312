"""Which years and regions a question names, and whether a report covers them.

The classic wrong answer quotes the 2020 Heilongjiang figure to a question about 2019 or
about Jilin. A question *names* years ("2019年", "in 2019", "二〇一九年") and regions — the
whole country, provinces in any script or in English, and the prefectures and counties
below them (哈爾濱市, 齊齊哈爾, Harbin, 杜爾伯特; each stands for its province) — found with
``qa.regions``. Each (region, year) combination it names is a ``Topic``; the answer step
routes each topic to the reports whose metadata cover it (``qa.answer.routing``).

A report is out of scope for a topic when it is about another year (or region), and the
passage found does not mention the asked one either: a 2020 report's "2019年度政治生態建設"
still answers a question about 2019年度.

A question about a place *below* a report's region (a city or county of the province) is
routed to the province's report, and is out of scope there too unless the passage found
names that place (``check_place``): the province's figure is not the city's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from qa import regions
from qa.answer.numbers import parse_quantities
from qa.documents import Document
from qa.periods import Role
from qa.regions import Region
from qa.text import fold

#: Calendar years a question can name.
MIN_YEAR, MAX_YEAR = 1900, 2100
_YEAR_UNITS = frozenset({"年", "年度", ""})


@dataclass(frozen=True)
class Topic:
    """One (region, year) combination a question asks about, either may be ``None``; with
    ``role``, the year's results or its targets."""

    region: Region | None = None
    year: int | None = None
    role: Role | None = None
    #: The report the question names by its year (1984年政府工作报告), if any.
    report_year: int | None = None


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
    """The country and provinces the question names, in order; a prefecture or county
    named (哈爾濱市, 齊齊哈爾, Harbin) stands for its province. Names that are everyday
    words (白銀 "silver", 日照 "sunshine") are not place names (``qa.regions``)."""
    out: list[Region] = []
    for mention in regions.named_in(question, levels=regions.LEVELS):
        region: Region | None = mention.region
        if region is not None and region.level in ("prefecture", "county"):
            provinces = {regions.province_of(r) for r in mention.alternatives}
            # A county name shared by several provinces names none of them.
            region = provinces.pop() if len(provinces) == 1 else None
        if region is not None:
            out.append(region)
    return tuple(dict.fromkeys(out))


def named_places(question: str) -> list[regions.Mention]:
    """The prefectures and counties the question names, in order (a name a province shares,
    吉林 or "Jilin", is the province's)."""
    return [
        m
        for m in regions.named_in(question, levels=regions.LEVELS)
        if m.region.level in ("prefecture", "county")
    ]


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
    """The report's metadata cover ``topic``: its region, and the year asked — reviewed for
    a result, planned for a target, either when the role is open (a report that states no
    period covers its own year)."""
    if topic.region is not None and not region_covers(topic.region, document_region(doc)):
        return False
    if topic.report_year is not None and doc.year != topic.report_year:
        return False
    if topic.year is None:
        return True
    if doc.reviews is None and doc.plans is None:
        return doc.year == topic.year
    periods = {"result": (doc.reviews,), "target": (doc.plans,)}.get(
        topic.role or "", (doc.reviews, doc.plans)
    )
    return any(p is not None and topic.year in p for p in periods)


@dataclass(frozen=True)
class OutOfScope:
    """Why a question is outside what a document covers: what was asked (``want``, and the
    region asked about when it is one), what the document covers (``have``), and what the
    index has (``indexed``: the reports the reply lists instead)."""

    reason: str  # "other_year" | "other_region" | "other_place"
    want: str  # what the question asks about
    have: str  # what the document covers
    want_region: Region | None = None
    indexed: tuple[Document, ...] = field(default=(), compare=False)


def _mentions(passage: str, region: Region) -> bool:
    return any(region.contains(m.region) for m in regions.named_in(passage, levels=regions.LEVELS))


def check_scope(
    question: str,
    *,
    year: int | None,
    region: str | None,
    passage_text: str,
    topic: Topic | None = None,
    covered: tuple[int, ...] = (),
) -> OutOfScope | None:
    """``OutOfScope`` when the question is about another year or region than the document
    (``year``, ``region``; ``covered`` are the years it reviews or plans, when it says) and
    the passage found does not mention the asked one.

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
        own_years = set(covered) if covered else {year}
        others = [y for y in asked.years if y not in own_years and str(y) not in p]
        if others and not own_years & set(asked.years):
            return OutOfScope("other_year", want=str(others[0]), have=str(year))
    own = regions.lookup(region) if region else None
    if region is not None and own is not None and asked.regions:
        inside = [r for r in asked.regions if region_covers(r, own) or own.contains(r)]
        outside = [r for r in asked.regions if r not in inside and not _mentions(passage_text, r)]
        if outside and not inside:
            want = outside[0]
            return OutOfScope("other_region", want=want.short, have=region, want_region=want)
    return None


def check_place(question: str, *, region: str | None, passage_text: str) -> OutOfScope | None:
    """``OutOfScope`` ("other_place") when the question names a place below the document's
    ``region`` (a prefecture or county of its province) that the passage found does not
    name: the report covers the province as a whole, and its figure is not the place's."""
    own = regions.lookup(region) if region else None
    if region is None or own is None:
        return None
    for mention in named_places(question):
        below = [r for r in mention.alternatives if r.code != own.code and own.contains(r)]
        if below and not any(regions.names(passage_text, r) for r in below):
            return OutOfScope("other_place", want=below[0].name, have=region, want_region=below[0])
    return None


__all__ = [
    "Named",
    "OutOfScope",
    "Topic",
    "check_place",
    "check_scope",
    "covers",
    "document_region",
    "named",
    "named_places",
    "named_regions",
    "named_years",
    "region_covers",
]
