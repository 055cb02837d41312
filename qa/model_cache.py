"""The cache folder (``QA_CACHE_DIR``, by default ``~/.cache/report-qa``): what Report QA
keeps there, how big it is, and clearing it (``qa cache [--clear]``).

The bundled model is converted there once (a sentence-transformers folder, ~240 MB) and
exported to ONNX beside it (~470 MB, and ~120 MB more once ``QA_PRECISION=int8`` asked for
the int8 copy); ``qa chat`` keeps its history there, and tables derived from package data
(``qa.derived``, under a megabyte) are kept so that a cold start does not derive them again.
Everything can be made again: after ``--clear`` the next command converts and exports the
model once more (about two minutes). Only what Report QA writes is removed — ``models/``,
``tables/`` and ``chat_history`` —, never anything else in the folder, should ``QA_CACHE_DIR`` name a folder
shared with other files.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import qa.config as config

MODELS = "models"
CHAT_HISTORY = "chat_history"
TABLES = "tables"  # qa.derived.TABLES (not imported: listing the cache loads nothing else)
#: An ONNX export's folder name ends so (``qa.embed.store.onnx_dir``).
ONNX_SUFFIX = "-onnx-r"


@dataclass(frozen=True)
class CacheEntry:
    """One thing in the cache folder: its path, size in bytes and what it is."""

    path: Path
    bytes: int
    what: str


def _size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(folder) / name).lstat().st_size
            except OSError:  # removed meanwhile
                continue
    return total


def cache_entries(folder: Path | None = None) -> list[CacheEntry]:
    """What Report QA keeps in the cache folder (default ``QA_CACHE_DIR``), biggest first:
    each converted model and ONNX export, and ``qa chat``'s history."""
    root = folder or config.cache_dir()
    entries: list[CacheEntry] = []
    models = root / MODELS
    if models.is_dir():
        for path in sorted(models.iterdir()):
            if path.name.startswith("."):
                continue  # the conversion locks (empty files) and interrupted conversions
            what = "ONNX export of the model" if ONNX_SUFFIX in path.name else "converted model"
            entries.append(CacheEntry(path, _size(path), what))
    tables = root / TABLES
    if tables.is_dir():
        entries.append(CacheEntry(tables, _size(tables), "derived tables"))
    history = root / CHAT_HISTORY
    if history.is_file():
        entries.append(CacheEntry(history, _size(history), "qa chat's history"))
    return sorted(entries, key=lambda e: -e.bytes)


def clear_cache(folder: Path | None = None) -> int:
    """Remove what Report QA keeps in the cache folder (``models/``, ``tables/``,
    ``chat_history``) and return the bytes freed; anything else there is left alone."""
    root = folder or config.cache_dir()
    freed = 0
    for path in (root / MODELS, root / TABLES, root / CHAT_HISTORY):
        if not (path.exists() or path.is_symlink()):
            continue
        freed += _size(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return freed
