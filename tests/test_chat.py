"""``qa chat``: the model and index load once, then every line is a question answered as
``qa ask`` answers it, until /quit or the end of input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # runs qa chat as a command


def chat(stdin: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", "chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
        timeout=600,
    )


def test_questions_are_answered_one_after_another_after_one_load_each_echoed(report_index):
    done = chat(
        "低保金一共發放了多少？\n\nHow much was donated?\n/quit\n這一行不會被問到\n",
        "--index",
        str(report_index),
    )
    assert done.returncode == 0, done.stderr
    assert "58.68億元" in done.stdout and "7.33億元" in done.stdout  # both answered
    # Questions from a pipe are not on the screen: each is echoed before its answer.
    out = done.stdout
    first, second = out.index("? 低保金一共發放了多少？"), out.index("? How much was donated?")
    assert first < out.index("58.68億元") < second < out.index("7.33億元")
    assert "? /quit" not in out
    assert done.stdout.count("報告原文") == 1 and done.stdout.count("From the report") == 1
    assert done.stderr.count("ready in") == 1  # loaded once
    assert "這一行不會被問到" not in done.stdout + done.stderr


def test_end_of_input_leaves_and_a_bad_line_is_one_error_line(report_index):
    done = chat(
        "x" * 3000 + "\n/passages 殯葬服務\n",
        "--index",
        str(report_index),
        "-k",
        "1",
        "--no-warm-up",
    )
    assert done.returncode == 0, done.stderr
    assert "error: the question is 3000 characters long" in done.stderr
    assert "Traceback" not in done.stderr
    assert "1. " in done.stdout and "殯葬" in done.stdout  # /passages lists one passage
