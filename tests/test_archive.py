"""Over real reports of the archive (``../shared/archive/``, issue #20): questions over a set
of reports get a row per report, each a verbatim clause with its figure (issue #27), and
conversations keep their thread through ``ReportQA.ask``, ``qa chat`` and the bot, across a
restart (issue #22).

The index holds eight real reports as published (five provinces' of 2026 and the national
ones of 1995–1997), built once with the bundled model's int8 export (a build three times
quicker than fp32; answers here are read from every clause of the reports that cover a
question, which retrieval only orders). The expected rows and turns were read in the reports
themselves; ``tests/data/archive-conversations.jsonl`` holds the conversations, which
``benchmarks/followups.py`` also asks over the whole archive. Skipped where the shared
archive is not there: the project itself does not need it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa import ReportQA, build_index
from qa.present import chart_png, view_answer
from qa.present.chart import chart_data
from tests.auxil.bot_api import BotApiStandIn
from tests.conftest import ROOT
from tests.test_bot import TOKEN, bold, replies, run_bot

SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))
ARCHIVE = SHARED / "archive"
CONVERSATIONS = ROOT / "tests" / "data" / "archive-conversations.jsonl"

PROVINCES = ("天津市", "河北省", "江苏省", "山东省", "新疆维吾尔自治区")
TJ, HB, JS, SD, XJ = (f"2026_{p}_政府工作报告" for p in PROVINCES)
N95, N96, N97 = (f"{y}政府工作报告_李鹏" for y in (1995, 1996, 1997))

pytestmark = [
    pytest.mark.slow,  # builds an index of the whole archive
    pytest.mark.skipif(
        not ARCHIVE.is_dir(), reason=f"no shared archive at {ARCHIVE} (set QA_SHARED)"
    ),
]


@pytest.fixture(scope="module")
def archive_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    for doc in (TJ, HB, JS, SD, XJ):
        shutil.copy(ARCHIVE / "provincial" / f"{doc}.txt", folder)
    for doc in (N95, N96, N97):
        shutil.copy(ARCHIVE / "national" / f"{doc}.txt", folder)
    return folder


@pytest.fixture(scope="module")
def archive_index(archive_files, tmp_path_factory, onnx_int8_embedder) -> Path:
    index = tmp_path_factory.mktemp("archive-index")
    build_index([archive_files], index, model=onnx_int8_embedder)
    return index


@pytest.fixture(scope="module")
def archive_qa(archive_index, onnx_int8_embedder) -> ReportQA:
    return ReportQA.open(archive_index, model=onnx_int8_embedder)


def conversations() -> list[dict]:
    return [json.loads(line) for line in CONVERSATIONS.read_text(encoding="utf-8").splitlines()]


# -- a row per report --------------------------------------------------------------------

#: Questions over a set of reports, with each row's report and figure in the order expected
#: (``None``: the report states no such figure). Provinces come in division-code order.
TABLES = [
    (
        "各省2026年地区生产总值增长目标是多少？",
        [(TJ, "4.5%"), (HB, "5%"), (JS, "5%"), (SD, "5%"), (XJ, "5.5%")],
    ),
    (
        "What is each province's 2026 GDP growth target?",
        [(TJ, "4.5%"), (HB, "5%"), (JS, "5%"), (SD, "5%"), (XJ, "5.5%")],
    ),
    (
        "各省2026年居民消費價格漲幅目標是多少？",
        [(TJ, "2%"), (HB, "2%"), (JS, "2%"), (SD, None), (XJ, "2%")],
    ),
    (
        "What is each province's 2026 target for the surveyed urban unemployment rate?",
        [(TJ, "5.5%"), (HB, "5.5%"), (JS, "5%"), (SD, "5.5%"), (XJ, "5.5%")],
    ),
    (
        "每个省2025年一般公共预算收入增长多少？",
        [(TJ, "4.1%"), (HB, "2%"), (JS, "2.1%"), (SD, None), (XJ, "10.5%")],
    ),
    ("京津冀2026年城镇调查失业率目标是多少？", [(TJ, "5.5%"), (HB, "5.5%")]),
    ("華東各省2025年地區生產總值是多少？", [(JS, "14.2万亿元"), (SD, "10.3万亿元")]),
    ("西北五省2026年地区生产总值增长目标是多少？", [(XJ, "5.5%")]),
    (
        "1995年到1997年历年国内生产总值增长目标是多少？",
        [(N95, "百分之八"), (N96, "８％"), (N97, "８％")],
    ),
    (
        "What were China's economic growth targets from 1995 to 1997?",
        [(N95, "百分之八"), (N96, "８％"), (N97, "８％")],
    ),
    (
        "1995年到1997年歷年政府工作報告提出的經濟增長目標是多少？",
        [(N95, "百分之八"), (N96, "８％"), (N97, "８％")],
    ),
]


@pytest.mark.parametrize(("question", "expected"), TABLES, ids=[q for q, _ in TABLES])
def test_a_set_question_gets_a_row_per_report_each_a_clause_of_its_text(
    archive_qa, archive_files, question, expected
):
    answer = archive_qa.ask(question)
    table = answer.table
    assert answer.found and table is not None
    assert [(row.report.id, row.figure.text if row.found else None) for row in table.rows] == [
        (doc, figure) for doc, figure in expected
    ]
    for row in table.found:
        # Nothing invented: the quote stands verbatim in its passage, the passage in the
        # report's file, and the figure in the quote.
        (passage,) = archive_qa.retriever.passages([row.quote.citation.passage_id])
        assert row.quote.text in passage.text and row.figure.text in row.quote.text
        published = (archive_files / f"{row.report.id}.txt").read_text(encoding="utf-8")
        assert row.quote.text in re.sub(r"\s*\n\s*", "", published)
        assert row.role == ("target" if re.search("目标|目標|target", question) else "result")


def test_rows_in_order_of_value_when_asked(archive_qa):
    table = archive_qa.ask("各省2026年地區生產總值增長目標從高到低是多少？").table
    values = [row.value for row in table.rows]
    assert values == sorted(values, reverse=True) and table.rows[0].report.id == XJ


def test_a_run_of_years_is_a_line_chart_and_provinces_a_bar_chart(archive_qa, tmp_path):
    years = view_answer(archive_qa.ask("1995年到1997年历年国内生产总值增长目标是多少？"))
    line = chart_data(years)
    assert line.kind == "line" and line.points == 3
    provinces = view_answer(archive_qa.ask("What is each province's 2026 GDP growth target?"))
    bars = chart_data(provinces)
    assert bars.kind == "bar" and bars.points == 5 and bars.labels[0] == "Tianjin"
    # Amounts are never plotted with percentages: a level's rows share the axis of their unit.
    levels = chart_data(view_answer(archive_qa.ask("華東各省2025年地區生產總值是多少？")))
    assert levels.points == 2 and "%" not in levels.axis
    png = chart_png(provinces)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "chart.png"
    path.write_bytes(png)
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 300


def test_the_terminal_and_json_show_the_table_and_the_chart_file(archive_index, tmp_path):
    chart = tmp_path / "targets.png"
    done = subprocess.run(
        [
            *(
                sys.executable,
                "-m",
                "qa.cli",
                "ask",
                "1995年到1997年历年国内生产总值增长目标是多少？",
            ),
            *("--index", str(archive_index), "--json", "--chart", str(chart)),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "QA_PRECISION": "int8"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["table"]["rows"]
    assert [row["figure"] for row in rows] == ["百分之八", "８％", "８％"]
    assert {row["role"] for row in rows} == {"target"} and rows[0]["value"] == 8
    assert chart.read_bytes().startswith(b"\x89PNG")


# -- conversations -----------------------------------------------------------------------


def _shown(answer) -> list[tuple[str, str]]:
    """(report, figure) of every quote of the answer and of its parts."""
    return [
        (quote.citation.doc_id, figure.text)
        for part in (answer, *answer.parts)
        for quote in part.quotes
        for figure in quote.figures
    ]


def test_there_are_enough_conversations_of_every_shape_in_three_languages():
    convs = conversations()
    assert len(convs) >= 25 and {c["lang"] for c in convs} == {"zh-Hans", "zh-Hant", "en"}
    assert all(2 <= len(c["turns"]) <= 3 for c in convs)


@pytest.mark.parametrize("conv", conversations(), ids=lambda c: c["id"])
def test_a_follow_up_takes_over_what_it_leaves_unsaid(archive_qa, conv):
    previous = None
    for turn in conv["turns"]:
        answer = archive_qa.ask(turn["question"], follows=previous)
        if turn["figure"] is None:
            assert not answer.found, turn["question"]
        else:
            assert answer.found, turn["question"]
            assert (turn["report"], turn["figure"]) in _shown(answer), turn["question"]
        if previous is not None and answer.intent.previous is not None:
            # What it took over is said (the reply's own words name the region or year).
            assert view_answer(answer).context
        previous = answer


def test_a_conversation_kept_as_json_survives_like_the_answer(archive_qa):
    from qa import Intent

    first = archive_qa.ask("2025年江苏省地区生产总值是多少？")
    kept = Intent.from_json(json.loads(json.dumps(first.intent.to_json())))
    second = archive_qa.ask("那山东呢？", follows=kept)
    assert (SD, "10.3万亿元") in _shown(second)


def test_qa_chat_keeps_the_thread_and_new_forgets_it(archive_index):
    convs = [c for c in conversations() if all(t["figure"] for t in c["turns"])][:8]
    lines = []
    for conv in convs:
        lines += [t["question"] for t in conv["turns"]] + ["/new"]
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "chat", "--index", str(archive_index), "--no-warm-up"],
        input="\n".join([*lines, "那山东呢？"]) + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "QA_PRECISION": "int8"},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    out, at = done.stdout, 0
    for conv in convs:
        for turn in conv["turns"]:
            at = out.index(turn["figure"], at)  # every turn's figure, in the order asked
    # After /new, "那山东呢？" has nothing to follow: it is not answered as a follow-up.
    assert "接着上一个问题" not in out[at:].split("那山东呢")[-1]


def test_the_bot_keeps_the_thread_across_a_restart(archive_qa, tmp_path):
    """Each conversation in its own chat; the bot is restarted before every second and
    third turn (a new Application over the same state file)."""
    state = tmp_path / "bot-state.sqlite"
    convs = [c for c in conversations() if c["turns"][1]["figure"]][:10]
    with BotApiStandIn(token=TOKEN, long_poll_cap=0.5) as api:
        for n in range(3):

            async def scenario(app, n=n) -> None:
                for i, conv in enumerate(convs):
                    if n < len(conv["turns"]):
                        api.send_text(9000 + i, conv["turns"][n]["question"])
                        await replies(api, n + 1, 9000 + i)

            run_bot(api, archive_qa, scenario, state_file=state)
        for i, conv in enumerate(convs):
            sent = api.sent_messages(9000 + i)
            answers = [m for m in sent if m.get("plain_text")][: len(conv["turns"])]
            for turn, message in zip(conv["turns"], answers, strict=True):
                assert any(turn["figure"] in b for b in bold(message)), message["plain_text"]
        assert api.internal_errors == [] and api.errors == []
