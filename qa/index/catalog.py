"""What an index holds, read without loading the model: its documents (with each metadata
value's origin) and passages, from the served generation's SQLite store."""

from __future__ import annotations

from pathlib import Path

import qa.config as config
from qa.documents import Document, Passage
from qa.index import parts
from qa.index.layout import IndexLayout
from qa.index.manifest import Manifest
from qa.index.passages import PassageStore
from qa.index.recovery import open_served
from qa.index.snapshot import check_text_matching


def _open_store(gen: Path) -> PassageStore:
    """The passage store of ``gen`` once every part of it opens (as a reader would find it,
    without the model)."""
    manifest = Manifest.load(gen)
    check_text_matching(gen, manifest)
    parts.check_generation(gen)
    return parts.open_store(gen, int(manifest.corpus["passages"]))  # damage: one line


def _store(index_dir: str | Path | None) -> PassageStore:
    """The passage store of the generation a reader serves: the current one, or — when it is
    damaged — the earlier one that stands in for it (``qa.index.recovery``), so that
    ``qa sources`` and ``qa figures`` list what ``qa ask`` answers from."""
    layout = IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())
    return open_served(layout, _open_store).snapshot


def indexed_documents(index_dir: str | Path | None = None) -> list[Document]:
    """The reports of the index at ``index_dir`` (default ``QA_INDEX``), in index order.
    Raises ``IndexNotFoundError`` / ``IndexOutdatedError`` as opening the index does."""
    store = _store(index_dir)
    try:
        return list(store.documents.values())
    finally:
        store.close()


def indexed_passages(
    index_dir: str | Path | None = None,
) -> tuple[list[Document], list[Passage]]:
    """The reports of the index and all their passages, in row order."""
    store = _store(index_dir)
    try:
        return list(store.documents.values()), store.all()
    finally:
        store.close()
