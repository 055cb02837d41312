"""Every code block of the README and of ``docs/`` runs as written (issue #25), so that an
example cannot rot:

* ``bash`` blocks run with ``bash -euo pipefail``, ``python`` blocks with this Python, each in
  the document's own working folder (a copy of the checkout's ``data/`` and
  ``docs/examples/``; the default index, ``QA_INDEX``, inside it), one after another in the
  order of the document — as a reader would run them;
* ``console`` blocks are transcripts: each ``$ command`` runs, and the lines shown under it
  must appear in its output, in order (a line ``…`` stands for lines left out); a
  transcript that shows an ``error:`` or ``PROBLEM`` line must fail, any other must succeed;
* ``json`` and ``jsonl`` blocks must parse; ``text`` blocks are output or layouts, never
  commands (a ``$`` line there would go unchecked);
* the README's two set-up blocks (after ``<!-- ci:setup -->`` and ``<!-- ci:test -->``) are
  what ``.ci/run`` runs on a fresh machine; a block that cannot run here (it needs a
  Telegram token, or installs packages) says so in the document itself, in a line that
  starts with "Not run by the doc tests:" just above it — and such blocks stay few.

Also: the README stays short, and every relative link of the README and docs resolves.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # runs every code block of the docs

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: How a document says that the block below cannot run in the tests, and why.
NOT_RUN = "Not run by the doc tests:"
#: At most this many blocks in all may say so.
MAX_NOT_RUN = 6
README_MAX_LINES = 250
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
RUN = ("bash", "python", "console")
CHECKED = ("json", "jsonl", "text")
#: Seconds one block may take (the first one builds the default index).
BLOCK_TIMEOUT = 300


@dataclass(frozen=True)
class Block:
    """A fenced code block: where it starts, its language, its text, and what stands above
    it (a CI marker, or why it is not run)."""

    doc: Path
    line: int
    lang: str
    body: str
    ci: str | None = None
    not_run: str | None = None

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def blocks_of(doc: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, in order."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent = opening["indent"]
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), len(lines))
        body = "\n".join(line.removeprefix(indent) for line in lines[i + 1 : end])
        above = _paragraph_above(lines, i)
        ci = re.fullmatch(r"<!-- ci:(\w+) -->", above)
        not_run = above.split(NOT_RUN, 1)[1].strip(" *_()") if NOT_RUN in above else None
        found.append(Block(doc, i + 1, opening["lang"], body, ci[1] if ci else None, not_run))
        i = end + 1
    return found


def _paragraph_above(lines: list[str], i: int) -> str:
    """The paragraph that ends just above line ``i`` (blank lines between skipped)."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    start = j
    while start > 0 and lines[start - 1].strip():
        start -= 1
    return " ".join(line.strip() for line in lines[start : j + 1])


ALL_BLOCKS = [block for doc in DOCS for block in blocks_of(doc)]


def workspace(tmp: Path, index: Path | None = None) -> tuple[Path, dict[str, str]]:
    """A working folder laid out like the checkout for what the docs use, and the
    environment the blocks run in: the default index inside that folder — a copy of
    ``index`` when given (the pages of docs/ come after the README's tour, which built it),
    else none yet (the README's first command builds it, as on a fresh checkout)."""
    work = tmp / "work"
    shutil.copytree(ROOT / "data", work / "data")
    shutil.copytree(ROOT / "docs" / "examples", work / "docs" / "examples")
    if index is not None:
        shutil.copytree(index, work / "index")
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "QA_INDEX": str(work / "index"),
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "COLUMNS": "200",
    }
    env.pop("QA_DATA", None)
    return work, env


def run(args: list[str], work: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=work, env=env, capture_output=True, text=True, timeout=BLOCK_TIMEOUT
    )


def transcript(body: str) -> list[tuple[str, list[str]]]:
    """``(command, expected lines)`` of a console block (``\\`` continues a command)."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ ") and not (steps and steps[-1][0].endswith("\\")):
            steps.append((line[2:], []))
        elif steps and steps[-1][0].endswith("\\") and not steps[-1][1]:
            steps[-1] = (steps[-1][0] + "\n" + line, [])
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"a console block starts with a command ($ …), not {line!r}")
    return steps


def check_output(expected: list[str], out: str, err: str, where: str) -> None:
    """Every expected line (stripped; ``…`` skips) is a line of stdout, in order, or
    appears in stderr."""
    lines = [line.strip() for line in out.splitlines()]
    at = 0
    for want in (w.strip() for w in expected):
        if not want or want in ("…", "..."):
            continue
        found = next((i for i in range(at, len(lines)) if want in lines[i]), None)
        if found is not None:
            at = found + 1
        elif want not in err:
            raise AssertionError(
                f"{where}: expected {want!r} in the output\n--- stdout\n{out}\n--- stderr\n{err}"
            )


def run_block(block: Block, work: Path, env: dict[str, str]) -> None:
    if block.lang == "bash":
        done = run(["bash", "-euo", "pipefail", "-c", block.body], work, env)
        assert done.returncode == 0, f"{block.where} failed:\n{done.stdout}\n{done.stderr}"
    elif block.lang == "python":
        done = run([sys.executable, "-c", block.body], work, env)
        assert done.returncode == 0, f"{block.where} failed:\n{done.stdout}\n{done.stderr}"
    elif block.lang == "console":
        for command, expected in transcript(block.body):
            done = run(["bash", "-o", "pipefail", "-c", command], work, env)
            fails = any(line.startswith(("error:", "qa-bot:", "PROBLEM")) for line in expected)
            assert (done.returncode != 0) == fails, (
                f"{block.where}: `{command}` exited {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
            check_output(expected, done.stdout, done.stderr, f"{block.where}: `{command}`")
    elif block.lang == "json":
        json.loads(block.body)
    elif block.lang == "jsonl":
        for line in block.body.splitlines():
            json.loads(line)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: str(d.relative_to(ROOT)))
def test_every_code_block_runs_as_written(doc, tmp_path, report_index):
    work, env = workspace(tmp_path, None if doc.name == "README.md" else report_index)
    ran = 0
    for block in blocks_of(doc):
        if block.ci or block.not_run:
            continue  # .ci/run runs the first; the second say why, above them
        run_block(block, work, env)
        ran += block.lang in RUN
    if doc.name == "README.md":
        assert ran >= 5  # the tour: terminal, your own reports, Python


def test_every_block_is_run_checked_or_says_why_it_is_not():
    assert ALL_BLOCKS
    for block in ALL_BLOCKS:
        assert block.lang in RUN + CHECKED, f"{block.where}: ```{block.lang}"
        if block.lang == "text":
            assert not re.search(r"^\$ ", block.body, re.M), (
                f"{block.where}: a transcript in a text block: make it a console block"
            )
        if block.not_run is not None:
            assert block.lang in RUN and len(block.not_run) > 20, block.where
    not_run = [b.where for b in ALL_BLOCKS if b.not_run is not None]
    assert len(not_run) <= MAX_NOT_RUN, not_run


def test_the_readme_holds_the_two_blocks_ci_runs_and_stays_short():
    readme = [b for b in ALL_BLOCKS if b.doc.name == "README.md"]
    assert [(b.ci, b.lang) for b in readme if b.ci] == [("setup", "bash"), ("test", "bash")]
    assert "<!-- ci:$1 -->" in (ROOT / ".ci" / "run").read_text()  # .ci/run reads them
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines"


def test_the_example_question_files_read_in_their_formats():
    """docs/evaluation.md documents both formats with a file each (the passage format's is
    also run by ``qa eval`` in that page)."""
    from qa import read_questions

    passages = read_questions(ROOT / "docs" / "examples" / "questions.jsonl")
    quotes = read_questions(ROOT / "docs" / "examples" / "archive-questions.jsonl")
    assert {q.kind for q in passages} >= {"figure", "unanswerable"} and not passages[0].gold
    assert {q.kind for q in quotes} == {"single", "unanswerable"} and quotes[0].gold


def test_every_relative_link_resolves():
    link = re.compile(r"\[[^\]]*\]\((?!https?://|mailto:|#)([^)#\s]+)(?:#[^)]*)?\)")
    broken = [
        f"{doc.relative_to(ROOT)}: {target}"
        for doc in DOCS
        for target in link.findall(doc.read_text(encoding="utf-8"))
        if not (doc.parent / target).exists()
    ]
    assert broken == []
