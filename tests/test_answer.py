"""Answers quote the report verbatim, mark every figure, cite where the quote stands, and
say so honestly when the report has no answer."""

from __future__ import annotations

import json

import pytest

from qa import Answer, DeclineReason
from qa.present import as_json, view_answer
from tests.conftest import REPORT

REPORT_LINES = REPORT.read_text(encoding="utf-8").splitlines()


def shown(answer: Answer) -> str:
    return " ".join(q.text for q in answer.quotes)


def test_quote_is_the_answering_sentence_verbatim_not_the_whole_paragraph(report_qa):
    answer = report_qa.ask("向全省養老機構撥付的疫情防控補助和運營補貼是多少？")
    assert answer.found
    [quote] = answer.quotes[:1]
    assert quote.text == "向全省養老機構撥付疫情防控補助和運營補貼1.1億元,幫助機構渡難關。"
    assert quote.passage_text[quote.start : quote.end] == quote.text
    assert quote.passage_text in REPORT_LINES


def test_english_question_is_answered_from_the_chinese_report(report_qa):
    answer = report_qa.ask(
        "How much epidemic-prevention subsidy did elderly-care institutions receive?"
    )
    assert answer.found and answer.language == "en"
    assert "1.1億元" in shown(answer) and answer.quotes[0].citation.paragraph == 4


def test_quote_marks_its_figures_with_spans_value_and_unit(report_qa):
    quote = report_qa.ask("新增了多少張養老床位？").quotes[0]
    marked = {(quote.text[f.start : f.end], f.value, f.unit) for f in quote.figures}
    assert ("1.4萬張", 14000.0, "張") in marked and ("1萬張", 10000.0, "張") in marked


def test_citation_names_document_section_paragraph_source_and_date(report_qa):
    c = report_qa.ask("低保金一共發放了多少？").quotes[0].citation
    assert c.document == "黑龍江省民政系統2020年工作綜述"
    assert (c.section, c.paragraph) == ("堅持人民至上,在抗擊疫情中彰顯民政擔當", 7)
    assert (c.source, c.date) == ("中國社會報", "2020-12-23")


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("這篇報告是在哪份報紙上發表的？", "(來源:中國社會報2020.12.23)"),
        ("这篇报道是哪天发表的？", "(來源:中國社會報2020.12.23)"),
        ("Where was this report published?", "(來源:中國社會報2020.12.23)"),
        ("誰提供了圖片？", "(本版文圖由黑龍江省民政廳提供)"),
        ("Who provided the photos?", "(本版文圖由黑龍江省民政廳提供)"),
    ],
)
def test_questions_about_the_document_quote_the_line_of_its_notes_that_answers(
    report_qa, question, line
):
    # The notes' lines are quoted verbatim; each matches the fields whose value it states
    # (source and date, publisher), so the source line answers "which newspaper".
    answer = report_qa.ask(question)
    assert answer.found
    assert answer.quotes[0].text == line and answer.quotes[0].citation.paragraph is None


@pytest.mark.parametrize(
    "question", ["What does the report say about orphans?", "報告裡關於孤兒說了什麼？"]
)
def test_the_report_named_in_a_question_is_not_matched_as_a_word(report_qa, question):
    # "the report" / 報告裡 point at the document; they must not pull in the report's own
    # 零報告 ("zero-report") sentence.
    answer = report_qa.ask(question)
    assert answer.found and "孤兒" in answer.quotes[0].text


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("省政府下達了一萬張養老床位的任務，實際新增多少張？", ["1.4萬張"]),
        ("村党组织书记“一肩挑”的比例达到百分之九十九了吗？", ["99.9%"]),
        (
            "How many people were newly approved for subsistence allowances during the outbreak?",
            ["13.22萬人"],
        ),
        ("低保保障水平連續提高到第14年了嗎？", ["第十四年"]),
    ],
    ids=["一萬張", "百分之九十九", "english-people", "第14年"],
)
def test_numbers_in_another_notation_find_their_figure(report_qa, question, figures):
    answer = report_qa.ask(question)
    assert answer.found
    assert all(f in shown(answer) for f in figures)


def test_question_needing_two_paragraphs_gets_two_quotes(report_qa):
    answer = report_qa.ask("發給一線城鄉社區工作者的補助資金和撥給養老機構的補貼各是多少？")
    text = shown(answer)
    assert "3.1億元" in text and "1.1億元" in text
    assert len({q.citation.paragraph for q in answer.quotes}) >= 2


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("2019年黑龍江省新增了多少張養老床位？", "other_year"),
        ("How many elderly-care beds will Heilongjiang add in 2021?", "other_year"),
        ("吉林省2020年疫情期間發放了多少低保金？", "other_region"),
        ("全国2020年新增了多少张养老床位？", "other_region"),
        ("黑龙江2020年城市低保标准提高到每人每月多少元？", "no_figure"),
        ("黑龍江省民政廳廳長是誰？", "no_role"),
        ("Who is the head of the provincial civil affairs department?", "no_role"),
    ],
)
def test_questions_the_report_does_not_answer_are_declined(report_qa, question, reason):
    answer = report_qa.ask(question)
    assert not answer.found and answer.reason == DeclineReason(reason)
    assert answer.quotes == [] and view_answer(answer).message


def test_a_role_the_report_names_is_answered_with_the_sentence_naming_it(report_qa):
    answer = report_qa.ask("村黨組織書記通過什麼程序當選村民委員會主任？誰是村民委員會主任？")
    assert answer.found and "主任" in shown(answer)


def test_a_year_the_report_mentions_is_not_out_of_scope(report_qa):
    answer = report_qa.ask("省委對省民政廳2019年度政治生態建設成效考核的反饋意見怎麼處理？")
    assert answer.found and "2019年度" in shown(answer)


@pytest.mark.parametrize(
    ("question", "language", "fragment"),
    [
        ("2019年黑龍江省新增了多少張養老床位？", "zh-Hant", "這份報告"),
        ("2019年黑龙江省新增了多少张养老床位？", "zh-Hans", "这份报告"),
        ("How many beds were added in 2019?", "en", "The report covers"),
    ],
)
def test_reply_text_follows_the_questions_language(report_qa, question, language, fragment):
    answer = report_qa.ask(question)
    assert answer.language == language and fragment in view_answer(answer).message


def test_quotes_stay_in_the_reports_characters_for_simplified_questions(report_qa):
    answer = report_qa.ask("志愿服务组织有多少个？")
    assert "5102個志愿服務組織" in shown(answer)


def test_answer_json_has_quotes_figure_spans_and_citations(report_qa):
    data = json.loads(as_json.answer_json(view_answer(report_qa.ask("捐贈款物達到多少？"))))
    assert set(data) == {
        "question",
        "found",
        "language",
        "message",
        "reason",
        "quotes",
        "related",
        "passages",
        "report",
        "parts_kind",
        "parts",
        "intent",
        "table",
        "context",
    }
    assert data["parts"] == [] and data["parts_kind"] is None
    assert data["report"] is None  # one report indexed: the reply need not name it
    quote = data["quotes"][0]
    assert set(quote) == {"text", "figures", "citation", "span"}
    figure = quote["figures"][0]
    assert quote["text"][figure["start"] : figure["end"]] == figure["text"] == "7.33億元"
    assert set(quote["citation"]) >= {"document", "section", "paragraph", "source", "date"}
