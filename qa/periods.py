"""Periods: the years a piece of text is about, and whether it reports a result or sets a target.

Official reports speak of time in a few ways, all read here from ``qa.lang.zh``'s words:

* calendar years in any notation — 2025年, １９９６年, 一九五八年, 2019年度 — and ranges
  (2021—2025年, 1990年到2000年), decades (1990年代, 九十年代);
* five-year plans — 十四五, “八五”, 第十个五年计划 — whose number gives their years;
* years relative to the year the text speaks from — 今年, 去年, 过去五年, 今后五年 — read
  against an ``anchor`` (a report's year; for a question, the report it asks about);
* goals (到2030年) and averages over a span (年均增长).

A report of year Y reviews Y−1 and sets Y's targets; its sections say which part is which
(一、2016年工作回顾 · 二、2017年工作总体部署). ``section_period`` reads a heading's period and
role; ``qa.corpus.infer`` reads a document's from its sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from qa.lang import zh
from qa.numerals import chinese_numeral
from qa.text import fold_chars

Role = Literal["result", "target"]
MentionKind = Literal["year", "range", "decade", "plan", "relative", "span", "goal", "average"]
ROLES: tuple[Role, ...] = ("result", "target")

#: Calendar years a text can name.
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True, order=True)
class Period:
    """The years ``start`` to ``end`` (inclusive); one year when they are equal."""

    start: int
    end: int

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.start <= year <= self.end

    @property
    def single(self) -> bool:
        return self.start == self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def label(self) -> str:
        """2025, or 2021–2025."""
        return str(self.start) if self.single else f"{self.start}–{self.end}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """``Period.parse("2025")``, ``Period.parse("2021-2025")`` (also – or —)."""
        parts = re.split(r"\s*[-–—]\s*", str(text).strip())
        years = [int(p) for p in parts if p]
        if not years or len(years) > 2:
            raise ValueError(f"not a year or a range of years: {text!r}")
        return cls(min(years), max(years))

    @classmethod
    def of(cls, year: int) -> Period:
        return cls(year, year)


@dataclass(frozen=True)
class TimeMention:
    """A piece of text that names a period: ``text[start:end]``."""

    start: int
    end: int
    kind: MentionKind
    period: Period | None  # None for an average (年均) and a relative year with no anchor


def five_year_plan(number: int) -> Period | None:
    """The years of China's ``number``-th five-year plan (1st 1953–57, 2nd 1958–62; the 3rd
    began in 1966 after three years of adjustment; the 14th is 2021–25)."""
    if number == 1:
        return Period(1953, 1957)
    if number == 2:
        return Period(1958, 1962)
    if 3 <= number <= 30:
        start = 1966 + 5 * (number - 3)
        return Period(start, start + 4)
    return None


_DIGIT = "0-9０-９"
_YEAR_DIGITS = rf"[12１２](?:\s?[{_DIGIT}]){{3}}"
_CN_YEAR = "[〇零一二三四五六七八九]{4}"
_ANY_YEAR = rf"(?:{_YEAR_DIGITS}|{_CN_YEAR})"
_RANGE = re.compile(
    rf"(?<![{_DIGIT}])({_ANY_YEAR})\s*年?\s*(?:[-—–~～至到]|——)\s*({_ANY_YEAR})\s*年(?!代)"
)
_YEAR = re.compile(rf"(?<![{_DIGIT}])({_ANY_YEAR})\s*年(?!代)")
_BARE_YEAR = re.compile(rf"(?<![{_DIGIT}.．])({_YEAR_DIGITS})(?![{_DIGIT}.．%％])")
_DECADE = re.compile(rf"(?<![{_DIGIT}])(?:({_YEAR_DIGITS})|([一二三四五六七八九]十))年代")
_PLAN = re.compile(
    r"(?:第([一二三四五六七八九十]+)个五年(?:计划|规划))"
    r"|([“\"‘'「]?)(十[一二三四五]?|[一二三四五六七八九])五([”\"’'」]?)"
)
_COUNT = r"[一二两三四五六七八九十\d]+"
_PAST_SPAN = re.compile(
    rf"(?:({'|'.join(zh.PAST_SPAN_BEFORE)})({_COUNT})年(?:{'|'.join(zh.PAST_SPAN_AFTER)})?"
    rf"|({_COUNT})年(?:{'|'.join(zh.PAST_SPAN_AFTER)}))"
)
_FUTURE_SPAN = re.compile(rf"(?:{'|'.join(zh.FUTURE_SPAN_BEFORE)})({_COUNT})年")
#: "from 1996 to 2000", "between 1996 and 2000", "1996-2000", "1996 through 2000" (a plain
#: "1996 and 2000" names two years, not the run between them).
_EN_RANGE = re.compile(
    r"(?:\b(?:from|between)\s+)?(?P<first>\b(?:1[89]|20)\d\d)\s*"
    r"(?:[-–—~]|\bto\b|\bthrough\b|\buntil\b|(?<=between\s(?:1[89]|20)\d\d\s)and\b)\s*"
    r"(?P<last>(?:1[89]|20)\d\d)\b"
)
_EN_DECADE = re.compile(r"(?<![0-9])((?:19|20)[0-9]0)'?s\b")
_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")


def _year(text: str) -> int | None:
    digits = re.sub(r"\s", "", text).translate(_ASCII)
    if digits.isdigit():
        year = int(digits)
    else:
        read = chinese_numeral(digits)
        if read is None:
            return None
        year = int(read[0])
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _count(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    read = chinese_numeral(text.replace("两", "二"))
    return int(read[0]) if read is not None else None


def time_mentions(
    text: str, *, anchor: int | None = None, bare_years: bool = False
) -> list[TimeMention]:
    """The periods ``text`` names, in order, not overlapping. ``anchor`` is the year the text
    speaks from (今年); without it relative years have no period. ``bare_years`` also reads
    a four-digit year without 年 (a question's "in 2019")."""
    folded = fold_chars(text)
    taken = bytearray(len(text))
    found: list[TimeMention] = []

    def add(start: int, end: int, kind: MentionKind, period: Period | None) -> None:
        if any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        found.append(TimeMention(start, end, kind, period))

    for m in _RANGE.finditer(folded):
        first, last = _year(m.group(1)), _year(m.group(2))
        if first is not None and last is not None and first < last:
            add(
                m.start(),
                m.end(),
                _goal_or(folded, m.start(), m.end(), "range"),
                Period(first, last),
            )
    for m in _DECADE.finditer(folded):
        if m.group(1):
            start = _year(m.group(1))
        else:
            tens = _count(m.group(2))
            start = 1900 + tens if tens is not None else None
        if start is not None and start % 10 == 0:
            add(m.start(), m.end(), "decade", Period(start, start + 9))
    for m in _YEAR.finditer(folded):
        year = _year(m.group(1))
        if year is not None:
            add(m.start(), m.end(), _goal_or(folded, m.start(), m.end(), "year"), Period.of(year))
    for m in _PLAN.finditer(folded):
        if m.group(1):
            number = _count(m.group(1))
        else:
            opened, closed = m.group(2), m.group(4)
            after = folded[m.end() :]
            named = (opened and closed) or after.startswith(zh.PLAN_WORDS)
            if not named:
                continue  # 十五 and 九五 are numbers unless quoted or followed by 计划/时期
            head = m.group(3)
            number = 10 + (_count(head[1:]) or 0) if head.startswith("十") else _count(head)
        period = five_year_plan(number) if number else None
        if period is not None:
            add(m.start(), m.end(), "plan", period)
    for word, offset in sorted(zh.RELATIVE_YEARS.items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(re.escape(word), folded):
            if folded[max(0, m.start() - 2) : m.start()].endswith(zh.COMPARISON_BASE):
                continue
            period = Period.of(anchor + offset) if anchor is not None else None
            add(m.start(), m.end(), "relative", period)
    for m in _PAST_SPAN.finditer(folded):
        n = _count(m.group(2) or m.group(3))
        if n and 1 < n <= 30:
            period = Period(anchor - n, anchor - 1) if anchor is not None else None
            add(m.start(), m.end(), "span", period)
    for m in _FUTURE_SPAN.finditer(folded):
        n = _count(m.group(1))
        if n and 1 < n <= 30:
            period = Period(anchor, anchor + n - 1) if anchor is not None else None
            add(m.start(), m.end(), "span", period)
    for word in zh.AVERAGE:
        for m in re.finditer(re.escape(word), folded):
            add(m.start(), m.end(), "average", None)
    if bare_years:
        for m in _EN_RANGE.finditer(folded):
            first, last = int(m.group("first")), int(m.group("last"))
            if first < last:
                add(m.start(), m.end(), "range", Period(first, last))
        for m in _EN_DECADE.finditer(folded):
            start = int(m.group(1))
            add(m.start(), m.end(), "decade", Period(start, start + 9))
        for m in _BARE_YEAR.finditer(folded):
            year = _year(m.group(1))
            if year is not None:
                add(m.start(), m.end(), "year", Period.of(year))
    found.sort(key=lambda t: t.start)
    return found


def _goal_or(folded: str, start: int, end: int, kind: MentionKind) -> MentionKind:
    """A year after 到/至 or before 前 ends a goal (到2030年, 2035年前)."""
    before = folded[max(0, start - 4) : start]
    if folded[end : end + 1] in zh.GOAL_AFTER:
        return "goal"
    for word in zh.GOAL_BEFORE:
        if before.endswith(word):
            # 到2030年 opening a clause is "by 2030"; after a verb (增长到2025年的…) it is
            # "to 2025's figure".
            ahead = folded[max(0, start - len(word) - 1) : start - len(word)]
            if (
                not ahead
                or ahead in "，,；;。：:！？ \n"
                or word.startswith(("力争", "争取", "截至"))
            ):
                return "goal"
    return kind


def cue_role(text: str, *, review: tuple[str, ...], plan: tuple[str, ...]) -> Role | None:
    """``result`` or ``target`` by which of the cue words ``text`` holds (the first found
    wins when it holds both); ``None`` with neither."""
    folded = fold_chars(text)
    first: tuple[int, Role] | None = None
    cues: tuple[tuple[tuple[str, ...], Role], ...] = ((review, "result"), (plan, "target"))
    for words, role in cues:
        for word in words:
            at = folded.find(word)
            if at >= 0 and (first is None or at < first[0]):
                first = (at, role)
    return first[1] if first else None


def span_of(mentions: list[TimeMention]) -> Period | None:
    """The years that the mentions with a period cover together (``None`` if none has)."""
    periods = [m.period for m in mentions if m.period is not None]
    if not periods:
        return None
    return Period(min(p.start for p in periods), max(p.end for p in periods))


def section_period(heading: str, *, anchor: int | None) -> tuple[Period | None, Role | None]:
    """The period a section heading speaks of, and whether the section reviews results or
    sets targets: 一、2016年工作回顾 → (2016, result); 二、2017年工作总体部署 → (2017,
    target); “十五五”时期主要目标任务 → (2026–2030, target). A period before the
    ``anchor`` year (the report's) is reviewed and one from it on is planned, whatever the
    words; a heading whose years straddle it (1993年的回顾和1994年的方针) goes by its first
    cue word."""
    mentions = time_mentions(heading, anchor=anchor)
    period = span_of(mentions)
    # The names of periods are not cues: 第二个五年计划 names years, it sets no target.
    masked = list(heading)
    for m in mentions:
        masked[m.start : m.end] = " " * (m.end - m.start)
    role = cue_role("".join(masked), review=zh.REVIEW, plan=zh.PLAN)
    if period is not None and anchor is not None:
        # The years named decide where they can: a heading about years before the report's
        # own reviews them (一、2025年主要工作和“十四五”发展成就), one from them on plans.
        if period.end < anchor:
            role = "result"
        elif period.start >= anchor:
            role = "target"
    if any(m.kind == "goal" for m in mentions):
        role = "target"
    return period, role


__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "ROLES",
    "Period",
    "Role",
    "TimeMention",
    "cue_role",
    "five_year_plan",
    "section_period",
    "span_of",
    "time_mentions",
]
