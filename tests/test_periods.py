"""Periods read off report and question text: years in every notation, five-year plans,
years relative to the report, goals and averages; a heading's period and role."""

from __future__ import annotations

import pytest

from qa.periods import Period, five_year_plan, section_period, time_mentions


def periods(text: str, **kw) -> list[tuple[str, Period | None]]:
    return [(m.kind, m.period) for m in time_mentions(text, **kw)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年全省", [("year", Period(2024, 2024))]),
        ("１９９３年国内生产总值", [("year", Period(1993, 1993))]),
        ("一九六二年的计划", [("year", Period(1962, 1962))]),
        ("二〇二四年", [("year", Period(2024, 2024))]),
        ("2016—2020年", [("range", Period(2016, 2020))]),
        ("1980年到1990年", [("range", Period(1980, 1990))]),
        ("八十年代", [("decade", Period(1980, 1989))]),
        ("2000年代初", [("decade", Period(2000, 2009))]),
        ("“十三五”时期", [("plan", Period(2016, 2020))]),
        ("第七个五年计划", [("plan", Period(1986, 1990))]),
        ("“六五”期间", [("plan", Period(1981, 1985))]),
        ("十一五规划", [("plan", Period(2006, 2010))]),
    ],
)
def test_years_and_plans_in_any_notation(text, expected):
    assert periods(text) == expected


def test_fifteen_is_a_number_unless_it_names_a_plan():
    assert periods("新建十五个公园") == []
    assert periods("“十五”计划") == [("plan", Period(2001, 2005))]


def test_five_year_plans_follow_the_historical_calendar():
    assert five_year_plan(1) == Period(1953, 1957)
    assert five_year_plan(3) == Period(1966, 1970)
    assert five_year_plan(15) == Period(2026, 2030)


def test_relative_years_need_the_year_the_text_speaks_from():
    assert periods("今年粮食产量", anchor=2019) == [("relative", Period(2019, 2019))]
    assert periods("去年全市", anchor=2019) == [("relative", Period(2018, 2018))]
    assert periods("今年粮食产量") == [("relative", None)]
    assert periods("过去五年", anchor=2019) == [("span", Period(2014, 2018))]
    assert periods("今后三年", anchor=2019) == [("span", Period(2019, 2021))]


def test_the_base_of_a_comparison_is_not_the_figures_year():
    assert periods("工业增加值比上年增长6%", anchor=2019) == []


def test_a_year_opening_a_clause_after_dao_is_a_goal_but_not_after_a_verb():
    assert periods("到2035年，人均收入翻番")[0][0] == "goal"
    assert periods("力争到2030年实现")[0][0] == "goal"
    assert periods("产量从2019年的100万吨增加到2024年的130万吨") == [
        ("year", Period(2019, 2019)),
        ("year", Period(2024, 2024)),
    ]


def test_an_average_is_marked():
    assert ("average", None) in periods("年均增长6.2%")


def test_bare_years_only_when_asked_for():
    assert periods("in 2019 the output") == []
    assert periods("in 2019 the output", bare_years=True) == [("year", Period(2019, 2019))]


@pytest.mark.parametrize(
    ("heading", "anchor", "period", "role"),
    [
        ("一、2018年工作回顾", 2019, Period(2018, 2018), "result"),
        ("二、2019年经济社会发展总体要求和政策取向", 2019, Period(2019, 2019), "target"),
        ("三、2019年政府工作任务", 2019, Period(2019, 2019), "target"),
        ("一、“十三五”时期的主要成就", 2021, Period(2016, 2020), "result"),
        ("二、“十四五”时期主要目标", 2021, Period(2021, 2025), "target"),
        # No cue word: a past period is reviewed, a coming one planned.
        ("一、2018年", 2019, Period(2018, 2018), "result"),
        ("四、做好2019年的工作", 2019, Period(2019, 2019), "target"),
        # The name of a plan sets no target: 成就 says this section reviews.
        ("一、第一个五年计划的伟大成就", 1958, Period(1953, 1957), "result"),
        ("（三）深化改革", 2019, None, None),
    ],
)
def test_a_headings_period_and_role(heading, anchor, period, role):
    assert section_period(heading, anchor=anchor) == (period, role)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GDP growth targets from 1996 to 2000?", [("range", Period(1996, 2000))]),
        ("between 1996 and 2000", [("range", Period(1996, 2000))]),
        ("the 2001-2005 plan period", [("range", Period(2001, 2005))]),
        ("from 2001 through 2005", [("range", Period(2001, 2005))]),
        # Two years joined by "and" are two years, not the run between them.
        ("GDP in 1996 and 2000", [("year", Period.of(1996)), ("year", Period.of(2000))]),
    ],
)
def test_an_english_run_of_years(text, expected):
    assert [(m.kind, m.period) for m in time_mentions(text, bare_years=True)] == expected
