"""Many reports in one index (issue #12), read as a specification. The index (built once per
session) holds the bundled 2020 Heilongjiang report, a 2019 copy and a Jilin 2020 copy with
their own sidecars and changed figures, and a Jilin 2021 report without a sidecar:

* a question naming a year or region is answered from the reports whose metadata match —
  in Traditional or Simplified Chinese or English — and one naming a year or region no
  report covers is declined, saying what the index has;
* a question naming two or more is answered one report per year or region, in order;
* with nothing named, the best-matching report answers and the reply names it; reports that
  answer a figure question closely are shown side by side, newest first;
* metadata a report does not state is inferred, with its origin;
* reports are added and removed without re-embedding what did not change;
* the figure sheet lists every figure of a report.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from rich.console import Console

from qa import (
    DeclineReason,
    PartsKind,
    ReportQA,
    Retriever,
    add_reports,
    build_index,
    figure_sheet,
    indexed_documents,
    remove_reports,
)
from qa.answer.figures import extract_figures
from qa.answer.sheet import measured
from qa.cli import main
from qa.errors import ArgumentError, IndexOutdatedError
from qa.index.layout import IndexLayout
from qa.present import TelegramHTML, as_json, terminal, view_answer
from qa.present.sheet import figures_csv
from tests.auxil.bot_api import parse_html
from tests.conftest import REPORT

HLJ_2020 = "heilongjiang-civil-affairs-2020"
HLJ_2019 = "heilongjiang-civil-affairs-2019"
JL_2020 = "jilin-civil-affairs-2020"
JL_2021 = "jilin-2021-own"


def shown(answer) -> str:
    return " ".join(q.text for q in answer.quotes)


def quoted_docs(answer) -> set[str]:
    return {q.citation.doc_id for q in answer.quotes}


# -- routing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "doc", "figure"),
    [
        ("2019年黑龍江省新增了多少張養老床位？", HLJ_2019, "1.1萬張"),
        ("2019年黑龙江省新增了多少张养老床位？", HLJ_2019, "1.1萬張"),
        ("How many elderly-care beds did Heilongjiang add in 2019?", HLJ_2019, "1.1萬張"),
        ("吉林省2020年疫情期間發放了多少低保金？", JL_2020, "41.25億元"),
        ("吉林省2020年疫情期间发放了多少低保金？", JL_2020, "41.25億元"),
        ("How many elderly-care beds did Jilin add in 2020?", JL_2020, "0.9萬張"),
        ("2020年黑龍江省新增了多少張養老床位？", HLJ_2020, "1.4萬張"),
        ("吉林省2021年新增了多少張養老床位？", JL_2021, "0.7萬張"),
    ],
)
def test_a_named_year_or_region_is_answered_from_the_reports_that_cover_it(
    many_qa, question, doc, figure
):
    answer = many_qa.ask(question)
    assert answer.found and quoted_docs(answer) == {doc}
    assert figure in shown(answer)
    assert answer.report is not None and answer.report.id == doc
    assert all(h.doc == doc for h in answer.hits)  # filtered before ranking


@pytest.mark.parametrize(
    ("question", "reason", "language", "says"),
    [
        (
            "2019年吉林省發放了多少低保金？",
            DeclineReason.OTHER_YEAR,
            "zh-Hant",
            "索引裡沒有吉林省2019年的報告，只有吉林省2020年和2021年的報告。",
        ),
        (
            "How many elderly-care beds will Heilongjiang add in 2021?",
            DeclineReason.OTHER_YEAR,
            "en",
            "No indexed report covers Heilongjiang, 2021: "
            "the index has the 2019 and 2020 reports of Heilongjiang.",
        ),
        (
            "广东省2020年新增了多少张养老床位？",
            DeclineReason.OTHER_REGION,
            "zh-Hans",
            "索引里没有广东省2020年的报告，只有吉林省2020年和2021年的报告和黑龙江省2019年和2020年的报告。",
        ),
    ],
)
def test_a_year_or_region_no_report_covers_is_declined_saying_what_the_index_has(
    many_qa, question, reason, language, says
):
    answer = many_qa.ask(question)
    assert not answer.found and answer.reason == reason and answer.quotes == []
    assert answer.language == language
    assert view_answer(answer).message == says


@pytest.mark.parametrize(
    ("question", "doc", "province"),
    [
        ("牡丹江市2019年新增了多少張養老床位？", HLJ_2019, "黑龙江省"),
        ("牡丹江2019年新增了多少张养老床位？", HLJ_2019, "黑龙江省"),
        ("How many elderly-care beds did Changchun add in 2020?", JL_2020, "吉林省"),
    ],
)
def test_a_city_is_routed_to_its_provinces_report_and_declined_there_if_not_named(
    many_qa, question, doc, province
):
    # Routing and the place decline read the same names: the city stands for its province
    # to choose the report, and the province's figure is not the city's.
    answer = many_qa.ask(question)
    assert not answer.found and answer.reason == DeclineReason.OTHER_PLACE
    assert answer.topic is not None and answer.topic.region is not None
    assert answer.topic.region.name == province
    assert {h.doc for h in answer.hits} == {doc}


def test_a_year_the_passage_mentions_is_still_answered(many_qa):
    # The 2020 reports mention "2019年度"; the 2019 copy says "2018年度". 2018 is covered by
    # no report's metadata, yet the 2019 copy's passage mentions it: answered from there.
    answer = many_qa.ask("省委對省民政廳2018年度政治生態建設成效考核的反饋意見怎麼處理？")
    assert answer.found and "2018年度" in shown(answer)
    assert quoted_docs(answer) == {HLJ_2019}


def test_a_filtered_search_ranks_a_report_as_if_it_were_alone(many_qa, retriever):
    """The other reports neither compete nor set the per-query scales: the dense part is
    exactly the single-report index's, and the ranking the same."""
    for question in ("全省發放了多少低保金？", "How many new elderly-care beds were added?"):
        alone = retriever.explain(question, k=5)
        among = many_qa.retriever.explain(question, k=5, documents=[HLJ_2020])
        assert {c.id.split("#")[0] for c in among.candidates} == {HLJ_2020}
        assert among.stats.dense_top == pytest.approx(alone.stats.dense_top, abs=1e-6)
        assert among.stats.dense_reference == pytest.approx(alone.stats.dense_reference, abs=1e-6)
        assert among.ranking("fused", 3) == alone.ranking("fused", 3)
    assert many_qa.retriever.search("養老床位", k=3, documents=[]) == []


# -- comparisons and close reports -------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "docs", "figures"),
    [
        (
            "2019年和2020年黑龍江省新增養老床位各多少？",
            [HLJ_2019, HLJ_2020],
            ["1.1萬張", "1.4萬張"],
        ),
        ("吉林和黑龍江2020年各發放了多少低保金？", [JL_2020, HLJ_2020], ["41.25億元", "58.68億元"]),
        (
            "Heilongjiang vs Jilin: how many elderly-care beds were added in 2020?",
            [HLJ_2020, JL_2020],
            ["1.4萬張", "0.9萬張"],
        ),
    ],
)
def test_a_comparison_quotes_each_report_in_the_order_asked(many_qa, question, docs, figures):
    answer = many_qa.ask(question)
    assert answer.found and answer.parts_kind == PartsKind.COMPARISON
    assert [p.report.id for p in answer.parts] == docs
    for part, figure in zip(answer.parts, figures, strict=True):
        assert part.found and figure in shown(part)
        assert quoted_docs(part) == {part.report.id}
    assert shown(answer) == " ".join(shown(p) for p in answer.parts)  # for callers ignoring parts


def test_a_comparison_part_no_report_covers_is_declined_on_its_own(many_qa):
    answer = many_qa.ask("吉林和廣東2020年各發放了多少低保金？")
    jilin, guangdong = answer.parts
    assert answer.found and jilin.found and "41.25億元" in shown(jilin)
    assert not guangdong.found and guangdong.reason == DeclineReason.OTHER_REGION
    assert shown(answer) == shown(jilin)


def test_a_comparison_renders_in_the_terminal_json_and_telegram(many_qa):
    answer = many_qa.ask("2019年和2020年黑龍江省新增養老床位各多少？")
    view = view_answer(answer)
    assert [p.heading for p in view.parts] == [
        "黑龍江省2019年的報告原文",
        "黑龍江省2020年的報告原文",
    ]

    console = Console(record=True, width=200)
    terminal.print_answer(console, view)
    text = console.export_text()
    assert text.index("2019年的報告原文") < text.index("1.1萬張") < text.index("1.4萬張")

    data = json.loads(as_json.answer_json(view))
    assert data["parts_kind"] == "comparison"
    assert [p["report"]["id"] for p in data["parts"]] == [HLJ_2019, HLJ_2020]
    assert [p["topic"]["year"] for p in data["parts"]] == [2019, 2020]
    assert data["parts"][0]["quotes"][0]["citation"]["doc_id"] == HLJ_2019

    [message] = TelegramHTML().answer(answer)
    plain, entities = parse_html(message)
    assert plain.index("2019年的報告原文") < plain.index("1.1萬張") < plain.index("1.4萬張")
    assert "中國社會報 2019-12-20" in plain and "中國社會報 2020-12-23" in plain
    bold = [plain[e["offset"] : e["offset"] + e["length"]] for e in entities if e["type"] == "bold"]
    assert {"1.1萬張", "1.4萬張"} <= set(bold)


def test_with_nothing_named_the_best_report_answers_and_close_ones_stand_beside_it(many_qa):
    answer = many_qa.ask("向全省養老機構撥付的疫情防控補助和運營補貼是多少？")
    assert answer.found and answer.parts_kind == PartsKind.CLOSE
    years = [p.report.year for p in answer.parts]
    assert years == sorted(years, reverse=True)  # newest first
    assert {p.report.id for p in answer.parts} == {HLJ_2020, HLJ_2019, JL_2020}
    assert {"1.1億元", "0.8億元", "1.6億元"} <= {f.text for q in answer.quotes for f in q.figures}


def test_with_nothing_named_the_answer_names_its_report(many_qa):
    answer = many_qa.ask("全年培訓了多少名養老護理員？")
    assert answer.found and not answer.parts and answer.report.id == JL_2021
    view = view_answer(answer)
    assert view.heading == "吉林省2021年的報告原文"
    en = many_qa.ask("How many elderly-care workers were trained during the year?")
    assert view_answer(en).heading == "From the 2021 report of Jilin"


# -- metadata ----------------------------------------------------------------------------------


def test_metadata_a_report_does_not_state_is_inferred_with_its_origin(many_qa, many_index):
    own = many_qa.documents[JL_2021]
    assert (own.title, own.year, own.region) == ("吉林省民政廳2021年工作總結", 2021, "吉林省")
    assert own.origin("title") == "title line"
    assert own.origin("year") == own.origin("region") == "inferred from title"
    # A sidecar wins over anything the text says.
    assert all(o == "sidecar" for _, o in many_qa.documents[JL_2020].origins)
    assert [d.id for d in indexed_documents(many_index)] == sorted(many_qa.documents)


def test_qa_sources_lists_each_value_with_its_origin(many_index, capsys):
    assert main(["sources", "--json", "--index", str(many_index)]) == 0
    listed = {d["id"]: d for d in json.loads(capsys.readouterr().out)}
    assert listed[JL_2021]["origins"] == {
        "title": "title line",
        "region": "inferred from title",
        "year": "inferred from title",
    }
    assert listed[HLJ_2019]["year"] == 2019 and listed[HLJ_2019]["origins"]["year"] == "sidecar"
    assert main(["sources", "--index", str(many_index)]) == 0
    assert "2021  (inferred from title)" in capsys.readouterr().out


def test_an_index_without_metadata_origins_is_outdated_and_rebuilt(index_copy):
    generation = IndexLayout(index_copy).current()
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    del manifest["corpus"]["documents_format"]  # as written before origins were recorded
    (generation / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexOutdatedError, match="rebuild it with qa build"):
        Retriever.load(index_copy)
    qa, report = ReportQA.open_or_build(index_copy)
    assert report is not None and report.embedded == 0
    assert qa.documents["heilongjiang-civil-affairs-2020"].origin("year") == "sidecar"


# -- adding and removing -------------------------------------------------------------------


def test_reports_are_added_and_removed_without_embedding_what_did_not_change(
    many_index, many_reports, embedder, tmp_path
):
    index = tmp_path / "index"
    shutil.copytree(many_index, index)
    removed = remove_reports([JL_2021], index, model=embedder)
    assert removed.dropped == [JL_2021] and removed.embedded == 0
    assert JL_2021 not in {d.id for d in indexed_documents(index)}

    added = add_reports(many_reports / f"{JL_2021}.txt", index, model=embedder)
    assert added.added == [JL_2021] and added.replaced == [] and added.embedded == 0
    assert added.documents == 4

    changed = tmp_path / f"{JL_2021}.txt"
    changed.write_text(
        (many_reports / f"{JL_2021}.txt").read_text(encoding="utf-8").replace("38.6", "39.9"),
        encoding="utf-8",
    )
    replaced = add_reports([changed], index, model=embedder)
    assert replaced.replaced == [JL_2021] and replaced.embedded == 1  # the changed paragraph
    qa = ReportQA.open(index, model=embedder)
    assert "39.9億元" in shown(qa.ask("吉林省2021年發放了多少城鄉低保金？"))

    with pytest.raises(ArgumentError, match="no report nope"):
        remove_reports(["nope"], index, model=embedder)
    rebuilt = build_index([REPORT], index, model=embedder)
    assert set(rebuilt.dropped) == {HLJ_2019, JL_2020, JL_2021} and rebuilt.embedded == 0


# -- the figure sheet --------------------------------------------------------------------------


def test_the_figure_sheet_lists_every_figure_of_a_paragraph(many_index, capsys):
    assert main(["figures", HLJ_2020, "--csv", "--index", str(many_index)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    [paragraph] = [
        line for line in REPORT.read_text(encoding="utf-8").splitlines() if "58.68億元" in line
    ]
    figures = [f.text for f in extract_figures(paragraph)]
    assert [r["figure"] for r in rows if r["paragraph"] == "7"] == figures
    row = next(r for r in rows if r["figure"] == "58.68億元")
    assert (row["value"], row["unit"], row["kind"]) == ("5868000000", "元", "money")
    assert (
        row["sentence"] in paragraph and row["section"] == "堅持人民至上,在抗擊疫情中彰顯民政擔當"
    )
    assert {r["doc"] for r in rows} == {HLJ_2020}


@pytest.mark.parametrize(
    ("sentence", "figure", "measures"),
    [
        ("制發轉發60多份工作要求和指南", "60多份", "工作要求和指南"),
        ("發放補助資金3.1億元。", "3.1億元", "發放補助資金"),
        ("保障186.3萬困難群眾不因疫情受困;", "186.3萬", "困難群眾不因疫情受困"),
        ("占建檔立卡貧困總人口51.4%,穩定實現", "51.4%", "建檔立卡貧困總人口"),
        ("累計捐贈款物達7.33億元。", "7.33億元", "累計捐贈款物"),
        ("異地救助3.4萬人,支出救助資金3109.47萬元。", "3.4萬人", "異地救助"),
        ("異地救助3.4萬人,支出救助資金3109.47萬元。", "3109.47萬元", "支出救助資金"),
        ("動員該省210多個社工服務機構、5102個志愿服務組織", "5102個", "志愿服務組織"),
    ],
)
def test_a_figure_measures_the_noun_phrase_around_it(sentence, figure, measures):
    figures = extract_figures(sentence)
    found = next(f for f in figures if f.text == figure)
    assert measured(sentence, found, figures) == measures


def test_the_figure_sheet_is_a_library_function_and_json_too(many_index, capsys):
    rows = figure_sheet(JL_2021, index_dir=many_index)
    assert [r.figure for r in rows if r.paragraph == 3] == ["38.6億元", "52.3萬人", "4.1萬人次"]
    parsed = list(csv.DictReader(io.StringIO(figures_csv(rows))))
    assert len(parsed) == len(rows) and parsed[2]["measures"] == "全年發放城鄉低保金"
    assert main(["figures", JL_2021, "--json", "--index", str(many_index)]) == 0
    assert json.loads(capsys.readouterr().out)[2]["figure"] == "38.6億元"
    with pytest.raises(ArgumentError, match="no report 'nope'"):
        figure_sheet("nope", index_dir=many_index)


@pytest.mark.parametrize(
    ("first", "follow_up"),
    [
        ("2020年黑龍江省發放了多少低保金？", "And Jilin?"),
        ("2020年黑龍江省發放了多少低保金？", "那吉林呢？"),
    ],
)
def test_a_follow_up_in_another_language_keeps_the_indicators_own_words(many_qa, first, follow_up):
    """A follow-up in English after a question in Chinese is searched with the words the
    conversation used for the indicator, which the Chinese reports share."""
    answer = many_qa.ask(follow_up, follows=many_qa.ask(first))
    assert answer.found and "41.25億元" in shown(answer)
    assert {q.citation.doc_id for q in answer.quotes} == {JL_2020}
