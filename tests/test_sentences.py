"""Sentence splitting: verbatim spans over the report's mixed Chinese/ASCII punctuation."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.sentences import split_sentences

REPORT = (
    Path(__file__).resolve().parents[1] / "data" / "heilongjiang-civil-affairs-2020.txt"
).read_text(encoding="utf-8")
LINES = REPORT.splitlines()


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def line_with(anchor: str) -> str:
    (line,) = [line for line in LINES if anchor in line]
    return line


def test_report_spans_are_in_order_non_empty_and_trimmed() -> None:
    spans = split_sentences(REPORT)
    assert spans
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end
        assert not REPORT[start].isspace() and not REPORT[end - 1].isspace()
        previous_end = end


def test_report_spans_cover_every_non_whitespace_character() -> None:
    covered = bytearray(len(REPORT))
    for start, end in split_sentences(REPORT):
        covered[start:end] = b"\x01" * (end - start)
    uncovered = [ch for ch, hit in zip(REPORT, covered, strict=True) if not hit]
    assert all(ch.isspace() for ch in uncovered)


def test_report_sentences_never_span_a_line_break() -> None:
    assert all("\n" not in sentence for sentence in sentences(REPORT))


def test_chinese_full_stop_splits_a_report_paragraph() -> None:
    line = line_with("始終把疫情防控作為頭等大事")
    assert sentences(line)[:2] == [
        "始終把疫情防控作為頭等大事。",
        "面對突如其來的新冠肺炎疫情,黑龍江省民政系統堅決貫徹民政部各項部署,"
        "嚴格落實民政領域疫情防控工作指南、指導意見和通知精神,"
        "確保全省民政服務機構(窗口)和服務對象安全。",
    ]
    assert len(sentences(line)) == 4


def test_ascii_semicolon_ends_a_sentence_in_the_report() -> None:
    line = line_with("堅持疫情期間為民服務不間斷")
    assert sentences(line) == [
        "堅持疫情期間為民服務不間斷。",
        "疫情期間低保一律不退出,保障186.3萬困難群眾不因疫情受困;",
        "低保特困不停辦,新審批13.22萬人;",
        "低保金不停發,發放58.68億元;",
        "臨時救助可異地辦理,異地救助3.4萬人,支出救助資金3109.47萬元。",
        "全省婚姻登記服務窗口采取“預約辦、延期辦、錯峰辦”的方式為群眾提供服務,滿足群眾登記需求。",
        "殯葬服務機構開辟云祭、代祭、共祭等一系列“非現場”祭掃渠道,引導群眾從簡從快辦理喪葬事宜。",
    ]


def test_semicolon_inside_a_parenthetical_does_not_split_the_report_sentence() -> None:
    line = line_with("兩覆蓋、兩工程")
    result = sentences(line)
    assert result[0] == "創新引領社會組織健康發展。"
    assert result[1].startswith("深入抓好“兩覆蓋、兩工程”(“兩覆蓋”:")
    assert "公示全覆蓋;“兩工程”:上門工程、約見工程 )," in result[1]
    assert result[1].endswith("強化事前、事中、事后監管;")
    assert result[2] == "持續深化“放管服”改革,推動行業協會商會規范涉企收費、減輕企業負擔。"
    assert len(result) == 3


def test_headings_without_terminator_are_one_sentence_each() -> None:
    heading = "堅持人民至上,在抗擊疫情中彰顯民政擔當"
    assert heading in sentences(REPORT)
    assert "(本版文圖由黑龍江省民政廳提供)" in sentences(REPORT)


def test_decimal_points_and_dotted_dates_never_split() -> None:
    assert sentences(REPORT)[-1] == "(來源:中國社會報2020.12.23)"
    assert "向全省養老機構撥付疫情防控補助和運營補貼1.1億元,幫助機構渡難關。" in sentences(REPORT)
    assert sentences("增長1.1億元。共2020.12.23") == ["增長1.1億元。", "共2020.12.23"]


def test_stray_space_inside_a_report_sentence_is_kept_verbatim() -> None:
    expected = (
        "落實困難殘疾人生活補貼和重度殘疾人護理補貼6億元,全省殘疾人有 72萬人次享受到兩項補貼。"
    )
    assert expected in sentences(REPORT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他說:“好。”然後呢?對!", ["他說:“好。”", "然後呢?", "對!"]),
        ("真的嗎？！」下一句", ["真的嗎？！」", "下一句"]),
        ("見附件。)再說", ["見附件。)", "再說"]),
        ("『完成了！』』好", ["『完成了！』』", "好"]),
    ],
)
def test_closing_quote_or_bracket_after_terminator_stays_with_its_sentence(
    text: str, expected: list[str]
) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("等等……結束", ["等等……", "結束"]),
        ("如此…然後", ["如此…", "然後"]),
        ("甲；乙;丙", ["甲；", "乙;", "丙"]),
        ("甲！乙？丙", ["甲！", "乙？", "丙"]),
        ("What? Yes! No", ["What?", "Yes!", "No"]),
    ],
)
def test_chinese_and_ascii_terminators_and_ellipses_end_sentences(
    text: str, expected: list[str]
) -> None:
    assert sentences(text) == expected


def test_ascii_period_splits_only_before_whitespace_or_end() -> None:
    assert sentences("Done. Next one.") == ["Done.", "Next one."]
    assert sentences("版本1.1億元,第2.3項") == ["版本1.1億元,第2.3項"]


def test_run_of_terminators_ends_one_sentence_without_empty_spans() -> None:
    assert sentences("。。") == ["。。"]
    assert sentences("好!!!再") == ["好!!!", "再"]


def test_line_breaks_end_sentences_and_whitespace_is_excluded() -> None:
    text = "  標題一\n\n  第一句。  第二句 \n"
    assert sentences(text) == ["標題一", "第一句。", "第二句"]
    assert split_sentences(text)[0] == (2, 5)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \t\n "])
def test_empty_or_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_brackets_do_not_hide_a_full_stop() -> None:
    # Only semicolons wait for a bracket to close; a full stop always ends the sentence.
    assert sentences("(說明一。說明二;說明三)後") == ["(說明一。", "說明二;", "說明三)後"]
