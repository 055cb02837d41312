"""Build progress as the command line shows it, fed by ``build_index``'s ``progress``.

On a terminal: rich's bar. Anywhere else (output redirected to a file, a CI log, a pipe): a
plain line when embedding starts and then one about every :data:`LINE_EVERY_SECONDS` with
passages done of the total, the speed and the time left (and, for a long build, one when it
moves on to writing the index). Either way, a build that will take longer than
:data:`ESTIMATE_OVER_SECONDS` is announced once its first batch is embedded — at the rate
measured on that batch, not a guess::

    embedding 6,313 passages: ~5 min 30 s at 2,905 tokens/s; interrupting is safe (finished batches are cached)

The time left is the embedding's (what a build spends nearly all its time on); the
writing that follows is announced with its own line. How it is estimated: ``_Embedding``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console

from qa.index.build import BuildMonitor, BuildStage, EmbeddingProgress

#: Seconds between two progress lines when the output is not a terminal.
LINE_EVERY_SECONDS = 10.0
#: Builds expected to embed for longer than this are announced with their estimate.
ESTIMATE_OVER_SECONDS = 120.0


def duration(seconds: float) -> str:
    """``seconds`` for people: "40 s", "2 min 30 s", "12 min", "2 h 47 min", "3 h". Under
    ten minutes the seconds are kept (to 5 s): "2 min" for 150 s would be 20% off."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 600:
        minutes, rest = divmod(5 * round(seconds / 5), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes and hours < 10 else f"{round(seconds / 3600)} h"


def rate_text(rate: float) -> str:
    return f"{rate:.0f}" if rate >= 10 else f"{rate:.1f}"


def time_left(progress: EmbeddingProgress) -> float | None:
    """Seconds of embedding left: the work still to embed over the work embedded per second
    so far (``None`` before a batch is done). See ``_Embedding``."""
    if progress.cost_done <= 0 or progress.busy_seconds <= 0:
        return None
    rate = progress.cost_done / progress.busy_seconds
    return max(0.0, progress.cost_total - progress.cost_done) / rate


class _Embedding(BuildMonitor):
    """What both displays share: the estimate of the time left.

    The time left is the work still to embed over the rate of work embedded so far. Work
    is the batches' estimated cost (``EmbeddingProgress``: tokens weighted by length), not
    passages: passages differ in length by 30×, so passages per second change as the
    build moves through them, while cost per second stays that of the machine. The rate is
    the cost of the batches done over the time they took (measured on the batches), so
    batches still running neither slow nor speed the estimate. A caller that reports only
    ``progress(done, total)`` gets the same estimate in passages and wall time.
    """

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        estimate_over: float = ESTIMATE_OVER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._estimate_over = estimate_over
        self._clock = clock
        self._start: tuple[float, int] | None = None  # (time, done) when embedding started
        self._estimated = False

    def __call__(self, done: int, total: int) -> None:
        """Passages only (a caller without work figures): work is passages, time is wall
        time since embedding started."""
        first = self._start[1] if self._start else done
        elapsed = self._clock() - self._start[0] if self._start else 0.0
        self.embedding(
            EmbeddingProgress(
                done, total, cost_done=done - first, cost_total=total - first, busy_seconds=elapsed
            )
        )

    def embedding(self, progress: EmbeddingProgress) -> None:
        if self._start is None:
            self._start = (self._clock(), progress.done)
            self.started(progress.done, progress.total)
            return
        left = time_left(progress)
        if not self._estimated and left is not None:
            self._estimated = True
            if left > self._estimate_over:
                self._write(self._announcement(progress, left))
        self.advanced(progress, left)

    def _announcement(self, progress: EmbeddingProgress, left: float) -> str:
        todo = progress.total - self._start[1] if self._start else progress.total
        speed = _speed(progress)
        total = left + progress.busy_seconds
        return (
            f"embedding {todo:,} passages: ~{duration(total)}"
            + (f" at {speed}" if speed else "")
            + "; interrupting is safe (finished batches are cached)"
        )

    def started(self, done: int, total: int) -> None:
        """Embedding starts; ``done`` passages were found in the cache."""

    def advanced(self, progress: EmbeddingProgress, left: float | None) -> None:
        """A batch was embedded; ``left`` is the estimate of the seconds left."""

    def __enter__(self) -> _Embedding:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _speed(progress: EmbeddingProgress) -> str:
    """How fast embedding goes so far: tokens per second when they are counted (passages
    per second change with their length), else passages per second."""
    if progress.busy_seconds <= 0:
        return ""
    if progress.tokens_done:
        return f"{progress.tokens_done / progress.busy_seconds:,.0f} tokens/s"
    passages = progress.cost_done  # without token counts, work is passages
    return f"{rate_text(passages / progress.busy_seconds)} passages/s" if passages else ""


class PlainProgress(_Embedding):
    """Progress as plain lines, for output that is not a terminal."""

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        every: float = LINE_EVERY_SECONDS,
        estimate_over: float = ESTIMATE_OVER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(self._line, estimate_over=estimate_over, clock=clock)
        self._out = write
        self._every = every
        self._last_line = 0.0
        self._began: float | None = None

    def _line(self, text: str) -> None:
        self._last_line = self._clock()  # the next progress line comes `every` after any line
        self._out(text)

    def stage(self, stage: BuildStage) -> None:
        # Quiet for small builds (a failing one then prints its one error line only); a
        # long one says when it moves on to writing, which takes minutes at scale.
        if stage.name == "reading":
            self._began = self._clock()
        elif (
            stage.name == "writing"
            and self._began is not None
            and self._clock() - self._began >= self._every
        ):
            self._line(f"writing the index of {stage.passages:,} passages")

    def started(self, done: int, total: int) -> None:
        self._last_line = self._clock()
        if done < total:
            cached = f" ({done:,} found in the cache)" if done else ""
            self._line(f"embedding {total - done:,} of {total:,} passages{cached}")

    def advanced(self, progress: EmbeddingProgress, left: float | None) -> None:
        done, total = progress.done, progress.total
        if self._clock() - self._last_line < self._every or done >= total:
            return
        line = f"embedded {done:,}/{total:,} passages ({100 * done / max(total, 1):.1f}%)"
        speed = _speed(progress)
        if speed:
            line += f", {speed}"
        if left is not None:
            line += f", ~{duration(left)} left"
        self._line(line)


class BarProgress(_Embedding):
    """rich's progress bar (a terminal), shown once embedding starts; the estimate is
    printed above it. Use as a context manager."""

    def __init__(self, console: Console, **options: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        # The time left is ours (work left over work per second), not rich's column, which
        # divides passages left by passages per second so far.
        self._bar = Progress(
            TextColumn("embedding passages"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[left]}"),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("embed", total=None, left="")
        super().__init__(self._print, **options)

    def _print(self, line: str) -> None:
        self._bar.console.print(line, markup=False, highlight=False)

    def started(self, done: int, total: int) -> None:
        self._bar.start()  # only a build shows the bar: opening an index shows nothing
        self._bar.update(self._task, completed=done, total=total)

    def advanced(self, progress: EmbeddingProgress, left: float | None) -> None:
        self._bar.update(
            self._task,
            completed=progress.done,
            total=progress.total,
            left="" if left is None else f"~{duration(left)} left",
        )

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()


def build_progress(console: Console) -> PlainProgress | BarProgress:
    """The bar on a terminal, plain lines elsewhere; ``console`` is where it goes (stderr)."""
    if console.is_terminal:
        return BarProgress(console)
    return PlainProgress(lambda line: console.print(line, markup=False, highlight=False))
