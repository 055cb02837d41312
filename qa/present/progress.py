"""Build progress as the command line shows it, fed by ``build_index``'s ``progress``.

On a terminal: rich's bar. Anywhere else (output redirected to a file, a CI log, a pipe): a
plain line when embedding starts and then one about every :data:`LINE_EVERY_SECONDS` with
passages done of the total, the rate and the time left (and, for a long build, one when it
moves on to writing the index). Either
way, a build that will take longer than :data:`ESTIMATE_OVER_SECONDS` is announced once its
first batch is embedded — at the rate measured on that batch, not a guess::

    embedding 200,000 passages: ~2 h 47 min at 20 passages/s; interrupting is safe (finished batches are cached)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console

from qa.index.build import BuildMonitor, BuildStage

#: Seconds between two progress lines when the output is not a terminal.
LINE_EVERY_SECONDS = 10.0
#: Builds expected to embed for longer than this are announced with their estimate.
ESTIMATE_OVER_SECONDS = 120.0


def duration(seconds: float) -> str:
    """``seconds`` for people: "40 s", "12 min", "2 h 47 min", "3 h"."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes and hours < 10 else f"{round(seconds / 3600)} h"


def rate_text(rate: float) -> str:
    return f"{rate:.0f}" if rate >= 10 else f"{rate:.1f}"


class _Embedding(BuildMonitor):
    """What both displays share: the rate measured since embedding started, and the
    estimate announced after the first batch."""

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

    def rate(self, done: int) -> float | None:
        """Passages embedded per second since embedding started (``None`` before a batch)."""
        if self._start is None:
            return None
        started, first = self._start
        elapsed = self._clock() - started
        return (done - first) / elapsed if done > first and elapsed > 0 else None

    def __call__(self, done: int, total: int) -> None:
        if self._start is None:
            self._start = (self._clock(), done)
            self.started(done, total)
            return
        rate = self.rate(done)
        if not self._estimated and rate:
            self._estimated = True
            todo = total - self._start[1]
            if todo / rate > self._estimate_over:
                self._write(
                    f"embedding {todo:,} passages: ~{duration(todo / rate)} at "
                    f"{rate_text(rate)} passages/s; interrupting is safe (finished batches "
                    "are cached)"
                )
        self.advanced(done, total, rate)

    def started(self, done: int, total: int) -> None:
        """Embedding starts; ``done`` passages were found in the cache."""

    def advanced(self, done: int, total: int, rate: float | None) -> None:
        """A batch was embedded."""

    def __enter__(self) -> _Embedding:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


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

    def advanced(self, done: int, total: int, rate: float | None) -> None:
        if self._clock() - self._last_line < self._every or done >= total:
            return
        line = f"embedded {done:,}/{total:,} passages ({100 * done / max(total, 1):.1f}%)"
        if rate:
            line += f", {rate_text(rate)} passages/s, ~{duration((total - done) / rate)} left"
        self._line(line)


class BarProgress(_Embedding):
    """rich's progress bar (a terminal), shown once embedding starts; the estimate is
    printed above it. Use as a context manager."""

    def __init__(self, console: Console, **options) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("embedding passages"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("embed", total=None)
        super().__init__(self._print, **options)

    def _print(self, line: str) -> None:
        self._bar.console.print(line, markup=False, highlight=False)

    def started(self, done: int, total: int) -> None:
        self._bar.start()  # only a build shows the bar: opening an index shows nothing
        self._bar.update(self._task, completed=done, total=total)

    def advanced(self, done: int, total: int, rate: float | None) -> None:
        self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()


def build_progress(console: Console) -> PlainProgress | BarProgress:
    """The bar on a terminal, plain lines elsewhere; ``console`` is where it goes (stderr)."""
    if console.is_terminal:
        return BarProgress(console)
    return PlainProgress(lambda line: console.print(line, markup=False, highlight=False))
