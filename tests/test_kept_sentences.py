"""Sentence vectors are kept between processes in the index folder
(``qa.index.kept_sentences``): the next process reads what an earlier one embedded, and
a locked, unwritable or damaged file never stops an answer."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from qa.index.kept_sentences import FILENAME, KeptSentences

TEXTS = ["全省城乡低保标准分别提高6.1%和8.2%", "新增养老床位2.3万张", "疫情期间发放低保金"]


@pytest.fixture
def fresh(embedder):
    """The embedder with nothing memoised in this process, as a new process starts."""
    saved = dict(embedder._sentences)
    embedder._sentences.clear()
    yield embedder
    embedder._sentences.clear()
    embedder._sentences.update(saved)


def _kept(folder, embedder) -> KeptSentences:
    return KeptSentences(folder, embedder.cache_key, embedder.dimension)


def test_what_one_process_embeds_the_next_reads(fresh, tmp_path) -> None:
    kept = _kept(tmp_path, fresh)
    first = fresh.encode_sentences(TEXTS, kept=kept)
    assert np.allclose(first, fresh.encode_passages(TEXTS), atol=1e-5)
    kept.close()
    stored = _kept(tmp_path, fresh).get(TEXTS)
    assert set(stored) == set(TEXTS)
    assert all(np.array_equal(stored[t], v) for t, v in zip(TEXTS, first, strict=True))


def test_a_kept_vector_is_read_not_embedded_again(fresh, tmp_path) -> None:
    kept = _kept(tmp_path, fresh)
    planted = fresh.encode_passages(["完全无关的一句话：今天天气很好。"])[0]
    kept.put([TEXTS[0]], planted[None, :])
    vecs = fresh.encode_sentences(TEXTS, kept=kept)
    assert np.array_equal(vecs[0], planted)  # the kept one, although it is another text's
    assert set(kept.get(TEXTS)) == set(TEXTS)  # the two embedded here are kept too


def test_vectors_of_another_model_are_not_read(fresh, tmp_path) -> None:
    _kept(tmp_path, fresh).put(TEXTS, np.ones((len(TEXTS), fresh.dimension), dtype=np.float32))
    other = KeptSentences(tmp_path, "another-model", fresh.dimension)
    assert other.get(TEXTS) == {}


def test_a_file_locked_by_another_process_is_skipped_not_waited_on(fresh, tmp_path) -> None:
    kept = _kept(tmp_path, fresh)
    kept.put(TEXTS[:1], fresh.encode_passages(TEXTS[:1]))
    writer = sqlite3.connect(tmp_path / FILENAME)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        vecs = fresh.encode_sentences(TEXTS, kept=kept)
        assert vecs.shape == (len(TEXTS), fresh.dimension)
    finally:
        writer.rollback()
        writer.close()
    fresh._sentences.clear()
    fresh.encode_sentences(TEXTS, kept=kept)
    assert set(kept.get(TEXTS)) == set(TEXTS)  # kept once the lock is gone


def test_a_damaged_file_is_moved_aside_and_started_afresh(fresh, tmp_path, caplog) -> None:
    (tmp_path / FILENAME).write_bytes(b"\x00\xffnot a database" * 100)
    kept = _kept(tmp_path, fresh)
    with caplog.at_level(logging.WARNING):
        vecs = fresh.encode_sentences(TEXTS, kept=kept)
    assert vecs.shape == (len(TEXTS), fresh.dimension)
    assert any("kept sentence vectors" in r.getMessage() for r in caplog.records)
    assert list(tmp_path.glob(f"{FILENAME}.broken-*"))
    fresh._sentences.clear()
    fresh.encode_sentences(TEXTS, kept=kept)
    assert set(kept.get(TEXTS)) == set(TEXTS)


def test_an_index_folder_that_cannot_hold_the_file_only_costs_the_time(fresh, tmp_path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder would be")
    kept = _kept(blocked, fresh)
    vecs = fresh.encode_sentences(TEXTS, kept=kept)
    assert np.allclose(vecs, fresh.encode_passages(TEXTS), atol=1e-5)
    assert kept.get(TEXTS) == {}


@pytest.mark.slow
def test_a_second_qa_ask_quotes_the_same_from_the_kept_vectors(report_index, tmp_path) -> None:
    index = tmp_path / "index"
    shutil.copytree(report_index, index)
    (index / "cache" / FILENAME).unlink(missing_ok=True)
    ask = [sys.executable, "-m", "qa.cli", "ask", "新增养老床位多少张？", "--index", str(index)]
    first = subprocess.run(ask, capture_output=True, text=True, check=True).stdout
    with sqlite3.connect(index / "cache" / FILENAME) as con:
        kept = con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    assert kept > 0
    second = subprocess.run(ask, capture_output=True, text=True, check=True).stdout
    assert second == first
    with sqlite3.connect(index / "cache" / FILENAME) as con:
        assert con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == kept
