"""How a build embeds many passages: tokenised once, cut into batches by tokens, run on
every worker at once, each batch's vectors handed back the moment it is done.

Batches. Texts are sorted by token length, so a batch pads little; a batch holds at most
``max_texts`` texts and ``max_tokens`` padded tokens (rows × its longest text): a batch of
long passages holds few of them, so the attention scores (rows × heads × length² floats)
stay small, while short texts still batch by ``max_texts``.

Order. The longest batches run first. Each batch's cost grows with its length, and the
last batch of a build runs while the other workers have nothing left to do; ending on the
shortest batches keeps that idle tail to a fraction of a second (scheduling the longest
jobs first is the classic bound on it). Batches are queued all at once, so no worker waits
at a chunk boundary for another to finish its last batch.

Cost. Each batch carries its estimated compute, in tokens: ``rows × longest × (1 + longest
/ attention_length)``. A transformer's dense layers cost the same per token at any length;
attention adds a term that grows with the length (each token attends to every other), so a
token of a 512-token passage costs more than one of a 64-token passage. The time a build
has left is the cost still to embed over the cost embedded per second so far
(``qa.present.progress``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

#: Most padded tokens in one batch: long passages go fewer to a batch, so the attention
#: scores of a batch (batch × heads × length² floats) stay small while short ones still
#: batch by 32 (measured on 200 drcd paragraphs: peak RSS 1.45 GB at 4096, 2.1 GB at
#: 16384, passages/s within noise; on the archive's lengths 512 to 4096 tokens a batch
#: were within this shared machine's noise of each other too).
MAX_BATCH_TOKENS = 4096


@dataclass(frozen=True)
class Batch:
    """Texts embedded in one model call: their positions in the plan (``rows``), the
    tokens of the longest (every row is padded to it) and the batch's estimated cost."""

    rows: np.ndarray
    longest: int
    cost: float

    @property
    def tokens(self) -> int:
        """Padded tokens the model runs on: rows × the longest."""
        return len(self.rows) * self.longest


@dataclass(frozen=True)
class Embedded:
    """A batch done: its vectors (one row per ``batch.rows``, in that order), the seconds
    its model call took, and how many workers ran batches side by side (so the wall time
    a batch accounts for is ``seconds / workers``)."""

    batch: Batch
    vectors: np.ndarray
    seconds: float
    workers: int = 1


def batch_cost(rows: int, longest: int, attention_length: float) -> float:
    """Estimated compute of a batch of ``rows`` texts padded to ``longest`` tokens, in
    tokens (see the module docstring)."""
    return rows * longest * (1.0 + longest / attention_length)


def cut(
    lengths: Sequence[int] | np.ndarray,
    *,
    max_texts: int,
    max_tokens: int = MAX_BATCH_TOKENS,
    attention_length: float = math.inf,
) -> list[Batch]:
    """Batches of the texts of token ``lengths``, longest batch first: similar lengths
    together, at most ``max_texts`` texts and ``max_tokens`` padded tokens each (a text
    longer than ``max_tokens`` is a batch of its own)."""
    if not len(lengths):
        return []
    order = np.argsort(np.asarray(lengths), kind="stable")[::-1]  # longest first
    batches: list[Batch] = []
    start = 0
    while start < len(order):
        longest = int(lengths[order[start]])
        room = max(1, min(max_texts, max_tokens // max(longest, 1)))
        rows = np.sort(order[start : start + room])
        batches.append(Batch(rows, longest, batch_cost(len(rows), longest, attention_length)))
        start += room
    return batches


def run(
    batches: Sequence[Batch],
    encode: Callable[[np.ndarray], np.ndarray],
    *,
    workers: int,
) -> Iterator[Embedded]:
    """Run ``encode(rows)`` for every batch on ``workers`` threads, in the order given,
    yielding each batch as soon as it is done (so not necessarily in that order).

    Stopping early (an error, an interruption, the caller closing the iterator) cancels
    the batches not yet started and waits for the ones running, so no thread is left
    embedding after the build has failed."""
    if not batches:
        return
    workers = max(1, min(workers, len(batches)))
    if workers == 1:
        for batch in batches:
            yield _timed(encode, batch, 1)
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="qa-embed")
    stop = threading.Event()

    def job(batch: Batch) -> Embedded:
        if stop.is_set():  # the build stopped while this batch waited
            raise _Cancelled
        return _timed(encode, batch, workers)

    try:
        pending: set[Future] = {pool.submit(job, b) for b in batches}
        # submit() queues in order: the pool starts them longest first.
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


class _Cancelled(Exception):
    """A queued batch skipped because the build stopped."""


def _timed(encode: Callable[[np.ndarray], np.ndarray], batch: Batch, workers: int) -> Embedded:
    started = time.perf_counter()
    vectors = encode(batch.rows)
    return Embedded(batch, vectors, time.perf_counter() - started, workers)
