"""One reading of a question: what it asks, when, where, and whether a result or a target.

Every later step — routing to reports, choosing the figure, declining — reads the
``Intent`` and never the question again. The words come from ``qa.lang`` (Chinese and
English, kept as data) and the indicator names from ``qa.lang.indicators``.

* **what** — the *indicator* (地区生产总值, "new urban jobs": the question's own words with
  the question words, places, years and linking words taken out), the Chinese *terms* an
  answering clause would carry (the indicator's words and, for a known indicator, every
  name reports give it), the *measure* asked (``growth``: 增长了多少, "how fast did … grow";
  ``level``: 是多少, "how big"), the kinds of figure (money, people, percent…), a unit stated
  (多少万吨), numbers the question states, a rate (每人每月), the role asked about (谁是…);
* **when** — the years the figure is about; a report the question names by its year
  (2026年政府工作报告: the report's, not the figure's); years relative to that report or,
  with none named, to the latest (去年, "last year"); an average over years (年均);
* **result or target** — 目标/预期/计划/"target" ask for a target, 实际/"actually" for a
  result; neither says nothing;
* **where** — regions (provinces, the country; 粤 and 浙 in a list), places below a
  province, and other entities named (a company, a park, a project);
* **parts** — a comparison's parts in the order asked: two regions, two years, or two
  sub-questions (1995年的目标是多少？那一年实际增长了多少？).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from qa import regions
from qa.answer.figures import FigureKind
from qa.answer.numbers import Quantity, asked_kinds, asks_for_figure, parse_quantities
from qa.answer.roles import asked_role
from qa.answer.scope import named_places, named_regions
from qa.i18n import Language, detect_language
from qa.lang import en, zh
from qa.lang.indicators import Indicator, lookup_chinese, lookup_english
from qa.periods import Period, Role, time_mentions
from qa.regions import Group, Region
from qa.segment import words
from qa.text import drop_document_references, fold_chars, is_english

Measure = Literal["growth", "level"]

_RATE = re.compile(
    r"每[人户月年天日]|人均|月均|per (?:person|capita|head|month|year|household|day)"
    r"|a month|monthly|annually|each month|each year",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Part:
    """One thing a question asks about: a region, a year, a role (any may be open)."""

    region: Region | None = None
    year: int | None = None
    role: Role | None = None
    #: The report named for this part by its year (1995年政府工作报告定的…目标).
    report_year: int | None = None

    def label(self) -> str:
        bits = [self.region.short if self.region else "", str(self.year or "")]
        return " ".join(b for b in bits if b)


@dataclass(frozen=True)
class Intent:
    """What a question asks (see the module docstring). Built by ``read_intent``."""

    question: str
    language: Language
    indicator: str | None = None
    indicators: tuple[Indicator, ...] = ()
    terms: tuple[str, ...] = ()
    measure: Measure | None = None
    kinds: frozenset[FigureKind] = frozenset()
    unit: str | None = None
    quantities: tuple[Quantity, ...] = ()
    figure: bool = False
    rate: bool = False
    who: str | None = None
    years: tuple[int, ...] = ()
    relative: int | None = None
    report_year: int | None = None
    role: Role | None = None
    average: bool = False
    regions: tuple[Region, ...] = ()
    places: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    #: How much of the question's own words for what it asks about a known indicator's name
    #: covers (1.0: 社会消费品零售总额 asked as such; 0.13: 低保 in a longer description).
    coverage: float = 0.0
    #: A question over a set of reports: every province (各省, "each province"), a group of
    #: provinces (东北三省, 长三角), a run of years (1990年到2000年, 历年, "since 2010");
    #: rows ordered by value when asked (从高到低: "desc").
    every_region: bool = False
    group: Group | None = None
    run: Period | None = None
    every_year: bool = False
    order: str | None = None
    #: For a follow-up question: what it took over from the previous question's intent
    #: ("region", "year", "indicator", "role", "measure"), and that intent.
    inherited: tuple[str, ...] = ()
    previous: Intent | None = field(default=None, compare=False, repr=False)
    #: The text the reports are searched with: the question, and for a follow-up the words
    #: of what it took over (那浙江呢？ is searched with 地区生产总值 and 2025年 too).
    search: str = ""
    #: The text of each sub-question when the question asks several (1995年的目标是多少？
    #: 那一年实际增长了多少？), else empty.
    clauses: tuple[str, ...] = field(default=(), compare=False)

    def about_indicator(self, min_coverage: float) -> bool:
        """The question asks for a known indicator's figure, not about something a longer
        description names (``coverage`` of at least ``min_coverage``)."""
        return self.figure and bool(self.indicators) and self.coverage >= min_coverage

    @property
    def table(self) -> bool:
        """One row per report: every province, a group of them, or a run of years."""
        return (
            self.every_region or self.group is not None or self.run is not None or self.every_year
        )

    @property
    def comparison(self) -> bool:
        return len(self.parts) > 1

    @property
    def period(self) -> Period | None:
        return Period(min(self.years), max(self.years)) if self.years else None

    @property
    def others(self) -> tuple[str, ...]:
        """Names of other indicators that contain one of the asked ones (人均地区生产总值 for
        地区生产总值): a clause naming one of them is about that one."""
        return _other_names(self.indicators)

    @property
    def query(self) -> str:
        """What to search the reports with (see ``search``)."""
        return self.search or self.question

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "indicator": self.indicator,
            "indicators": [i.name for i in self.indicators],
            "coverage": self.coverage,
            "figure": self.figure,
            "rate": self.rate,
            "measure": self.measure,
            "kinds": sorted(self.kinds),
            "unit": self.unit,
            "years": list(self.years),
            "relative_year": self.relative,
            "report_year": self.report_year,
            "role": self.role,
            "average": self.average,
            "regions": [r.name for r in self.regions],
            "places": list(self.places),
            "entities": list(self.entities),
            "parts": [
                {
                    "region": p.region.name if p.region else None,
                    "year": p.year,
                    "role": p.role,
                    "report_year": p.report_year,
                }
                for p in self.parts
            ],
            "table": {
                "every_region": self.every_region,
                "group": self.group.name if self.group else None,
                "years": self.run.label() if self.run else ("every" if self.every_year else None),
                "order": self.order,
            }
            if self.table
            else None,
            "inherited": list(self.inherited),
            "search": self.query,
        }

    @classmethod
    def from_json(cls, data: dict) -> Intent:
        """The intent ``to_json`` wrote, read again from the question it keeps (a follow-up
        in a new process: the bot's state, the web page's conversation) with what it had
        inherited restored."""
        intent = read_intent(str(data["question"]), language=data.get("language"))
        region = lambda name: regions.lookup(name) if name else None  # noqa: E731
        restored = replace(
            intent,
            indicator=data.get("indicator"),
            indicators=tuple(
                i for i in _all_indicators() if i.name in (data.get("indicators") or ())
            ),
            coverage=float(data.get("coverage", intent.coverage)),
            figure=bool(data.get("figure", intent.figure)),
            rate=bool(data.get("rate", intent.rate)),
            kinds=frozenset(data.get("kinds") or ()),
            measure=data.get("measure"),
            unit=data.get("unit"),
            years=tuple(data.get("years") or ()),
            relative=data.get("relative_year"),
            report_year=data.get("report_year"),
            role=data.get("role"),
            average=bool(data.get("average")),
            regions=tuple(r for r in (region(n) for n in data.get("regions") or ()) if r),
            parts=tuple(
                Part(region(p.get("region")), p.get("year"), p.get("role"), p.get("report_year"))
                for p in data.get("parts") or ()
            ),
            inherited=tuple(data.get("inherited") or ()),
            search=str(data.get("search") or ""),
        )
        terms: list[str] = [t for t in (restored.indicator,) if t and not is_english(t)]
        for ind in restored.indicators:
            terms.extend(ind.chinese)
        return replace(restored, terms=tuple(dict.fromkeys(terms)) or intent.terms)


# --- time ---------------------------------------------------------------------------------


@dataclass
class _Time:
    years: list[int] = field(default_factory=list)
    report_year: int | None = None
    relative: int | None = None
    anaphoric: bool = False
    average: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)


_REPORT_AFTER = re.compile(rf"^\s*(?:的)?\s*(?:{'|'.join(zh.REPORT_NOUNS)})")
_EN_REPORT = re.compile(
    r"(?:the\s+)?(?P<year>(?:19|20)\d\d)\s+(?:government\s+)?(?:work\s+)?report"
    r"|report\s+(?:of|for)\s+(?P<year2>(?:19|20)\d\d)",
    re.IGNORECASE,
)


def _read_time(question: str, english: bool) -> _Time:
    t = _Time()
    folded = fold_chars(question)
    if english:
        for match in _EN_REPORT.finditer(question):
            t.report_year = int(match.group("year") or match.group("year2"))
            t.spans.append((match.start(), match.end()))
        lower = question.lower()
        for words, offset in en.RELATIVE_YEARS.items():
            at = lower.find(words)
            if at >= 0:
                t.relative = offset
                t.spans.append((at, at + len(words)))
        t.anaphoric = any(w in lower for w in en.ANAPHORIC_YEARS)
        t.average = any(re.search(rf"\b{w}\b", lower) for w in en.ASK_AVERAGE)
    for m in time_mentions(question, bare_years=english):
        inside_report = any(s <= m.start < e for s, e in t.spans)
        if inside_report:
            continue
        if m.kind == "average":
            t.average = True
            continue
        if m.kind == "relative":
            word = folded[m.start : m.end]
            t.relative = zh.RELATIVE_YEARS.get(word, t.relative)
            t.spans.append((m.start, m.end))
            continue
        if m.period is None:
            continue
        after = _REPORT_AFTER.match(folded[m.end :]) if not english else None
        if after:
            t.report_year = m.period.start
            t.spans.append((m.start, m.end + after.end()))
            continue
        elif m.period.single:
            t.years.append(m.period.start)
        else:
            t.years.extend(range(m.period.start, m.period.end + 1))
        t.spans.append((m.start, m.end))
    if not english:
        for word in zh.ANAPHORIC_YEARS:
            at = folded.find(word)
            if at >= 0:
                t.anaphoric = True
                t.spans.append((at, at + len(word)))
    t.years = list(dict.fromkeys(t.years))
    return t


# --- role and measure ---------------------------------------------------------------------


def _role(text: str, english: bool) -> Role | None:
    if english:
        words = set(re.findall(r"[a-z]+", text.lower()))
        if words & set(en.ASK_TARGET):
            return "target"
        if words & {"actual", "actually", "achieved", "realized", "realised"}:
            return "result"
        return None
    folded = fold_chars(text)
    if any(w in folded for w in zh.ASK_TARGET):
        return "target"
    if any(w in folded for w in zh.ASK_RESULT):
        return "result"
    return None


def _measure(text: str, english: bool, figure: bool) -> Measure | None:
    if english:
        lower = text.lower()
        growth = any(re.search(rf"\b{w}\b", lower) for w in en.GROWTH) or "by how much" in lower
        return "growth" if growth else ("level" if figure else None)
    folded = fold_chars(text)
    if any(w in folded for w in zh.GROWTH):
        return "growth"
    return "level" if figure else None


_UNIT_ASKED = re.compile(
    r"多少(?P<unit>万亿元|亿元|万元|元|万亿美元|亿美元|美元|万吨|亿吨|吨|亿斤|万斤|斤|亿公斤|公斤"
    r"|万人次|亿人次|人次|万人|人|公里|千米|万亩|亩|个百分点|%)"
)


def _unit(text: str) -> str | None:
    m = _UNIT_ASKED.search(fold_chars(text))
    return m.group("unit") if m else None


# --- what is asked about ------------------------------------------------------------------

_NOT_INDICATOR = frozenset(
    {
        *zh.QUESTION_WORDS,
        *zh.FILLER,
        *zh.ASK_TARGET,
        *zh.ASK_RESULT,
        *zh.GROWTH,
        *zh.RELATIVE_YEARS,
        *zh.ANAPHORIC_YEARS,
        *zh.AVERAGE,
    }
)
_LONGEST_FILLER = max(len(w) for w in _NOT_INDICATOR)


def _filler(word: str) -> bool:
    """A word that says nothing of what is measured, alone or made of such words (增长速度 =
    增长 + 速度, 控制目标 = 控制 + 目标)."""
    if word in _NOT_INDICATOR:
        return True
    return any(
        word[:n] in _NOT_INDICATOR and _filler(word[n:])
        for n in range(min(len(word) - 1, _LONGEST_FILLER), 0, -1)
    )


def _chinese_indicator(text: str, masked: list[tuple[int, int]]) -> tuple[str | None, list[int]]:
    """The question's words for what it asks about — its words (jieba's) once places,
    years, the report, question words and linking words are taken out, in order — and the
    positions of their characters in ``text``."""
    folded = fold_chars(text)
    taken = bytearray(len(text))
    for start, end in masked:
        taken[start:end] = b"\x01" * (end - start)
    kept: list[int] = []
    pos = 0
    for word in words(folded):
        start, pos = pos, pos + len(word)
        if _filler(word) or not re.search(r"[A-Za-z\u3400-\u9fff]", word):
            continue
        kept.extend(i for i in range(start, pos) if not taken[i])
    indicator = "".join(text[i] for i in kept)
    return (indicator if len(indicator) >= 2 else None), kept


def _coverage_chinese(text: str, kept: list[int], known: tuple[Indicator, ...]) -> float:
    """The share of the question's words for the thing asked (``kept`` positions) that an
    occurrence of a known indicator's name in the question covers (经济 in 经济增长速度 is
    covered by the name 经济增长)."""
    if not kept or not known:
        return 0.0
    folded = fold_chars(text).lower()
    named = bytearray(len(text))
    for ind in known:
        for name in ind.chinese:
            key = fold_chars(name).lower()
            at = folded.find(key)
            while at >= 0:
                named[at : at + len(key)] = b"\x01" * len(key)
                at = folded.find(key, at + 1)
    return sum(1 for i in kept if named[i]) / len(kept)


_EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "from",
        "with",
        "and",
        "or",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "much",
        "many",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "did",
        "do",
        "does",
        "has",
        "have",
        "had",
        "will",
        "would",
        "could",
        "should",
        "can",
        "may",
        "might",
        "its",
        "it",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "there",
        "than",
        "then",
        "as",
        "per",
        "about",
        "roughly",
        "around",
        "approximately",
        "nearly",
        "over",
        "under",
        "set",
        "expect",
        "expected",
        "according",
        "report",
        "government",
        "work",
        "china",
        "china's",
        "chinese",
        "national",
        "year",
        "years",
        "last",
        "next",
        "previous",
        "same",
        "grow",
        "grew",
        "growth",
        "fast",
        "big",
        "large",
        "high",
        "low",
        "rise",
        "rose",
        "increase",
        "increased",
        "fall",
        "fell",
        "drop",
        "decline",
        "target",
        "goal",
        "aim",
        "actual",
        "actually",
        "achieved",
        "run",
        "make",
        "made",
        "get",
        "got",
        "collect",
        "collected",
        "receive",
        "received",
        "reach",
        "reached",
    ]
)


def _english_indicator(text: str, masked: list[tuple[int, int]]) -> str | None:
    chars = list(text)
    for start, end in masked:
        chars[start:end] = " " * (end - start)
    found = re.findall(r"[A-Za-z][A-Za-z&-]*(?:'[A-Za-z]+)?", "".join(chars))
    stems = [re.sub(r"'s$", "", w) for w in found]
    kept = [w for w in stems if w.lower() not in _EN_STOP and len(w) > 1]
    return " ".join(kept) or None


def _coverage(indicator: str | None, known: tuple[Indicator, ...], english: bool) -> float:
    """The share of the question's words for the thing asked that a known indicator's names
    cover (characters in Chinese, content words in English)."""
    if not indicator or not known:
        return 0.0
    if english:
        words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z&'-]*", indicator)]
        named = {
            w for ind in known for name in ind.english for w in re.findall(r"[a-z][a-z&'-]*", name)
        }
        from qa import cedict

        lemmas = {cedict.lemma(w) for w in named} | named
        return sum(1 for w in words if w in lemmas or cedict.lemma(w) in lemmas) / len(words)
    folded = fold_chars(indicator)
    covered = bytearray(len(folded))
    for ind in known:
        for name in ind.chinese:
            at = folded.find(fold_chars(name))
            if at >= 0:
                covered[at : at + len(name)] = b"\x01" * len(name)
    return sum(covered) / len(folded)


def _entities(text: str, masked: list[tuple[int, int]]) -> tuple[str, ...]:
    """Named organisations, companies, parks and projects (杭州华为公司, 中关村科技园区)."""
    folded = fold_chars(text)
    chars = list(folded)
    for start, end in masked:
        chars[start:end] = " " * (end - start)
    plain = "".join(chars)
    out: list[str] = []
    for suffix in sorted(zh.ENTITY_SUFFIXES, key=len, reverse=True):
        for m in re.finditer(re.escape(suffix), plain):
            start = m.start()
            while start > 0 and "\u4e00" <= plain[start - 1] <= "\u9fff" and m.start() - start < 8:
                start -= 1
            name = text[start : m.end()]
            if len(name) > len(suffix) and not any(name in o or o in name for o in out):
                out.append(name)
    return tuple(out)


# --- regions, with the conventional one-character names in a list -------------------------

_SHORT_LIST = re.compile(r"([\u4e00-\u9fff])((?:、[\u4e00-\u9fff])+)")


def _regions(text: str) -> tuple[tuple[Region, ...], list[tuple[int, int]]]:
    found = list(named_regions(text))
    spans = [(m.start, m.end) for m in regions.named_in(text, levels=regions.LEVELS)]
    folded = fold_chars(text)
    for word in zh.COUNTRY:
        at = folded.find(word)
        if at >= 0:
            spans.append((at, at + len(word)))
            if regions.country() not in found:
                found.append(regions.country())
    # 粤、浙 / 苏、浙两省: one-character names, in a list of them and nowhere else.
    for m in _SHORT_LIST.finditer(folded):
        chars = [m.group(1), *m.group(2).split("、")[1:]]
        named = [regions.by_abbreviation(ch) for ch in chars]
        after = folded[m.end() : m.end() + 1]
        before = folded[m.start() - 1 : m.start()] if m.start() else ""
        bounded = (not after or not is_cjk_char(after) or after in zh.AFTER_SHORT_NAMES) and (
            not before or not is_cjk_char(before) or before in zh.BEFORE_SHORT_NAMES
        )
        known = [r for r in named if r is not None]
        if bounded and len(named) >= 2 and len(known) == len(named):
            for r in known:
                if r not in found:
                    found.append(r)
            spans.append((m.start(), m.end()))
    if any(r.level != "country" for r in found):
        # The country named beside a province is its context (China's Guangdong, 我国广东).
        found = [r for r in found if r.level != "country"]
    return tuple(found), spans


def is_cjk_char(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


# --- the intent ---------------------------------------------------------------------------


_COMPARED_WITH = re.compile(r"(?:比|较|同)(?:上一?年|前一年|去年|上年同期|同期)")


def _other_spans(question: str) -> list[tuple[int, int]]:
    """Words that are not what is asked about: a comparison's base (比前一年), the unit
    asked (多少万吨), and the set a table question runs over (各省, 历年: 各省异地救助
    would otherwise be the indicator, and no report's clause names it)."""
    folded = fold_chars(question)
    spans = [(m.start(), m.end()) for m in _COMPARED_WITH.finditer(folded)]
    spans += [(m.start("unit"), m.end("unit")) for m in _UNIT_ASKED.finditer(folded)]
    # The set a question runs over (各省, 长三角, 历年) is its rows, not what is measured.
    for word in (*zh.EVERY_REGION, *zh.EVERY_YEAR):
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(word), folded)]
    spans += [(start, end) for _, start, end in regions.groups_named(question)]
    return spans


def _split_clauses(question: str) -> list[str]:
    """Sub-questions: 目标是多少？那一年实际增长了多少？ → two."""
    pieces = [p for p in re.split(r"(?<=[？?])\s*", question.strip()) if p.strip()]
    return pieces if len(pieces) > 1 else [question]


def read_intent(question: str, *, language: Language | None = None) -> Intent:
    """The ``Intent`` of ``question`` (see the module docstring)."""
    lang = language or detect_language(question)
    english = is_english(question)
    text = drop_document_references(question) if english else question
    time = _read_time(question, english)
    found_regions, region_spans = _regions(question)
    places = tuple(m.region.name for m in named_places(question))
    masked = [*time.spans, *region_spans, *_other_spans(question)]
    figure = asks_for_figure(question) or bool(
        re.search(r"多少|几|how (?:much|many|big|fast)", fold_chars(question).lower())
    )
    role = _role(question, english)
    if english:
        indicator = _english_indicator(question, masked)
        known = tuple(lookup_english(question))
        entities: tuple[str, ...] = ()
    else:
        indicator, kept = _chinese_indicator(question, masked)
        unmasked = list(question)
        for start, end in masked:
            unmasked[start:end] = " " * (end - start)
        known = tuple(lookup_chinese("".join(unmasked)))
        entities = _entities(question, masked)
        entities = tuple(e for e in entities if not lookup_chinese(e))
    coverage = (
        _coverage(indicator, known, english)
        if english
        else _coverage_chinese(question, kept, known)
    )
    # A question about a known indicator, or about a target, asks for its figure.
    figure = (
        asks_for_figure(question)
        or bool(known)
        or role == "target"
        or bool(re.search(r"多少|几|how (?:much|many|big|fast)", fold_chars(question).lower()))
    )
    measure = _measure(question, english, figure)
    terms: list[str] = []
    if indicator and not english:
        terms.append(indicator)
    for ind in known:
        terms.extend(ind.chinese)
    intent = Intent(
        question=question,
        language=lang,
        indicator=indicator,
        indicators=known,
        terms=tuple(dict.fromkeys(t for t in terms if t)),
        measure=measure,
        kinds=frozenset(asked_kinds(question)),
        unit=_unit(question),
        quantities=tuple(q for q in parse_quantities(text) if q.kind != "date"),
        figure=figure,
        rate=_RATE.search(question) is not None,
        who=asked_role(question),
        years=tuple(time.years),
        relative=time.relative,
        report_year=time.report_year,
        role=role,
        average=time.average,
        regions=found_regions,
        places=places,
        entities=entities,
        coverage=coverage,
    )
    intent = replace(intent, **_set_scope(question, english, time, intent))
    if intent.table:
        return intent
    return replace(intent, **_parts(intent, question, english, time))


_SINCE_EN = re.compile(
    r"\bsince\s+((?:19|20)\d\d)\b|\bfrom\s+((?:19|20)\d\d)\s+(?:on|onwards|to now|to date)\b", re.I
)
_SINCE_ZH = re.compile(rf"((?:19|20)\d\d)年?(?:{'|'.join(zh.SINCE_AFTER)})")


def _set_scope(question: str, english: bool, time: _Time, intent: Intent) -> dict:
    """Every province, a group, a run of years, and the order of the rows."""
    folded = fold_chars(question).lower()
    out: dict = {}
    words = en.EVERY_REGION if english else zh.EVERY_REGION
    named_groups = regions.groups_named(question)
    if named_groups:
        # 长三角各省市: each of the group's members, not every province.
        out["group"] = named_groups[0][0]
        out["every_region"] = False
    else:
        out["every_region"] = any(w in folded for w in words)
    years = en.EVERY_YEAR if english else zh.EVERY_YEAR
    out["every_year"] = any(w in folded for w in years)
    since = (_SINCE_EN if english else _SINCE_ZH).search(folded)
    runs = [
        m.period
        for m in time_mentions(question, bare_years=english)
        if m.kind in ("range", "decade") and m.period
    ]
    if runs:
        out["run"] = runs[0]
    elif since:
        start = int(since.group(1) or since.group(2))
        out["run"] = Period(start, MAX_RUN_YEAR)
    if out.get("run") is not None:
        out["years"] = ()
    descending = en.ORDER_DESCENDING if english else zh.ORDER_DESCENDING
    ascending = en.ORDER_ASCENDING if english else zh.ORDER_ASCENDING
    if any(w in folded for w in descending):
        out["order"] = "desc"
    elif any(w in folded for w in ascending):
        out["order"] = "asc"
    if out["every_region"] or out.get("group") is not None:
        # The regions of a set question are its rows, not a comparison of what it names.
        out["regions"] = out["group"].members if out.get("group") is not None else ()
    return out


#: The open end of a run of years ("since 2010"): the routing keeps the years indexed.
MAX_RUN_YEAR = 2100


def _asks_figure(text: str) -> bool:
    return asks_for_figure(text) or bool(
        re.search(r"多少|几|目标|how (?:much|many|big|fast)", fold_chars(text).lower())
    )


def _parts(intent: Intent, question: str, english: bool, time: _Time) -> dict:
    """A comparison's parts, in the order asked: sub-questions with their own year or role
    (1995年的目标？那一年实际增长？), else each region × each year named."""
    clauses = [c for c in _split_clauses(question) if _asks_figure(c)]
    if len(clauses) > 1:
        parts: list[Part] = []
        previous_year = intent.report_year or (intent.years[0] if intent.years else None)
        for clause in clauses:
            t = _read_time(clause, english)
            clause_regions, _ = _regions(clause)
            role = _role(clause, english)
            year = t.years[0] if t.years else None
            report_year = t.report_year
            if year is None and report_year is None and t.anaphoric:
                year = previous_year  # 当年 / 那一年: the year named before
            if year is None and report_year is None and not t.anaphoric and t.relative is None:
                year = previous_year if role is not None else None
            region = (
                clause_regions[0]
                if clause_regions
                else (intent.regions[0] if intent.regions else None)
            )
            parts.append(Part(region, year, role, report_year))
            previous_year = year or report_year or previous_year
        distinct = {(p.region, p.year, p.role, p.report_year) for p in parts}
        if len(distinct) > 1:
            return {"parts": tuple(parts), "clauses": tuple(clauses)}
    regions_ = intent.regions or (None,)
    years = intent.years or (None,)
    if len(intent.regions) <= 1 and len(intent.years) <= 1:
        return {"parts": ()}
    return {
        "parts": tuple(
            Part(region, year, intent.role, intent.report_year)
            for region in regions_
            for year in years
        )
    }


@lru_cache(maxsize=256)
def _other_names(asked: tuple[Indicator, ...]) -> tuple[str, ...]:
    if not asked:
        return ()
    names = {fold_chars(n).lower() for ind in asked for n in ind.chinese}
    return tuple(
        sorted(
            {
                fold_chars(n).lower()
                for ind in _all_indicators()
                if ind not in asked
                for n in ind.chinese
                if any(a in fold_chars(n).lower() and a != fold_chars(n).lower() for a in names)
                # 全社会研发投入 (研发经费) is a piece of 全社会研发投入强度, asked: not another.
                and not any(fold_chars(n).lower() in a for a in names)
            },
            key=len,
            reverse=True,
        )
    )


def _all_indicators() -> tuple[Indicator, ...]:
    from qa.lang.indicators import indicators

    return indicators()


def _states_indicator(intent: Intent) -> bool:
    """The question names what it asks about itself (an indicator, or words beyond the
    question's own: not 那浙江呢, 增长了多少, 目标呢, "And in 2010?")."""
    if intent.indicators:
        return True
    if not intent.indicator:
        return False
    if is_english(intent.question):
        return len(intent.indicator.split()) >= 2
    return len(intent.indicator) >= 2


def follow(intent: Intent, previous: Intent | None) -> Intent:
    """``intent`` of a follow-up question completed from the ``previous`` question's:
    each thing it does not state — the region, the year (or the report), the indicator,
    the role, the measure — is taken over, each it states replaces the previous one; a
    comparison it adds (和广东比呢) joins the previous region. A question that states its
    own indicator and its own region or year takes nothing over."""
    if previous is None:
        return intent
    own_indicator = _states_indicator(intent)
    own_when = bool(intent.years or intent.report_year or intent.relative is not None)
    own_where = bool(intent.regions)
    if own_indicator and (own_when or own_where):
        return intent
    taken: list[str] = []
    changes: dict = {}
    if not own_indicator and (previous.indicator or previous.indicators):
        changes.update(
            indicator=previous.indicator,
            indicators=previous.indicators,
            terms=previous.terms,
            coverage=previous.coverage,
            figure=previous.figure or intent.figure,
        )
        taken.append("indicator")
        if intent.measure is None or not _asks_measure(intent):
            changes["measure"] = previous.measure
            changes["unit"] = intent.unit or previous.unit
            changes["kinds"] = intent.kinds or previous.kinds
            if previous.measure:
                taken.append("measure")
    if not own_when and (previous.years or previous.report_year or previous.relative is not None):
        changes.update(
            years=previous.years, report_year=previous.report_year, relative=previous.relative
        )
        taken.append("year")
    elif own_when and not intent.years and intent.report_year is None and previous.report_year:
        pass
    elif own_when and intent.years and previous.report_year and not previous.years:
        # The previous question named a report (2026年政府工作报告的目标); a year alone
        # names another report.
        changes.update(report_year=intent.years[0], years=())
    if intent.role is None and previous.role is not None and not own_indicator:
        changes["role"] = previous.role
        taken.append("role")
    regions_ = intent.regions
    if not own_where and previous.regions:
        changes["regions"] = previous.regions
        taken.append("region")
    elif own_where and _adds_comparison(intent) and previous.regions:
        changes["regions"] = tuple(dict.fromkeys((*previous.regions, *regions_)))
        taken.append("region")
    merged = replace(intent, **changes, inherited=tuple(taken), previous=previous)
    merged = replace(merged, parts=_parts_of(merged))
    return replace(merged, search=_search_text(merged))


def _asks_measure(intent: Intent) -> bool:
    text = fold_chars(intent.question).lower()
    if is_english(intent.question):
        return any(re.search(rf"\b{w}\b", text) for w in en.GROWTH)
    return any(w in text for w in zh.GROWTH)


def _adds_comparison(intent: Intent) -> bool:
    """和广东比呢 / "compared with Guangdong": the region named is to be set beside the
    previous one."""
    text = fold_chars(intent.question).lower()
    if is_english(intent.question):
        return bool(re.search(r"\b(?:compared?|versus|vs\.?|against)\b", text))
    return bool(re.search(r"[和与跟同][^，。？?]{1,12}(?:比|相比|对比)", text))


def _parts_of(intent: Intent) -> tuple[Part, ...]:
    if len(intent.regions) <= 1 and len(intent.years) <= 1:
        return ()
    return tuple(
        Part(region, year, intent.role, intent.report_year)
        for region in (intent.regions or (None,))
        for year in (intent.years or (None,))
    )


def _search_text(intent: Intent) -> str:
    """The follow-up's question and the words of what it took over, in its language."""
    english = is_english(intent.question)
    pieces = [intent.question]
    if "region" in intent.inherited:
        pieces.extend(regions.english_name(r) if english else r.name for r in intent.regions)
    if "year" in intent.inherited:
        pieces.extend(str(y) if english else f"{y}年" for y in intent.years)
        if intent.report_year:
            pieces.append(str(intent.report_year) if english else f"{intent.report_year}年")
    if "indicator" in intent.inherited:
        if english:
            # The words the conversation used, the glossary's English name, and its Chinese
            # one: a report in Chinese is matched by its own words.
            named = [intent.indicator] if intent.indicator else []
            if intent.indicators:
                named += [intent.indicators[0].english[0], intent.indicators[0].name]
            pieces.extend(dict.fromkeys(named))
        elif intent.indicator:
            pieces.append(intent.indicator)
        elif intent.indicators:
            pieces.append(intent.indicators[0].name)
    if "role" in intent.inherited and intent.role == "target":
        pieces.append("target" if english else "目标")
    return " ".join(pieces)


__all__ = ["Intent", "Measure", "Part", "follow", "read_intent"]
