"""Where a question's time goes (``qa.timing``): the steps of ``ReportQA.ask`` come back
with the answer, and ``qa ask --debug`` prints them in one line."""

from __future__ import annotations

import re

import pytest

from qa import timing
from qa.cli import main
from qa.present import timings_line


def test_steps_are_recorded_only_while_a_recording_is_on() -> None:
    with timing.step("read"):
        pass  # nothing to record into: no error, nothing kept
    with timing.recording() as outer:
        with timing.step("read"):
            pass
        timing.add("dense", 0.25)
        timing.add("dense", 0.5)
        with timing.recording() as inner:
            timing.add("lexical", 1.0)
    assert set(outer) == {"read", "dense"} and outer["dense"] == 0.75
    assert inner == {"lexical": 1.0}


def test_an_answer_says_how_long_each_step_took(report_qa) -> None:
    answer = report_qa.ask("疫情期間低保金一共發放了多少？")
    steps = answer.seconds
    assert {"read", "encode", "lexical", "dense", "fusion", "compose", "total"} <= set(steps)
    assert all(v >= 0 for v in steps.values())
    parts = sum(v for k, v in steps.items() if k != "total")
    assert abs(parts - steps["total"]) < 1e-6  # compose is the rest: nothing unaccounted
    assert report_qa.ask("疫情期間低保金一共發放了多少？") == answer  # not part of equality


def test_the_line_lists_the_steps_in_order_then_the_total() -> None:
    line = timings_line({"compose": 0.02, "open": 1.5, "read": 0.004, "total": 1.6})
    assert line == "time: open 1.50 s · read 4 ms · compose 20 ms · total 1.60 s"


@pytest.mark.slow  # two `qa ask` runs in-process
def test_qa_ask_debug_prints_the_steps(report_index, capsys) -> None:
    assert main(["ask", "新增養老床位多少張？", "--debug", "--index", str(report_index)]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^time: open [\d.]+ (s|ms) · read .* · total [\d.]+ (s|ms)$", err, re.M)
    assert main(["ask", "新增養老床位多少張？", "--index", str(report_index)]) == 0
    assert "time:" not in capsys.readouterr().err
