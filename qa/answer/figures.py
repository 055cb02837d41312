"""Find the figures of a report passage: amounts, head counts, shares, ranks, years.

A *figure* is a number together with what it measures, quoted exactly as the report
writes it ("58.68億元", "216萬多名", "第十四年", "四輪") so that an answer can show it
verbatim and mark it. Values are also read into base units (58.68億元 → 5.868e9) so that
a question stating the same number in another notation can be matched to it
(see :mod:`qa.answer.numbers`).

What counts as a figure:

* Arabic numbers (``1,234``, ``58.68``) followed by a unit or measure word
  (元, 人, 人次, 個, 家, 張, 次, 期, 年, %…), optionally with 萬/億/千/百 multipliers and
  "多"/"餘" ("more than") before the unit. A number with 萬/億 but no unit ("186.3萬")
  is a figure too; a bare number without either is not (it is a code, a page, a name).
* Chinese numerals only when followed by a measure word from the same list ("四輪",
  "十九屆", "兩項"), after 第 ("第十四年"), or with 萬/億 ("一萬"). This one rule keeps
  out most fixed words (一系列, 一線, 一體化, 兩省, 十九大, 四中全會), because no measure
  word follows. Three further rules, each documented where it is applied, handle the rest:
  a lone 一 is an article, not a quantity; two adjacent digits (三五, 十三五) are an
  approximation or a name; and numerals inside short quoted slogans (“三個聚焦”,
  “嚴十條”) are names. ``_NOT_FIGURES`` lists the few fixed words that pass all of that.
* Calendar dates (2020.12.23, 2020年12月23日) and years (2020年, 2019年度).

Figures never overlap and never include surrounding qualifier words: "超過2.3億元" gives
the figure "2.3億元" with qualifier ``more_than``; "99.9%以上" gives "99.9%", ``at_least``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from qa.controls import mask
from qa.numerals import CN_ALL, CN_BIG, CN_DIGITS, chinese_numeral

__all__ = [
    "Figure",
    "FigureKind",
    "Qualifier",
    "chinese_numeral",
    "extract_figures",
]

FigureKind = Literal["money", "people", "count", "percent", "ordinal", "duration", "date"]
Qualifier = Literal["exact", "more_than", "at_least", "about"]


@dataclass(frozen=True)
class Figure:
    """One figure of a passage, quoted verbatim with its value read into base units.

    ``text == passage[start:end]``. ``value`` is in base units (元, persons, percent
    points, the rank for ordinals, the year for dates). ``unit`` is the measure word as
    written after the number and any 萬/億 multiplier ("元" for "58.68億元", "" for
    "186.3萬"); for dates written without a unit word it is "". ``qualifier`` records
    "more than" (多, 超過, 逾), "at least" (以上, 至少) and "about" (約, 近, 左右).
    """

    text: str
    start: int
    end: int
    value: float
    unit: str
    kind: FigureKind
    qualifier: Qualifier


# --- script folding --------------------------------------------------------------------
# One-to-one Simplified → Traditional map for the characters that units and question
# patterns use. It keeps string lengths, so spans found in folded text are valid in the
# original. (The project's general folding lives in qa.text and needs OpenCC; these
# modules stay standard-library only.)
_S2T_PAIRS = (
    "个個 张張 项項 轮輪 届屆 条條 户戶 对對 场場 处處 辆輛 种種 类類 岁歲 吨噸 亩畝 间間 "
    "时時 万萬 亿億 两兩 点點 钱錢 几幾 资資 额額 补補 贴貼 长長 经經 费費 计計 划劃 务務 "
    "标標 总總 数數 员員 众眾 儿兒 残殘 这這 连連 续續 发發 拨撥 约約 过過 于於 将將 达達 "
    "为為 实實 际際 区區 余餘 佔占 ％% 护護 龄齡 养養 们們 笔筆 块塊 钟鐘 问問 说說 么麼 "
    "吗嗎 与與 开開 办辦 会會 议議 业業"
)
_S2T = str.maketrans({pair[0]: pair[1] for pair in _S2T_PAIRS.split()})


def fold_script(text: str) -> str:
    """Fold the Simplified forms of unit and question words to Traditional, 1:1 in length."""
    return text.translate(_S2T)


# Chinese numerals are read by qa.numerals.


# --- units -----------------------------------------------------------------------------
# Measure words and units that may follow a number, longest first so that 人次 wins over
# 人 and 個月 over 個. 日 is left out: after a number it is a day of the month, handled
# with dates. 百分點 ("percentage points") comes before the 百 multiplier.
_UNITS = sorted(
    [
        "個百分點",
        "个百分点",
        "百分點",
        "百分点",
        "人次",
        "個月",
        "个月",
        "年度",
        "週年",
        "周年",
        "小時",
        "小时",
        "公里",
        "平方米",
        "平方公里",
        "立方米",
        "千瓦时",
        "千瓦",
        "公顷",
        "公斤",
        "千克",
        "標箱",
        "标箱",
        "架次",
        "美元",
        "港元",
        "歐元",
        "欧元",
        "%",
        "％",
        "元",
        "人",
        "個",
        "个",
        "家",
        "張",
        "张",
        "份",
        "次",
        "名",
        "位",
        "期",
        "項",
        "项",
        "輪",
        "轮",
        "屆",
        "届",
        "年",
        "月",
        "天",
        "週",
        "周",
        "戶",
        "户",
        "所",
        "座",
        "條",
        "条",
        "件",
        "床",
        "對",
        "对",
        "批",
        "場",
        "场",
        "處",
        "处",
        "台",
        "臺",
        "輛",
        "辆",
        "種",
        "种",
        "類",
        "类",
        "倍",
        "歲",
        "岁",
        "噸",
        "吨",
        "畝",
        "亩",
        "間",
        "间",
        "套",
        "部",
        "斤",
        "艘",
        "列",
    ],
    key=len,
    reverse=True,
)
_MONEY_UNITS = frozenset({"元", "美元", "港元", "歐元", "欧元"})
_PERCENT_UNITS = frozenset({"%", "％", "個百分點", "个百分点", "百分點", "百分点"})
_PEOPLE_UNITS = frozenset({"人", "人次", "名", "位"})
_ORDINAL_UNITS = frozenset({"屆", "届", "週年", "周年"})
_YEAR_UNITS = frozenset({"年", "年度"})
_DURATION_UNITS = frozenset({"個月", "个月", "天", "週", "周", "小時", "小时"})
# Arabic multipliers. 百 and 千 are included ("3千人"); 百分點 is checked first.
_MULTIPLIERS = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8, "千": 1000, "百": 100}
_MORE = "多餘余"  # "60多份", "十餘個": more than the stated number

# A unit-less number is about people when a people noun follows in the same phrase
# ("186.3萬困難群眾", "30萬建檔立卡貧困人口"). Kept short and general on purpose.
_PEOPLE_NOUN = re.compile(
    r"[^,，;；。、:：()（）“”\s]{0,8}?(?:群眾|群众|人口|人員|人员|居民|老人|兒童|儿童|"
    r"殘疾人|残疾人|農民|农民|職工|职工|學生|学生|志願者|志愿者|勞動力|劳动力)"
)

# Fixed words containing a numeral + measure word that are not quantities. Most fixed
# words are already excluded by the general rules (no measure word follows; a lone 一 is
# an article; 十三五 has adjacent digits); they are listed anyway so the intent is explicit.
_NOT_FIGURES = (
    "一年來",
    "一年来",
    "一系列",
    "第一時間",
    "第一时间",
    "一線",
    "一线",
    "一體化",
    "一体化",
    "一肩挑",
    "一律",
    "一次性",
    "一條龍",
    "一条龙",
    "一站式",
    "三位一體",
    "四位一體",
    "五位一體",
    "三位一体",
    "四位一体",
    "五位一体",
    "二元",  # 城鄉二元結構: "dual", not two yuan
    "十三五",
    "十四五",
)
# Short quoted names (“三個聚焦”, “嚴十條”, “兩覆蓋、兩工程”): Chinese numerals inside are
# part of a slogan. Eight characters is long enough for slogans and short enough not to
# swallow quoted sentences, whose numbers are real.
_SHORT_QUOTE = re.compile(r"“[^“”\n]{1,8}”|「[^「」\n]{1,8}」|『[^『』\n]{1,8}』|‘[^‘’\n]{1,8}’")

_DIGIT = "0-9０-９"
_DATE = re.compile(
    rf"(?<![{_DIGIT}])([12][{_DIGIT}]{{3}})"
    rf"(?:[.．/\-]([{_DIGIT}]{{1,2}})[.．/\-]([{_DIGIT}]{{1,2}})"
    rf"|年([{_DIGIT}]{{1,2}})月(?:([{_DIGIT}]{{1,2}})[日號号])?)(?![{_DIGIT}])"
)
_ARABIC = re.compile(
    rf"(?<![{_DIGIT}A-Za-z.．\-_])"
    rf"(?:[{_DIGIT}]{{1,3}}(?:,[{_DIGIT}]{{3}})+(?![{_DIGIT}])|[{_DIGIT}]+)"
    rf"(?:[.．][{_DIGIT}]+)?"
)
_CHINESE = re.compile(rf"第?[{CN_DIGITS}十][{CN_ALL}]*(?:[點点][{CN_DIGITS}]+[萬万億亿]*)?")
_PERCENT_WORDS = re.compile(
    rf"百分之(?:([{_DIGIT}]+(?:[.．][{_DIGIT}]+)?)|([{CN_ALL}]+(?:[點点][{CN_DIGITS}]+)?))"
)
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")

_QUAL_BEFORE: tuple[tuple[str, Qualifier], ...] = (
    ("不少於", "at_least"),
    ("不少于", "at_least"),
    ("不低於", "at_least"),
    ("不低于", "at_least"),
    ("至少", "at_least"),
    ("超過", "more_than"),
    ("超过", "more_than"),
    ("多於", "more_than"),
    ("多于", "more_than"),
    ("高於", "more_than"),
    ("高于", "more_than"),
    ("逾", "more_than"),
    ("將近", "about"),
    ("将近", "about"),
    ("接近", "about"),
    ("大約", "about"),
    ("大约", "about"),
    ("大概", "about"),
    ("約", "about"),
    ("约", "about"),
    ("近", "about"),
)


@dataclass
class _Number:
    """A number found in text, before it is turned into a Figure or a Quantity."""

    start: int
    end: int
    value: Decimal
    precision: Decimal
    unit: str
    kind: FigureKind | None  # None: no unit and nothing else says what it counts
    more: bool  # 多/餘 inside the figure
    ordinal: bool


def stated_precision(decimals: int, multiplier: Decimal | int) -> Decimal:
    """Size of the last stated digit in base units: "1.4萬" → 1000, "99.9" → 0.1; a whole
    number before 萬/億 reads as if it had one decimal ("1萬" → 1000), so that it does not
    also match 1.4萬."""
    if decimals:
        return Decimal(1).scaleb(-decimals) * multiplier
    if multiplier >= 10:
        return Decimal(multiplier) / 10
    return Decimal(1)


def _arabic_value(digits: str) -> tuple[Decimal, int]:
    """Value and number of decimals of an Arabic numeral such as "3,109.47"."""
    plain = digits.translate(_ASCII_DIGITS).replace(",", "")
    decimals = len(plain.partition(".")[2])
    return Decimal(plain), decimals


def _read_unit(text: str, pos: int) -> tuple[str, int, bool]:
    """Read an optional 多/餘 and a unit at ``pos``: ``(unit, end, more)``.

    "個多月" is one unit ("個月") with "more than" inside it.
    """
    for form, unit in (("個多月", "個月"), ("个多月", "个月")):
        if text.startswith(form, pos):
            return unit, pos + len(form), True
    more = pos < len(text) and text[pos] in _MORE
    p = pos + 1 if more else pos
    for unit in _UNITS:
        if text.startswith(unit, p):
            return unit, p + len(unit), more
    return "", p, more


def _year_like(value: Decimal) -> bool:
    """Whole numbers that read as calendar years when followed by 年."""
    return value == value.to_integral_value() and 1000 <= value <= 2999


def _kind(text: str, n: _Number) -> FigureKind | None:
    """Classify a number by its unit and its immediate context."""
    unit = n.unit
    if n.ordinal or unit in _ORDINAL_UNITS:
        return "ordinal"
    if unit in _MONEY_UNITS:
        return "money"
    if unit in _PERCENT_UNITS:
        return "percent"
    if unit in _PEOPLE_UNITS:
        return "people"
    if unit in _YEAR_UNITS:
        # "2020年" is a year; "2000多年" and "3年" are lengths of time.
        return "date" if _year_like(n.value) and not n.more else "duration"
    if unit == "月":
        # Without 個, "6月" is June; a number of months is written "6個月".
        whole = n.value == n.value.to_integral_value()
        return "date" if whole and 1 <= n.value <= 12 else "duration"
    if unit in _DURATION_UNITS:
        return "duration"
    if unit:
        return "count"
    if _PEOPLE_NOUN.match(text, n.end):
        return "people"
    return None


def _qualifier(text: str, n: _Number, kind: FigureKind | None) -> Qualifier:
    """The qualifier of a figure: 多 inside it, 以上/左右 after it, 超過/約/近… before it."""
    if n.more:
        return "more_than"
    if text.startswith("以上", n.end):
        return "at_least"
    if text.startswith("左右", n.end):
        return "about"
    before = text[max(0, n.start - 8) : n.start].rstrip(" \t\u3000")
    for word, qualifier in _QUAL_BEFORE:
        if before.endswith(word):
            if word == "近" and (kind == "duration" or before[-2:-1] in ("最", "附", "臨", "临")):
                # 最近3年 / 近3年來 is "the last three years", not "nearly three years".
                continue
            return qualifier
    return "exact"


def _blocked_spans(text: str) -> list[tuple[int, int]]:
    """Spans where Chinese numerals are names, not quantities."""
    spans = [(m.start(), m.end()) for m in _SHORT_QUOTE.finditer(text)]
    for word in _NOT_FIGURES:
        start = text.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return spans


def _scan(text: str, *, bare: bool, taken: bytearray | None = None) -> list[_Number]:
    """Find the numbers of ``text``, sorted and non-overlapping.

    With ``bare=False`` (report text) only figures are returned: numbers with a unit or
    a 萬/億 multiplier. With ``bare=True`` (questions) bare Arabic numbers ("2020") and
    Chinese numerals after 第 are kept as well, with ``unit=""``. Characters already set
    in ``taken`` are skipped (the caller may have read them as English numbers).
    """
    taken = bytearray(len(text)) if taken is None else taken
    found: list[_Number] = []

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def claim(n: _Number) -> None:
        taken[n.start : n.end] = b"\x01" * (n.end - n.start)
        found.append(n)

    for m in _DATE.finditer(text):
        if free(m.start(), m.end()):
            year = Decimal(m.group(1).translate(_ASCII_DIGITS))
            claim(_Number(m.start(), m.end(), year, Decimal(1), "", "date", False, False))

    for m in _PERCENT_WORDS.finditer(text):
        if not free(m.start(), m.end()):
            continue
        if m.group(1):
            value, decimals = _arabic_value(m.group(1))
            precision = Decimal(1).scaleb(-decimals)
        else:
            read = chinese_numeral(m.group(2))
            if read is None:
                continue
            value, precision = read
        claim(_Number(m.start(), m.end(), value, precision, "%", "percent", False, False))

    for m in _ARABIC.finditer(text):
        start, end = m.start(), m.end()
        if not free(start, end):
            continue
        value, decimals = _arabic_value(m.group())
        multiplier = 1
        p = end
        while p < len(text) and text[p] in _MULTIPLIERS:
            if text.startswith("百分", p):
                break  # 3個百分點 / 5百分點: a unit, not 百 × 分
            multiplier *= _MULTIPLIERS[text[p]]
            p += 1
        more = False
        if text[p : p + 1] in tuple(_MORE) and text[p + 1 : p + 2] in ("萬", "万", "億", "亿"):
            # "200多萬人": 多 before the multiplier.
            multiplier *= _MULTIPLIERS[text[p + 1]]
            more = True
            p += 2
        unit, unit_end, more_in_unit = _read_unit(text, p)
        if unit:
            more = more or more_in_unit
        elif more_in_unit and multiplier > 1:
            more = True  # "216萬多" with nothing after: still "more than"
        else:
            unit_end = p  # a trailing 多 with no unit or multiplier is not part of it
        if not unit and multiplier == 1 and not bare:
            continue
        ordinal = start > 0 and text[start - 1] == "第"
        if ordinal:
            start -= 1
        precision = stated_precision(decimals, multiplier)
        n = _Number(start, unit_end, value * multiplier, precision, unit, None, more, ordinal)
        n.kind = _kind(text, n)
        if n.kind is None and not unit and multiplier == 1 and _year_like(n.value):
            # Only questions keep bare numbers; a bare "2020" there is a calendar year.
            n.kind = "date" if 1900 <= n.value <= 2100 else None
        if not free(n.start, n.end):
            continue
        claim(n)

    blocked = _blocked_spans(text)
    for m in _CHINESE.finditer(text):
        start, end = m.start(), m.end()
        ordinal = m.group().startswith("第")
        numeral = m.group()[1:] if ordinal else m.group()
        if not numeral or not free(start, end):
            continue
        if any(b_start < end and start < b_end for b_start, b_end in blocked):
            continue
        if numeral == "一" and not ordinal:
            continue  # a lone 一 is "a"/"the whole" (一年, 一線, 一系列), not a count
        read = chinese_numeral(numeral)
        if read is None:
            continue
        value, precision = read
        unit, unit_end, more = _read_unit(text, end)
        has_big = any(ch in CN_BIG for ch in numeral)
        if not unit:
            more = False
            unit_end = end
            if not (has_big or (bare and ordinal)):
                continue
        n = _Number(start, unit_end, value, precision, unit, None, more, ordinal)
        n.kind = _kind(text, n)
        if not free(n.start, n.end):
            continue
        claim(n)

    found.sort(key=lambda n: n.start)
    _mark_session_ordinals(text, found)
    return found


def _mark_session_ordinals(text: str, numbers: list[_Number]) -> None:
    """Mark 次 after 屆 as ordinal: "十二屆七次、八次全會" names the 7th and 8th sessions."""
    previous: _Number | None = None
    for n in numbers:
        if (
            previous is not None
            and n.unit == "次"
            and previous.kind == "ordinal"
            and previous.unit in ("屆", "届", "次")
            and (n.start == previous.end or text[previous.end : n.start] in ("、", ","))
        ):
            n.ordinal = True
            n.kind = "ordinal"
        previous = n


def extract_figures(text: str) -> list[Figure]:
    """Return the figures of ``text``, sorted by position and non-overlapping.

    See the module docstring for what counts as a figure. Each figure's ``text`` is
    ``text[start:end]`` exactly; qualifier words (超過, 以上) and surrounding spaces are
    outside the span. Control characters and escape sequences around a figure do not hide
    it (``qa.controls.mask``).
    """
    figures: list[Figure] = []
    # Escape sequences and control characters read as spaces (same offsets): a figure right
    # after "\x1b[31m" is still a figure, and its span still points into ``text``.
    for n in _scan(mask(text), bare=False):
        kind: FigureKind = n.kind or "count"
        figures.append(
            Figure(
                text=text[n.start : n.end],
                start=n.start,
                end=n.end,
                value=float(n.value),
                unit=n.unit,
                kind=kind,
                qualifier=_qualifier(text, n, kind),
            )
        )
    return figures
