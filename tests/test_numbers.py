"""Numbers in questions (zh-Hant, zh-Hans, en), matching them to report figures, asked kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.figures import Figure, extract_figures
from qa.answer.numbers import Quantity, asked_kinds, parse_quantities, quantity_matches

REPORT = (
    Path(__file__).resolve().parents[1] / "data" / "heilongjiang-civil-affairs-2020.txt"
).read_text(encoding="utf-8")
REPORT_FIGURES = extract_figures(REPORT)


def report_figure(text: str) -> Figure:
    """The first figure of the bundled report written exactly ``text``."""
    return next(f for f in REPORT_FIGURES if f.text == text)


def quantity(text: str) -> Quantity:
    (q,) = parse_quantities(text)
    return q


def made_figure(value: float, unit: str, kind: str) -> Figure:
    return Figure(text="x", start=0, end=1, value=value, unit=unit, kind=kind, qualifier="exact")


# --- parse_quantities ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "text", "value", "precision", "unit", "kind", "ordinal"),
    [
        # Traditional / Simplified Chinese
        ("下達了一萬張養老床位的任務", "一萬張", 10_000, 1000, "張", "count", False),
        ("下达了1万张养老床位的任务", "1万张", 10_000, 1000, "張", "count", False),
        ("比例是百分之九十九嗎", "百分之九十九", 99, 1, "%", "percent", False),
        ("達到99.9%了嗎", "99.9%", 99.9, 0.1, "%", "percent", False),
        ("达到99.9％了吗", "99.9％", 99.9, 0.1, "%", "percent", False),
        ("新審批13.22萬人", "13.22萬人", 132_200, 100, "人", "people", False),
        ("新增1.4萬張", "1.4萬張", 14_000, 1000, "張", "count", False),
        ("總投資56.75億元", "56.75億元", 5_675_000_000, 1_000_000, "元", "money", False),
        ("今年是第14年吗", "第14年", 14, 1, "年", "ordinal", True),
        ("連續第十四年提高", "第十四年", 14, 1, "年", "ordinal", True),
        ("开展为期三年的整治", "三年", 3, 1, "年", "duration", False),
        ("排查出“268人”", "268人", 268, 1, "人", "people", False),
        ("6个养老打捆项目", "6个", 6, 1, "個", "count", False),
        ("省委十二届", "十二届", 12, 1, "屆", "ordinal", True),
        # English
        ("Were 132,200 people helped?", "132,200 people", 132_200, 1, "人", "people", False),
        ("about 1.4 million", "1.4 million", 1_400_000, 100_000, "", None, False),
        ("worth 100 million yuan each", "100 million yuan", 10**8, 10**5, "元", "money", False),
        ("more than 2.3 billion", "2.3 billion", 2.3e9, 1e8, "", None, False),
        ("for three years", "three years", 3, 1, "年", "duration", False),
        ("the fourth round of inspections", "fourth round", 4, 1, "輪", "ordinal", True),
        ("the 14th year in a row", "14th year", 14, 1, "年", "ordinal", True),
        ("reached 99.9 per cent", "99.9 per cent", 99.9, 0.1, "%", "percent", False),
        ("ninety-nine percent", "ninety-nine percent", 99, 1, "%", "percent", False),
        ("2,000 person-times", "2,000 person-times", 2000, 1, "人次", "people", False),
        ("met 18 times", "18 times", 18, 1, "次", "count", False),
        ("a hundred people", "a hundred people", 100, 10, "人", "people", False),
    ],
)
def test_numbers_in_any_notation_are_read_into_base_units_with_their_precision(
    question: str,
    text: str,
    value: float,
    precision: float,
    unit: str,
    kind: str | None,
    ordinal: bool,
) -> None:
    q = quantity(question)
    assert q.text == text == question[q.start : q.end]
    assert q.value == pytest.approx(value)
    assert q.precision == pytest.approx(precision)
    assert (q.unit, q.kind, q.ordinal) == (unit, kind, ordinal)


@pytest.mark.parametrize(
    ("question", "year"),
    [
        ("2019年黑龍江省新增了多少張養老床位？", 2019),
        ("吉林省2020年疫情期間發放了多少低保金？", 2020),
        ("How many beds does Heilongjiang plan to add in 2021?", 2021),
        ("2020是关键之年吗", 2020),
    ],
)
def test_years_in_questions_are_dates(question: str, year: int) -> None:
    q = quantity(question)
    assert (q.value, q.kind, q.ordinal) == (year, "date", False)


def test_question_with_several_numbers_lists_them_in_order() -> None:
    qs = parse_quantities("黑龙江的低保保障水平连续提高多少年了？2020年是第14年吗？")
    assert [(q.text, q.kind) for q in qs] == [("2020年", "date"), ("第14年", "ordinal")]


@pytest.mark.parametrize(
    "question",
    [
        "一共召開過幾次全省民政系統視頻調度會？",
        "全省“一肩挑”的比例達到百分之幾？",
        "「三個聚焦」指什麼？",
        "第幾屆第幾次全會？",
        "Which one is it?",
        "Is it one of the projects?",
        "What happened during COVID-19?",
    ],
)
def test_names_articles_and_question_words_are_not_quantities(question: str) -> None:
    assert parse_quantities(question) == []


# --- quantity_matches ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("百分之九十九", "99.9%"),
        ("一萬張", "1萬張"),
        ("1万张", "1萬張"),
        ("132,200 people", "13.22萬人"),
        ("13.22万人", "13.22萬人"),
        ("第14年", "第十四年"),
        ("fourth round", "第四輪"),
        ("四轮", "四輪"),
        ("56.75億元", "56.75億元"),
        ("5,675 million yuan", "56.75億元"),
        ("three years", "3年"),
        ("2020", "2020年"),
        ("2019年", "2019年度"),
        ("2,000 people", "2000多人次"),
        ("5102个", "5102個"),
        ("1.86 million", "186.3萬"),
        ("30万建档立卡贫困人口", "30萬"),
        ("第十二届", "十二屆"),
    ],
)
def test_same_number_in_another_notation_matches_the_report_figure(
    question: str, figure: str
) -> None:
    assert quantity_matches(quantity(question), report_figure(figure))


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("一萬張", "1.4萬張"),  # a whole 萬 is not a rounding of 1.4萬
        ("四輪", "第四輪"),  # four rounds is not the fourth round
        ("fourth round", "四輪"),
        ("第14年", "2020年"),
        ("three years", "3個多月"),  # years are not months
        ("2019年", "2020年"),
        ("100 million yuan", "1.1億元"),
        ("1萬個", "1萬張"),  # different measure words count different things
    ],
)
def test_different_numbers_kinds_or_units_do_not_match(question: str, figure: str) -> None:
    assert not quantity_matches(quantity(question), report_figure(figure))


def test_match_tolerance_is_the_questions_precision() -> None:
    # |f - q| < precision: "99" covers (98, 100); "99.0" covers (98.9, 99.1).
    assert quantity_matches(quantity("99%"), report_figure("99.9%"))
    assert not quantity_matches(quantity("99.0%"), report_figure("99.9%"))
    assert not quantity_matches(quantity("百分之九十八"), report_figure("99.9%"))


def test_a_percent_never_matches_a_count() -> None:
    assert not quantity_matches(quantity("51.4%"), made_figure(51.4, "個", "count"))
    assert not quantity_matches(quantity("51.4個"), report_figure("51.4%"))


def test_a_year_ordinal_never_matches_a_calendar_year_or_a_duration() -> None:
    assert not quantity_matches(quantity("第2020年"), report_figure("2020年"))
    assert not quantity_matches(quantity("2020年"), made_figure(2020, "年", "ordinal"))
    assert not quantity_matches(quantity("第3年"), report_figure("3年"))


def test_people_and_count_match_when_a_side_has_no_unit() -> None:
    # The kind of a unit-less number is a guess from a nearby noun, so it does not veto.
    assert quantity_matches(quantity("30萬戶"), made_figure(300_000, "", "people"))
    assert not quantity_matches(quantity("30萬戶"), made_figure(300_000, "人", "people"))


def test_unknown_kind_in_the_question_matches_any_kind() -> None:
    q = quantity("186.3萬")
    assert q.kind is None and q.unit == ""
    assert quantity_matches(q, report_figure("186.3萬"))


# --- asked_kinds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        # zh-Hant
        ("熱心民眾一共捐出了多少錢和物資？", {"money"}),
        ("累計投入的資金超過多少？", {"money"}),
        ("補貼多少？", {"money"}),
        ("疫情期間低保金一共發了多少？", {"money"}),
        ("總共保住了多少人的生活？", {"people"}),
        ("有幾人參加？", {"people"}),
        ("一共召開過幾次會議？", {"count"}),
        ("全年實際新增了多少張？", {"count"}),
        ("有多少家社會組織參與？", {"count"}),
        ("開設了幾期？培訓了多少人次？", {"count", "people"}),
        ("佔貧困總人口的百分之幾？", {"percent"}),
        ("比例是多少？", {"percent"}),
        ("全年完成了植樹任務的多少？", {"percent"}),
        ("新建道路達到了規劃里程的多少，用了多少錢？", {"percent", "money"}),
        ("堅守崗位多久？", {"duration"}),
        ("持續了多長時間？", {"duration"}),
        ("開展了幾年？", {"duration"}),
        ("這是第幾輪聯檢？", {"ordinal"}),
        ("連續提高多少年了？", {"duration", "ordinal"}),
        ("是哪一年開始的？", {"date"}),
        # zh-Hans
        ("一共落实了多少钱？", {"money"}),
        ("补贴资金各是多少？", {"money"}),
        ("有多少建档立卡贫困人口被纳入了低保？", {"people"}),
        ("一共几人？", {"people"}),
        ("召开了几次？", {"count"}),
        ("办理了多少对结婚登记？", {"count"}),
        ("比例达到百分之几？", {"percent"}),
        ("坚持了多长时间？", {"duration"}),
        ("持续了几个月？", {"duration"}),
        ("省委第几届第几次全会？", {"ordinal"}),
        # en
        ("How much money was paid out?", {"money"}),
        ("How much housing allowance did each family get?", {"money"}),
        ("How much was disbursed to flood victims?", {"money"}),
        ("How much attention did the plan get?", set()),
        ("How much was spent on elderly care?", {"money"}),
        ("What was their total investment?", {"money"}),
        ("How much is it in yuan?", {"money"}),
        ("How many people received help?", {"people"}),
        ("How many persons were trained?", {"people"}),
        ("What share of the poor population was covered?", {"percent"}),
        ("What percentage of villages?", {"percent"}),
        ("What proportion of the total?", {"percent"}),
        ("How many times did the office meet?", {"count"}),
        ("How many elderly-care projects were there?", {"count"}),
        ("How long did the staff stay on duty?", {"duration"}),
        ("How many years in a row?", {"duration", "ordinal"}),
        ("Which round of the boundary inspection?", {"ordinal"}),
        ("In what year did it start?", {"date"}),
        (
            "How many people received assistance, and how much money was paid out?",
            {"people", "money"},
        ),
    ],
)
def test_asked_kind_is_read_from_the_question_in_each_script_and_language(
    question: str, kinds: set[str]
) -> None:
    assert asked_kinds(question) == kinds


@pytest.mark.parametrize(
    "question",
    [
        "一共有多少？",
        "一共有多少？".replace("一共有", "总共"),
        "How much?",
        "How many were there?",
        "社會組織管理中的「兩工程」指的是哪兩項工程？",
        "家里条件差的人办后事，那几项基本开销还要自己掏钱吗？",
        "Who is the director of the department?",
        "好幾次提到的是什麼？",
    ],
)
def test_question_without_a_telling_noun_asks_for_no_particular_kind(question: str) -> None:
    assert asked_kinds(question) == set()
