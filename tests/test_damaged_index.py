"""A damaged index repairs itself where it can and says what is wrong in one line where it
cannot (issue #16), read as a specification:

* a corrupt or foreign embedding cache is moved aside (renamed with a timestamp, a warning
  names it) and rebuilt, and the build succeeds;
* a damaged served generation — random bytes over ``passages.sqlite``, a truncated
  ``dense.faiss``, a broken ``manifest.json``, missing BM25 files, counts that disagree — falls
  back to the newest earlier generation that opens, with a warning naming what is broken and
  which generation serves; with no earlier one, a one-line ``IndexCorruptError`` names the file
  and the fix (``qa doctor``, ``qa build``);
* a running reader that sees a newly published generation that fails to open keeps serving;
* ``ReportQA.open_or_build`` (``qa ask``, the bot) rebuilds from the recorded sources when no
  generation opens and every source is still there, and otherwise refuses without touching
  the index.

Real model, real files: each test damages a private copy of a real index.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np
import pytest

from qa import ReportQA, Retriever, build_index
from qa.errors import IndexCorruptError
from qa.index import cache as cache_module
from qa.index.layout import CURRENT, IndexLayout
from tests.conftest import DATA, REPORT, ROOT

QUESTION = "低保金一共發放了多少？"


@pytest.fixture(scope="module")
def two_generations(report_index, tmp_path_factory, embedder) -> Path:
    """The bundled report's index rebuilt once more: a current and an earlier generation."""
    index = tmp_path_factory.mktemp("two") / "index"
    shutil.copytree(report_index, index)
    build_index([DATA], index, model=embedder)
    assert len(IndexLayout(index).generations()) == 2
    return index


@pytest.fixture
def two(two_generations, tmp_path) -> Path:
    """A private copy of ``two_generations``."""
    target = tmp_path / "index"
    shutil.copytree(two_generations, target)
    return target


def current(index: Path) -> Path:
    return IndexLayout(index).current()


def earlier(index: Path) -> Path:
    layout = IndexLayout(index)
    return next(g for g in layout.generations() if g.name != layout.current_name())


# -- ways to damage a generation ----------------------------------------------------------


def random_bytes_over_passages(gen: Path) -> str:
    (gen / "passages.sqlite").write_bytes(np.random.default_rng(1).bytes(40_000))
    return "passages.sqlite"


def truncated_vectors(gen: Path) -> str:
    path = gen / "dense.faiss"
    path.write_bytes(path.read_bytes()[:5000])
    return "dense.faiss"


def broken_manifest(gen: Path) -> str:
    path = gen / "manifest.json"
    path.write_text(path.read_text(encoding="utf-8")[:300], encoding="utf-8")
    return "manifest.json"


def manifest_without_model(gen: Path) -> str:
    path = gen / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["model"] = None
    path.write_text(json.dumps(data), encoding="utf-8")
    return "manifest.json"


def missing_bm25_vocabulary(gen: Path) -> str:
    (gen / "lexical" / "vocab.index.json").unlink()
    return "vocab.index.json"


def missing_sentence_index(gen: Path) -> str:
    shutil.rmtree(gen / "lexical-sentences")
    return "lexical-sentences"


def vectors_of_another_index(gen: Path) -> str:
    """A valid FAISS file with 5 vectors where the manifest and SQLite say 21."""
    other = faiss.IndexFlatIP(384)
    other.add(np.random.default_rng(2).random((5, 384), dtype=np.float32))
    faiss.write_index(other, str(gen / "dense.faiss"))
    return "dense.faiss"


def passages_of_another_index(gen: Path) -> str:
    """A valid passage store with one passage fewer than the manifest says."""
    con = sqlite3.connect(gen / "passages.sqlite")
    con.execute("DELETE FROM passages WHERE row = (SELECT MAX(row) FROM passages)")
    con.commit()
    con.close()
    return "passages.sqlite"


def sentence_bounds_of_another_index(gen: Path) -> str:
    np.save(gen / "lexical-sentences" / "passage_sentences.npy", np.arange(10, dtype=np.int64))
    return "lexical-sentences"


DAMAGES: list[Callable[[Path], str]] = [
    random_bytes_over_passages,
    truncated_vectors,
    broken_manifest,
    manifest_without_model,
    missing_bm25_vocabulary,
    missing_sentence_index,
    vectors_of_another_index,
    passages_of_another_index,
    sentence_bounds_of_another_index,
]


# -- the served generation -----------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.__name__)
def test_a_damaged_generation_falls_back_to_the_earlier_one_with_a_warning(
    two, embedder, damage, caplog
):
    broken, fallback = current(two), earlier(two)
    name = damage(broken)
    with caplog.at_level(logging.WARNING):
        retriever = Retriever.load(two, model=embedder)
    assert retriever.index.snapshot.path == fallback
    assert "58.68億元" in retriever.search(QUESTION, k=1)[0].text
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert name in warning and broken.name in warning and fallback.name in warning
    assert "serving the earlier generation" in warning
    assert (two / CURRENT).read_text().strip() == broken.name  # reading changes nothing


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.__name__)
def test_with_no_earlier_generation_the_error_is_one_line_naming_the_file_and_fix(
    index_copy, embedder, damage
):
    name = damage(current(index_copy))
    with pytest.raises(IndexCorruptError) as caught:
        Retriever.load(index_copy, model=embedder)
    message = str(caught.value)
    assert "\n" not in message and name in message
    assert "qa doctor" in message and "qa build" in message
    assert "Traceback" not in message and "faiss/" not in message  # no library internals


def test_a_damaged_earlier_generation_is_skipped_for_an_older_valid_one(two, embedder, caplog):
    """Both the current and the earlier generation are broken: nothing opens, and the error
    carries the recorded sources (for open_or_build)."""
    random_bytes_over_passages(current(two))
    truncated_vectors(earlier(two))
    with pytest.raises(IndexCorruptError) as caught:
        Retriever.load(two, model=embedder)
    assert "passages.sqlite" in str(caught.value)
    assert caught.value.sources == [str(REPORT)]


def test_a_missing_or_garbage_current_pointer_serves_the_newest_generation(two, embedder, caplog):
    newest = current(two)
    (two / CURRENT).write_bytes(b"\xff\xfe../../etc\n")
    with caplog.at_level(logging.WARNING):
        retriever = Retriever.load(two, model=embedder)
    assert retriever.index.snapshot.path == newest
    assert any("CURRENT" in r.getMessage() for r in caplog.records)
    (two / CURRENT).unlink()
    assert Retriever.load(two, model=embedder).index.snapshot.path == newest


def test_a_published_generation_that_fails_to_open_is_not_switched_to(two, embedder, caplog):
    retriever = Retriever.load(two, model=embedder)
    serving = retriever.index.snapshot.path
    published = two / "gen-29991231-000000-badbad"
    shutil.copytree(serving, published)
    truncated_vectors(published)
    (two / CURRENT).write_text(published.name + "\n")
    with caplog.at_level(logging.WARNING):
        assert retriever.index.reload_if_changed() is False
        assert retriever.index.reload_if_changed() is False  # tried once, said once
    assert retriever.index.snapshot.path == serving
    assert "58.68億元" in retriever.search(QUESTION, k=1)[0].text
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert published.name in warnings[0] and f"still serving {serving.name}" in warnings[0]


# -- open_or_build -------------------------------------------------------------------------


def test_open_or_build_rebuilds_from_the_recorded_sources_when_nothing_opens(index_copy):
    random_bytes_over_passages(current(index_copy))
    said: list[str] = []
    qa, report = ReportQA.open_or_build(index_copy, on_build=said.append)
    assert report is not None and report.passages == 21
    assert report.reused == 21  # the vectors came from the embedding cache
    assert "rebuilding it from its 1 recorded source file(s)" in said[0]
    assert "passages.sqlite" in said[0]
    assert "58.68億元" in qa.retriever.search(QUESTION, k=1)[0].text


@pytest.mark.slow  # a build from scratch
def test_open_or_build_never_rebuilds_from_anything_but_all_recorded_sources(
    index_copy, tmp_path, embedder
):
    """The index was built from a report that is gone: no rebuild (not from the bundled
    reports either), the index folder is left as it is, the error is one line."""
    gone = tmp_path / "gone" / "report.txt"
    gone.parent.mkdir()
    shutil.copy(REPORT, gone)
    build_index(gone, index_copy, model=embedder)
    shutil.rmtree(gone.parent)
    for gen in IndexLayout(index_copy).generations():
        truncated_vectors(gen)
    before = sorted(p.name for p in index_copy.iterdir())
    with pytest.raises(IndexCorruptError, match=r"dense\.faiss is damaged"):
        ReportQA.open_or_build(index_copy)
    assert sorted(p.name for p in index_copy.iterdir()) == before


@pytest.mark.slow
def test_qa_ask_over_a_damaged_index_says_so_in_one_line(index_copy, tmp_path, embedder):
    gone = tmp_path / "gone.txt"
    shutil.copy(REPORT, gone)
    build_index(gone, index_copy, model=embedder)
    gone.unlink()
    for gen in IndexLayout(index_copy).generations():
        random_bytes_over_passages(gen)
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", QUESTION, "--index", str(index_copy)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "passages.sqlite" in lines[0]
    assert "qa doctor" in lines[0]


# -- the embedding cache -------------------------------------------------------------------


def random_cache(path: Path) -> None:
    path.write_bytes(os.urandom(30_000))


def foreign_cache(path: Path) -> None:
    path.unlink()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('somebody else''s database')")
    con.commit()
    con.close()


def truncated_cache(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def same_table_other_columns(path: Path) -> None:
    path.unlink()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE vectors (model TEXT, key TEXT, vector BLOB, norm REAL)")
    con.commit()
    con.close()


@pytest.mark.parametrize(
    "damage",
    [
        random_cache,
        # Each case rebuilds the index from scratch: one in the quick tier, the rest slow.
        pytest.param(foreign_cache, marks=pytest.mark.slow),
        pytest.param(truncated_cache, marks=pytest.mark.slow),
        pytest.param(same_table_other_columns, marks=pytest.mark.slow),
    ],
)
def test_a_corrupt_or_foreign_cache_is_moved_aside_and_rebuilt(
    index_copy, embedder, damage, caplog
):
    path = index_copy / "cache" / cache_module.FILENAME
    damage(path)
    damaged = path.read_bytes()
    with caplog.at_level(logging.WARNING):
        report = build_index([DATA], index_copy, model=embedder)
    assert report.passages == 21 and report.embedded == 21  # embedded again
    (aside,) = (index_copy / "cache").glob(cache_module.FILENAME + ".broken-*")
    assert aside.read_bytes() == damaged  # kept for inspection, untouched
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(path) in warning and aside.name in warning
    assert cache_module.check(path) == 21  # a new, sound cache
    assert build_index([DATA], index_copy, model=embedder).reused == 21
    assert "58.68億元" in Retriever.load(index_copy, model=embedder).search(QUESTION)[0].text


def test_a_cache_damaged_after_it_was_checked_is_renewed_while_in_use(index_copy):
    """Damage the open-time check cannot see (the file replaced while a build holds it) is
    caught on use: the cache is renewed and the build goes on without the vectors."""
    folder = index_copy / "cache"
    cache = cache_module.EmbeddingCache(folder, "bundled:multilingual-e5-small", 384)
    try:
        random_cache(folder / cache_module.FILENAME)
        assert cache.get([cache_module.text_key("x")]) == {}
        cache.put(["k"], np.ones((1, 384), dtype=np.float32))
        assert list(cache.get(["k"])) == ["k"]
    finally:
        cache.close()
    assert len(list(folder.glob(cache_module.FILENAME + ".broken-*"))) == 1


def test_a_full_disk_while_caching_is_an_os_error_not_damage(tmp_path):
    """SQLite reports a full disk (here: the file may not grow, as on a full disk) as an
    OSError naming the cache; the cache is not mistaken for damaged and moved aside."""
    folder = tmp_path / "cache"
    cache = cache_module.EmbeddingCache(folder, "m", 4)
    try:
        pages = cache._con.execute("PRAGMA page_count").fetchone()[0]
        cache._con.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(OSError) as caught:
            cache.put([f"k{i}" for i in range(2000)], np.ones((2000, 4), dtype=np.float32))
    finally:
        cache.close()
    assert caught.value.errno == errno.ENOSPC and "embedding cache" in str(caught.value)
    assert caught.value.filename == str(folder / cache_module.FILENAME)
    assert not list(folder.glob("*.broken-*"))


def test_a_build_keeps_a_sound_earlier_generation_not_a_damaged_one(two, embedder):
    """The current generation is damaged (readers fall back to the earlier one); the next
    build keeps that sound earlier generation as its fallback and drops the damaged one."""
    broken, sound = current(two), earlier(two)
    truncated_vectors(broken)
    build_index([DATA], two, model=embedder)
    names = {g.name for g in IndexLayout(two).generations()}
    assert names == {IndexLayout(two).current_name(), sound.name}
    assert not broken.exists()
