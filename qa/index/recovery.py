"""Open the served generation of an index folder, falling back to an earlier one when it is
damaged.

A build keeps the generation before the current one (``layout.KEEP_GENERATIONS``), so when
the current generation's files are damaged — random bytes over ``passages.sqlite``, a
truncated ``dense.faiss``, a broken ``manifest.json``, missing BM25 files, counts that
disagree — a reader serves the newest earlier generation that opens, with a warning that names
what is broken and which generation serves now. Reading never changes the folder: the next
``qa build`` publishes a new generation and the pointer moves on.

When no generation opens, the error is the current generation's: one line naming the damaged
file and the fix, carrying the source files a readable manifest recorded (so that
``open_or_build`` can rebuild from them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.errors import IndexCorruptError, IndexOutdatedError, ModelMismatchError
from qa.index.layout import CURRENT, IndexLayout
from qa.index.manifest import Manifest
from qa.index.snapshot import Snapshot

log = logging.getLogger(__name__)

#: Why a generation cannot be served in place of a damaged one.
UNSERVABLE = (IndexCorruptError, IndexOutdatedError, ModelMismatchError)


@dataclass(frozen=True)
class Opened:
    """The snapshot served, and the name of the generation ``CURRENT`` points at when that
    one was damaged and an earlier one serves instead (else ``None``)."""

    snapshot: Snapshot
    broken: str | None = None


def open_served(layout: IndexLayout, open_generation: Callable[[Path], Snapshot]) -> Opened:
    """The generation ``CURRENT`` names, opened with ``open_generation``; when it is damaged,
    the newest earlier generation that opens (a warning says so). Raises
    ``IndexNotFoundError`` when there is no generation at all, and the current generation's
    ``IndexCorruptError`` when none opens."""
    name = layout.current_name()
    gens = layout.generations()
    if not gens:
        layout.current()  # raises IndexNotFoundError
    if layout.exists():
        current = layout.current()
        try:
            return Opened(open_generation(current))
        except IndexCorruptError as exc:
            error, broken = exc, current.name
        names = [g.name for g in gens]
        earlier = gens[names.index(broken) + 1 :] if broken in names else gens
    else:
        pointer = layout.root / CURRENT
        problem = "missing" if name is None else f"names {name!r}, which is not a generation"
        error, broken, earlier = IndexCorruptError.damaged(pointer, problem), None, gens
    for gen in earlier:
        try:
            snapshot = open_generation(gen)
        except UNSERVABLE as exc:
            log.info("generation %s cannot serve either: %s", gen.name, exc)
            continue
        what = f"{error.path} is damaged ({error.problem})" if error.path else str(error)
        log.warning(
            "%s; serving the earlier generation %s until the next qa build "
            "(qa doctor shows what is wrong)",
            what,
            gen.name,
        )
        return Opened(snapshot, broken=broken or name or CURRENT)
    error.sources = recorded_sources(layout, first=broken)
    raise error


def recorded_sources(layout: IndexLayout, *, first: str | None = None) -> list[str]:
    """The source files recorded by the newest readable manifest (``first``'s if it reads)."""
    gens = layout.generations()
    gens.sort(key=lambda g: g.name != first)  # stable: `first`, then newest first
    for gen in gens:
        try:
            files = Manifest.load(gen).corpus.get("files")
        except IndexCorruptError:
            continue
        if isinstance(files, list) and files and all(isinstance(f, str) for f in files):
            return list(files)
    return []
