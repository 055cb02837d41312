"""Open the parts of one index generation, each checked against its manifest.

A missing, truncated or foreign file, or one whose count disagrees with the manifest, is an
``IndexCorruptError`` that names that file and says how to repair the index — one line, never
a library's traceback. ``Snapshot.open`` opens a generation with these; ``qa doctor``
(:mod:`qa.index.doctor`) runs them one by one to report on each part.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from qa.errors import IndexCorruptError
from qa.index import dense
from qa.index.manifest import Manifest
from qa.index.passages import FILENAME as PASSAGES_FILE
from qa.index.passages import PassageStore
from qa.lexical import EnglishBagIndex, LexicalIndex, SentenceLexicalIndex

if TYPE_CHECKING:
    import faiss

_Part = TypeVar("_Part")

#: What reading a damaged file may raise, from SQLite, FAISS, numpy, bm25s and JSON readers.
READ_ERRORS = (sqlite3.Error, OSError, RuntimeError, ValueError, EOFError, LookupError, TypeError)


def _problem(exc: BaseException) -> str:
    """A short description of why a file could not be read (FAISS errors span lines and
    quote its source files; the first line of the message is what matters)."""
    text = str(exc).strip()
    if isinstance(exc, RuntimeError) and "faiss" in text.lower():
        return "FAISS cannot read it: truncated, or not a FAISS index"
    if isinstance(exc, FileNotFoundError):
        return f"{Path(exc.filename).name if exc.filename else 'a file'} is missing"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if first.startswith(type(exc).__name__) else f"{type(exc).__name__}: {first}"


def open_store(gen: Path, count: int) -> PassageStore:
    """The passages of ``gen``; their number must be the manifest's ``count``."""
    path = gen / PASSAGES_FILE
    if not path.is_file():
        raise IndexCorruptError.damaged(path, "missing")
    try:
        store = PassageStore(path)
    except READ_ERRORS as exc:
        raise IndexCorruptError.damaged(path, _problem(exc)) from exc
    if store.count != count:
        store.close()
        raise IndexCorruptError.damaged(
            path, f"it holds {store.count} passages, the manifest says {count}"
        )
    return store


def open_dense(gen: Path, manifest: Manifest, *, mmap: bool = False) -> faiss.Index:
    """The FAISS index of ``gen``: one vector of the manifest's dimension per passage."""
    path = gen / dense.FILENAME
    if not path.is_file():
        raise IndexCorruptError.damaged(path, "missing")
    try:
        index = dense.load(path, manifest.dense, mmap=mmap)
    except READ_ERRORS as exc:
        raise IndexCorruptError.damaged(path, _problem(exc)) from exc
    count, dimension = int(manifest.corpus["passages"]), int(manifest.model["dimension"])
    if index.ntotal != count or index.d != dimension:
        raise IndexCorruptError.damaged(
            path,
            f"it holds {index.ntotal} vectors of {index.d} dimensions, the manifest says "
            f"{count} of {dimension}",
        )
    return index


def open_lexical(gen: Path, manifest: Manifest, *, mmap: bool = False) -> LexicalIndex:
    """The passage BM25 index of ``gen``: one document per passage."""
    folder = gen / manifest.lexical["dir"]
    count = int(manifest.corpus["passages"])
    lexical = _load(folder, lambda: LexicalIndex.load(folder, count, mmap=mmap))
    stored = _count(folder, lexical)
    if stored != count:
        raise IndexCorruptError.damaged(
            folder, f"BM25 holds {stored} documents, the manifest says {count} passages"
        )
    return lexical


def open_sentences(gen: Path, manifest: Manifest, *, mmap: bool = False) -> SentenceLexicalIndex:
    """The sentence BM25 index of ``gen``: where each passage's sentences start, and one BM25
    document per sentence."""
    if not isinstance(manifest.lexical.get("sentences_dir"), str):  # Report QA 0.1 had none
        raise IndexCorruptError.damaged(gen / "manifest.json", "no sentence index recorded")
    folder = gen / manifest.lexical["sentences_dir"]
    count = int(manifest.corpus["passages"])
    sentences = _load(folder, lambda: SentenceLexicalIndex.load(folder, count, mmap=mmap))
    stored = _count(folder, sentences.units)
    if stored != sentences.sentence_count:
        raise IndexCorruptError.damaged(
            folder,
            f"BM25 holds {stored} sentences, the passages' sentence bounds say "
            f"{sentences.sentence_count}",
        )
    return sentences


def open_english(gen: Path, manifest: Manifest, *, mmap: bool = False) -> EnglishBagIndex:
    """The English-bag BM25 index of ``gen``: one bag per passage."""
    if not isinstance(manifest.lexical.get("english_dir"), str):  # built before English bags
        raise IndexCorruptError.damaged(gen / "manifest.json", "no English-bag index recorded")
    folder = gen / manifest.lexical["english_dir"]
    count = int(manifest.corpus["passages"])
    english = _load(folder, lambda: EnglishBagIndex.load(folder, count, mmap=mmap))
    stored = _count(folder, english)
    if stored != count:
        raise IndexCorruptError.damaged(
            folder, f"BM25 holds {stored} English bags, the manifest says {count} passages"
        )
    return english


def _load(folder: Path, load: Callable[[], _Part]) -> _Part:
    if not folder.is_dir():
        raise IndexCorruptError.damaged(folder, "missing")
    try:
        return load()
    except FileNotFoundError as exc:
        missing = Path(exc.filename) if exc.filename else folder
        raise IndexCorruptError.damaged(missing, "missing") from exc
    except READ_ERRORS as exc:
        raise IndexCorruptError.damaged(folder, _problem(exc)) from exc


def _count(folder: Path, lexical: LexicalIndex | EnglishBagIndex) -> int:
    try:
        return lexical.stored_documents()
    except READ_ERRORS as exc:
        raise IndexCorruptError.damaged(folder, _problem(exc)) from exc


def check_generation(gen: Path) -> None:
    """Open every part of ``gen`` against its manifest, without the model (memory-mapped where
    FAISS and numpy can); ``IndexCorruptError`` naming the first damaged part."""
    manifest = Manifest.load(gen)
    open_store(gen, int(manifest.corpus["passages"])).close()
    open_dense(gen, manifest, mmap=True)
    open_lexical(gen, manifest, mmap=True)
    open_sentences(gen, manifest, mmap=True)
    open_english(gen, manifest, mmap=True)


def opens(gen: Path) -> bool:
    """False when a part of ``gen`` is damaged (``check_generation``). Anything else that goes
    wrong counts as sound: this decides what a build may delete, and what cannot be judged
    is kept."""
    try:
        check_generation(gen)
    except IndexCorruptError:
        return False
    except Exception:  # noqa: BLE001 - see the docstring
        return True
    return True
