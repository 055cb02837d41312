"""How a build embeds (issue #24, item 4): tokenised once, batches cut by tokens, the longest
first, run on every worker without waiting at chunk boundaries, each batch handed back as
soon as it is done — and the vectors are the ones one text at a time gives."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from qa.embed.plan import MAX_BATCH_TOKENS, batch_cost, cut, run
from tests.conftest import REPORT


def paragraphs() -> list[str]:
    return [p for p in REPORT.read_text(encoding="utf-8").split("\n") if p.strip()]


def test_batches_hold_similar_lengths_under_a_token_budget_longest_first():
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 513, size=500)
    batches = cut(lengths, max_texts=32, max_tokens=4096, attention_length=1000)
    rows = np.concatenate([b.rows for b in batches])
    assert sorted(rows.tolist()) == list(range(500))  # every text once
    longest = [b.longest for b in batches]
    assert longest == sorted(longest, reverse=True)  # the longest batch runs first
    for b in batches:
        assert b.longest == lengths[b.rows].max()
        assert len(b.rows) <= 32 and b.tokens <= 4096
    # A batch of ~500-token passages holds 8 of them; one of short texts holds 32.
    assert len(batches[0].rows) == 4096 // batches[0].longest == 8
    short = [b for b in batches if b.longest <= 4096 // 32]
    assert short and all(len(b.rows) == 32 for b in short[:-1])


def test_a_text_longer_than_the_budget_is_a_batch_of_its_own():
    batches = cut([9000, 10, 12], max_texts=32, max_tokens=MAX_BATCH_TOKENS)
    assert [b.rows.tolist() for b in batches] == [[0], [1, 2]]


def test_cost_counts_a_long_token_for_more_than_a_short_one():
    # Same tokens, one batch of 8 × 512 and one of 32 × 128: the long one costs more.
    assert batch_cost(8, 512, 1000) > batch_cost(32, 128, 1000)
    assert batch_cost(8, 512, float("inf")) == batch_cost(32, 128, float("inf")) == 4096
    assert batch_cost(8, 512, 1000) == pytest.approx(4096 * 1.512)


def test_batches_run_side_by_side_and_come_back_as_each_finishes():
    batches = cut([300, 300, 10, 10], max_texts=1, max_tokens=4096)
    running, most = 0, 0
    lock = threading.Lock()

    def encode(rows: np.ndarray) -> np.ndarray:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05 if rows[0] < 2 else 0.01)
        with lock:
            running -= 1
        return np.full((len(rows), 2), float(rows[0]))

    done = list(run(batches, encode, workers=2))
    assert most == 2
    assert sorted(int(d.batch.rows[0]) for d in done) == [0, 1, 2, 3]
    assert all(d.workers == 2 and d.seconds > 0 for d in done)
    assert all((d.vectors == d.batch.rows[0]).all() for d in done)


def test_stopping_early_cancels_the_batches_not_yet_started():
    started: list[int] = []

    def encode(rows: np.ndarray) -> np.ndarray:
        started.append(int(rows[0]))
        time.sleep(0.02)
        return np.zeros((len(rows), 2))

    batches = cut(list(range(100, 0, -1)), max_texts=1, max_tokens=4096)
    stream = run(batches, encode, workers=2)
    next(stream)
    stream.close()  # the build failed or was interrupted
    settled = len(started)
    time.sleep(0.1)
    assert len(started) == settled < 10  # nothing kept running after the close


def test_an_error_in_a_batch_reaches_the_caller():
    def encode(rows: np.ndarray) -> np.ndarray:
        if rows[0] == 2:
            raise RuntimeError("model failed")
        return np.zeros((len(rows), 2))

    with pytest.raises(RuntimeError, match="model failed"):
        list(run(cut([5, 6, 7, 8], max_texts=1), encode, workers=2))


@pytest.mark.slow  # embeds every paragraph one by one; the build's own plans run quick
def test_a_plan_embeds_the_same_vectors_as_one_passage_at_a_time(onnx_fp32_embedder):
    texts = paragraphs()
    plan = onnx_fp32_embedder.plan_passages(texts, attention_length=1000, max_batch_tokens=1024)
    assert plan.lengths.tolist() == onnx_fp32_embedder.passage_lengths(texts)
    assert plan.tokens == sum(plan.lengths) and len(plan.batches) > 2
    out = np.zeros((len(texts), onnx_fp32_embedder.dimension), dtype=np.float32)
    for done in onnx_fp32_embedder.embed_plan(plan):
        out[done.batch.rows] = done.vectors
    alone = np.vstack([onnx_fp32_embedder.encode_passages([t]) for t in texts])
    np.testing.assert_allclose(out, alone, atol=1e-5)
