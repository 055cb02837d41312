"""Where a question's time goes: the steps of answering it, timed while a recorder is on.

``ReportQA.ask`` turns a recorder on for its question; the steps inside add their seconds to
it (``step`` around a block, ``add`` for a time already measured), and the answer carries
them (``Answer.seconds``), which ``qa ask --debug`` prints. With no recorder on — a bare
``Retriever.search``, say — a step costs one context-variable read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_steps: ContextVar[dict[str, float] | None] = ContextVar("qa_timing_steps", default=None)


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Record the steps run inside the block into the dict it yields (seconds by step)."""
    steps: dict[str, float] = {}
    token = _steps.set(steps)
    try:
        yield steps
    finally:
        _steps.reset(token)


def add(name: str, seconds: float) -> None:
    """Add ``seconds`` to step ``name`` of the recording on, if any."""
    steps = _steps.get()
    if steps is not None:
        steps[name] = steps.get(name, 0.0) + seconds


@contextmanager
def step(name: str) -> Iterator[None]:
    """Time the block as step ``name`` (added to what the step took before)."""
    if _steps.get() is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        add(name, time.perf_counter() - started)


__all__ = ["add", "recording", "step"]
