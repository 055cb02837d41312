"""Metadata a report does not state: its title, year and region read off the document itself.

A sidecar, front matter or the format's own properties always win (``reader``); what they
leave open is inferred here, each value with its origin:

* **title** — the document's first line when it reads as a title (short, no sentence
  punctuation at its end), else the file name;
* **year** — the year the title names (the latest, for "2019–2020年…"); else the year of
  the publication date in the notes; else the year the first paragraphs mention most
  (years and dates, 2020年 / 2020.12.23; a tie goes to the later year);
* **region** — the region the title names (a province, a prefecture or the whole country);
  else the province the text names most (a prefecture counts for its province; see
  ``qa.regions.most_named``), written in the document's own script.

The numbers (how long a title line may be, how many paragraphs are read for years, how
often a province must be named) are in ``qa.policy.IndexPolicy``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from qa import regions
from qa.corpus.layout import is_dateline, venue_of
from qa.documents import FIELDS, Document, Origin, Passage
from qa.lang import zh
from qa.periods import Period, section_period, time_mentions
from qa.policy import DEFAULT, IndexPolicy
from qa.text import chinese_script, to_script

_SENTENCE_END = tuple("。！？；.!?;…:：,，")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*(?:年|[.\-/．]\d{1,2}[.\-/．]\d{1,2}))")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def title_line(passages: Sequence[Passage], *, policy: IndexPolicy = DEFAULT.index) -> str | None:
    """The document's first line when it reads as a title: the heading over the first
    paragraph, or the first paragraph itself when it is short and ends without sentence
    punctuation."""
    first = next((p for p in passages if p.kind == "text"), None)
    if first is None:
        return None
    line = ((first.sections[0] if first.sections else first.section) or first.text).strip()
    if 0 < len(line) <= policy.infer_title_max_chars and not line.endswith(_SENTENCE_END):
        return line
    return None


def year_in_title(title: str) -> int | None:
    years = [int(y) for y in _TITLE_YEAR.findall(title)]
    return max(years) if years else None


def year_in_text(paragraphs: Sequence[str]) -> int | None:
    """The year the paragraphs mention most (as a year or in a date); ties: the later."""
    counts = Counter(int(y) for text in paragraphs for y in _YEAR.findall(text))
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def complete(
    doc: Document, passages: Sequence[Passage], *, policy: IndexPolicy = DEFAULT.index
) -> Document:
    """``doc`` with the title, year, region and periods it does not state inferred from its
    text (each with its origin)."""
    origins: dict[str, Origin] = dict(doc.origins)
    values: dict = {}
    texts = [p.text for p in passages if p.kind == "text"]
    title = doc.title
    if origins.get("title") in (None, "file name"):
        line = title_line(passages, policy=policy)
        if line:
            title, values["title"], origins["title"] = line, line, "title line"
    year = doc.year
    if year is None:
        from_title = year_in_title(title) if origins.get("title") != "file name" else None
        if from_title is not None:
            year = values["year"] = from_title
            origins["year"] = "inferred from title"
        else:
            found = year_in_text(texts[: policy.infer_head_paragraphs])
            if found is not None:
                year = values["year"] = found
                origins["year"] = "inferred from dates"
    if not doc.region:
        region, origin = _region(doc, title, texts, origins.get("title"), policy)
        if region is not None:
            script = chinese_script("".join(texts)[: policy.infer_text_chars]) or "zh-Hans"
            values["region"], origins["region"] = to_script(region.name, script), origin
    if doc.reviews is None and doc.plans is None and year is not None:
        reviews, plans = _periods(doc, year, passages, policy)
        if reviews is not None:
            values["reviews"], origins["reviews"] = reviews, _periods_origin(passages)
        if plans is not None:
            values["plans"], origins["plans"] = plans, _periods_origin(passages)
    if not values:
        return doc
    return replace(doc, **values, origins=tuple((f, origins[f]) for f in FIELDS if f in origins))


def _region(
    doc: Document, title: str, texts: Sequence[str], title_origin: str | None, policy: IndexPolicy
) -> tuple[regions.Region | None, Origin]:
    """The region of the title; else of the dateline's congress (广东省…人民代表大会 → 广东省,
    全国人民代表大会 → the country); else the province the opening names that dominates the
    text — never a place the text merely mentions more than others."""
    if title_origin != "file name":
        named = regions.named_in(title)
        if named:
            return named[0].region, "inferred from title"
    for note in doc.notes:
        if is_dateline(note):
            venue = venue_of(note) or ""
            congress = venue.find(zh.CONGRESS)
            named = regions.named_in(venue[: congress if congress > 0 else len(venue)])
            if named:
                return named[0].region, "dateline"
    text = "\n".join(texts)[: policy.infer_text_chars]
    region = regions.most_named(
        text, min_mentions=policy.infer_region_min_mentions, min_share=policy.infer_region_min_share
    )
    if region is not None and texts and not regions.names(texts[0], region):
        region = None  # named most, but not where the report introduces its subject
    return region, "inferred from text"


def _periods(
    doc: Document, year: int, passages: Sequence[Passage], policy: IndexPolicy
) -> tuple[Period | None, Period | None]:
    """The year a report reviews and the year it plans. Its section headings say so where
    they name a year (一、2016年工作回顾 · 二、2017年工作总体部署); otherwise a report
    delivered (dated) in the first part of year Y reviews Y−1 and plans Y, one delivered late
    in Y reviews Y and plans Y+1 — as annual work reports do. An undated report says
    neither."""
    late = bool(
        doc.date
        and doc.origin("date") == "dateline"
        and (int(doc.date[5:7]) >= policy.infer_late_month)
    )
    reviewed: list[int] = []
    planned: list[int] = []
    for heading in dict.fromkeys(h for p in passages for h in p.sections):
        _, role = section_period(heading, anchor=year)
        singles = [
            m.period.start
            for m in time_mentions(heading, anchor=year)
            if m.kind in ("year", "relative") and m.period is not None
        ]
        if role == "result":
            # 一、1993年国内工作的回顾和1994年工作的基本方针: the year of delivery is planned.
            reviewed.extend(y for y in singles if y < year or (late and y == year))
        elif role == "target":
            planned.extend(y for y in singles if y >= year)
    reviews = Period.of(max(reviewed)) if reviewed else None
    plans = Period.of(min(planned)) if planned else None
    if (reviews is None or plans is None) and doc.date and doc.origin("date") == "dateline":
        base = year if late else year - 1
        reviews = reviews or Period.of(base)
        plans = plans or Period.of(base + 1)
    return reviews, plans


def _periods_origin(passages: Sequence[Passage]) -> Origin:
    return "sections" if any(p.period is not None for p in passages) else "dateline"
