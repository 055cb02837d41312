"""Add reports to an index, or remove them, without rebuilding from the original files.

A new generation is the current generation's stored documents and passages (SQLite) ± the
change, written, validated and published by the same path as a build (``build.publish``):
atomic, and the previous generation keeps serving on any error. Nothing unchanged is
embedded again: vectors come from the index's embedding cache (keyed by the embedded
text), and — should the cache have lost them — from the current generation's own vectors.
A report whose id the index already has is replaced by the new one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

import qa.config as config
from qa.corpus import Corpus, read_sources
from qa.documents import Document, Passage
from qa.embed import Embedder
from qa.errors import ArgumentError, ArgumentTypeError, ModelMismatchError
from qa.index import dense, parts
from qa.index.build import BuildReport, Progress, index_text, publish, source_paths
from qa.index.cache import EmbeddingCache, text_key
from qa.index.layout import IndexLayout
from qa.index.manifest import Manifest
from qa.index.snapshot import check_text_matching
from qa.policy import DEFAULT, IndexPolicy


def add_reports(
    sources: str | os.PathLike | Iterable[str | os.PathLike],
    index_dir: str | Path | None = None,
    *,
    model: str | Embedder | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    policy: IndexPolicy = DEFAULT.index,
) -> BuildReport:
    """Add the reports under ``sources`` (files or folders) to the index at ``index_dir``
    (default ``QA_INDEX``), keeping every report it has; a report with an id the index
    already has (its file name, as ``build_index`` names it) replaces that one
    (``BuildReport.replaced``). Only the new reports' passages are embedded. Raises
    ``IndexNotFoundError`` when there is no index yet (use ``build_index``),
    ``IndexOutdatedError`` for an index of an older Report QA, and what reading the sources
    raises (``SourceError``)."""
    started = time.monotonic()
    layout = _layout(index_dir)
    paths = source_paths(sources)
    with layout.lock():
        manifest, documents, passages = _current(layout)
        new = read_sources(paths, strict=strict, policy=policy)
        incoming = {d.id for d in new.documents}
        kept = [d for d in documents if d.id not in incoming]
        corpus = Corpus(
            documents=kept + new.documents,
            passages=[p for p in passages if p.doc not in incoming] + new.passages,
            skipped=new.skipped,
            files=_files(kept) + new.files,
        )
        embedder = _embedder(model, manifest)
        _seed_cache(layout, embedder, corpus, manifest, {d.id for d in kept})
        report = publish(
            layout, corpus, embedder, started=started, progress=progress, policy=policy
        )
    had = {d.id for d in documents}
    report.added = [d.id for d in new.documents if d.id not in had]
    report.replaced = [d.id for d in new.documents if d.id in had]
    return report


def remove_reports(
    doc_ids: str | Iterable[str],
    index_dir: str | Path | None = None,
    *,
    model: str | Embedder | None = None,
    policy: IndexPolicy = DEFAULT.index,
) -> BuildReport:
    """Remove the reports with ``doc_ids`` (see ``qa sources``) from the index at
    ``index_dir`` (default ``QA_INDEX``); nothing is embedded. Raises ``ArgumentError`` for
    an id the index does not have, or when no report would be left (build another index
    instead)."""
    started = time.monotonic()
    ids = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids)
    if not ids or not all(isinstance(d, str) for d in ids):
        raise ArgumentTypeError("name the reports to remove by their ids (strings)")
    layout = _layout(index_dir)
    with layout.lock():
        manifest, documents, passages = _current(layout)
        known = [d.id for d in documents]
        unknown = [d for d in ids if d not in known]
        if unknown:
            raise ArgumentError(
                f"the index has no report {', '.join(unknown)}; it has: {', '.join(known)}"
            )
        gone = set(ids)
        kept = [d for d in documents if d.id not in gone]
        if not kept:
            raise ArgumentError(
                "removing every report would leave an empty index; build another one instead"
            )
        corpus = Corpus(
            documents=kept,
            passages=[p for p in passages if p.doc not in gone],
            files=_files(kept),
        )
        embedder = _embedder(model, manifest)
        _seed_cache(layout, embedder, corpus, manifest, {d.id for d in kept})
        report = publish(layout, corpus, embedder, started=started, policy=policy)
    report.dropped = [d for d in known if d in gone]
    return report


def _layout(index_dir: str | Path | None) -> IndexLayout:
    return IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())


def _current(layout: IndexLayout) -> tuple[Manifest, list[Document], list[Passage]]:
    """The served generation's manifest, documents and passages (in row order)."""
    path = layout.current()
    manifest = Manifest.load(path)
    check_text_matching(path, manifest)
    store = parts.open_store(path, int(manifest.corpus["passages"]))  # damage: one line
    try:
        return manifest, list(store.documents.values()), store.all()
    finally:
        store.close()


def _files(documents: list[Document]) -> list[Path]:
    return [Path(d.path) for d in documents if d.path]


def _embedder(model: str | Embedder | None, manifest: Manifest) -> Embedder:
    """The model the index was built with (an ``Embedder`` given must be it)."""
    built_with = manifest.model["name"]
    if isinstance(model, Embedder):
        if model.name != built_with:
            raise ModelMismatchError(
                f"the index was built with model {built_with!r}, not {model.name!r}"
            )
        return model
    if model is not None and model != built_with:
        raise ModelMismatchError(f"the index was built with model {built_with!r}, not {model!r}")
    return Embedder.load(built_with)


def _seed_cache(
    layout: IndexLayout, embedder: Embedder, corpus: Corpus, manifest: Manifest, kept: set[str]
) -> None:
    """Put the current generation's vectors of the passages of the ``kept`` reports into the
    cache when the cache lacks them (it normally has them all), so they are not embedded
    again."""
    docs = {d.id: d for d in corpus.documents}
    keys = {
        text_key(index_text(p, docs[p.doc])): p.id for p in corpus.passages if p.doc in kept
    }
    built = (manifest.model.get("backend", "torch"), manifest.model.get("precision", "fp32"))
    if built != (embedder.backend, embedder.precision):
        return  # the stored vectors are another runtime's: the cache or the model has them
    cache = EmbeddingCache(layout.cache_dir, embedder.cache_key, embedder.dimension)
    try:
        missing = set(keys) - set(cache.get(sorted(keys)))
        if not missing:
            return
        path = layout.current()
        store = parts.open_store(path, int(manifest.corpus["passages"]))
        try:
            old = {p.id: row for row, p in enumerate(store.all())}
        finally:
            store.close()
        wanted = [(key, old[keys[key]]) for key in sorted(missing) if keys[key] in old]
        if not wanted or not manifest.dense.get("type", "").endswith(("Flat", "FlatIP")):
            return  # only exact stored vectors are reused; the rest is embedded
        index = dense.load(path / dense.FILENAME, manifest.dense)
        vectors = dense.vectors(index, np.asarray([row for _, row in wanted]))
        cache.put([key for key, _ in wanted], vectors)
    finally:
        cache.close()
