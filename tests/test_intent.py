"""One reading of every question: the intent (what, when, where, result or target, parts) of
questions of our own in Simplified and Traditional Chinese and in English, and how a
follow-up question completes its intent from the one before."""

from __future__ import annotations

import pytest

from qa.answer.clauses import indicator_match, read_clauses
from qa.answer.intent import follow, read_intent
from qa.periods import Period


def regions(intent) -> list[str]:
    return [r.name for r in intent.regions]


def indicators(intent) -> list[str]:
    return [i.name for i in intent.indicators]


# (question, indicator names, measure, years, report year, relative year, role, regions)
# fmt: off
CASES = [
    ("2024年四川省地区生产总值增长了多少？", ["地区生产总值"], "growth", (2024,), None, None, None, ["四川省"]),
    ("河南2023年粮食总产量是多少万吨？", ["粮食产量"], "level", (2023,), None, None, None, ["河南省"]),
    ("湖北省2025年政府工作报告定的城镇新增就业目标是多少？", ["城镇新增就业"], "level", (), 2025, None, "target", ["湖北省"]),
    ("辽宁去年规上工业增加值增速是多少？", ["规模以上工业增加值"], "growth", (), None, -1, None, ["辽宁省"]),
    ("陕西今年的居民消费价格涨幅控制在多少？", ["居民消费价格"], "growth", (), None, 0, "target", ["陕西省"]),
    ("2022年全国进出口总额实际增长了多少？", ["进出口总额"], "growth", (2022,), None, None, "result", ["全国"]),
    ("1998年政府工作报告提到，1997年我国外汇储备达到多少？", ["外汇储备"], "level", (1997,), 1998, None, None, ["全国"]),
    ("2010年的政府工作报告里，上一年全国财政收入是多少？", ["财政收入"], "level", (), 2010, -1, None, ["全国"]),
    ("北京“十四五”期间研发投入强度年均是多少？", ["研发投入强度"], "level", tuple(range(2021, 2026)), None, None, None, ["北京市"]),
    ("山西2024年一般公共预算收入有多少亿元？", ["一般公共预算收入"], "level", (2024,), None, None, None, ["山西省"]),
    ("青海省2025年的森林覆盖率预期达到多少？", ["森林覆盖率"], "level", (2025,), None, None, "target", ["青海省"]),
    ("吉林去年的常住人口城镇化率是多少？", ["常住人口城镇化率"], "level", (), None, -1, None, ["吉林省"]),
    ("2024年廣西社會消費品零售總額增長了多少？", ["社会消费品零售总额"], "growth", (2024,), None, None, None, ["广西壮族自治区"]),
    ("遼寧省2025年政府工作報告提出的地區生產總值增長目標是多少？", ["地区生产总值"], "growth", (), 2025, None, "target", ["辽宁省"]),
    ("海南去年的全社會固定資產投資增長了多少？", ["全社会固定资产投资"], "growth", (), None, -1, None, ["海南省"]),
    ("2019年全國城鎮調查失業率實際是多少？", ["城镇调查失业率"], "level", (2019,), None, None, "result", ["全国"]),
    ("黑龍江2024年糧食產量是多少億斤？", ["粮食产量"], "level", (2024,), None, None, None, ["黑龙江省"]),
    ("What was Sichuan's GDP in 2024?", ["地区生产总值"], "level", (2024,), None, None, None, ["四川省"]),
    ("How fast did Shaanxi's retail sales of consumer goods grow in 2023?", ["社会消费品零售总额"], "growth", (2023,), None, None, None, ["陕西省"]),
    ("What grain output target did Henan set for 2025?", ["粮食产量"], "level", (2025,), None, None, "target", ["河南省"]),
    ("How many new urban jobs did China add last year?", ["城镇新增就业"], "level", (), None, -1, None, ["全国"]),
    ("By how much did Jiangxi's fixed-asset investment fall in 2024?", ["全社会固定资产投资"], "growth", (2024,), None, None, None, ["江西省"]),
    ("What was China's fiscal revenue in 2003, according to the 2004 government work report?", ["财政收入"], "level", (2003,), 2004, None, None, ["全国"]),
    ("What was the actual urbanization rate of Yunnan in 2024?", ["常住人口城镇化率"], "level", (2024,), None, None, "result", ["云南省"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("question", "names", "measure", "years", "report_year", "relative", "role", "where"), CASES
)
def test_a_questions_intent(question, names, measure, years, report_year, relative, role, where):
    intent = read_intent(question)
    assert indicators(intent) == names
    assert intent.measure == measure
    assert intent.years == years
    assert intent.report_year == report_year
    assert intent.relative == relative
    assert intent.role == role
    assert regions(intent) == where
    assert intent.about_indicator(0.6)


def test_a_comparison_of_regions_is_read_in_the_order_asked():
    intent = read_intent("2024年湖北和湖南的规上工业增加值分别增长了多少？")
    assert [(p.region.name, p.year) for p in intent.parts] == [("湖北省", 2024), ("湖南省", 2024)]


def test_conventional_one_character_names_count_in_a_list():
    intent = read_intent("2024年苏、浙两省的进出口总额各是多少？")
    assert regions(intent) == ["江苏省", "浙江省"]
    assert regions(read_intent("新增的就业岗位有多少个？")) == []


def test_a_target_and_its_result_asked_in_two_sub_questions():
    intent = read_intent("2008年政府工作报告定的国内生产总值增长目标是多少？当年实际增长了多少？")
    assert [(p.year, p.role, p.report_year) for p in intent.parts] == [
        (None, "target", 2008),
        (2008, "result", None),
    ]


def test_an_evaluative_second_sentence_is_not_a_part():
    intent = read_intent("2024年河北和山西的地区生产总值增速各是多少？哪个更快？")
    assert [p.region.name for p in intent.parts] == ["河北省", "山西省"]


def test_the_country_named_beside_a_province_is_its_context():
    assert regions(
        read_intent("How many China–Europe freight trains did Chongqing run in 2024?")
    ) == ["重庆市"]


def test_a_description_that_merely_names_an_indicator_is_not_about_it():
    intent = read_intent("疫情期间为低保家庭的老人送去了哪些生活物资？")
    assert not intent.about_indicator(0.6)


@pytest.mark.parametrize(
    ("question", "indicator"),
    [
        ("2020年各省異地救助了多少人？", "異地救助"),
        ("黑龍江省歷年新增養老床位多少張？", "新增養老床位"),
    ],
)
def test_the_set_a_table_question_runs_over_is_not_its_indicator(question, indicator):
    intent = read_intent(question)
    assert intent.table and intent.indicator is not None
    assert intent.indicator.startswith(indicator)
    clause = read_clauses(f"{indicator}3.4萬人。")[0]
    assert indicator_match(intent.terms, clause.context, intent.others) >= 0.8


def test_a_named_company_is_an_entity_the_figure_must_be_named_with():
    intent = read_intent("2024年比亚迪股份公司的营业收入是多少？")
    assert intent.entities == ("比亚迪股份公司",)


# A conversation: each follow-up takes what it leaves unsaid from the question before.
FIRST = "2024年湖北省地区生产总值是多少？"


@pytest.mark.parametrize(
    ("follow_up", "inherited", "where", "years", "names", "role"),
    [
        ("那湖南呢？", {"indicator", "year"}, ["湖南省"], (2024,), ["地区生产总值"], None),
        ("那2020年呢？", {"indicator", "region"}, ["湖北省"], (2020,), ["地区生产总值"], None),
        (
            "一般公共预算收入呢？",
            {"year", "region"},
            ["湖北省"],
            (2024,),
            ["一般公共预算收入"],
            None,
        ),
        (
            "增长了多少？",
            {"indicator", "year", "region"},
            ["湖北省"],
            (2024,),
            ["地区生产总值"],
            None,
        ),
        (
            "目标是多少？",
            {"indicator", "year", "region"},
            ["湖北省"],
            (2024,),
            ["地区生产总值"],
            "target",
        ),
        (
            "和河南比呢？",
            {"indicator", "year", "region"},
            ["湖北省", "河南省"],
            (2024,),
            ["地区生产总值"],
            None,
        ),
        ("四川省2023年粮食产量是多少？", set(), ["四川省"], (2023,), ["粮食产量"], None),
    ],
)
def test_a_follow_up_takes_over_what_it_leaves_unsaid(
    follow_up, inherited, where, years, names, role
):
    intent = follow(read_intent(follow_up), read_intent(FIRST))
    assert set(intent.inherited) - {"measure"} == inherited
    assert regions(intent) == where
    assert intent.years == years
    assert indicators(intent) == names
    assert intent.role == role


def test_an_english_follow_up_is_searched_with_what_it_took_over():
    first = read_intent("How much did Hunan's GDP grow in 2024?")
    intent = follow(read_intent("And Hubei?"), first)
    assert regions(intent) == ["湖北省"] and intent.measure == "growth"
    assert "2024" in intent.query and "gdp" in intent.query.lower()


def test_a_follow_ups_intent_survives_json():
    from qa.answer.intent import Intent

    intent = follow(read_intent("那湖南呢？"), read_intent(FIRST))
    again = Intent.from_json(intent.to_json())
    assert (regions(again), again.years, indicators(again), again.inherited) == (
        ["湖南省"],
        (2024,),
        ["地区生产总值"],
        intent.inherited,
    )
    # Everything the answer is routed and fitted by comes back, not only what is shown.
    for question, before in [
        ("And Hebei?", "What was Tianjin's GDP growth in 2025?"),
        ("目标呢？", FIRST),
    ]:
        followed = follow(read_intent(question), read_intent(before))
        assert Intent.from_json(followed.to_json()) == followed


@pytest.mark.parametrize(
    ("question", "clause", "matches"),
    [
        # Another indicator whose name holds the asked one: its figure is not the asked one.
        ("2025年地区生产总值是多少？", "人均地区生产总值", False),
        ("2025年地区生产总值是多少？", "全省地区生产总值", True),
        # A piece of the asked name that is also another indicator's name is still the asked one.
        ("全社会研发投入强度是多少？", "全社会研发投入强度", True),
    ],
)
def test_an_indicator_inside_another_ones_name_is_not_matched(question, clause, matches):
    intent = read_intent(question)
    assert (indicator_match(intent.terms, clause, intent.others) >= 0.75) is matches


def test_a_figure_after_a_time_takes_its_subject_from_the_clause_before():
    """去年达到54641万吨 names only a time before its figure: what reached it is the
    subject of the clause before, and words running to that clause's end are what is said
    of the indicator, not a noun it modifies."""
    text = "粮食产量屡创历史新高，去年达到54641万吨，连续7年增产。"
    (clause,) = [c for c in read_clauses(text, anchor=2011) if c.figure.text == "54641万吨"]
    assert clause.context.startswith("粮食产量")
    assert clause.period is not None and 2010 in clause.period
    assert indicator_match(read_intent("2010年粮食产量是多少？").terms, clause.context) == 1.0


def test_a_group_named_with_each_of_its_members_is_the_group_not_every_province():
    intent = read_intent("長三角各省市2025年地區生產總值是多少？")
    assert intent.table and [r.short for r in intent.regions] == ["上海", "江苏", "浙江", "安徽"]


@pytest.mark.parametrize(
    "text",
    [
        "一般公共预算收入累计完成3.7万亿元，5年增长18.7%。",
        "五年间粮食产量增长12%。",
        "从2020年的3.68万亿元增长到4.93万亿元。",
    ],
)
def test_a_figure_over_several_years_is_a_span_not_one_years(text):

    measures = [
        c for c in read_clauses(text, anchor=2026) if c.figure.kind not in ("year", "duration")
    ]
    assert measures and all(c.span for c in measures)


def test_one_years_figure_is_no_span():
    (clause,) = read_clauses("2025年一般公共预算收入增长4.1%。", anchor=2026)
    assert not clause.span


def test_a_count_of_named_things_and_a_growth_before_a_level_are_told_apart():
    text = "地区生产总值连续迈上4个万亿元台阶、达14.2万亿元，地区生产总值增长5.5%、达到10.3万亿元。"
    clauses = {c.figure.text: c for c in read_clauses(text, anchor=2026)}
    assert clauses["4个"].counts_things and not clauses["14.2万亿元"].counts_things
    assert clauses["5.5%"].relation == "growth" and clauses["10.3万亿元"].relation == "level"


def test_in_a_review_a_target_word_of_another_clause_does_not_make_a_figure_a_target():
    text = "便捷超充行动计划顺利完成，全年新能源汽车产量达到129.6万辆。"
    (clause,) = read_clauses(text, period=Period(2025, 2025), role="result", anchor=2026)
    assert clause.role == "result"
    # In a plan's section the sentence's lead-in still makes each item a target.
    items = "主要预期目标是：地区生产总值增长5%左右；一般公共预算收入增长2%。"
    assert {c.role for c in read_clauses(items, role="target", anchor=2026)} == {"target"}
