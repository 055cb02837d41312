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
from qa.documents import FIELDS, Document, Origin, Passage
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
    line = (first.section or first.text).strip()
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
    """``doc`` with the title, year and region it does not state inferred from its text."""
    origins: dict[str, Origin] = dict(doc.origins)
    values: dict = {}
    texts = [p.text for p in passages if p.kind == "text"]
    title = doc.title
    if origins.get("title") in (None, "file name"):
        line = title_line(passages, policy=policy)
        if line:
            title, values["title"], origins["title"] = line, line, "title line"
    if doc.year is None:
        from_title = year_in_title(title) if origins.get("title") != "file name" else None
        if from_title is not None:
            values["year"], origins["year"] = from_title, "inferred from title"
        else:
            found = year_in_text(texts[: policy.infer_head_paragraphs])
            if found is not None:
                values["year"], origins["year"] = found, "inferred from dates"
    if not doc.region:
        region, origin = _region(title, texts, origins.get("title"), policy)
        if region is not None:
            script = chinese_script("".join(texts)[: policy.infer_text_chars]) or "zh-Hans"
            values["region"], origins["region"] = to_script(region.name, script), origin
    if not values:
        return doc
    return replace(doc, **values, origins=tuple((f, origins[f]) for f in FIELDS if f in origins))


def _region(
    title: str, texts: Sequence[str], title_origin: str | None, policy: IndexPolicy
) -> tuple[regions.Region | None, Origin]:
    if title_origin != "file name":
        named = regions.named_in(title)
        if named:
            return named[0].region, "inferred from title"
    text = "\n".join(texts)[: policy.infer_text_chars]
    return regions.most_named(text, min_mentions=policy.infer_region_min_mentions), (
        "inferred from text"
    )
