"""Build progress where nobody watches a terminal (issue #16): with stderr redirected, a plain
line about every 10 s with passages done of the total, the rate and the time left; before a
long build, one line with the estimate measured on the first batch. On a terminal, rich's bar
stays (with the same estimate above it).

The simulated builds below drive the real progress objects with the clock a build would
have; the real builds use the real model.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from qa import BuildMonitor, BuildStage, build_index
from qa.cli import main
from qa.present.progress import BarProgress, PlainProgress, build_progress, duration
from tests.conftest import DATA

BATCH = 256  # what build_index embeds between two progress calls


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def simulate(progress: BuildMonitor, clock: Clock, total: int, rate: float, cached: int = 0):
    """What build_index reports for ``total`` passages embedded at ``rate`` per second."""
    progress.stage(BuildStage("reading"))
    progress.stage(BuildStage("embedding", total))
    done = cached
    progress(done, total)
    while done < total:
        step = min(BATCH, total - done)
        clock.now += step / rate
        done += step
        progress(done, total)
    progress.stage(BuildStage("writing", total))


def test_a_large_build_is_announced_with_its_estimate_then_reports_every_10_seconds():
    lines: list[str] = []
    clock = Clock()
    simulate(PlainProgress(lines.append, clock=clock), clock, total=200_000, rate=20.0)
    assert lines[0] == "embedding 200,000 of 200,000 passages"
    assert lines[1] == (
        "embedding 200,000 passages: ~2 h 47 min at 20 passages/s; interrupting is safe "
        "(finished batches are cached)"
    )
    periodic = lines[2:-1]
    # 10,000 s of embedding, a line at the first batch end ≥ 10 s after the last one.
    assert 700 <= len(periodic) <= 1000
    assert periodic[0] == "embedded 512/200,000 passages (0.3%), 20 passages/s, ~2 h 46 min left"
    assert all(
        re.fullmatch(r"embedded [\d,]+/200,000 passages \([\d.]+%\), 20 passages/s, ~.+ left", p)
        for p in periodic
    )
    assert lines[-1] == "writing the index of 200,000 passages"


def test_the_estimate_counts_only_what_is_not_cached():
    lines: list[str] = []
    clock = Clock()
    simulate(PlainProgress(lines.append, clock=clock), clock, 50_000, 25.0, cached=45_000)
    assert lines[0] == "embedding 5,000 of 50,000 passages (45,000 found in the cache)"
    assert lines[1].startswith("embedding 5,000 passages: ~3 min at 25 passages/s;")


def test_a_small_build_prints_no_progress_at_all_but_its_start():
    lines: list[str] = []
    clock = Clock()
    simulate(PlainProgress(lines.append, clock=clock), clock, total=150, rate=30.0)
    assert lines == ["embedding 150 of 150 passages"]


def test_a_build_with_everything_cached_prints_nothing():
    lines: list[str] = []
    clock = Clock()
    simulate(PlainProgress(lines.append, clock=clock), clock, 1000, 30.0, cached=1000)
    assert lines == []


def test_the_bar_shows_the_same_estimate_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    clock = Clock()
    progress = build_progress(console)
    assert isinstance(progress, BarProgress)
    with BarProgress(console, clock=clock) as bar:
        simulate(bar, clock, total=20_000, rate=10.0)
    assert (
        "embedding 20,000 passages: ~33 min at 10 passages/s; interrupting is safe"
        in out.getvalue()
    )
    assert isinstance(build_progress(Console(file=io.StringIO())), PlainProgress)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(4, "4 s"), (89, "89 s"), (150, "2 min"), (3599, "1 h"), (10_030, "2 h 47 min"),
     (3 * 3600 + 50, "3 h 1 min"), (3 * 3600 - 20, "3 h"), (40 * 3600, "40 h")],
)  # fmt: skip
def test_durations_read_as_people_say_them(seconds, text):
    assert duration(seconds) == text


def test_a_real_build_measures_its_rate_on_the_first_batch(tmp_path, embedder):
    lines: list[str] = []
    build_index([DATA], tmp_path / "index", model=embedder,
                progress=PlainProgress(lines.append, every=0.0, estimate_over=0.0))  # fmt: skip
    assert lines[0] == "embedding 21 of 21 passages"
    match = re.fullmatch(
        r"embedding 21 passages: ~\d+ s at ([\d.]+) passages/s; interrupting is safe "
        r"\(finished batches are cached\)",
        lines[1],
    )
    assert match and float(match.group(1)) > 0
    assert lines[2] == "writing the index of 21 passages"


def test_qa_build_with_stderr_redirected_prints_plain_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QA_MODEL", "bundled:multilingual-e5-small")
    assert main(["build", str(DATA), "--index", str(tmp_path / "i")]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err  # no bar, no cursor moves
    lines = err.strip().splitlines()
    assert lines[0] == "embedding 21 of 21 passages"
    assert lines[-1].startswith("built ") and "21 passages (21 embedded, 0 reused" in lines[-1]
