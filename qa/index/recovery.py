"""Open the served generation of an index folder, falling back to an earlier one when it is
damaged — but only to one that holds the same reports.

A build keeps the generation before the current one (``layout.KEEP_GENERATIONS``), so when
the current generation's files are damaged — random bytes over ``passages.sqlite``, a
truncated ``dense.faiss``, a broken ``manifest.json``, missing BM25 files, counts that
disagree — a reader serves the newest earlier generation that opens and holds the same
reports, with a warning that names what is broken and which generation serves now. An
earlier generation that holds other reports never stands in: after ``qa remove DOC`` it still
holds DOC, and after ``qa add`` it lacks the new report, so serving it would answer from what
the user removed, or disagree with ``qa sources``. Which reports a generation holds is read
from its passage store, else from its manifest's digest of them (``documents_sha256``); when
neither can be read, no earlier generation stands in.

Reading never changes the folder: the next ``qa build`` publishes a new generation and the
pointer moves on. When no generation can serve, the error is one line naming the damaged
file, why no earlier generation stands in, and the fix, carrying the source files the
damaged generation's manifest recorded (so that ``open_or_build`` can rebuild from them).

Every reader goes through ``open_served`` — ``Retriever``/``ReportQA``, ``qa sources`` and
``qa figures`` (``qa.index.catalog``), ``qa doctor`` — so they agree on what the index holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from qa.errors import IndexCorruptError, IndexOutdatedError, ModelMismatchError, repair_hint
from qa.index import passages
from qa.index.layout import CURRENT, IndexLayout
from qa.index.manifest import Manifest, documents_digest

log = logging.getLogger(__name__)

#: Why a generation cannot be served in place of a damaged one.
UNSERVABLE = (IndexCorruptError, IndexOutdatedError, ModelMismatchError)

#: What opening a generation gives (a ``Snapshot``, or just its passage store).
Opening = TypeVar("Opening")


@dataclass(frozen=True)
class Opened(Generic[Opening]):
    """The generation served, opened, and the name of the generation ``CURRENT`` points at
    when that one was damaged and an earlier one serves instead (else ``None``)."""

    snapshot: Opening
    broken: str | None = None


@dataclass(frozen=True)
class Holding:
    """Which reports a generation holds: their ids when its passage store can be read, and
    the digest of them (from the ids, else from its manifest); ``None`` what is unknown."""

    ids: frozenset[str] | None
    digest: str | None

    @classmethod
    def of(cls, gen: Path) -> Holding:
        ids = passages.document_ids(gen / passages.FILENAME)
        if ids is not None:
            return cls(frozenset(ids), documents_digest(ids))
        try:
            digest = Manifest.load(gen).corpus.get("documents_sha256")
        except IndexCorruptError:
            digest = None
        return cls(None, digest if isinstance(digest, str) else None)

    def same_as(self, other: Holding) -> bool:
        """True when both are known to hold the same reports."""
        return self.digest is not None and self.digest == other.digest

    def difference(self, other: Holding) -> str:
        """How ``other`` differs from this one, in words (``other`` is an earlier one)."""
        if self.ids is None or other.ids is None:
            return "it holds other reports"
        parts = []
        if other.ids - self.ids:
            parts.append(f"reports removed since: {', '.join(sorted(other.ids - self.ids)[:5])}")
        if self.ids - other.ids:
            parts.append(f"reports added since: {', '.join(sorted(self.ids - other.ids)[:5])}")
        return "it holds other reports (" + "; ".join(parts) + ")"


def open_served(
    layout: IndexLayout, open_generation: Callable[[Path], Opening]
) -> Opened[Opening]:
    """The generation ``CURRENT`` names, opened with ``open_generation``; when it is damaged,
    the newest earlier generation that holds the same reports and opens (a warning says so).
    Raises ``IndexNotFoundError`` when there is no generation at all, and the damaged
    generation's ``IndexCorruptError`` — saying why no earlier one stands in — when none
    can serve."""
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
        intended = layout.root / broken
    else:
        # No pointer: the newest generation is the last one published, the one meant.
        pointer = layout.root / CURRENT
        problem = "missing" if name is None else f"names {name!r}, which is not a generation"
        error, broken, earlier = IndexCorruptError.damaged(pointer, problem), None, gens
        intended = gens[0]
    held = Holding.of(intended)
    refused: list[tuple[str, str]] = []  # (generation, how it differs)
    for gen in earlier:
        other = held if gen == intended else Holding.of(gen)
        if not held.same_as(other):
            refused.append((gen.name, held.difference(other)))
            continue
        try:
            snapshot = open_generation(gen)
        except UNSERVABLE as exc:
            log.info("generation %s cannot serve either: %s", gen.name, exc)
            continue
        what = f"{error.path} is damaged ({error.problem})" if error.path else str(error)
        log.warning(
            "%s; serving the earlier generation %s, which holds the same reports, until the "
            "next qa build (qa doctor shows what is wrong)",
            what,
            gen.name,
        )
        return Opened(snapshot, broken=broken or name or CURRENT)
    if refused and error.path:
        why = (
            "no earlier generation stands in: what the damaged one holds cannot be read"
            if held.digest is None
            else f"the earlier generation {refused[0][0]} does not stand in for it: {refused[0][1]}"
        )
        error = _refusal(error, why, layout.root)
    error.sources = recorded_sources(layout, first=broken, held=held)
    raise error


def _refusal(error: IndexCorruptError, why: str, root: Path) -> IndexCorruptError:
    """``error`` saying also why no earlier generation serves in its place."""
    refusal = IndexCorruptError(
        f"{error.path} is damaged ({error.problem}); {why}; {repair_hint(root)}", path=error.path
    )
    refusal.problem = error.problem
    return refusal


def recorded_sources(
    layout: IndexLayout, *, first: str | None = None, held: Holding | None = None
) -> list[str]:
    """The source files recorded by the newest readable manifest (``first``'s if it reads)
    of a generation that holds the reports ``held`` (any, when ``held`` is ``None``): a
    rebuild from them gives back what the damaged generation held, never what was removed."""
    gens = layout.generations()
    gens.sort(key=lambda g: g.name != first)  # stable: `first`, then newest first
    for gen in gens:
        if held is not None and gen.name != first and not held.same_as(Holding.of(gen)):
            continue
        try:
            files = Manifest.load(gen).corpus.get("files")
        except IndexCorruptError:
            continue
        if isinstance(files, list) and files and all(isinstance(f, str) for f in files):
            return list(files)
    return []
