"""The FAISS index of passage vectors: exact inner product (cosine on unit vectors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

FILENAME = "dense.faiss"


def build(vectors: np.ndarray) -> tuple[object, dict]:
    """An index over unit-length ``vectors`` and its description for the manifest."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index, {"type": "IndexFlatIP", "metric": "inner_product", "file": FILENAME}


def save(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load(path: Path, spec: dict, *, mmap: bool = False):
    import faiss

    flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
    return faiss.read_index(str(path), flags)


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the ``k`` nearest passages for each query row; rows −1 pad."""
    k = max(1, min(k, index.ntotal))
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
