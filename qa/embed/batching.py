"""Micro-batching of queries: questions that arrive together are embedded in one batch.

A bot answers each message in a worker thread; a burst of questions would otherwise be
embedded one by one. With a ``MicroBatcher`` the first caller waits a few milliseconds
(the window) for others, then embeds everything that arrived in one model call and hands
each caller its own rows. A lone query pays at most the window. No background thread:
the first caller of each batch leads it, so nothing is left running at exit.

While one batch runs, the next arrivals gather into the next batch, which runs beside it
(ONNX Runtime sessions run concurrently, one thread each).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

#: Default window: long enough for questions that arrive in the same event-loop tick
#: to meet, short against one query's 5–15 ms of embedding.
DEFAULT_WINDOW_MS = 4.0
#: A batch this large starts at once, without waiting out the window.
DEFAULT_MAX_BATCH = 32


class _Request:
    __slots__ = ("done", "error", "texts", "vectors")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.vectors: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()


class MicroBatcher:
    """Wraps ``encode(texts) -> vectors`` so that concurrent callers share model calls.

    Thread-safe. ``encode_queries`` / ``encode_query`` have the same meaning as the
    ``Embedder`` methods of the same names. ``batches`` counts model calls made (for tests
    and benchmarks).
    """

    def __init__(
        self,
        encode: Callable[[list[str]], np.ndarray],
        *,
        window_ms: float = DEFAULT_WINDOW_MS,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        if window_ms < 0 or max_batch < 1:
            raise ValueError("window_ms must be ≥ 0 and max_batch ≥ 1")
        self._encode = encode
        self.window = window_ms / 1000
        self.max_batch = max_batch
        self.batches = 0
        self._cond = threading.Condition()
        self._pending: list[_Request] = []
        self._pending_texts = 0
        self._gathering = False  # a leader is waiting out the window

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``, shape (n, dimension), embedded with whoever else asks now."""
        request = _Request(list(texts))
        with self._cond:
            self._pending.append(request)
            self._pending_texts += len(request.texts)
            lead = not self._gathering
            if lead:
                self._gathering = True
            elif self._pending_texts >= self.max_batch:
                self._cond.notify_all()  # the batch is full: wake its leader
        if lead:
            self._lead()
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def encode_query(self, text: str) -> np.ndarray:
        """One query vector, shape (dimension,)."""
        return self.encode_queries([text])[0]

    def _lead(self) -> None:
        deadline = time.monotonic() + self.window
        with self._cond:
            while self._pending_texts < self.max_batch:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            batch, self._pending, self._pending_texts = self._pending, [], 0
            self._gathering = False  # the next caller leads the next batch
            self.batches += 1
        try:
            vectors = self._encode([t for r in batch for t in r.texts])
        except BaseException as exc:  # every waiting caller gets the error, not a hang
            for r in batch:
                r.error = exc
                r.done.set()
            return
        start = 0
        for r in batch:
            r.vectors = vectors[start : start + len(r.texts)]
            start += len(r.texts)
            r.done.set()
