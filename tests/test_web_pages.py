"""The page's HTML as the server renders it (no browser needed): the report filter, the
language of its words, a reload that does not ask again, an expired conversation, unknown
passages and reports, and escaping of everything a report or a question holds."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from qa.present.html import marked
from web.app import create_app
from web.pages import browser_language
from web.settings import WebSettings
from web.state import ServerState

JL_2021 = "jilin-2021-own"


@pytest.fixture
def page(report_qa, tmp_path):
    settings = WebSettings(feedback_file=tmp_path / "feedback.sqlite", rate_limit=0)
    with TestClient(create_app(ServerState(settings, report_qa))) as client:
        yield client


def _request(accept_language: str) -> Request:
    return Request({"type": "http", "headers": [(b"accept-language", accept_language.encode())]})


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),
        ("fr;q=0.2, zh-Hans;q=0.8, en;q=0.7", "zh-Hans"),
        ("", "zh-Hant"),
        ("*, ;;q=x, 42", "zh-Hant"),
    ],
)
def test_the_page_speaks_the_browsers_language(header, lang) -> None:
    assert browser_language(_request(header)) == lang


def test_words_follow_the_question_then_the_browser(page) -> None:
    english = page.get("/", headers={"accept-language": "en-US"}).text
    assert '<html lang="en">' in english and "Your question" in english
    asked = page.get("/", params={"q": "全省发放了多少低保金？"}, headers={"accept-language": "en"})
    assert '<html lang="zh-Hans">' in asked.text and "接着问" in asked.text


def test_the_report_filter_answers_from_the_reports_ticked(many_qa, tmp_path) -> None:
    settings = WebSettings(feedback_file=None, rate_limit=0)
    with TestClient(create_app(ServerState(settings, many_qa))) as client:
        home = client.get("/").text
        assert home.count('type="checkbox" name="d"') == 4
        html = client.get("/", params={"q": "新增了多少張養老床位？", "d": JL_2021}).text
    assert '<strong class="figure">0.7萬張</strong>' in html
    assert f'value="{JL_2021}" checked' in html


def test_a_reload_shows_the_answer_without_asking_again(page) -> None:
    first = page.get("/", params={"q": "全省發放了多少低保金？"})
    conversation = re.search(r'name="c" value="([^"]+)"', first.text).group(1)
    page.get("/", params={"q": "異地救助了多少人？", "c": conversation})
    again = page.get("/", params={"q": "異地救助了多少人？", "c": conversation})
    assert again.text.count('<section class="turn"') == 2
    state = page.app.state.server
    assert len(state.conversations.get(conversation).turns) == 2


def test_an_expired_conversation_link_starts_a_new_one(page) -> None:
    html = page.get("/", params={"q": "全省發放了多少低保金？", "c": "A" * 16}).text
    assert "之前的對話已過期" in html and "58.68億元" in html


def test_a_question_problem_is_said_in_its_language_and_kept_in_the_box(page) -> None:
    too_long = page.get("/", params={"q": "How much " * 300})
    assert too_long.status_code == 400
    assert "please ask in at most 2000" in too_long.text
    control = page.get("/", params={"q": "多少\x07錢"})
    assert control.status_code == 400 and "控制字元" in control.text
    blank = page.get("/", params={"q": " "}, headers={"accept-language": "zh-CN"})
    assert blank.status_code == 400 and "请发送一个问题" in blank.text


def test_the_feedback_form_records_and_thanks(page) -> None:
    html = page.get("/", params={"q": "異地救助了多少人？"}).text
    answer = re.search(r'name="answer" value="([^"]+)"', html).group(1)
    conversation = re.search(r'name="c" value="([^"]+)"', html).group(1)
    response = page.post(
        "/feedback",
        data={"answer": answer, "rating": "up", "passage": "", "c": conversation},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/?c={conversation}#answer-{answer}"
    thanks = page.get(response.headers["location"]).text
    assert "謝謝，你的評價已經記下。" in thanks and 'name="rating"' not in thanks
    expired = page.post("/feedback", data={"answer": "B" * 16, "rating": "up"})
    assert expired.status_code == 404 and "這個回答已經不能評價了" in expired.text


def test_unknown_passages_and_reports_are_404_pages(page) -> None:
    passage = page.get("/passage/<b>nope</b>", headers={"accept-language": "en"})
    assert passage.status_code == 404
    assert "The index has no passage &lt;b&gt;nope&lt;/b&gt;" in passage.text
    report = page.get("/figures/nope")
    assert report.status_code == 404 and "nope" in report.text
    assert page.get("/figures/nope/csv").status_code == 404


def test_the_figure_sheet_page_and_its_csv(page) -> None:
    html = page.get("/figures/heilongjiang-civil-affairs-2020", headers={"accept-language": "en"})
    assert "Figures of the 2020 report of Heilongjiang" in html.text
    assert '<td class="figure">58.68億元</td>' in html.text
    csv = page.get("/figures/heilongjiang-civil-affairs-2020/csv")
    assert csv.content.startswith("\ufeffdoc,document".encode())
    assert (
        'filename="heilongjiang-civil-affairs-2020-figures.csv"'
        in csv.headers["content-disposition"]
    )


def test_a_passage_link_with_a_span_outside_the_text_highlights_nothing(page) -> None:
    html = page.get("/passage/heilongjiang-civil-affairs-2020%23p7?start=-5&end=99999").text
    assert "<mark" not in html and "58.68億元" in html
    bad = page.get("/passage/heilongjiang-civil-affairs-2020%23p7?start=x&end=3")
    assert bad.status_code == 400


def test_marked_text_escapes_report_text_and_nests_its_marks() -> None:
    text = "<b>1億元</b> & 2億元"
    html = marked(text, figures=[(3, 6), (13, 16)], highlight=(0, 10))
    assert html == (
        '<mark id="quote">&lt;b&gt;<strong class="figure">1億元</strong>&lt;/b&gt;</mark>'
        ' &amp; <strong class="figure">2億元</strong>'
    )


def test_a_table_is_plain_html_in_the_questions_order_and_only_its_page_has_script(
    many_qa,
) -> None:
    settings = WebSettings(feedback_file=None, rate_limit=0)
    english = {"accept-language": "en-US"}
    with TestClient(create_app(ServerState(settings, many_qa))) as client:
        table = client.get(
            "/", params={"q": "2019年到2021年吉林省新增了多少養老床位？"}, headers=english
        )
        plain = client.get("/", params={"q": "2020年黑龍江省新增了多少養老床位？"}, headers=english)
        script = client.get("/static/table.js")
    # A Chinese question is answered in Chinese, whatever the browser's language.
    assert '<html lang="zh-Hant">' in table.text and '<html lang="zh-Hant">' in plain.text
    body = table.text[table.text.index("<tbody>") : table.text.index("</tbody>")]
    assert re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', body) == ["2020年", "2021年"]
    assert table.text.count('<script src="/static/table.js" defer></script>') == 1
    assert "<script" not in plain.text  # no table: no script at all
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "data-sortable" in script.text
