"""Passage vectors cached by (model, hash of the embedded text), so rebuilds embed only
what changed. SQLite: each batch is committed as it is embedded, so an interrupted
build keeps the work it finished."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FILENAME = "embeddings.sqlite"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors of one model, keyed by text hash."""

    def __init__(self, folder: Path, model: str, dimension: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(folder / FILENAME, timeout=30)
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            "model TEXT NOT NULL, key TEXT NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, key))"
        )
        self.model = model
        self.dimension = dimension

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for key, blob in self._con.execute(
                f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                [self.model, *chunk],
            ):
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (self.dimension,):
                    found[key] = vec
        return found

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        with self._con:
            self._con.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(self.model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors)],
            )

    def close(self) -> None:
        self._con.close()
