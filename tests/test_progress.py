"""Build progress where nobody watches a terminal (issue #16): with stderr redirected, a plain
line about every 10 s with passages done of the total, the rate and the time left; before a
long build, one line with the estimate measured on the first batch. On a terminal, rich's bar
stays (with the same estimate above it).

The time left is honest on a big build (issue #20, item 6): it is the work still to embed —
the lengths of the passages left, not their number — over the work embedded per second.

The simulated builds below drive the real progress objects with the clock a build would
have; the real builds use the real model.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from rich.console import Console

from qa import BuildMonitor, BuildStage, EmbeddingProgress, build_index
from qa.cli import main
from qa.present.progress import BarProgress, PlainProgress, build_progress, duration, time_left
from tests.conftest import DATA, REPORT

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
    assert lines[1].startswith("embedding 5,000 passages: ~3 min 20 s at 25 passages/s;")


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
    [(4, "4 s"), (89, "89 s"), (100, "1 min 40 s"), (150, "2 min 30 s"), (181, "3 min"),
     (597, "9 min 55 s"), (599, "10 min"), (754, "13 min"), (3599, "1 h"),
     (10_030, "2 h 47 min"), (3 * 3600 + 50, "3 h 1 min"), (3 * 3600 - 20, "3 h"),
     (40 * 3600, "40 h")],
)  # fmt: skip
def test_durations_read_as_people_say_them(seconds, text):
    assert duration(seconds) == text


@pytest.mark.slow  # a build from scratch, to measure its rate
def test_a_real_build_measures_its_rate_on_the_first_batch(tmp_path, embedder):
    lines: list[str] = []
    build_index([DATA], tmp_path / "index", model=embedder,
                progress=PlainProgress(lines.append, every=0.0, estimate_over=0.0))  # fmt: skip
    assert lines[0] == "embedding 21 of 21 passages"
    match = re.fullmatch(
        r"embedding 21 passages: ~\d+ s at ([\d,]+) tokens/s; interrupting is safe "
        r"\(finished batches are cached\)",
        lines[1],
    )
    assert match and int(match.group(1).replace(",", "")) > 0
    assert lines[-1] == "writing the index of 21 passages"


@pytest.mark.slow  # a whole `qa build`; the quick tier builds through build_index above
def test_qa_build_with_stderr_redirected_prints_plain_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QA_MODEL", "bundled:multilingual-e5-small")
    assert main(["build", str(DATA), "--index", str(tmp_path / "i")]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err  # no bar, no cursor moves
    lines = err.strip().splitlines()
    assert lines[0] == "embedding 21 of 21 passages"
    assert lines[-1].startswith("built ") and "21 passages (21 embedded, 0 reused" in lines[-1]
    assert re.search(r"; embedded [\d.]+ passages/s, [\d,]+ tokens/s$", lines[-1])


class Recorder(BuildMonitor):
    """Every report of a build's embedding step, as a monitor hears it."""

    def __init__(self) -> None:
        self.reports: list[EmbeddingProgress] = []

    def embedding(self, progress: EmbeddingProgress) -> None:
        self.reports.append(progress)


def mixed_lengths(folder) -> tuple[object, int, int]:
    """A report of 24 long paragraphs (past the model's 512 tokens) and 96 one-sentence ones."""
    import json

    text = REPORT.read_text(encoding="utf-8")
    sentences = [s + "。" for s in text.replace("\n", "").split("。") if len(s) > 15]
    long = [f"{i}：" + text[i * 40 : i * 40 + 900] for i in range(24)]
    short = [f"{i}：{sentences[i % len(sentences)]}" for i in range(96)]
    rows = [{"id": f"p{i}", "text": t} for i, t in enumerate(short + long)]  # long ones last
    path = folder / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path, len(long), len(short)


@pytest.mark.slow  # a 120-passage build, its estimates checked batch by batch
def test_time_left_counts_the_lengths_still_to_embed_on_a_real_build(tmp_path, embedder):
    source, n_long, n_short = mixed_lengths(tmp_path)
    recorder = Recorder()
    build_index([source], tmp_path / "index", model=embedder, progress=recorder)
    first, *after = recorder.reports
    last = after[-1]
    total = n_long + n_short
    assert (first.done, first.total, first.cost_done, first.tokens_done) == (0, total, 0, 0)
    assert (last.done, last.tokens_done) == (total, first.tokens_total)
    # Batches finish in either order on two workers, and float sums depend on the order.
    assert last.cost_done == pytest.approx(first.cost_total, rel=1e-12)
    # The work is the texts' tokens, a long passage's tokens weighing more than a short one's.
    assert first.tokens_total < first.cost_total < 2.1 * first.tokens_total
    assert first.tokens_total > n_long * 500
    # Longest first: the first batch done is one of long passages (fewest passages per work).
    per_work = [
        (b.done - a.done) / (b.cost_done - a.cost_done)
        for a, b in zip(recorder.reports, after, strict=False)
    ]
    assert per_work[0] == pytest.approx(min(per_work))

    # Each estimate against the truth, both in the time the batches took: what was left to
    # embed when it was made. The naive estimate (passages left at passages/s so far) is
    # what the build printed before; ours follows the lengths left.
    ours, naive = [], []
    for r in after[:-1]:
        truth = last.busy_seconds - r.busy_seconds
        ours.append(time_left(r) / truth)
        naive.append((r.total - r.done) / ((r.done - first.done) / r.busy_seconds) / truth)
    assert all(0.5 < ratio < 2 for ratio in ours), ours
    assert max(abs(np.log(naive))) > 2 * max(abs(np.log(ours))), (naive, ours)
