"""Numbers stated in questions, what kind of figure a question asks for, and matching.

Questions come in Traditional Chinese, Simplified Chinese and English, and state numbers
in whatever notation the asker likes: "一萬張" for the report's "1萬張", "百分之九十九"
for "99.9%", "132,200 people" for "13.22萬人", "第14年" for "第十四年", "fourth round"
for "第四輪". :func:`parse_quantities` reads them into base units with the precision
the asker used, and :func:`quantity_matches` says whether a report figure is that same
number. :func:`asked_kinds` tells which kind of figure (money, people, share…) the
question wants, so that an answer can pick the right figure of a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from qa.answer.figures import (
    Figure,
    FigureKind,
    _Number,
    _scan,
    fold_script,
    stated_precision,
)

__all__ = [
    "EN_AUXILIARIES",
    "EN_PEOPLE_NOUNS",
    "Quantity",
    "asked_kinds",
    "parse_quantities",
    "quantity_matches",
    "units_agree",
]


@dataclass(frozen=True)
class Quantity:
    """A number stated in a question, read into base units.

    ``text == question[start:end]``. ``precision`` is the size of the last stated digit
    in base units ("99" → 1, "99.9" → 0.1, "1.4萬" → 1000, "132,200" → 1: written
    integers are taken as exact); a whole number before 萬/億/million is read as if it
    had one decimal ("1萬" → 1000), so that "一萬張" does not match "1.4萬張". ``unit``
    is normalised to the report's Traditional forms ("张" → "張", "people" → "人",
    "yuan" → "元", "％" → "%"), or "" when none is stated. ``kind`` is ``None`` when
    nothing says what the number counts. ``ordinal`` is true for 第N / "Nth".
    """

    text: str
    start: int
    end: int
    value: float
    precision: float
    unit: str
    kind: FigureKind | None
    ordinal: bool


# --- English numbers -------------------------------------------------------------------
_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
}
_EN_SCALES = {
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
}
# English nouns that name a unit of the report: (normalised unit, kind). Countable nouns
# that are not units ("projects", "organisations") give unit "" and kind "count", since
# the report counts them with varying measure words (個, 家).
_EN_UNIT_WORDS: dict[str, tuple[str, FigureKind]] = {
    "yuan": ("元", "money"),
    "rmb": ("元", "money"),
    "cny": ("元", "money"),
    "renminbi": ("元", "money"),
    "person-times": ("人次", "people"),
    "person-time": ("人次", "people"),
    "people": ("人", "people"),
    "persons": ("人", "people"),
    "person": ("人", "people"),
    "individuals": ("人", "people"),
    "residents": ("人", "people"),
    "recipients": ("人", "people"),
    "times": ("次", "count"),
    "sessions": ("次", "count"),
    "session": ("次", "count"),
    "rounds": ("輪", "count"),
    "round": ("輪", "count"),
    "beds": ("張", "count"),
    "households": ("戶", "count"),
    "years": ("年", "duration"),
    "year": ("年", "duration"),
    "months": ("個月", "duration"),
    "month": ("個月", "duration"),
    "weeks": ("週", "duration"),
    "days": ("天", "duration"),
    "day": ("天", "duration"),
    "hours": ("小時", "duration"),
    "percent": ("%", "percent"),
}
# Plural people nouns that make a unit-less number a head count ("20 orphans").
EN_PEOPLE_NOUNS = frozenset(
    {"children", "orphans", "volunteers", "workers", "villagers", "seniors", "members"}
)
# Words after a number that do not name what it counts ("one of", "2020 and").
_EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "the",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "that",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "than",
        "then",
        "it",
        "its",
        "this",
        "these",
        "those",
        "more",
        "less",
    ]
)
_EN_TOKEN = re.compile(
    r"(?<![0-9A-Za-z.\-])(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
    r"(?:st|nd|rd|th)?(?![A-Za-z])"
    r"|[A-Za-z]+(?:['’-][A-Za-z]+)*|%|[^\sA-Za-z0-9]"
)
_CJK_AFTER = re.compile(r"[\u3400-\u9fff\uf900-\ufaff萬万億亿]")


@dataclass
class _Token:
    """A token of an English question: a number, a word or one other character."""

    text: str
    start: int
    end: int


def _en_cardinal(tokens: list[_Token], i: int) -> tuple[Decimal, int, bool] | None:
    """Read a cardinal at token ``i``: ``(value, next index, written in words)``."""
    word = tokens[i].text.lower()
    if word[0] in "0123456789":
        return Decimal(word.replace(",", "")), i + 1, False
    if word in ("a", "an"):
        # "a hundred", "a million": only before a scale word.
        if i + 1 < len(tokens) and tokens[i + 1].text.lower() in _EN_SCALES:
            return Decimal(1), i + 1, True
        return None
    if word in _EN_UNITS:
        return Decimal(_EN_UNITS[word]), i + 1, True
    if word in _EN_TENS:
        return Decimal(_EN_TENS[word]), i + 1, True
    head, _, tail = word.partition("-")
    if head in _EN_TENS and tail in _EN_UNITS and 0 < _EN_UNITS[tail] < 10:
        return Decimal(_EN_TENS[head] + _EN_UNITS[tail]), i + 1, True
    return None


def _en_ordinal(word: str) -> int | None:
    """Value of an English ordinal: "fourth", "14th", "twenty-first"; else None."""
    word = word.lower()
    if word in _EN_ORDINALS:
        return _EN_ORDINALS[word]
    match = re.fullmatch(r"([0-9]+)(?:st|nd|rd|th)", word)
    if match:
        return int(match.group(1))
    head, _, tail = word.partition("-")
    if head in _EN_TENS and tail in _EN_ORDINALS and _EN_ORDINALS[tail] < 10:
        return _EN_TENS[head] + _EN_ORDINALS[tail]
    return None


def _en_unit(tokens: list[_Token], i: int) -> tuple[str, FigureKind | None, int]:
    """What the number before token ``i`` counts: ``(unit, kind, end index)``.

    Looks at up to three following words ("three consecutive years", "1,000 new beds")
    and stops at punctuation, numbers and function words.
    """
    if i < len(tokens) and tokens[i].text in ("%", "％"):
        return "%", "percent", i + 1
    if i + 1 < len(tokens) and tokens[i].text.lower() == "per" and tokens[i + 1].text == "cent":
        return "%", "percent", i + 2
    if (
        i + 1 < len(tokens)
        and tokens[i].text.lower() == "percentage"
        and tokens[i + 1].text.lower() in ("point", "points")
    ):
        return "個百分點", "percent", i + 2
    first_word = None
    for j in range(i, min(i + 3, len(tokens))):
        word = tokens[j].text.lower()
        if not (word[0].isascii() and word[0].isalpha()) or word in _EN_STOPWORDS:
            break
        if j + 1 < len(tokens) and word == "person" and tokens[j + 1].text.lower() == "times":
            return "人次", "people", j + 2
        if word in _EN_UNIT_WORDS:
            unit, kind = _EN_UNIT_WORDS[word]
            return unit, kind, j + 1
        if word in EN_PEOPLE_NOUNS:
            return "", "people", j + 1
        first_word = first_word or word
    if first_word:
        return "", "count", i
    return "", None, i


def _english_quantities(question: str, taken: bytearray) -> list[Quantity]:
    """Numbers written the English way: digits before a space or words, number words."""
    tokens = [_Token(m.group(), m.start(), m.end()) for m in _EN_TOKEN.finditer(question)]
    found: list[Quantity] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.text[0] in "0123456789":
            # Digits glued to Chinese (13.22萬人, 2020年) or after 第 are read by the
            # Chinese scanner, which knows the measure words.
            after = question[token.end : token.end + 1]
            before = question[token.start - 1 : token.start]
            if _CJK_AFTER.match(after) or before == "第":
                i += 1
                continue
        ordinal = _en_ordinal(token.text)
        if ordinal is not None:
            unit, kind, end = _en_unit(tokens, i + 1)
            if kind == "percent":
                unit, kind, end = "", None, i + 1
            quantity = Quantity(
                text=question[token.start : tokens[end - 1].end],
                start=token.start,
                end=tokens[end - 1].end,
                value=float(ordinal),
                precision=1.0,
                unit=unit,
                kind="ordinal",
                ordinal=True,
            )
            found.append(quantity)
            i = end
            continue
        cardinal = _en_cardinal(tokens, i)
        if cardinal is None:
            i += 1
            continue
        value, j, in_words = cardinal
        decimals = len(token.text.partition(".")[2]) if not in_words else 0
        multiplier = 1
        while j < len(tokens) and tokens[j].text.lower() in _EN_SCALES:
            multiplier *= _EN_SCALES[tokens[j].text.lower()]
            j += 1
        unit, kind, end = _en_unit(tokens, j)
        if in_words and multiplier == 1 and kind is None:
            # "which one?", "one of them": a number word that counts nothing.
            i += 1
            continue
        value *= multiplier
        precision = stated_precision(decimals, multiplier)
        if kind is None and not in_words and multiplier == 1 and _is_year(value):
            kind = "date"
        last = tokens[max(end, j) - 1]
        start = token.start
        found.append(
            Quantity(
                text=question[start : last.end],
                start=start,
                end=last.end,
                value=float(value),
                precision=float(precision),
                unit=unit,
                kind=kind,
                ordinal=False,
            )
        )
        i = max(end, j)
    for q in found:
        taken[q.start : q.end] = b"\x01" * (q.end - q.start)
    return found


def _is_year(value: Decimal) -> bool:
    """Whole numbers that a question uses as calendar years."""
    return value == value.to_integral_value() and 1900 <= value <= 2100


# Units compared after folding: 个→個, ％→% (fold_script), then these equivalences.
_UNIT_CANON = {"年度": "年", "月": "個月", "日": "天", "周": "週", "臺": "台", "届": "屆"}
_UNIT_GROUPS = (frozenset({"人", "人次", "名", "位"}),)


def _normalise_unit(unit: str) -> str:
    """The report's Traditional form of a unit ("张" → "張", "％" → "%")."""
    return fold_script(unit)


def _from_number(question: str, n: _Number) -> Quantity:
    """A Quantity from a number found by the Chinese scanner."""
    return Quantity(
        text=question[n.start : n.end],
        start=n.start,
        end=n.end,
        value=float(n.value),
        precision=float(n.precision),
        unit=_normalise_unit(n.unit),
        kind=n.kind,
        ordinal=n.kind == "ordinal",
    )


def parse_quantities(question: str) -> list[Quantity]:
    """Return the numbers stated in ``question``, in order of position.

    Reads Arabic numbers with Chinese or English multipliers and units ("1.4萬張",
    "56.75億元", "132,200 people", "100 million yuan", "2.3 billion", "99.9%"),
    Chinese numerals with a measure word or after 第/百分之 ("一萬張", "第十四年",
    "百分之九十九", "三年"), English number words and ordinals ("three years",
    "fourth round", "14th"). Bare years ("2019", "in 2021") have kind "date". Numerals
    that are names ("“三個聚焦”", "一線", "一共") are not quantities; the rules are those
    of :func:`qa.answer.figures.extract_figures`.
    """
    taken = bytearray(len(question))
    found = _english_quantities(question, taken)
    found.extend(_from_number(question, n) for n in _scan(question, bare=True, taken=taken))
    return sorted(found, key=lambda q: q.start)


def _units_compatible(a: str, b: str) -> bool:
    """Whether two stated units can measure the same figure."""
    a = _UNIT_CANON.get(fold_script(a), fold_script(a))
    b = _UNIT_CANON.get(fold_script(b), fold_script(b))
    if a == b:
        return True
    # 人 / 人次 / 名: a question's "people" may be the report's person-times.
    return any(a in group and b in group for group in _UNIT_GROUPS)


_SCALE_PREFIXES = ("万亿", "亿", "万", "千", "百", "萬億", "億", "萬")


def units_agree(asked: str, unit: str, text: str) -> bool:
    """A figure (its ``unit`` and its ``text``) is in the unit a question asks for: 多少万吨
    is met by 616.5万吨 or 8868万吨 (the scale may differ), 多少% by a percentage."""
    base = fold_script(asked)
    for prefix in _SCALE_PREFIXES:
        if base.startswith(fold_script(prefix)) and len(base) > len(prefix):
            base = base[len(prefix) :]
            break
    if base in ("%", "個百分點"):
        return fold_script(unit) in ("%", "％", "個百分點", "百分點") or "%" in text or "％" in text
    folded = fold_script(text)
    if base == "元" and folded.endswith(("美元", "港元", "歐元", "欧元")):
        return False  # another currency
    return folded.endswith(base) or _units_compatible(base, unit)


def quantity_matches(q: Quantity, f: Figure) -> bool:
    """Whether the report figure ``f`` is the number the question states as ``q``.

    The values must agree within the question's precision, ``|f.value − q.value| <
    q.precision`` (so 百分之九十九 matches 99.9%, 132,200 people matches 13.22萬人, 一萬張
    matches 1萬張 but not 1.4萬張). Ordinals only match ordinals (第14年 ↔ 第十四年, never
    a year or a duration). When both sides know their kind the kinds must agree, except
    that people and count are interchangeable when either has no unit (the kind was
    then guessed from a nearby noun). When both sides state a unit the units must agree
    (張 ↔ 张, 年 ↔ 年度, 人 ↔ 人次 ↔ 名).
    """
    if not abs(f.value - q.value) < q.precision:
        return False
    if q.ordinal != (f.kind == "ordinal"):
        return False
    if q.kind is not None and q.kind != f.kind:
        guessed = not q.unit or not f.unit
        if not (guessed and {q.kind, f.kind} <= {"people", "count"}):
            return False
    return not (q.unit and f.unit and not _units_compatible(q.unit, f.unit))


# --- what the question asks for --------------------------------------------------------
# Patterns run on the question folded to Traditional (fold_script) and lower-cased, so
# each is written once for both scripts. 幾 after 那/這/哪/好 is "those few"/"several"
# (那幾項開銷, 好幾次), not a question about a number; after 第 it asks for an ordinal.
_HOW_MANY = r"(?<![第那這哪好])(?:多少|幾)"
_MEASURES = "個家張份項期輪所座條件戶批場處床類種對支倍部套間台臺"
_PEOPLE_ZH = "人口|群眾|人員|居民|老人|兒童|殘疾人|孤兒|農民|職工|學生|志願者|志愿者|干部|幹部"
_ASK_PATTERNS: tuple[tuple[FigureKind, re.Pattern[str]], ...] = tuple(
    (cast(FigureKind, kind), re.compile(pattern))
    for kind, pattern in (
        # money
        ("money", rf"{_HOW_MANY}(?:錢|塊錢|元|萬元|億元|億)"),
        ("money", r"資金|金額|經費|款項|款物|善款|捐款|投資額|總投資|[保助濟獎補用基]金"),
        ("money", r"(?:補貼|補助|投資|投入|支出|花費|花了|撥付|撥款)了?(?:多少|幾)"),
        # Nouns and verbs of money as their Chinese twins above ([保助補]金, 撥付): an
        # allowance, a pension, wages, a payment — "how much … allowance" asks an amount.
        (
            "money",
            r"\bhow much\b[^?]*\b(?:money|yuan|rmb|funds?|funding|subsid\w*|grants?"
            r"|allowances?|pensions?|salar(?:y|ies)|wages?|payments?|paid out|disbursed)\b",
        ),
        ("money", r"\b(?:spent|spend|spending|invested|investments?|expenditures?|budgets?)\b"),
        ("money", r"\b(?:cost|costs|allocated|donated|donations?)\b"),
        # people
        ("people", rf"{_HOW_MANY}(?:個)?(?:人(?!民幣)|名|位)"),
        ("people", rf"{_HOW_MANY}[^，。？！,.?!;；]{{0,8}}(?:{_PEOPLE_ZH})"),
        (
            "people",
            r"\bhow many\s+(?:[a-z-]+\s+){0,3}?(?:people|persons?|person-times|individuals|"
            r"residents|recipients|children|orphans|volunteers|workers|villagers|seniors|"
            r"members|staff)(?![\w-])",
        ),
        ("people", r"\bnumber of (?:people|persons|residents|individuals)\b"),
        # percent
        ("percent", r"百分之(?:幾|多少)|百分比|比例|比率|比重|佔比|占比"),
        ("percent", rf"占[^，。？！,?!]{{0,15}}(?:{_HOW_MANY}|百分)"),
        # "…完成了年度計劃的多少？": "how much of X" ending a question or a clause of it is a
        # share of X.
        ("percent", r"[^，。？！,.?!;；]{2}的(?:多少|幾成)\s*(?:[？?，,；;]|$)"),
        ("percent", r"(?:完成|增長|覆蓋|參保|入住|達標|下降|上升|增幅|降幅)率"),
        ("percent", r"\b(?:share|percentage|percent|per cent|proportion|fraction|ratio)\b"),
        ("percent", r"\bwhat rate\b|\brate (?:of|was|is)\b"),
        # count
        ("count", rf"{_HOW_MANY}(?:次|[{_MEASURES}])(?!月|小時|星期|人|百分)"),
        ("count", r"\bhow many times\b|\bhow often\b"),
        # duration: 幾年 but not 第幾年
        ("duration", r"(?<![第那這哪好])(?:幾|多少)(?:年|個月|個星期|星期|週|天|個小時|小時)"),
        ("duration", r"多久|多長時間|多長|多少時間|多少時日"),
        ("duration", r"\bhow long\b|\bhow many (?:years|months|weeks|days|hours)\b"),
        # ordinal
        ("ordinal", r"第(?:幾|多少)|哪(?:一)?(?:屆|輪)"),
        (
            "ordinal",
            r"\b(?:which|what)\s+(?:[a-z-]+\s+){0,2}?(?:round|session|plenary|edition|"
            r"congress|term|rank)\b",
        ),
        # date
        ("date", r"哪(?:一)?年|何年|哪一天|何時|什麼時候|幾月|幾號|哪天|日期"),
        ("date", r"^\W*when\b|\bsince when\b|\b(?:what|which) (?:year|date|month|day)\b"),
    )
)
# "連續多少年": Chinese reports write a run of years both as 連續3年 and as 連續第十四年,
# so a question about how many years in a row also asks for an ordinal — in English too
# ("for how many years in a row / consecutive years / straight years").
_RUN_OF_YEARS = re.compile(
    rf"連續[^，。？！,?!]{{0,12}}{_HOW_MANY}(?:個)?年"
    r"|\bhow many (?:consecutive |straight |successive )?years\b[^?]*"
    r"\b(?:in a row|consecutive|running|straight|in succession)\b"
    r"|\bhow many (?:consecutive|straight|successive) years\b"
)
# English "how many X" asks for a count unless X is people or time (recognised above);
# "how much" without a money word stays open.
# The noun asked about is among the (at most three) words after "how many", before the
# verb; the lookahead lets "how many people and how many groups" be read twice.
_EN_HOW_MANY = re.compile(r"\bhow many(?=((?:\s+[a-z][a-z'-]*){1,3}))")
#: English auxiliaries: after "how many X" they start the predicate (shared with
#: ``qa.answer.agreement``).
EN_AUXILIARIES = frozenset(
    [
        "did",
        "do",
        "does",
        "were",
        "was",
        "are",
        "is",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
    ]
)
_EN_NOT_COUNT = frozenset(
    {
        "people",
        "persons",
        "person",
        "person-times",
        "individuals",
        "residents",
        "recipients",
        "children",
        "orphans",
        "volunteers",
        "workers",
        "villagers",
        "seniors",
        "members",
        "staff",
        "years",
        "months",
        "weeks",
        "days",
        "hours",
        "yuan",
    }
)


def asked_kinds(question: str) -> set[FigureKind]:
    """Which kinds of figure ``question`` asks for (Traditional, Simplified or English).

    money: 多少錢/钱, 資金/资金, 金額, 補貼多少, "how much money/… yuan", spent, invested.
    people: 多少人, 幾人, 多少名, 多少…人口/群眾, "how many people/persons".
    percent: 百分之幾, 比例, 比率, 占…多少, "…計劃的多少", "share/percentage/proportion".
    count: 幾次, 多少個/家/張/份…, "how many times", and "how many <other noun>".
    duration: 幾年, 多久, 多長時間, "how long", "how many years".
    ordinal: 第幾, 哪屆, "which round/session"; also with duration for 連續多少年.
    date: 哪一年, 何時, "when", "what year".

    A bare 多少/幾 or "how much" with no telling noun gives the empty set: the kind is
    unknown (the question may still ask for a figure), so callers should not filter
    figures by kind. Several kinds may be returned for a question that asks several
    things ("多少家…資金超過多少" → {"count", "money"}).
    """
    folded = fold_script(question).lower()
    kinds: set[FigureKind] = set()
    for kind, pattern in _ASK_PATTERNS:
        if pattern.search(folded):
            kinds.add(kind)
    if _RUN_OF_YEARS.search(folded):
        kinds.update(("duration", "ordinal"))
    for match in _EN_HOW_MANY.finditer(folded):
        noun_phrase: list[str] = []
        for word in match.group(1).split():
            if word in _EN_STOPWORDS or word in EN_AUXILIARIES:
                break
            noun_phrase.append(word)
        if noun_phrase and not _EN_NOT_COUNT.intersection(noun_phrase):
            kinds.add("count")
    return kinds


_ASKS_FIGURE = re.compile(
    rf"{_HOW_MANY}|\bhow (?:much|many)\b|\bwhat (?:share|percentage|proportion|amount)\b"
)


def asks_for_figure(question: str) -> bool:
    """True for a "how much / how many" question, whether or not its kind is known
    (``asked_kinds`` is empty for a bare 多少 or "how much")."""
    return bool(asked_kinds(question)) or bool(_ASKS_FIGURE.search(fold_script(question).lower()))
