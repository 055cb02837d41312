"""The presentation layer: one neutral view of an answer, three back ends (terminal, JSON,
Telegram HTML), one catalogue of words per language, one way to write a passage's place."""

from __future__ import annotations

import json
import re
import string

import pytest
from rich.console import Console

from qa import Answer, Citation, DeclineReason, Figure, Quote
from qa.answer.scope import OutOfScope
from qa.present import TelegramHTML, as_json, place, terminal, view_answer
from qa.present.words import CATALOGUES, say
from qa.present.words.zh_hans import OVERRIDES
from qa.text import opencc_convert

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.auxil.bot_api import parse_html, utf16_len
except ModuleNotFoundError:
    from auxil.bot_api import parse_html, utf16_len

import qa.present.telegram as telegram

CITATION = Citation("Report <draft> & notes", "Section", 3, "Source", "2020-12-23", "d", "d#p3")


def _quote(text: str, figures: list[tuple[int, int]]) -> Quote:
    citation = CITATION
    marks = tuple(Figure(text[s:e], s, e, 1.0, "元", "money", "exact") for s, e in figures)
    return Quote(text, marks, citation, 0, len(text), text)


def test_a_long_answer_is_split_between_and_inside_quotes_into_valid_messages() -> None:
    sentence = "全省發放<低保金>&補貼58.68億元，惠及186.3萬人。"
    long_text = sentence * 400  # ~12,000 characters: one quote longer than three messages
    at = sentence.index("58.68億元")
    spans = [(i * len(sentence) + at, i * len(sentence) + at + 7) for i in range(400)]
    unbroken = "甲" * 9000  # no sentence end at all: cut between characters
    answer = Answer(
        question="q",
        language="en",
        quotes=[_quote("短句1.1億元。", [(2, 7)]), _quote(long_text, spans), _quote(unbroken, [])],
    )
    chunks = TelegramHTML().answer(answer)
    assert len(chunks) >= 6
    plain_parts = []
    for chunk in chunks:
        assert utf16_len(chunk) <= telegram.MAX_MESSAGE_CHARS
        plain, entities = parse_html(chunk)  # Telegram's parser: every chunk is valid HTML
        plain_parts.append(plain)
        for e in entities:
            if e["type"] == "bold" and not plain.startswith("From the report", e["offset"]):
                assert plain[e["offset"] : e["offset"] + e["length"]] in ("58.68億元", "1.1億元")
    joined = "".join(plain_parts)
    assert joined.count("58.68億元") == 400  # no figure was cut in two
    assert joined.count("Report <draft> & notes") == 3  # one citation per quote, escaped
    assert joined.replace("\n", "").count("甲") == 9000


def test_rendering_escapes_report_text_and_marks_figures() -> None:
    html_text = telegram.marked("a<b>&c 1.1億元", [(7, 12)])
    assert html_text == "a&lt;b&gt;&amp;c <b>1.1億元</b>"
    assert telegram.quote_blocks("x" * 10, [], "<i>— cite</i>", limit=60) == [
        "<blockquote>xxxxxxxxxx</blockquote>\n<i>— cite</i>"
    ]
    pieces = telegram.quote_blocks("一二三。四五六。", [], "<i>c</i>", limit=40)
    assert pieces == [
        "<blockquote>一二三。</blockquote>",
        "<blockquote>四五六。</blockquote>\n<i>c</i>",
    ]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_the_same_messages_with_the_same_placeholders() -> None:
    en = CATALOGUES["en"]
    for lang, catalogue in CATALOGUES.items():
        assert set(catalogue.WORDS) == set(en.WORDS), lang
        for key, template in catalogue.WORDS.items():
            assert _fields(template) == _fields(en.WORDS[key]), (lang, key)
        assert [c for c, _ in catalogue.COMMANDS] == [c for c, _ in en.COMMANDS]
        assert len(catalogue.EXAMPLES) == len(en.EXAMPLES)


#: Entries of the hand-written Simplified catalogue the derived one replaced (the derived
#: catalogue equalled it entry for entry): the conversion and each override at work.
SIMPLIFIED_BEFORE = {
    "not_found": "报告中没有找到这个问题的答案。",
    "thread_new": "好，下一个问题重新开始，不接着上一个。",
    "figures_summary": "<b>{report}的数字</b>\n共{count}个数字：{kinds}。\n<b>最大的金额</b>\n"
    "{largest}\n\n每个数字及其所在的句子、章节和段落，见附上的CSV文件。",
    "page_intro": "用中文或英文提问报告的内容。回答是报告的原句，数字标出，每句都链接到它在报告中的位置。",
    "page_col_measures": "说的是什么",
    "page_control_characters": "问题里有控制字符，请用纯文本重新输入。",
    "page_loading": "报告还在加载，请稍后再试。",
}


def test_the_simplified_catalogue_is_the_traditional_one_converted() -> None:
    hans, hant = CATALOGUES["zh-Hans"], CATALOGUES["zh-Hant"]
    assert list(hans.WORDS) == list(hant.WORDS)
    for key, text in SIMPLIFIED_BEFORE.items():
        assert hans.WORDS[key] == text, key
    assert "按“更多段落”看其他相关段落" in hans.WORDS["help"]  # 「」 → “”
    assert hans.COMMANDS[-1] == ("new", "重新开始，不接着上一个问题")
    assert hans.EXAMPLES[0] == "向全省养老机构拨付了多少补贴？"
    # Every override is needed by some entry (else it is stale).
    converted = [opencc_convert(text, "tw2s") for text in hant.WORDS.values()]
    assert all(any(word in text for text in converted) for word in OVERRIDES)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Report <draft> & notes · Section · paragraph 3 · Source 2020-12-23"),
        ("zh-Hant", "Report <draft> & notes · Section · 第3段 · Source 2020-12-23"),
        ("zh-Hans", "Report <draft> & notes · Section · 第3段 · Source 2020-12-23"),
    ],
)
def test_a_passage_place_is_written_one_way_per_language(lang, expected) -> None:
    assert place(CITATION, lang) == expected


def test_a_line_of_the_document_notes_is_placed_in_the_notes() -> None:
    notes = Citation("Report", None, None, "Source", "2020-12-23", "d", "d#meta")
    assert place(notes, "en") == "Report · document notes · Source 2020-12-23"
    assert place(notes, "zh-Hans") == "Report · 文末说明 · Source 2020-12-23"


def test_a_decline_is_worded_from_its_reason_in_the_answers_language() -> None:
    scope = OutOfScope("other_year", want="2019", have="2020")
    answer = Answer("q", "zh-Hans", reason=DeclineReason.OTHER_YEAR, scope=scope)
    view = view_answer(answer)
    assert not view.found and view.message == say("other_year", "zh-Hans", want="2019", have="2020")
    assert "2019" in view.message and view.quotes == []


def test_the_three_back_ends_render_the_same_view() -> None:
    quote = _quote("全省發放低保金58.68億元。", [(7, 14)])
    answer = Answer("How much?", "en", quotes=[quote])
    view = view_answer(answer)

    console = Console(record=True, width=200)
    terminal.print_answer(console, view)
    text = console.export_text()
    assert "From the report" in text and "58.68億元" in text and view.quotes[0].place in text

    data = json.loads(as_json.answer_json(view))
    assert data["found"] and data["reason"] is None and data["message"] == ""
    [q] = data["quotes"]
    assert q["text"][q["figures"][0]["start"] : q["figures"][0]["end"]] == "58.68億元"

    [html] = TelegramHTML().answer(answer)
    plain, entities = parse_html(html)
    assert "58.68億元" in plain and view.quotes[0].place in plain
    assert any(
        e["type"] == "bold" and plain[e["offset"] : e["offset"] + e["length"]] == "58.68億元"
        for e in entities
    )


def test_a_declined_answer_shows_its_reason_related_passages_and_a_hint() -> None:
    answer = Answer("哈囉", "zh-Hant", reason=DeclineReason.NO_EVIDENCE)
    console = Console(record=True, width=200)
    terminal.print_answer(console, view_answer(answer))
    text = console.export_text()
    assert say("not_found", "zh-Hant") in text and say("hint", "zh-Hant") in text
    data = json.loads(as_json.answer_json(view_answer(answer)))
    assert data["reason"] == "no_evidence" and not data["found"] and data["quotes"] == []


def test_bot_words_escape_the_values_filled_in() -> None:
    html = TelegramHTML().text("unknown_command", "en", command="/x<script>")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert re.search(
        r"/x<script>", TelegramHTML().plain("unknown_command", "en", command="/x<script>")
    )
