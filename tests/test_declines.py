"""Declines that follow from what the text states (issue #11), read as a specification, on a
small report written for these tests (a province's report: 黑龍江省, 2021) and on the
bundled one:

* a question about a place below the report's region (a city or county of the province)
  that the passage found does not name is declined: the province's figure is not the city's;
* "how many X" is answered only by a figure that counts X;
* a question about a whole (a budget, a total over a category) is not answered by an item;
* a question about something else entirely is declined, whatever the nearest passages are.

Real model, real index, built once for the module.
"""

from __future__ import annotations

import json

import pytest

from qa import DeclineReason, ReportQA, build_index
from qa.present import view_answer

REPORT = """黑龍江省民政廳2021年工作要點
一、養老服務
全省新增養老床位2萬張,新建村級互助幸福院35個,培訓養老護理員800人。
在綏化市開展試點,新建社區老年食堂12個,每天為老年人供餐3000份。
二、社會救助
向全省敬老院撥付運營補貼2000萬元,為困難群眾發放救助金,惠及12.5萬人次。
組建護理服務隊和26個應急救援隊,開展冬季走訪慰問。
三、資金保障
各類民生項目全年累計投入資金45億元,其中養老服務資金8億元。
"""
META = {"title": "黑龍江省民政廳2021年工作要點", "region": "黑龍江省", "year": 2021}


@pytest.fixture(scope="module")
def province_qa(tmp_path_factory, embedder) -> ReportQA:
    folder = tmp_path_factory.mktemp("province")
    (folder / "heilongjiang-2021.txt").write_text(REPORT, encoding="utf-8")
    (folder / "heilongjiang-2021.meta.json").write_text(
        json.dumps(META, ensure_ascii=False), encoding="utf-8"
    )
    index = tmp_path_factory.mktemp("province-index")
    build_index([folder], index, model=embedder)
    return ReportQA.open(index, model=embedder)


def shown(answer) -> str:
    return " ".join(q.text for q in answer.quotes)


# -- a place below the report's region --------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "牡丹江市新增了多少張養老床位？",
        "牡丹江新增了多少张养老床位？",
        "How many beds did Mudanjiang add?",
    ],
)
def test_a_city_of_the_province_the_passage_does_not_name_is_declined(province_qa, question):
    answer = province_qa.ask(question)
    assert not answer.found and answer.reason == DeclineReason.OTHER_PLACE
    assert answer.scope is not None and answer.scope.want == "牡丹江市"
    assert answer.related  # the province's passage is shown, as not an answer


def test_the_other_place_reply_names_the_place_and_the_region(province_qa):
    said = {
        question: view_answer(province_qa.ask(question)).message
        for question in (
            "牡丹江市新增了多少張養老床位？",
            "牡丹江市新增了多少张养老床位？",
            "How many beds did Mudanjiang add?",
        )
    }
    assert list(said.values()) == [
        "這份報告講的是黑龍江省整體的工作，沒有專門關於牡丹江市的內容。",
        "这份报告讲的是黑龙江省整体的工作，没有专门关于牡丹江市的内容。",
        "The report covers Heilongjiang as a whole; it gives nothing specific to Mudanjiang.",
    ]


def test_a_city_the_passage_names_is_answered(province_qa):
    answer = province_qa.ask("綏化市新建了多少個老年食堂？")
    assert answer.found and "12個" in shown(answer) and "綏化市" in shown(answer)


def test_the_province_itself_is_answered(province_qa):
    answer = province_qa.ask("黑龍江省新增了多少張養老床位？")
    assert answer.found and "2萬張" in shown(answer)


# -- the counted thing ------------------------------------------------------------------------


def test_a_count_of_another_thing_is_no_answer(province_qa):
    answer = province_qa.ask("組建了多少個護理服務隊？")
    assert not answer.found and answer.reason == DeclineReason.OTHER_COUNT
    assert answer.quotes == [] and answer.related
    assert view_answer(answer).message == "報告提到相關工作，但沒有給出這個數字。"


def test_the_thing_counted_is_answered(province_qa):
    answer = province_qa.ask("組建了多少個應急救援隊？")
    assert answer.found and "26個" in shown(answer)


def test_an_english_count_of_another_thing_is_no_answer(province_qa):
    # Declined one way or another (here the words are too few to go on): never a figure.
    answer = province_qa.ask("How many hospitals were built?")
    assert not answer.found and answer.quotes == []


def test_an_english_count_of_the_thing_is_answered(province_qa):
    answer = province_qa.ask("How many emergency rescue teams were set up?")
    assert answer.found and "26個" in shown(answer)


# -- whole vs item ----------------------------------------------------------------------------


def test_a_budget_is_not_answered_with_an_item_of_it(province_qa):
    answer = province_qa.ask("民政廳今年的全年預算是多少？")
    assert not answer.found and answer.reason == DeclineReason.NO_TOTAL
    english = province_qa.ask("What is the department's total budget this year?")
    assert not english.found and english.quotes == []


def test_a_total_over_a_category_the_report_states_is_answered(province_qa):
    answer = province_qa.ask("所有民生項目一共投入了多少資金？")
    assert answer.found and "45億元" in shown(answer)


# -- off topic --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["哪支球隊贏得了世界盃足球賽冠軍？", "Which team won the football World Cup?"]
)
def test_a_question_about_something_else_is_declined(province_qa, question):
    answer = province_qa.ask(question)
    assert not answer.found and answer.reason == DeclineReason.NO_EVIDENCE
    assert answer.related == []  # nothing near it is offered as related


# -- the bundled report -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("哈爾濱市疫情期間發放了多少低保金？", DeclineReason.OTHER_PLACE),
        (
            "How much subsistence allowance did Harbin pay during the epidemic?",
            DeclineReason.OTHER_PLACE,
        ),
        ("黑龍江省民政廳全年預算是多少？", DeclineReason.NO_TOTAL),
        ("全省有多少家醫院開展了義診？", DeclineReason.OTHER_COUNT),
        ("Which team won the football World Cup?", DeclineReason.NO_EVIDENCE),
    ],
)
def test_the_bundled_report_declines_what_it_does_not_state(report_qa, question, reason):
    answer = report_qa.ask(question)
    assert not answer.found and answer.reason == reason
