"""What was removed stays removed (issue #25), read as a specification:

* a damaged generation is stood in for only by an earlier one that holds the same reports:
  after ``qa remove DOC`` the earlier generation still holds DOC, so it never serves — the
  error is one line saying so, naming the index and the fix;
* ``qa ask`` then repairs the index from the files the damaged generation recorded (never
  from the earlier one's, which include DOC), and DOC stays out;
* with those files gone, ``qa ask``, ``qa sources`` and ``qa doctor`` agree: nothing is
  served, for the same reason;
* a running reader that sees a published generation with other reports fail to open stops
  answering (one error) rather than answering from the removed report, and answers again
  once a sound generation is published.

Real model, real files: each test damages a private copy of the four-report index.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa import ReportQA, Retriever, build_index, remove_reports
from qa.errors import IndexCorruptError
from qa.index.layout import IndexLayout
from tests.auxil.cli import run_qa

REMOVED = "jilin-2021-own"
#: Only the removed report answers it (its 2021 low-income allowance: 38.6億元).
QUESTION = "吉林省2021年發放了多少城鄉低保金？"


def truncate_vectors(gen: Path) -> None:
    path = gen / "dense.faiss"
    path.write_bytes(path.read_bytes()[:5000])


@pytest.fixture
def removed(many_index, many_reports, tmp_path, embedder) -> Path:
    """A copy of the four-report index built from a copy of the reports (so that a test may
    delete them), with one report removed and the new generation's vectors truncated."""
    reports = tmp_path / "reports"
    shutil.copytree(many_reports, reports)
    index = tmp_path / "index"
    shutil.copytree(many_index, index)
    build_index(reports, index, model=embedder)  # vectors from the copied cache
    assert "38.6億元" in ReportQA.open(index, model=embedder).ask(QUESTION).quotes[0].text
    remove_reports([REMOVED], index, model=embedder)
    truncate_vectors(IndexLayout(index).current())
    return index


def test_the_generation_before_a_removal_does_not_stand_in_for_a_damaged_one(removed, embedder):
    with pytest.raises(IndexCorruptError) as caught:
        Retriever.load(removed, model=embedder)
    message = str(caught.value)
    assert "\n" not in message and "dense.faiss is damaged" in message
    assert (
        f"does not stand in for it: it holds other reports (reports removed since: {REMOVED})"
        in message
    )
    assert message.endswith(
        f"run qa doctor --index {removed} to see what is wrong, and qa build [PATH ...] "
        f"--index {removed} to rebuild it"
    )


@pytest.mark.slow
def test_qa_ask_repairs_from_the_damaged_generations_own_files_and_the_report_stays_out(
    removed,
):
    asked = run_qa("ask", QUESTION, "--index", str(removed))
    assert asked.returncode == 0, asked.stderr
    assert "rebuilding it from its 3 recorded source file(s)" in asked.stderr
    assert "38.6億元" not in asked.stdout
    listed = run_qa("sources", "--json", "--index", str(removed))
    assert REMOVED not in {d["id"] for d in json.loads(listed.stdout)}


@pytest.mark.slow
def test_without_its_files_every_command_refuses_for_the_same_reason(removed, many_reports):
    reports = removed.parent / "reports"
    shutil.rmtree(reports)
    before = sorted(p.name for p in removed.iterdir())
    reason = f"it holds other reports (reports removed since: {REMOVED})"
    for command in (["ask", QUESTION], ["sources"], ["figures"]):
        done = run_qa(*command, "--index", str(removed))
        assert done.returncode == 1, (command, done.stdout)
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("error: ") and reason in line and "38.6億元" not in done.stdout
    doctor = run_qa("doctor", "--index", str(removed))
    assert doctor.returncode == 1
    assert "PROBLEM serving: nothing can be served: " in doctor.stdout
    assert reason in doctor.stdout
    assert sorted(p.name for p in removed.iterdir()) == before  # reading changed nothing


def test_the_same_reports_still_stand_in(many_index, many_reports, tmp_path, embedder):
    """A rebuild of the same reports, damaged: the earlier generation serves, as before."""
    index = tmp_path / "index"
    shutil.copytree(many_index, index)
    earlier = IndexLayout(index).current()
    build_index(many_reports, index, model=embedder)
    truncate_vectors(IndexLayout(index).current())
    qa = ReportQA.open(index, model=embedder)
    assert qa.retriever.index.snapshot.path == earlier
    assert "38.6億元" in qa.ask(QUESTION).quotes[0].text


def test_a_running_reader_stops_answering_rather_than_quote_a_removed_report(
    many_index, many_reports, tmp_path, embedder
):
    index = tmp_path / "index"
    shutil.copytree(many_index, index)
    qa = ReportQA.open(index, model=embedder)
    assert "38.6億元" in qa.ask(QUESTION).quotes[0].text
    remove_reports([REMOVED], index, model=embedder)
    published = IndexLayout(index).current()
    truncate_vectors(published)
    assert qa.retriever.index.reload_if_changed() is False
    with pytest.raises(IndexCorruptError) as caught:
        qa.ask(QUESTION)
    message = str(caught.value)
    assert f"generation {published.name} was published but cannot be served" in message
    assert f"reports removed since: {REMOVED}" in message and "--index" in message
    # A sound generation without the report is published: it answers again, without it.
    kept = [p for p in sorted(many_reports.glob("*.txt")) if p.stem != REMOVED]
    build_index(kept, index, model=embedder)
    assert qa.retriever.index.reload_if_changed() is True
    assert REMOVED not in qa.documents
    assert all("38.6億元" not in q.text for q in qa.ask(QUESTION).quotes)
