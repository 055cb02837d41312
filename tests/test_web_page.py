"""The web page of ``qa serve`` in a real headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) against the real server on 127.0.0.1: ask in the
box, read the quote and its highlighted figure, follow the citation to the highlighted
passage, ask a follow-up, rate the answers, export the ratings and score them with
``qa eval``; the page at phone width, in the browser's language; over four reports, a table
answer sorted by its headings with its chart, and a follow-up's context line."""

from __future__ import annotations

import json
import os
import struct
from urllib.parse import parse_qs, urlsplit

import pytest

from qa.cli import main
from web.settings import WebSettings
from web.state import ServerState

try:
    from tests.auxil.web import LiveServer, chromium, chromium_paths
except ModuleNotFoundError:
    from auxil.web import LiveServer, chromium, chromium_paths

if chromium_paths() is None:
    if os.environ.get("CI"):  # CI installs them (.ci/run): missing there is a failure
        raise RuntimeError("chromium and chromium-driver are missing: apt-get install them")
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow  # drives a browser against qa serve

FOUND = "全省發放了多少低保金？"
FOLLOW_UP = "異地救助了多少人？"
#: Over the four reports (see tests/test_web_api.py): two years of Jilin, both stating the
#: figure; and two where the 2020 report states none.
BEDS_BY_YEAR = "2019年到2021年吉林省新增了多少養老床位？"
ALLOWANCE_BY_YEAR = "2020年到2021年吉林省发放了多少低保金？"
WAIT = 120  # seconds; a first answer on a busy 2-core machine takes a few


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory):
    return tmp_path_factory.mktemp("web-feedback") / "feedback.sqlite"


@pytest.fixture(scope="module")
def server(report_qa, feedback_file):
    settings = WebSettings(feedback_file=feedback_file, rate_limit=0)
    with LiveServer(ServerState(settings, report_qa)) as live:
        yield live


@pytest.fixture(scope="module")
def many_server(many_qa):
    settings = WebSettings(feedback_file=None, rate_limit=0)
    with LiveServer(ServerState(settings, many_qa)) as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    with chromium(1024, 900, language="en-US") as driver:
        yield driver


def wait_for(driver, css: str):
    return WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def ask_in_the_box(driver, question: str) -> None:
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(question, Keys.ENTER)


def test_ask_read_the_highlighted_figure_and_follow_the_citation(server, browser) -> None:
    browser.get(server.url)
    assert browser.find_element(By.CSS_SELECTOR, "header .home").text == "Report QA"
    assert browser.find_element(By.TAG_NAME, "label").text == "Your question"
    ask_in_the_box(browser, FOUND)

    quote = wait_for(browser, "figure.quote blockquote")
    assert "發放58.68億元" in quote.text
    figure = quote.find_element(By.CSS_SELECTOR, "strong.figure")
    assert figure.text == "58.68億元"
    assert int(figure.value_of_css_property("font-weight")) >= 700
    # The answer is rendered on the server at /?q=…: the address can be shared.
    assert parse_qs(urlsplit(browser.current_url).query)["q"] == [FOUND]
    assert browser.find_elements(By.TAG_NAME, "script") == []  # works without JavaScript

    citation = browser.find_element(By.CSS_SELECTOR, "figure.quote figcaption a.citation")
    assert "第7段" in citation.text and "中國社會報 2020-12-23" in citation.text
    citation.click()
    highlighted = wait_for(browser, "p.passage mark#quote")
    assert highlighted.text == "低保金不停發,發放58.68億元;"
    assert highlighted.value_of_css_property("background-color") not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    )
    assert "58.68億元" in [s.text for s in highlighted.find_elements(By.CSS_SELECTOR, "strong")]
    passage = browser.find_element(By.CSS_SELECTOR, "p.passage").text
    assert passage.startswith("堅持疫情期間為民服務不間斷。")
    # It stands in its section: the section's earlier paragraphs around it.
    assert len(browser.find_elements(By.CSS_SELECTOR, "p.context")) == 3
    assert "堅持人民至上" in browser.find_element(By.TAG_NAME, "h2").text


def test_html_typed_into_the_box_is_shown_as_text(server, browser) -> None:
    browser.get(server.url)
    hostile = '<img src=x onerror="document.title=1"><script>document.title=2</script>低保金？'
    ask_in_the_box(browser, hostile)
    asked = wait_for(browser, "q.question")
    assert asked.text == hostile
    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert browser.find_elements(By.CSS_SELECTOR, "main img") == []
    assert browser.title.endswith("Report QA") or browser.title.endswith("報告問答")


def test_follow_up_rate_export_and_evaluate(
    server, browser, feedback_file, report_index, tmp_path, capsys
) -> None:
    browser.get(f"{server.url}/?q={FOUND}")
    wait_for(browser, "form.feedback button.up").click()
    assert wait_for(browser, ".turn .thanks").text == "謝謝，你的評價已經記下。"

    ask_in_the_box(browser, FOLLOW_UP)  # the box under the answer follows it
    WebDriverWait(browser, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "section.turn")) == 2
    )
    turns = browser.find_elements(By.CSS_SELECTOR, "section.turn")
    assert FOLLOW_UP in turns[1].find_element(By.CSS_SELECTOR, "q.question").text
    assert "3.4萬人" in turns[1].find_element(By.CSS_SELECTOR, "blockquote").text

    # 👎 on the follow-up, naming another passage as the one that should have answered.
    second = turns[1]
    second.find_element(By.CSS_SELECTOR, "form.feedback summary").click()
    choices = second.find_elements(By.CSS_SELECTOR, "form.feedback input[type=radio]")
    named = choices[1].get_attribute("value")
    assert named.startswith("heilongjiang-civil-affairs-2020#p")
    choices[1].click()
    second.find_element(By.CSS_SELECTOR, "form.feedback button.down").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".turn .thanks")) == 2
    )

    out = tmp_path / "from-the-page.jsonl"
    assert main(["feedback", "export", str(out), "--file", str(feedback_file)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["question"], r["rating"]) for r in rows][-2:] == [(FOUND, "up"), (FOLLOW_UP, "down")]
    assert rows[-1]["gold_passage"] == named
    capsys.readouterr()
    assert main(["eval", str(out), "--json", "--index", str(report_index)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["retrieval"]["overall"]["n"] == len(rows)
    assert summary["answers"]["answerable"] == len(rows)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_at_phone_width_in_the_browsers_language(server, tmp_path) -> None:
    with chromium(390, 844, language="zh-CN") as phone:
        phone.get(server.url)
        assert phone.find_element(By.CSS_SELECTOR, "header .home").text == "报告问答"
        assert phone.find_element(By.TAG_NAME, "label").text == "你的问题"
        phone.get(f"{server.url}/?q={FOUND}")
        wait_for(phone, "figure.quote")
        width = phone.execute_script("return document.documentElement.scrollWidth")
        viewport = phone.execute_script("return window.innerWidth")
        assert width <= viewport  # nothing wider than the phone: no sideways scrolling
        size = float(phone.find_element(By.ID, "q").value_of_css_property("font-size")[:-2])
        assert size >= 16  # phones zoom into smaller inputs
        shot = phone.get_screenshot_as_png()
        (tmp_path / "phone.png").write_bytes(shot)
        assert png_size(shot)[0] == viewport  # the screenshot is the phone's width
        phone.get(f"{server.url}/figures/heilongjiang-civil-affairs-2020")
        assert phone.find_element(By.TAG_NAME, "h2").text.startswith("黑龙江省2020年的报告")
        assert phone.execute_script("return document.documentElement.scrollWidth") <= viewport


def row_labels(table) -> list[str]:
    return [th.text for th in table.find_elements(By.CSS_SELECTOR, "tbody th")]


def sort_by(table, column: int, order: str) -> None:
    heading = table.find_elements(By.CSS_SELECTOR, "thead th")[column]
    heading.find_element(By.CSS_SELECTOR, "button.sort").click()
    assert heading.get_attribute("aria-sort") == order


def test_a_table_answer_sorts_by_its_headings_and_shows_its_chart(many_server, browser) -> None:
    browser.get(f"{many_server.url}/?q={BEDS_BY_YEAR}")
    table = wait_for(browser, "table.answer-table")
    # In the question's order, as the server wrote it: a run of years.
    assert row_labels(table) == ["2020年", "2021年"]
    figures = [td.text for td in table.find_elements(By.CSS_SELECTOR, "td.figure")]
    assert figures == ["0.9萬張", "0.7萬張"]
    citation = table.find_element(By.CSS_SELECTOR, "a.citation")
    assert "/passage/jilin-civil-affairs-2020%23p13?start=" in citation.get_attribute("href")

    sort_by(table, 2, "ascending")  # the figure, smallest first
    assert row_labels(table) == ["2021年", "2020年"]
    sort_by(table, 2, "descending")
    assert row_labels(table) == ["2020年", "2021年"]
    sort_by(table, 0, "ascending")
    sort_by(table, 0, "descending")  # the year, latest first
    assert row_labels(table) == ["2021年", "2020年"]

    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart img")
    loaded = "return arguments[0].complete && arguments[0].naturalWidth"
    WebDriverWait(browser, WAIT).until(lambda d: d.execute_script(loaded, chart) > 0)
    assert browser.execute_script("return arguments[0].naturalWidth", chart) == 600
    csv_link = browser.find_element(By.CSS_SELECTOR, "a.csv").get_attribute("href")
    assert csv_link.startswith(f"{many_server.url}/answers/") and csv_link.endswith("/1/table.csv")


def test_a_table_lists_the_reports_that_state_no_such_figure(many_server, browser) -> None:
    browser.get(f"{many_server.url}/?q={ALLOWANCE_BY_YEAR}")
    table = wait_for(browser, "table.answer-table")
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.get_attribute("class") for r in rows] == ["missing", "found"]
    assert rows[0].text == "2020年 没有给出这个数字 (吉林省2020年的报告)"
    assert rows[1].find_element(By.CSS_SELECTOR, "strong.figure").text == "38.6億元"
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chart") == []  # one figure: no chart
    for order in ("ascending", "descending"):  # a row without the figure stays last
        sort_by(table, 2, order)
        assert row_labels(table) == ["2021年", "2020年"]


def test_a_follow_up_shows_what_it_took_over(many_server, browser) -> None:
    browser.get(f"{many_server.url}/?q=2020年黑龍江省新增了多少養老床位？")
    wait_for(browser, "figure.quote")
    assert browser.find_elements(By.CSS_SELECTOR, "p.follow-up") == []
    ask_in_the_box(browser, "吉林省呢？")
    WebDriverWait(browser, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "section.turn")) == 2
    )
    second = browser.find_elements(By.CSS_SELECTOR, "section.turn")[1]
    context = second.find_element(By.CSS_SELECTOR, "article p.follow-up")
    assert context.text == "接著上一個問題：黑龍江省 → 吉林省 · 2020年 · 新增養老床位"
    assert "0.9萬張" in second.find_element(By.CSS_SELECTOR, "blockquote").text
