"""Each figure of a passage read with its clause: what it measures, for when, and whether it
is a result or a target.

A paragraph of a real work report is dense — 全省生产总值增长5.6%，一般公共预算收入增长2%，
规上工业增加值增长7.9%… — and the same report holds last year's results, this year's targets,
five-year averages and goals for 2030. A figure is read here with:

* its **clause**: the text between the clause punctuation around it (，；。：, not 、, which
  lists figures of one subject: 实现4.6万亿元、增长2.8%), extended back over a lead-in that
  says what follows (主要预期目标是：…) so that a quote never starts at 是：;
* its **context**: the clause's words before the figure — where the indicator it measures
  stands (地区生产总值 in 地区生产总值增长3.9%);
* its **relation**: ``growth`` when a word of change stands right before it (增长, 下降,
  提高), else ``level``;
* its **period**: the nearest period named before it in its sentence (2025年的4.93万亿元,
  到2030年, 十四五期间), else its section's; ``average`` for 年均, ``goal`` for 到2030年,
  ``span`` for a figure over several years (五年来, 从…提高到);
* its **role**: ``target`` when its sentence sets one before it (目标, 预期, 力争, 控制在…)
  or, in a section that plans, when it is approximate (左右, 以上, 以内); else the section's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.answer.figures import Figure, extract_figures
from qa.lang import zh
from qa.periods import Period, Role, time_mentions
from qa.text import fold_chars, is_cjk

_CLAUSE_BREAKS = frozenset("，,；;。！？!?：:\n")
_LEAD_IN_END = ("：", ":")
_APPROXIMATE_AFTER = ("左右", "以上", "以内", "以下", "上下")
_GROWTH_WORDS = tuple(sorted(zh.GROWTH, key=len, reverse=True))
_TARGET_WORDS = tuple(sorted(zh.TARGET, key=len, reverse=True))
_MET = re.compile(rf"(?:{'|'.join(zh.MET)})[^，,。；;]{{0,10}}?(?:{'|'.join(zh.TARGET)}|任务)")
#: Words right before a figure that make it the level reached (增加到, 下降至, 提高为).
_REACHED = ("到", "至", "为")
#: Words of a clause that are its predicate, not its subject.
_PREDICATE_WORDS = tuple(
    sorted(
        {*zh.GROWTH, *zh.RESULT, *zh.TARGET, *zh.PREDICATES, *zh.AVERAGE}
        - {"比", "较"},  # 比 starts 比重 too; 比上年 is a predicate word of its own
        key=len,
        reverse=True,
    )
)
_PREDICATE_AT = re.compile("|".join(map(re.escape, _PREDICATE_WORDS)))
_CLAUSE_ENDS = frozenset("，,；;：:")
_SPAN_WORDS = ("五年来", "这五年", "累计", "期间", "以来", "年间")
#: A growth over a number of years: 5年增长18.7%, 五年累计.
_YEARS_LONG = re.compile(
    r"(?<![0-9０-９])(?:[2-9２-９]|[二三四五六七八九十两]{1,2})年(?:来|间|累计|共)?(?:增长|提高|增加|下降|降低)"
)


@dataclass(frozen=True)
class FigureClause:
    """A figure of a passage with what its clause says of it (see the module docstring).
    Spans (``start``/``end`` of the quotable clause) index the passage text."""

    figure: Figure
    start: int
    end: int
    context: str
    relation: str  # "growth" | "level"
    period: Period | None
    role: Role | None
    average: bool = False
    goal: bool = False
    span: bool = False
    #: The figure counts things named after it (连续迈上4个万亿元台阶): not the value of the
    #: indicator before it.
    counts_things: bool = False


def _full_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences ended by 。！？ only: the items of a list separated by ； share their
    sentence's lead-in and period (主要预期目标是：A；B；C。)."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in "。！？!?\n":
            if text[start : i + 1].strip():
                spans.append((start, i + 1))
            start = i + 1
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _clause_start(text: str, at: int, floor: int) -> int:
    i = at
    while i > floor and text[i - 1] not in _CLAUSE_BREAKS:
        i -= 1
    return i


def _clause_end(text: str, at: int, ceiling: int) -> int:
    i = at
    while i < ceiling and text[i] not in _CLAUSE_BREAKS:
        i += 1
    return i


def _readable_start(text: str, start: int, floor: int, lead_in_chars: int) -> int:
    """Back over a lead-in that says what the clause is (……主要预期目标是：地区生产总值…)."""
    if start > floor and text[start - 1] in _LEAD_IN_END:
        lead = _clause_start(text, start - 1, floor)
        if start - 1 - lead <= lead_in_chars:
            return lead
    return start


def _has_subject(context: str) -> bool:
    """The clause names something before its figure: not only 达到, 增长, 比上年…, other
    figures, a time (去年达到54641万吨), or a word that points back at the subject before it
    (总额首次突破万亿元)."""
    chars = list(fold_chars(context))
    for f in extract_figures(context):
        chars[f.start : f.end] = " " * (f.end - f.start)
    for m in time_mentions(context, anchor=None):
        chars[m.start : m.end] = " " * (m.end - m.start)
    rest = "".join(chars)
    for word in (*_PREDICATE_WORDS, *zh.ANAPHORIC_SUBJECTS):
        rest = rest.replace(word, " ")
    rest = re.sub(r"[万亿千百十元%％]+", " ", rest)
    return len(re.findall(r"[\u3400-\u9fffA-Za-z]", rest)) >= 2


def read_clauses(
    text: str,
    *,
    period: Period | None = None,
    role: Role | None = None,
    anchor: int | None = None,
    reviews: Period | None = None,
    lead_in_chars: int = 30,
) -> list[FigureClause]:
    """The figures of ``text`` (a passage) with their clauses; ``period`` and ``role`` are
    the passage's (from its section), ``anchor`` the report's year (for 今年) and
    ``reviews`` the year it reviews (a result stated in a section that plans: 去年粮食总产量
    达到……, 战胜了……)."""
    figures = [f for f in extract_figures(text) if f.kind != "date"]
    if not figures:
        return []
    folded = fold_chars(text)
    out: list[FigureClause] = []
    for s_start, s_end in _full_sentences(text):
        in_sentence = [f for f in figures if s_start <= f.start and f.end <= s_end]
        if not in_sentence:
            continue
        mentions = [m for m in time_mentions(text[s_start:s_end], anchor=anchor)]
        for f in in_sentence:
            c_start = _clause_start(text, f.start, s_start)
            c_end = _clause_end(text, f.end, s_end)
            start = _readable_start(text, c_start, s_start, lead_in_chars)
            # A clause without a subject (……，达到11377亿元) measures the subject of the
            # clause before it: the context reaches back to it, not past another figure.
            # (…，粮食总产量增加109亿公斤，达到4024亿公斤: the figures between share it.)
            subject_start = c_start
            while not _has_subject(text[subject_start : f.start]) and subject_start > s_start:
                subject_start = _clause_start(text, subject_start - 1, s_start)
            context = text[subject_start : f.start]
            # 增长5% and 经济增长速度的目标定为8% are growths; 增加到51.9万亿元 / 下降到2.6%
            # is the level reached.
            before = folded[max(subject_start, f.start - 6) : f.start]
            reached = any(before.endswith(w + r) for w in _GROWTH_WORDS for r in _REACHED)
            # The figure's own clause and the clauses without figures before it that say
            # what it is (not a clause with its own figure: 比上年增加1501亿元，……，达到…).
            said_start = c_start
            while said_start > subject_start:
                previous = _clause_start(text, said_start - 1, s_start)
                if any(previous <= g.start < said_start for g in figures if g is not f):
                    break
                said_start = previous
            # Only words after the figure before it in the clause (增长5.5%、达到10.3万亿元:
            # the growth is 5.5%'s, 10.3万亿元 is the level reached).
            said_start = max(
                [
                    said_start,
                    *(g.end for g in figures if g is not f and said_start <= g.end <= f.start),
                ]
            )
            said = folded[said_start : f.start]
            relation = (
                "growth" if any(w in said for w in _GROWTH_WORDS) and not reached else "level"
            )
            f_period, f_role = period, role
            average = goal = span = False
            prior = [m for m in mentions if s_start + m.end <= f.start]
            in_clause = [m for m in prior if s_start + m.start >= subject_start]
            nearest = (in_clause or prior)[-1:] if prior else []
            for m in nearest:
                if m.kind == "average":
                    average = True
                    continue
                if m.period is not None:
                    f_period = m.period
                    goal = m.kind == "goal"
                    span = not m.period.single
            # An average or a span stated anywhere before the figure in its clause.
            clause_folded = folded[subject_start : f.start]
            if any(w in clause_folded for w in zh.AVERAGE):
                average = True
            if (
                any(m.kind in ("span", "plan", "range") for m in in_clause)
                or clause_folded.startswith("从")
                or any(w in clause_folded for w in _SPAN_WORDS)
                or _YEARS_LONG.search(clause_folded)
            ):
                span = True  # 累计完成3.7万亿元, 5年增长18.7%: several years' figure
            # Target cues before the figure in its sentence (names of periods masked:
            # 第二个五年计划 names years, it sets no target).
            sentence_before = list(folded[s_start : f.start])
            for m in mentions:
                if m.start < len(sentence_before):
                    end = min(m.end, len(sentence_before))
                    sentence_before[m.start : end] = " " * (end - m.start)
            # A target met is a result: 全面实现年初确定的主要目标，国内生产总值增长7.8%.
            cued = _MET.sub(" ", "".join(sentence_before))
            # In a review, a target word earlier in the sentence is another thing's (行动计划顺利
            # 完成，全年新能源汽车产量达到…): only the figure's own clause can make it a target.
            own = cued[said_start - s_start :] if role == "result" else cued
            if goal or any(w in own for w in _TARGET_WORDS):
                f_role = "target"
            elif role == "target" and not nearest and _completed(cued):
                # A plan's section may open on last year's results (战胜了……，粮食总产量
                # 达到……): a completed statement is a result of the year reviewed.
                f_role, f_period = "result", reviews or f_period
            elif f_role is None and f_period is not None and anchor is not None:
                f_role = "result" if f_period.end < anchor else "target"
            out.append(
                FigureClause(
                    figure=f,
                    start=start,
                    end=c_end,
                    context=context,
                    relation=relation,
                    period=f_period,
                    role=f_role,
                    average=average,
                    goal=goal,
                    span=span,
                    counts_things=_counts_things(text, f),
                )
            )
    return out


def _counts_things(text: str, figure: Figure) -> bool:
    """A count with a classifier (4个, 3项) followed by the noun it counts."""
    if figure.kind != "count" or not figure.unit or figure.unit[-1] not in zh.CLASSIFIERS:
        return False
    after = text[figure.end : figure.end + 2]
    return bool(after) and is_cjk(after[0]) and not after.startswith(zh.COUNT_QUALIFIERS)


def _completed(cued: str) -> bool:
    """A statement of what happened: the perfective 了 or a comparison with last year."""
    return "了" in cued or any(w in cued for w in zh.COMPLETED)


_TERM_WORDS: dict[str, tuple[str, ...]] = {}


def term_words(term: str) -> tuple[str, ...]:
    """The words of an indicator's name (jieba's), folded: 城镇调查失业率 → 城镇, 调查, 失业率."""
    found = _TERM_WORDS.get(term)
    if found is None:
        from qa.segment import words

        folded = fold_chars(term).lower()
        found = tuple(w for w in words(folded) if re.search(r"[a-z0-9\u3400-\u9fff]", w))
        _TERM_WORDS[term] = found
    return found


_BOUNDARIES: dict[str, frozenset[int]] = {}


def _word_starts(folded: str) -> frozenset[int]:
    """Where the words of ``folded`` start (jieba's), cached."""
    found = _BOUNDARIES.get(folded)
    if found is None:
        from qa.segment import words

        starts, pos = set(), 0
        for word in words(folded):
            starts.add(pos)
            pos += len(word)
        found = _BOUNDARIES[folded] = frozenset(starts)
        if len(_BOUNDARIES) > 200_000:
            _BOUNDARIES.clear()
    return found


def _head_rest(tail: str) -> int:
    """Characters of words standing right after a named indicator, before any predicate,
    figure or punctuation: 能耗 in 单位国内生产总值能耗下降, 比重 in 占国内生产总值的比重 —
    the indicator named is a modifier there, not what the figure measures. Words that run
    to a clause's end (粮食产量屡创历史新高，去年达到…) are what is said of the indicator, and
    words that end in its target (经济增长速度的调控目标定为8%) name it: none. A noun of the
    measure right after it (速度 in 经济增长速度) is part of its name."""
    n = 0
    i = next((len(w) for w in zh.MEASURE_NOUNS if tail.startswith(w)), 0)
    while i < len(tail):
        if (word := _PREDICATE_AT.match(tail, i)) is not None:
            if word.group() in zh.TARGET:
                return 0  # 经济增长速度的调控目标定为8%: the indicator's target
            break
        ch = tail[i]
        if ch in _CLAUSE_ENDS:
            return 0
        if not ("\u3400" <= ch <= "\u9fff" or (ch.isascii() and ch.isalpha())):
            break
        n += 1
        i += 1
    return n


@lru_cache(maxsize=1024)
def _keys(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The indicator names as ``indicator_match`` compares them (folded, without 的)."""
    return tuple(k for t in terms if (k := fold_chars(t).lower().replace("的", "")))


@lru_cache(maxsize=65536)
def _folded(context: str) -> str:
    return fold_chars(context).lower().replace("的", "")


def indicator_match(terms: tuple[str, ...], context: str, others: tuple[str, ...] = ()) -> float:
    """How fully ``context`` (a figure's clause before it) names an indicator of ``terms``
    (not inside the name of one of ``others``):
    the longest piece of one term found in it — starting where a word starts (农业总产值 is
    not in 工农业总产值) — as a share of the term, halved when other words follow it before
    the figure (the indicator named is a modifier there: 单位国内生产总值能耗)."""
    if not terms:
        return 0.0
    folded = _folded(context)
    if not folded:
        return 0.0
    present = set(folded)
    keys = [k for k in _keys(terms) if present.intersection(k)]
    if not keys:
        return 0.0
    starts = _word_starts(folded)
    # Where another indicator that contains an asked one is named (人均地区生产总值), the
    # asked name inside it does not count.
    inside = bytearray(len(folded))
    for name in others:
        at = folded.find(name)
        while at >= 0:
            inside[at : at + len(name)] = b"\x01" * len(name)
            at = folded.find(name, at + 1)
    best = 0.0
    for key in keys:
        found, at = 0, -1
        for size in range(len(key), 1, -1):
            for i in range(len(key) - size + 1):
                piece = key[i : i + size]
                if piece[0] not in present:
                    continue
                j = folded.find(piece)
                while j >= 0 and (j not in starts or inside[j]):
                    j = folded.find(piece, j + 1)
                if j >= 0:
                    found, at = size, j
                    break
            if found:
                break
        if not found:
            continue
        share = found / len(key)
        if _head_rest(folded[at + found :]) >= 2:
            share *= 0.5
        best = max(best, share)
        if best >= 1.0:
            break
    return best


__all__ = ["FigureClause", "indicator_match", "read_clauses", "term_words"]
