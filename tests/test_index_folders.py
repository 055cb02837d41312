"""Which folders an index uses, what it records and what a failed build leaves (issue #25),
read as a specification:

* only the default index (``QA_INDEX``, else ``index/``) builds itself when missing; a
  folder named with ``--index`` that holds no index is an error naming ``qa build``, and it
  is not created;
* an index records the absolute paths of its reports, so that a repair works from any
  folder; messages show paths relative to the working folder when they lie inside it, and
  every hint about a damaged index names that index (``--index``);
* a failed build leaves no folder behind, and a folder with nothing to read says which file
  types are read.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa import ReportQA, build_index
from qa.errors import IndexNotFoundError, SourceError
from qa.index.layout import IndexLayout
from tests.auxil.cli import run_qa
from tests.conftest import DATA, REPORT, ROOT

QUESTION = "低保金一共發放了多少？"


# -- named indexes are never filled by surprise ---------------------------------------------


@pytest.mark.slow
def test_qa_ask_with_a_named_index_that_does_not_exist_says_how_to_build_it(tmp_path):
    named = tmp_path / "my-reports-index"
    done = run_qa("ask", QUESTION, "--index", str(named))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: no index in {named}: build one with qa build PATH ... --index {named}"
    )
    assert not named.exists()  # nothing was built there


@pytest.mark.slow
@pytest.mark.parametrize("command", [["chat"], ["eval", "docs/examples/questions.jsonl"]])
def test_every_command_that_opens_an_index_refuses_a_missing_named_one(tmp_path, command):
    done = run_qa(*command, "--index", str(tmp_path / "typo"))
    assert done.returncode == 1 and "build one with qa build" in done.stderr
    assert not (tmp_path / "typo").exists()


def test_the_library_builds_only_the_default_index(tmp_path, monkeypatch):
    """(That the default index builds itself: test_cli.py's
    test_ask_builds_the_default_index_first_when_missing.)"""
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "default"))
    with pytest.raises(IndexNotFoundError, match="build one with qa build"):
        ReportQA.open_or_build(tmp_path / "named")
    assert not (tmp_path / "named").exists()


# -- paths: recorded absolute, shown relative -------------------------------------------------


@pytest.mark.slow  # a build and a rebuild
def test_paths_are_recorded_absolute_and_a_repair_works_from_any_folder(
    tmp_path, monkeypatch, embedder, report_index
):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    shutil.copytree(DATA, project / "reports")
    shutil.copytree(report_index / "cache", project / "idx" / "cache")  # vectors: not the point
    elsewhere.mkdir()
    monkeypatch.chdir(project)
    build_index("reports/", "idx", model=embedder)  # relative, as a user types them
    gen = IndexLayout(project / "idx").current()
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus"]["files"] == [str(project / "reports" / REPORT.name)]

    (gen / "passages.sqlite").write_bytes(b"\0" * 4096)  # no earlier generation to serve
    monkeypatch.chdir(elsewhere)
    said: list[str] = []
    qa, report = ReportQA.open_or_build(project / "idx", on_build=said.append)
    assert report is not None and "rebuilding it from its 1 recorded source file(s)" in said[0]
    assert "58.68億元" in qa.ask(QUESTION).quotes[0].text


@pytest.mark.slow
def test_a_damaged_index_names_itself_in_the_fix_relative_to_the_working_folder(
    report_index, tmp_path
):
    """Run from the project folder: the hint names ``idx``, as the user would type it."""
    index = ROOT / ".pytest-idx-damaged"
    shutil.rmtree(index, ignore_errors=True)
    shutil.copytree(report_index, index)
    try:
        (IndexLayout(index).current() / "passages.sqlite").write_bytes(b"\0" * 4096)
        done = run_qa("sources", "--index", str(index))
        assert done.returncode == 1
        (line,) = done.stderr.strip().splitlines()
        assert line.endswith(
            f"run qa doctor --index {index.name} to see what is wrong, and qa build [PATH ...] "
            f"--index {index.name} to rebuild it"
        )
    finally:
        shutil.rmtree(index, ignore_errors=True)


# -- a failed build leaves nothing; nothing to read is said clearly ---------------------------


@pytest.mark.slow
@pytest.mark.parametrize("source", ["missing", "empty", "other-types"])
def test_a_failed_build_leaves_no_folder_behind(tmp_path, source):
    (tmp_path / "empty").mkdir()
    (tmp_path / "other-types").mkdir()
    (tmp_path / "other-types" / "budget.xlsx").write_bytes(b"PK\x03\x04")
    target = tmp_path / "new" / "index"
    done = run_qa("build", str(tmp_path / source), "--index", str(target))
    assert done.returncode == 1 and done.stderr.startswith("error: ")
    assert not (tmp_path / "new").exists()  # neither the index folder nor the one above it


@pytest.mark.slow
def test_a_failed_build_into_an_existing_folder_leaves_it_as_it_was(tmp_path):
    target = tmp_path / "index"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    done = run_qa("build", str(tmp_path / "missing"), "--index", str(target))
    assert done.returncode == 1
    assert sorted(p.name for p in target.iterdir()) == [".build.lock", "notes.txt"]


def test_a_folder_without_reports_says_which_file_types_are_read(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError) as empty:
        build_index(tmp_path / "empty", tmp_path / "i")
    assert str(empty.value) == (
        f"no report files in {tmp_path / 'empty'}: it is empty; Report QA reads .docx, .htm, "
        ".html, .jsonl, .md, .pdf and .txt files"
    )
    other = tmp_path / "other"
    other.mkdir()
    for name in ("a.xlsx", "b.xlsx", "c.png"):
        (other / name).write_bytes(b"x")
    with pytest.raises(SourceError) as unsupported:
        build_index(other, tmp_path / "i")
    assert str(unsupported.value).startswith(
        f"no report files in {other}: found only 3 file(s) of other types (.png, .xlsx); "
        "Report QA reads .docx"
    )


def test_a_folder_whose_reports_were_all_skipped_lists_why(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "blank.txt").write_bytes(b"")
    with pytest.raises(SourceError, match=r"no passages to index \(skipped .*blank\.txt"):
        build_index(folder, tmp_path / "i")


def test_paths_inside_the_working_folder_are_shown_relative(tmp_path, monkeypatch):
    from qa.paths import absolute, shown

    monkeypatch.chdir(tmp_path)
    assert shown(tmp_path / "index") == "index"
    assert shown("index/../index/") == "index"
    assert shown(tmp_path) == "."
    assert shown("/") == "/"
    assert absolute("reports") == Path(tmp_path, "reports")
