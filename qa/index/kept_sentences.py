"""Sentence vectors kept between processes, beside an index's embedding cache.

An answer scores the sentences of its candidate passages by meaning, which needs each
sentence's passage-side vector. A process embeds them once and keeps them in memory
(``Embedder.encode_sentences``), but a cold ``qa ask`` would pay for them on every run: on
the archive, a question with a result and a target embeds over a hundred sentences, seconds
on two cores. The vectors found are kept here, so the next process that quotes from the
same passages reads them instead. Storing every sentence at build time instead would
embed about twice the text of the passages (33,094 sentences beside 5,884 passages on the
archive) for sentences most questions never read.

The file (``cache/sentences.sqlite`` in the index folder, the schema of the embedding cache)
is only ever a shortcut, and answering never waits on it. It is written without waiting for
the disk (SQLite's ``synchronous = OFF``): a power cut may damage it, and a damaged file is
moved aside with a warning, as the embedding cache is, and started afresh. A file another
process holds locked is skipped for that question; one that cannot be written (a read-only
index folder) is read and not written.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.index.cache import CREATE_TABLE, select_vectors, store_vectors, text_key
from qa.sqlite_files import move_aside

log = logging.getLogger(__name__)

FILENAME = "sentences.sqlite"
#: Seconds a lookup or a write waits for another process's lock before going without.
LOCK_WAIT_SECONDS = 0.05


class KeptSentences:
    """Passage-side vectors of sentences by text, for one model, kept in a file. Thread-safe."""

    def __init__(self, folder: Path, model: str, dimension: int) -> None:
        self.path = folder / FILENAME
        self.model = model
        self.dimension = dimension
        self._lock = threading.Lock()
        self._con: sqlite3.Connection | None = None
        self._writable = True
        self._off = False

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The kept vectors of those ``texts`` that have one."""
        texts_by_key = {text_key(t): t for t in texts}
        with self._lock:
            con = self._connection()
            if con is None:
                return {}
            try:
                found = select_vectors(con, self.model, list(texts_by_key), self.dimension)
            except sqlite3.Error as exc:
                self._failed(exc)
                return {}
        return {texts_by_key[key]: vec for key, vec in found.items()}

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep ``vectors`` (one per text) for the next process, when the file can be written."""
        if not texts:
            return
        with self._lock:
            con = self._connection()
            if con is None or not self._writable:
                return
            try:
                store_vectors(con, self.model, [text_key(t) for t in texts], vectors)
            except sqlite3.Error as exc:
                self._failed(exc)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._con is None and not self._off:
            self._con = self._open()
        return self._con

    def _open(self) -> sqlite3.Connection | None:
        with contextlib.suppress(OSError):  # a read-only index folder: read what is there
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = sqlite3.connect(self.path, timeout=LOCK_WAIT_SECONDS, check_same_thread=False)
        except sqlite3.Error:
            return self._read_only()
        try:
            # No fsync per answer: a file left damaged by a crash is moved aside (below).
            con.execute("PRAGMA synchronous = OFF")
            table = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vectors'"
            if con.execute(table).fetchone() is None:
                with con:
                    con.execute(CREATE_TABLE)
        except sqlite3.OperationalError as exc:
            con.close()
            if "locked" in str(exc):  # another process is writing: try again next time
                return None
            return self._read_only()  # a read-only folder or file: read what is there
        except sqlite3.DatabaseError as exc:
            con.close()
            self._failed(exc)
            return None
        return con

    def _read_only(self) -> sqlite3.Connection | None:
        self._writable = False
        if not self.path.is_file():
            self._off = True
            return None
        try:
            return sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, timeout=LOCK_WAIT_SECONDS,
                check_same_thread=False,
            )
        except sqlite3.Error:
            self._off = True
            return None

    def _failed(self, exc: sqlite3.Error) -> None:
        """A locked file is skipped this once; a damaged one is moved aside and started afresh."""
        if isinstance(exc, sqlite3.OperationalError):
            log.debug("kept sentence vectors skipped: %s", exc)
            return
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._writable:
            move_aside(
                self.path,
                str(exc),
                what="the kept sentence vectors",
                consequence="sentences are embedded again as answers need them",
            )
        else:
            self._off = True


__all__ = ["FILENAME", "KeptSentences"]
