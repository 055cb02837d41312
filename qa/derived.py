"""Tables derived from the data of the packages Report QA reads, derived once per machine and
kept in the cache folder (``QA_CACHE_DIR``/``tables``).

Deriving some tables costs seconds that a cold ``qa ask`` would pay on every run (the region
table reads all of CC-CEDICT to learn which place names are ordinary words), while reading
the result back as JSON takes milliseconds. A table is stored under a key made of everything
it is derived from — the files of the package data it reads (their size and modification
time), the source of the code that derives it, and the settings it takes — so a change to
any of them derives it afresh; an old table of the same name is then removed. A cache
folder that cannot be written, or a stored table that cannot be read, only costs the time:
the table is derived in memory.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import qa.config as config

#: The cache folder's subfolder of derived tables (``qa.model_cache`` lists and clears it).
TABLES = "tables"


def module_file(name: str) -> Path | None:
    """The file a module is loaded from, found without importing it (``None`` when the
    module is not installed)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin else None


def fingerprint(files: Iterable[Path | None], settings: object = None) -> str:
    """A key for what a table is derived from: each file's path, size and modification time
    (source files: their content) and the settings, as JSON."""
    digest = hashlib.sha256()
    for path in files:
        if path is None:
            digest.update(b"missing\0")
            continue
        try:
            if path.suffix == ".py":
                digest.update(path.read_bytes())
            else:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        except OSError:
            digest.update(f"{path}:unreadable".encode())
        digest.update(b"\0")
    digest.update(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:20]


def cached_table(
    name: str, key: str, derive: Callable[[], Any], *, folder: Path | None = None
) -> Any:
    """The table ``name`` derived under ``key``: read from the cache folder, or derived by
    ``derive()`` (which returns plain JSON data) and stored there for the next process."""
    root = (folder or config.cache_dir()) / TABLES
    path = root / f"{name}-{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass  # not derived yet on this machine, or damaged: derive it again
    table = derive()
    try:
        root.mkdir(parents=True, exist_ok=True)
        for old in root.glob(f"{name}-*.json"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(table, out, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full cache folder: the next process derives it again
    return table


__all__ = ["TABLES", "cached_table", "fingerprint", "module_file"]
