"""Passage vectors cached by (model, hash of the embedded text), so rebuilds embed only
what changed. SQLite: each batch is committed as it is embedded, so an interrupted
build keeps the work it finished.

The cache is only ever a shortcut: a file that is not a database, a database of another
schema, or one damaged on disk (truncated, overwritten) is moved aside — renamed
``embeddings.sqlite.broken-<UTC time>``, with a warning naming both — and a new, empty cache
takes its place, so the build goes on and embeds what it must. Running out of disk space
while writing it is an ``OSError`` (``ENOSPC``), not a damaged cache.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.sqlite_files import BROKEN_SUFFIX  # doctor finds a damaged cache by it
from qa.sqlite_files import move_aside as move_file_aside


FILENAME = "embeddings.sqlite"
#: The one table of a cache and its columns, in order.
SCHEMA = ("vectors", ("model", "key", "vec"))
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS vectors ("
    "model TEXT NOT NULL, key TEXT NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, key))"
)


def text_key(text: str) -> str:
    """The key a text's vector is cached under (the SHA-256 of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def select_vectors(
    con: sqlite3.Connection, model: str, keys: Sequence[str], dimension: int
) -> dict[str, np.ndarray]:
    """The vectors stored for ``model`` under those of ``keys`` that have one; a blob that is
    not ``dimension`` finite float32 values is left out."""
    found: dict[str, np.ndarray] = {}
    for i in range(0, len(keys), 500):  # under SQLite's limit of parameters per statement
        chunk = list(keys[i : i + 500])
        marks = ",".join("?" * len(chunk))
        for key, blob in con.execute(
            f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})", [model, *chunk]
        ):
            vec = np.frombuffer(blob, dtype=np.float32) if isinstance(blob, bytes) else None
            if vec is not None and vec.shape == (dimension,) and np.isfinite(vec).all():
                found[key] = vec
    return found


def store_vectors(
    con: sqlite3.Connection, model: str, keys: Sequence[str], vectors: np.ndarray
) -> None:
    """Store ``vectors`` (one per key) for ``model``, in one transaction."""
    rows = [
        (model, k, np.asarray(v, dtype=np.float32).tobytes())
        for k, v in zip(keys, vectors, strict=True)
    ]
    with con:
        con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)


class CacheDamagedError(Exception):
    """The cache file cannot be used as a cache (internal: it is then moved aside)."""


def check(path: Path) -> int:
    """The number of cached vectors in the cache file at ``path`` (0 when there is none);
    ``CacheDamagedError`` when it is not a cache: not a database, another schema, or failing
    SQLite's structural check. Reads the whole file once (about 0.5 s per 100k vectors)."""
    if not path.exists():
        return 0
    try:
        # Read-write on purpose: a journal left by a killed build is rolled back, not
        # mistaken for damage (a read-only connection cannot roll it back).
        con = sqlite3.connect(path, timeout=30)
    except sqlite3.Error as exc:
        raise CacheDamagedError(str(exc)) from exc
    try:
        return _check(con, path)
    finally:
        con.close()


def _check(con: sqlite3.Connection, path: Path) -> int:
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        if not tables:
            return 0
        columns = tuple(r[1] for r in con.execute("PRAGMA table_info(vectors)"))
        if tables != [SCHEMA[0]] or columns != SCHEMA[1]:
            raise CacheDamagedError(
                f"a database of another schema (tables {', '.join(sorted(tables))})"
            )
        problems = [r[0] for r in con.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise CacheDamagedError(f"damaged: {problems[0]}")
        return int(con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
    except sqlite3.OperationalError as exc:  # locked, unreadable: not the file's fault
        raise _os_error(path, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise CacheDamagedError(str(exc)) from exc


def move_aside(path: Path, why: str) -> Path:
    """Rename the damaged cache at ``path`` (and its journal) out of the way; a warning names
    both. Returns the new name."""
    return move_file_aside(
        path,
        why,
        what="the embedding cache",
        consequence="passages are embedded again; delete the old file when you no longer need it",
    )


class EmbeddingCache:
    """Vectors of one model, keyed by text hash."""

    def __init__(self, folder: Path, model: str, dimension: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILENAME
        self.model = model
        self.dimension = dimension
        try:
            check(self.path)
        except CacheDamagedError as exc:
            move_aside(self.path, str(exc))
        self._con = self._connect()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.execute(CREATE_TABLE)
        except sqlite3.Error:
            con.close()
            raise
        return con

    def _renew(self, why: str) -> None:
        """Replace a cache found damaged while in use by a new, empty one."""
        self._con.close()
        move_aside(self.path, why)
        self._con = self._connect()

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        try:
            return self._get(keys)
        except sqlite3.OperationalError as exc:
            raise _os_error(self.path, exc) from exc
        except sqlite3.DatabaseError as exc:  # damaged where the open-time check did not look
            self._renew(str(exc))
            return {}

    def _get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return select_vectors(self._con, self.model, keys, self.dimension)

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        for attempt in (1, 2):
            try:
                store_vectors(self._con, self.model, keys, vectors)
                return
            except sqlite3.OperationalError as exc:
                raise _os_error(self.path, exc) from exc
            except sqlite3.DatabaseError as exc:
                if attempt == 2:
                    raise _os_error(self.path, exc) from exc
                self._renew(str(exc))

    def close(self) -> None:
        self._con.close()


def _os_error(path: Path, exc: sqlite3.Error) -> OSError:
    """SQLite's failure to read or write the cache as the ``OSError`` it is (disk full,
    read-only folder, locked), naming the file."""
    text = str(exc)
    code = errno.ENOSPC if "full" in text else errno.EACCES if "readonly" in text else errno.EIO
    return OSError(code, f"embedding cache: {text}", str(path))
