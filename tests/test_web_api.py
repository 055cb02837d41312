"""``qa serve``'s JSON API through FastAPI's test client, over the real index of the bundled
report (and of four reports): the answer is exactly what ``qa ask --json`` prints, errors are
one line with the right status, and the server is safe by default. Read as the API's
specification."""

from __future__ import annotations

import csv
import io
import json
import struct
import time

import pytest
from fastapi.testclient import TestClient

from qa import build_index
from qa.cli import main
from tests.conftest import DATA
from web.app import create_app
from web.guard import MAX_BODY_BYTES, SECURITY_HEADERS
from web.models import (
    AnswerModel,
    FigureRowModel,
    HealthModel,
    PassageContextModel,
    TableModel,
)
from web.settings import WebSettings
from web.state import ServerState

QUESTION = "全省發放了多少低保金？"
HLJ_2020 = "heilongjiang-civil-affairs-2020"
JL_2020 = "jilin-civil-affairs-2020"
JL_2021 = "jilin-2021-own"
#: Over the four reports: a run of years of Jilin, both reports stating the figure …
BEDS_BY_YEAR = "2019年到2021年吉林省新增了多少養老床位？"
#: … and one where the 2020 report states no such figure (its 低保金 sentence does not say
#: which figure is the allowance; the 2021 report's does).
ALLOWANCE_BY_YEAR = "2020年到2021年吉林省发放了多少低保金？"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def client_for(qa, tmp_path, **settings) -> TestClient:
    """A test client of the app over ``qa`` (feedback in ``tmp_path``, no question limit
    unless a test sets one)."""
    defaults = {"feedback_file": tmp_path / "feedback.sqlite", "rate_limit": 0}
    state = ServerState(WebSettings(**{**defaults, **settings}), qa)
    return TestClient(create_app(state))


@pytest.fixture
def api(report_qa, tmp_path):
    with client_for(report_qa, tmp_path) as client:
        yield client


def cli_json(capsys, *args: str) -> object:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


# -- asking ----------------------------------------------------------------------------------


def test_an_answer_is_exactly_what_qa_ask_json_prints_plus_its_ids(
    api, report_index, capsys
) -> None:
    response = api.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    AnswerModel.model_validate(data)  # the OpenAPI schema describes it
    answer_id, conversation = data.pop("answer_id"), data.pop("conversation")
    assert len(answer_id) == 16 and len(conversation) == 16
    assert (data.pop("turn"), data.pop("links")) == (1, None)  # no table: nothing to link
    assert data == cli_json(capsys, "ask", QUESTION, "--json", "--index", str(report_index))
    quote = data["quotes"][0]
    assert "58.68億元" in [f["text"] for f in quote["figures"]]
    assert quote["citation"]["passage_id"] == f"{HLJ_2020}#p7"


def test_a_decline_carries_its_reason_and_the_words_follow_lang(api) -> None:
    data = api.post(
        "/api/ask", json={"question": "2019年黑龍江省新增了多少張養老床位？", "lang": "en"}
    ).json()
    assert not data["found"] and data["reason"] == "other_year"
    assert data["language"] == "en"
    assert data["message"] == "The report covers 2020; it has no figures for 2019."


def test_a_follow_up_question_stays_in_its_conversation(api) -> None:
    first = api.post("/api/ask", json={"question": QUESTION}).json()
    second = api.post(
        "/api/ask", json={"question": "異地救助了多少人？", "conversation": first["conversation"]}
    ).json()
    assert second["conversation"] == first["conversation"]
    assert second["answer_id"] != first["answer_id"]
    assert "3.4萬人" in " ".join(q["text"] for q in second["quotes"])
    state = api.app.state.server
    talk = state.conversations.get(first["conversation"])
    assert [t.question for t in talk.turns] == [QUESTION, "異地救助了多少人？"]


def test_a_follow_up_says_what_it_took_over_and_keeps_its_conversation(many_qa, tmp_path):
    with client_for(many_qa, tmp_path) as api:
        first = api.post("/api/ask", json={"question": "2020年黑龍江省新增了多少養老床位？"})
        follow = api.post(
            "/api/ask",
            json={"question": "吉林省呢？", "conversation": first.json()["conversation"]},
        )
    first, follow = first.json(), follow.json()
    assert first["context"] is None
    assert follow["context"] == "接著上一個問題：黑龍江省 → 吉林省 · 2020年 · 新增養老床位"
    assert follow["conversation"] == first["conversation"]
    assert (first["turn"], follow["turn"]) == (1, 2)
    assert {"year", "indicator"} <= set(follow["intent"]["inherited"])
    assert follow["quotes"][0]["citation"]["doc_id"] == JL_2020
    assert follow["quotes"][0]["figures"][0]["text"] == "0.9萬張"
    AnswerModel.model_validate(follow)


# -- table answers: one indicator across reports -----------------------------------------------


@pytest.fixture
def many_api(many_qa, tmp_path):
    with client_for(many_qa, tmp_path) as client:
        yield client


def test_a_table_answer_has_a_row_per_report_with_its_figure_and_citation(many_api) -> None:
    data = many_api.post("/api/ask", json={"question": BEDS_BY_YEAR}).json()
    AnswerModel.model_validate(data)
    table = TableModel.model_validate(data["table"])
    assert table.by == "year"
    rows = data["table"]["rows"]
    assert [(r["label"], r["year"], r["figure"], r["value"], r["role"]) for r in rows] == [
        ("2020年", 2020, "0.9萬張", 9000.0, "result"),
        ("2021年", 2021, "0.7萬張", 7000.0, "result"),
    ]
    assert [r["quote"]["citation"]["passage_id"] for r in rows] == [
        f"{JL_2020}#p13",
        f"{JL_2021}#p4",
    ]
    assert rows[0]["quote"]["text"] == "新增養老床位0.9萬張"
    assert data["found"] and data["intent"]["table"]["years"] == "2019–2021"
    base = f"/answers/{data['conversation']}/1"
    assert data["links"] == {"table_csv": f"{base}/table.csv", "chart": f"{base}/chart.png"}


def test_a_table_as_csv_lists_the_reports_without_the_figure_too(many_api) -> None:
    data = many_api.post("/api/ask", json={"question": ALLOWANCE_BY_YEAR}).json()
    assert [r["found"] for r in data["table"]["rows"]] == [False, True]
    assert data["links"]["chart"] is None  # one figure: nothing to plot
    response = many_api.get(data["links"]["table_csv"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="report-qa-table-1.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: spreadsheets read UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["label"], r["found"], r["figure"], r["value"]) for r in rows] == [
        ("2020年", "false", "", ""),
        ("2021年", "true", "38.6億元", "3860000000"),
    ]
    assert rows[0]["report"] == "吉林省2020年的报告"
    assert rows[1]["quote"] == "全年發放城鄉低保金38.6億元"
    assert rows[1]["passage_id"] == f"{JL_2021}#p3"
    chart = many_api.get(f"/answers/{data['conversation']}/1/chart.png")
    assert chart.status_code == 404


def test_a_table_answers_chart_is_a_png_drawn_once(many_api) -> None:
    data = many_api.post("/api/ask", json={"question": BEDS_BY_YEAR}).json()
    response = many_api.get(data["links"]["chart"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "private, max-age=3600"
    assert response.content[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", response.content[16:24])
    assert (width, height) == (600, 400)
    assert many_api.get(data["links"]["chart"]).content == response.content
    for unknown in (
        f"/answers/{data['conversation']}/2/chart.png",  # no such turn
        "/answers/xxxxxxxxxxxxxxxx/1/chart.png",  # no such conversation
        "/answers/..%2F..%2Fetc/1/table.csv",
    ):
        assert many_api.get(unknown).status_code == 404, unknown


def test_a_conversation_expires_after_its_lifetime(report_qa, tmp_path) -> None:
    with client_for(report_qa, tmp_path, conversation_seconds=0.2) as api:
        first = api.post("/api/ask", json={"question": QUESTION}).json()
        time.sleep(0.3)
        late = api.post(
            "/api/ask", json={"question": QUESTION, "conversation": first["conversation"]}
        )
    assert late.status_code == 404
    assert late.json()["detail"].startswith("this conversation is unknown or has expired")


def test_documents_answer_from_those_reports_only(many_qa, tmp_path) -> None:
    with client_for(many_qa, tmp_path) as api:
        data = api.post(
            "/api/ask", json={"question": "新增了多少張養老床位？", "documents": [JL_2021]}
        ).json()
        unknown = api.post("/api/ask", json={"question": QUESTION, "documents": ["no-such"]})
    assert {q["citation"]["doc_id"] for q in data["quotes"]} == {JL_2021}
    assert "0.7萬張" in data["quotes"][0]["text"]
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "no report 'no-such' in the index"}


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"question": ""}, 400, "the question is empty"),
        ({"question": "   \n"}, 400, "the question is empty"),
        (
            {"question": "問" * 20_000},
            400,
            "the question is 20000 characters long; ask in at most 2000",
        ),
        (
            {"question": "低保\x1b[31m金\x00多少"},
            400,
            "the question holds control characters; send it as plain text",
        ),
        ({"question": 58.68}, 400, "question: Input should be a valid string"),
        ({"questions": QUESTION}, 400, "question: is missing"),
        ({"question": QUESTION, "k": 3}, 400, "k: is not a field of this request"),
        ({"question": QUESTION, "lang": "fr"}, 400, "lang: Input should be 'zh-Hant', "),
        ({"question": QUESTION, "conversation": "x" * 16}, 404, "this conversation is unknown"),
        ([QUESTION], 400, "the request: Input should be a valid dictionary"),
    ],
    ids=[
        "empty",
        "blank",
        "20000-chars",
        "control-chars",
        "number",
        "missing",
        "extra-field",
        "bad-lang",
        "unknown-conversation",
        "list",
    ],
)
def test_bad_questions_get_one_line_and_the_right_status(api, body, status, detail) -> None:
    response = api.post("/api/ask", json=body)
    assert response.status_code == status
    message = response.json()["detail"]
    assert message.startswith(detail) and "\n" not in message


def test_html_in_a_question_is_only_text(api) -> None:
    question = '<script>alert("x")</script><img src=x onerror=alert(1)>低保金多少？'
    data = api.post("/api/ask", json={"question": question}).json()
    assert data["question"] == question  # JSON carries it verbatim; the page escapes it


@pytest.mark.parametrize(
    "body",
    [b"{bad", b'{"question": "\xff\xfe"}', b"", b"null", b'{"question": "a" "b"}'],
    ids=["truncated", "not-utf8", "empty", "null", "two-strings"],
)
def test_a_malformed_body_is_a_400(api, body) -> None:
    response = api.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "\n" not in response.json()["detail"]


def test_a_body_over_the_limit_is_refused_declared_or_streamed(api) -> None:
    big = json.dumps({"question": "問" * MAX_BODY_BYTES}).encode()
    declared = api.post("/api/ask", content=big, headers={"content-type": "application/json"})

    def chunks():
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = api.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json() == {"detail": "the request body is larger than 64 KiB"}


# -- the other resources ---------------------------------------------------------------------


def test_sources_and_figures_are_what_the_cli_prints(api, report_index, capsys) -> None:
    assert api.get("/api/sources").json() == cli_json(
        capsys, "sources", "--json", "--index", str(report_index)
    )
    rows = api.get(f"/api/figures/{HLJ_2020}").json()
    assert rows == cli_json(capsys, "figures", HLJ_2020, "--json", "--index", str(report_index))
    for row in rows:
        FigureRowModel.model_validate(row)
    assert main(["figures", HLJ_2020, "--csv", "--index", str(report_index)]) == 0
    printed = capsys.readouterr().out
    by_query = api.get(f"/api/figures/{HLJ_2020}?format=csv")
    by_accept = api.get(f"/api/figures/{HLJ_2020}", headers={"accept": "text/csv"})
    for response in (by_query, by_accept):
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text == printed
    sheet = list(csv.DictReader(io.StringIO(by_query.text)))
    assert "58.68億元" in {r["figure"] for r in sheet}
    missing = api.get("/api/figures/no-such-report")
    assert missing.status_code == 404 and "no report 'no-such-report'" in missing.json()["detail"]


def test_a_passage_comes_with_its_section_around_it(api) -> None:
    data = api.get(f"/api/passages/{HLJ_2020}%23p7").json()
    PassageContextModel.model_validate(data)
    assert data["passage"]["id"] == f"{HLJ_2020}#p7"
    assert "58.68億元" in data["passage"]["text"]
    # Paragraph 7 ends its section: three before it, none after (p8 opens the next one).
    assert [p["paragraph"] for p in data["before"]] == [4, 5, 6]
    assert data["after"] == []
    assert {p["section"] for p in data["before"]} == {data["passage"]["section"]}
    first = api.get(f"/api/passages/{HLJ_2020}%23p8").json()
    assert first["before"] == [] and [p["paragraph"] for p in first["after"]] == [9, 10, 11]
    missing = api.get("/api/passages/no-such%23p1")
    assert missing.status_code == 404


def test_health_names_the_generation_model_and_size(api, report_index) -> None:
    data = api.get("/api/health").json()
    HealthModel.model_validate(data)
    assert data["generation"] == (report_index / "CURRENT").read_text().strip()
    assert data["reports"] == 1 and data["passages"] == 21
    assert data["runtime"].startswith(("onnx", "torch"))


def test_a_new_index_generation_is_served_without_a_restart(index_copy, embedder, tmp_path):
    from qa import ReportQA

    qa = ReportQA.open(index_copy, model=embedder)
    with client_for(qa, tmp_path) as api:
        before = api.get("/api/health").json()["generation"]
        build_index([DATA], index_copy, model=embedder)  # what `qa build` does
        time.sleep(1.1)  # readers look for a new generation at most once a second
        after = api.get("/api/health").json()["generation"]
    qa.close()
    assert after != before and after == (index_copy / "CURRENT").read_text().strip()


def test_no_index_loaded_yet_is_a_503_everywhere(tmp_path) -> None:
    state = ServerState(WebSettings(feedback_file=None))
    with TestClient(create_app(state)) as api:
        for response in (
            api.get("/api/health"),
            api.post("/api/ask", json={"question": QUESTION}),
            api.get("/api/sources"),
            api.get("/"),
        ):
            assert response.status_code == 503
            assert response.headers["retry-after"] == "5"
    assert "still loading" in api.get("/api/health").json()["detail"]


# -- feedback ----------------------------------------------------------------------------------


def test_feedback_rates_an_answer_and_may_name_the_passage_that_should_have_answered(api):
    data = api.post("/api/ask", json={"question": "異地救助了多少人？"}).json()
    answer = data["answer_id"]
    up = api.post("/api/feedback", json={"answer": answer, "rating": "up"})
    assert up.json() == {"answer": answer, "rating": "up", "passage": None, "exportable": True}
    other = data["passages"][1]["id"]
    down = api.post("/api/feedback", json={"answer": answer, "rating": "down", "passage": other})
    assert down.json()["passage"] == other  # rating again replaces the rating
    stats = api.app.state.server.feedback.stats()
    assert (stats.ratings, stats.up, stats.down_with_passage) == (1, 0, 1)

    stranger = api.post(
        "/api/feedback", json={"answer": answer, "rating": "down", "passage": f"{HLJ_2020}#p99"}
    )
    assert stranger.status_code == 400 and "not one of this answer's passages" in stranger.text
    unknown = api.post("/api/feedback", json={"answer": "x" * 16, "rating": "up"})
    assert unknown.status_code == 404
    assert api.post("/api/feedback", json={"answer": answer, "rating": "meh"}).status_code == 400


def test_feedback_off_hides_the_ids_and_answers_404(report_qa) -> None:
    state = ServerState(WebSettings(feedback_file=None, rate_limit=0), report_qa)
    with TestClient(create_app(state)) as api:
        data = api.post("/api/ask", json={"question": QUESTION}).json()
        response = api.post("/api/feedback", json={"answer": "x" * 16, "rating": "up"})
    assert data["answer_id"] is None
    assert response.status_code == 404 and "QA_FEEDBACK=off" in response.json()["detail"]


# -- safe by default ---------------------------------------------------------------------------


def test_the_token_guards_the_api_but_not_the_page(report_qa, tmp_path) -> None:
    token = "s3cret-token-for-tests"
    with client_for(report_qa, tmp_path, token=token) as api:
        missing = api.get("/api/health")
        wrong = api.get("/api/health", headers={"Authorization": "Bearer nope"})
        right = api.get("/api/health", headers={"Authorization": f"Bearer {token}"})
        page = api.get("/")
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert token not in response.text
    assert right.status_code == 200 and page.status_code == 200


def test_each_client_has_a_question_budget(report_qa, tmp_path) -> None:
    with client_for(report_qa, tmp_path, rate_limit=2, rate_window=60) as api:
        statuses = [api.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(3)]
        limited = api.post("/api/ask", json={"question": QUESTION})
        page = api.get("/", params={"q": QUESTION})
        health = api.get("/api/health")  # only questions count
    assert statuses == [200, 200, 429]
    assert limited.json()["detail"].startswith("too many questions: try again in")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert page.status_code == 429 and "秒後再問" in page.text  # in the question's language
    assert health.status_code == 200


def test_every_response_carries_the_security_headers(api) -> None:
    for response in (
        api.get("/"),
        api.post("/api/ask", json={"question": ""}),
        api.get("/api/nothing-here"),
        api.get("/openapi.json"),
        api.post("/api/ask", content=b"x" * (MAX_BODY_BYTES + 1)),
    ):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp  # its own file only
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_a_bug_is_a_500_in_one_line_with_the_headers_and_no_traceback(report_qa, tmp_path):
    state = ServerState(WebSettings(feedback_file=None, rate_limit=0), report_qa)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    state.pages.render = broken
    with TestClient(create_app(state), raise_server_exceptions=False) as client:
        page = client.get("/figures/heilongjiang-civil-affairs-2020")
        state.pages.render = lambda *a, **k: ""  # the error page itself renders
        state.qa.retriever.context = broken
        api = client.get(f"/api/passages/{HLJ_2020}%23p7")
    del state.qa.retriever.context
    assert page.status_code == 500 and api.status_code == 500
    assert api.json() == {"detail": "something went wrong on the server (it is logged)"}
    for response in (page, api):
        assert "secret internals" not in response.text and "Traceback" not in response.text
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_schema_is_served_and_the_cdn_docs_page_is_not(api) -> None:
    schema = api.get("/openapi.json").json()
    assert {"/api/ask", "/api/sources", "/api/figures/{doc}", "/api/health"} <= set(schema["paths"])
    models = schema["components"]["schemas"]
    answer = models["AnswerModel"]["properties"]
    assert {"table", "intent", "context", "conversation", "turn", "links"} <= set(answer)
    assert {"$ref": "#/components/schemas/TableModel"} in answer["table"]["anyOf"]
    assert {"$ref": "#/components/schemas/IntentModel"} in answer["intent"]["anyOf"]
    assert {"type": "string"} in answer["context"]["anyOf"]
    row = models["TableRowModel"]["properties"]
    assert {"label", "found", "role", "figure", "value", "unit", "quote"} <= set(row)
    assert {"table", "inherited", "search"} <= set(models["IntentModel"]["properties"])
    assert api.get("/docs").status_code == 404 and api.get("/redoc").status_code == 404


def test_no_path_of_a_request_reaches_the_file_system(api) -> None:
    assert api.get("/static/page.css").status_code == 200
    for path in (
        "/static/../../pyproject.toml",
        "/static/%2e%2e%2fpyproject.toml",
        "/static/..%2F..%2Fqa%2Fconfig.py",
        "/figures/..%2F..%2Fetc%2Fpasswd",
        "/api/figures/..%2Fpyproject.toml",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert "build-system" not in response.text and "root:" not in response.text


def test_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:
    from qa.errors import SettingError

    monkeypatch.setenv("QA_INDEX", str(tmp_path / "idx"))
    monkeypatch.setenv("QA_WEB_TOKEN", "s3cret-value")
    monkeypatch.setenv("QA_WEB_RATE_LIMIT", "5/10")
    monkeypatch.setenv("QA_WEB_CONVERSATION_SECONDS", "90")
    monkeypatch.delenv("QA_FEEDBACK", raising=False)
    settings = WebSettings.from_env()
    assert (settings.token, settings.rate_limit, settings.rate_window) == ("s3cret-value", 5, 10.0)
    assert settings.conversation_seconds == 90.0
    assert settings.feedback_file == tmp_path / "idx" / "feedback.sqlite"
    assert settings.host == "127.0.0.1"
    assert "s3cret" not in repr(settings)
    monkeypatch.setenv("QA_FEEDBACK", "off")
    monkeypatch.setenv("QA_WEB_RATE_LIMIT", "off")
    settings = WebSettings.from_env()
    assert settings.feedback_file is None and settings.rate_limit == 0
    monkeypatch.setenv("QA_WEB_RATE_LIMIT", "lots")
    with pytest.raises(SettingError, match="QA_WEB_RATE_LIMIT: 'lots' is not N/SECONDS"):
        WebSettings.from_env()
