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

from qa.answer.figures import Figure, extract_figures
from qa.lang import zh
from qa.periods import Period, Role, time_mentions
from qa.text import fold_chars

_CLAUSE_BREAKS = frozenset("，,；;。！？!?：:\n")
_LEAD_IN_END = ("：", ":")
_APPROXIMATE_AFTER = ("左右", "以上", "以内", "以下", "上下")
_GROWTH_WORDS = tuple(sorted(zh.GROWTH, key=len, reverse=True))
_TARGET_WORDS = tuple(sorted(zh.TARGET, key=len, reverse=True))
_SPAN_WORDS = ("五年来", "这五年", "累计", "期间", "时期", "以来", "从")


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


def read_clauses(
    text: str,
    *,
    period: Period | None = None,
    role: Role | None = None,
    anchor: int | None = None,
    lead_in_chars: int = 30,
) -> list[FigureClause]:
    """The figures of ``text`` (a passage) with their clauses; ``period`` and ``role`` are
    the passage's (from its section), ``anchor`` the report's year (for 今年)."""
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
            context = text[c_start : f.start]
            before = folded[max(c_start, f.start - 6) : f.start]
            relation = "growth" if any(w in before for w in _GROWTH_WORDS) else "level"
            f_period, f_role = period, role
            average = goal = span = False
            prior = [m for m in mentions if s_start + m.end <= f.start]
            in_clause = [m for m in prior if s_start + m.start >= c_start]
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
            clause_folded = folded[c_start : f.start]
            if any(w in clause_folded for w in zh.AVERAGE):
                average = True
            if any(
                m.kind in ("span", "plan", "range") for m in in_clause
            ) or clause_folded.startswith("从"):
                span = True
            # Target cues before the figure in its sentence (names of periods masked:
            # 第二个五年计划 names years, it sets no target).
            sentence_before = list(folded[s_start : f.start])
            for m in mentions:
                if m.start < len(sentence_before):
                    end = min(m.end, len(sentence_before))
                    sentence_before[m.start : end] = " " * (end - m.start)
            cued = "".join(sentence_before)
            if goal or any(w in cued for w in _TARGET_WORDS):
                f_role = "target"
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
                )
            )
    return out


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


def indicator_match(terms: tuple[str, ...], context: str) -> float:
    """How fully ``context`` names an indicator of ``terms``: the best share of one term's
    words it contains (城镇登记失业率 names 2 of the 3 words of 城镇调查失业率)."""
    if not terms:
        return 0.0
    folded = fold_chars(context).lower()
    best = 0.0
    for term in terms:
        parts = term_words(term)
        if not parts:
            continue
        found = sum(len(w) for w in parts if w in folded)
        best = max(best, found / sum(len(w) for w in parts))
        if best >= 1.0:
            break
    return best


__all__ = ["FigureClause", "indicator_match", "read_clauses", "term_words"]
