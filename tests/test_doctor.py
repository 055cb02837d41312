"""``qa doctor`` and ``qa.check_index``: each part of an index folder checked, what is wrong
said with how to fix it; exit 0 when healthy, 1 otherwise; ``--json``. No model is loaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from qa import Finding, check_index
from qa.cli import main
from qa.index.layout import CURRENT, TMP_PREFIX, IndexLayout
from tests.conftest import ROOT


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def test_a_healthy_index_is_ok_in_every_check(report_index):
    findings = check_index(report_index)
    assert findings and all(f.status == "ok" for f in findings)
    gen = IndexLayout(report_index).current_name()
    checks = by_check(findings)
    assert checks[CURRENT].message == f"serves {gen}"
    assert checks[f"{gen}: passages"].message.startswith("21 passages")
    assert checks[f"{gen}: vectors"].message.startswith("21 vectors of 384 dimensions")
    assert checks[f"{gen}: BM25"].message.startswith("21 passages")
    assert "sentences of 21 passages" in checks[f"{gen}: sentences"].message
    assert checks[f"{gen}: English bags"].message.startswith("21 passages")
    assert "bundled:multilingual-e5-small (384-d)" in checks[f"{gen}: model"].message
    assert checks["cache"].message.startswith("21 vectors cached")


def test_the_command_prints_each_check_and_exits_0_when_healthy(report_index, capsys):
    assert main(["doctor", "--index", str(report_index)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "healthy"
    assert all(line.startswith("OK ") for line in out[:-1])


def test_damage_is_a_problem_with_its_fix_and_exit_1(index_copy, capsys):
    gen = IndexLayout(index_copy).current()
    (gen / "passages.sqlite").write_bytes(os.urandom(20_000))
    np.save(gen / "lexical-sentences" / "passage_sentences.npy", np.arange(5))
    assert main(["doctor", "--index", str(index_copy)]) == 1
    out = capsys.readouterr().out
    assert f"PROBLEM {gen.name}: passages: passages.sqlite is damaged" in out
    assert "not a database" in out
    assert f"PROBLEM {gen.name}: sentences" in out
    assert f"fix: rebuild the index: qa build [PATH ...] --index {index_copy}" in out
    assert f"OK      {gen.name}: vectors" in out  # the other parts are fine
    assert f"PROBLEM serving: nothing can be served: {gen}/passages.sqlite is damaged" in out
    assert out.strip().endswith("3 problem(s): see the fixes above")


def test_missing_english_bags_are_a_problem(index_copy):
    gen = IndexLayout(index_copy).current()
    (gen / "lexical-english" / "vocab.index.json").unlink()
    checks = by_check(check_index(index_copy))
    found = checks[f"{gen.name}: English bags"]
    assert found.status == "problem" and "vocab.index.json is damaged: missing" in found.message
    assert checks[f"{gen.name}: BM25"].status == "ok"


def test_json_lists_every_finding(index_copy, capsys):
    gen = IndexLayout(index_copy).current()
    path = gen / "dense.faiss"
    path.write_bytes(path.read_bytes()[:4000])
    assert main(["doctor", "--index", str(index_copy), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["healthy"] is False
    problems = [f for f in data["findings"] if f["status"] == "problem"]
    assert [f["check"] for f in problems] == [f"{gen.name}: vectors", "serving"]
    assert "FAISS cannot read it" in problems[0]["message"] and problems[0]["fix"]
    assert set(data["findings"][0]) == {"check", "status", "message", "fix"}


def test_a_damaged_earlier_generation_is_a_warning_not_a_problem(report_index, tmp_path, embedder):
    from qa import build_index
    from tests.conftest import DATA

    index = tmp_path / "index"
    shutil.copytree(report_index, index)
    build_index([DATA], index, model=embedder)
    layout = IndexLayout(index)
    old = next(g for g in layout.generations() if g.name != layout.current_name())
    (old / "manifest.json").write_text("{", encoding="utf-8")
    findings = check_index(index)
    (finding,) = [f for f in findings if f.status != "ok"]
    assert finding.status == "warning" and finding.check == f"{old.name} (earlier): manifest"
    assert "manifest.json is damaged" in finding.message
    assert "fallback" in finding.fix


def test_cache_damage_leftovers_and_moved_aside_caches_are_reported(index_copy):
    cache = index_copy / "cache" / "embeddings.sqlite"
    cache.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    (index_copy / "cache" / "embeddings.sqlite.broken-20260101-000000").write_bytes(b"x")
    (index_copy / f"{TMP_PREFIX}20260101-000000-abcdef").mkdir()
    checks = by_check(check_index(index_copy))
    assert checks["cache"].status == "problem" and "unusable" in checks["cache"].message
    assert "moves it aside" in checks["cache"].fix
    assert checks["cache embeddings.sqlite.broken-20260101-000000"].status == "warning"
    assert checks[f"leftover {TMP_PREFIX}20260101-000000-abcdef"].status == "warning"


def test_pointer_problems(index_copy):
    gen = IndexLayout(index_copy).current_name()
    (index_copy / CURRENT).write_text("gen-that-is-gone\n")
    checks = by_check(check_index(index_copy))
    assert checks[CURRENT].status == "problem"
    assert "'gen-that-is-gone', which is not a generation" in checks[CURRENT].message
    assert checks[f"{gen} (earlier): passages"].status == "ok"  # still checked


def test_a_model_the_environment_asks_for_but_the_index_lacks_is_a_problem(
    report_index, monkeypatch
):
    monkeypatch.setenv("QA_MODEL", "intfloat/multilingual-e5-base")
    gen = IndexLayout(report_index).current_name()
    finding = by_check(check_index(report_index))[f"{gen}: model"]
    assert finding.status == "problem" and "readers refuse it" in finding.message
    assert finding.fix.endswith(
        f"qa build [PATH ...] --index {report_index} --model intfloat/multilingual-e5-base"
    )


@pytest.mark.parametrize("where", ["missing", "file", "inside-a-file"])
def test_a_folder_that_is_no_index_is_one_problem(tmp_path, where):
    (tmp_path / "a.txt").write_text("x")
    path = {
        "missing": tmp_path / "nothing",
        "file": tmp_path / "a.txt",
        "inside-a-file": tmp_path / "a.txt" / "index",
    }[where]
    (finding,) = check_index(path)
    assert finding.check == "folder" and finding.status == "problem" and finding.fix


@pytest.mark.slow
def test_doctor_loads_no_model_and_runs_as_a_command(report_index):
    done = subprocess.run(
        [sys.executable, "-c", "import sys, qa.cli; r = qa.cli.main(sys.argv[1:]); "
         "print('torch' in sys.modules, file=sys.stderr); sys.exit(r)",
         "doctor", "--index", str(report_index)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False"
