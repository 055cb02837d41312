"""The index a reader serves from: the current generation of an index folder, opened (or
built first when there is none), and swapped for a newer one when a build publishes it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import qa.config as config
from qa.documents import Document, Passage
from qa.embed import Embedder
from qa.errors import (
    IndexCorruptError,
    IndexNotFoundError,
    IndexOutdatedError,
    QAError,
    repair_hint,
)
from qa.index.build import BuildReport, Progress, build_index
from qa.index.kept_sentences import KeptSentences
from qa.index.layout import IndexLayout
from qa.index.recovery import Holding, open_served
from qa.index.snapshot import Snapshot
from qa.paths import absolute, shown
from qa.policy import DEFAULT, IndexPolicy

log = logging.getLogger(__name__)

#: How often (seconds) a reader checks whether a new index generation was published.
RELOAD_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class IndexStatus:
    """What a reader serves now (a server's health check): the index folder, the generation,
    when it was built, the model and its runtime, and how many reports and passages."""

    root: Path
    generation: str
    built_at: str
    model: str
    backend: str
    precision: str
    documents: int
    passages: int


class ServedIndex:
    """The served generation of one index folder, for as long as a reader lives.

    ``snapshot`` is the generation to query now: at most once a second it checks the folder's
    ``CURRENT`` pointer and, when a build has published a newer generation, opens it with the
    same model (loaded once per process). Searches in flight keep the snapshot they started
    with. Thread-safe.
    """

    def __init__(
        self,
        layout: IndexLayout,
        snapshot: Snapshot,
        *,
        policy: IndexPolicy = DEFAULT.index,
        broken: str | None = None,
    ) -> None:
        self._layout = layout
        self._snapshot = snapshot
        self._generation = snapshot.path.name
        self._policy = policy
        #: A published generation that failed to open (not tried again: generations never change).
        self._broken = broken
        #: Why nothing is served (a published generation with other reports failed to open).
        self._refusal: str | None = None
        self._reload_lock = threading.Lock()
        self._checked_at = time.monotonic()
        embedder = snapshot.embedder
        #: Sentence vectors kept between processes (the model is the same in every generation).
        self.kept_sentences = KeptSentences(
            layout.cache_dir, embedder.cache_key, embedder.dimension
        )

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        *,
        model: str | Embedder | None = None,
        policy: IndexPolicy = DEFAULT.index,
    ) -> ServedIndex:
        """Open the index at ``index_dir`` (default ``QA_INDEX``).

        The model is the one recorded in the index; asking for another one (``model``, or
        ``QA_MODEL`` in the environment) raises ``ModelMismatchError``. Raises
        ``IndexNotFoundError`` when there is no index and ``IndexOutdatedError`` when an older
        Report QA built it (``open_or_build`` rebuilds it). When the current generation is
        damaged, the newest earlier one that opens is served, with a warning; when none opens,
        ``IndexCorruptError`` names the damaged file (see ``qa.index.recovery``).
        """
        layout = IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())
        embedder = model if isinstance(model, Embedder) else None
        name = None if isinstance(model, Embedder) else model or config.env("QA_MODEL")

        def open_generation(path: Path) -> Snapshot:
            nonlocal embedder  # load the model once, even when trying several generations
            snapshot = Snapshot.open(path, embedder=embedder, model=name, policy=policy)
            embedder = snapshot.embedder
            return snapshot

        opened = open_served(layout, open_generation)
        return cls(layout, opened.snapshot, policy=policy, broken=opened.broken)

    @classmethod
    def open_or_build(
        cls,
        index_dir: str | Path | None = None,
        *,
        policy: IndexPolicy = DEFAULT.index,
        on_build: Callable[[str], None] | None = None,
        progress: Progress | None = None,
    ) -> tuple[ServedIndex, BuildReport | None]:
        """``open``, building the index first (loading the model only once):

        * when the default index (``index_dir`` not given, or the ``QA_INDEX`` folder) does
          not exist yet — from the bundled reports (``QA_DATA``). A folder named otherwise is
          never filled by surprise (a typo, or a folder meant for other reports): there
          ``IndexNotFoundError`` says how to build it;
        * when an older Report QA built it, matching text differently — from the files it
          was built from;
        * when no generation of it opens any more (damaged files) and every file it was
          built from is still there — from those files. A damaged index whose sources are
          gone is not rebuilt from anything else: that raises its ``IndexCorruptError``.

        ``on_build(message)`` says why before such a build; ``progress`` reports on it.
        Returns the index and the build report (``None`` when nothing was built).
        """
        default = config.default_index_dir()
        target = Path(index_dir) if index_dir else default
        try:
            return cls.open(target, policy=policy), None
        except IndexNotFoundError:
            if absolute(target) != absolute(default):
                raise  # a typo, or a folder meant for other reports: not the bundled ones
            sources = None
            message = (
                f"no index in {shown(target)} yet: building it from "
                f"{shown(config.default_data_dir())} first"
            )
        except IndexOutdatedError as exc:
            # As for a damaged index: only from every file it was built from, or — the
            # default index, which recorded none — from the bundled reports.
            if exc.sources and all(Path(f).exists() for f in exc.sources):
                sources, origin = exc.sources, f"its {len(exc.sources)} source file(s)"
            elif not exc.sources and absolute(target) == absolute(default):
                sources, origin = None, str(config.default_data_dir())
            else:
                raise
            message = f"{exc}: rebuilding it from {origin}"
        except IndexCorruptError as exc:
            # No generation opens. Rebuild only from what the index was built from, and only
            # when every one of those files is still there: building the bundled reports, or
            # a part of the sources, over someone's index would silently lose reports.
            if not exc.sources or not all(Path(f).exists() for f in exc.sources):
                raise
            sources = exc.sources
            message = (
                f"no valid generation left in {target} ({exc.path or 'a file'} is damaged): "
                f"rebuilding it from its {len(sources)} recorded source file(s)"
            )
        if on_build:
            on_build(message)
        embedder = Embedder.load()
        report = build_index(sources, target, model=embedder, progress=progress, policy=policy)
        return cls.open(target, model=embedder, policy=policy), report

    @property
    def snapshot(self) -> Snapshot:
        """The generation to query now (switching to a newer one when published).
        ``IndexCorruptError`` while a published generation that holds other reports than the
        one served cannot be opened (see ``reload_if_changed``)."""
        now = time.monotonic()
        if now - self._checked_at >= RELOAD_CHECK_SECONDS:
            self._checked_at = now
            self.reload_if_changed()
        if self._refusal is not None:
            raise IndexCorruptError(
                f"{self._refusal}; {repair_hint(self._layout.root)}",
                path=str(self._layout.root / str(self._broken)),
            )
        return self._snapshot

    def reload_if_changed(self) -> bool:
        """Switch to the newest published generation; True if it changed. A published
        generation that fails to open is not switched to (tried once): when it holds the
        same reports as the one served, that one keeps serving, and a warning says why;
        when it holds other ones (``qa remove`` or ``qa add`` published it), serving the old
        one would answer from a removed report, so nothing is served — every query raises
        ``IndexCorruptError`` saying why — until a generation that opens is published."""
        try:
            name = self._layout.current_name()
        except (OSError, QAError):
            return False  # the folder is being replaced or is unreadable: keep what we have
        if name is None or name in (self._generation, self._broken):
            return False
        with self._reload_lock:
            if name in (self._generation, self._broken):
                return False
            old = self._snapshot
            try:
                # Same model object: the model is loaded once per process.
                snapshot = Snapshot.open(
                    self._layout.root / name, embedder=old.embedder, policy=self._policy
                )
            except QAError as exc:
                self._broken = name
                published = Holding.of(self._layout.root / name)
                if published.same_as(Holding.of(old.path)):
                    log.warning(
                        "generation %s was published but cannot be served (%s); still "
                        "serving %s, which holds the same reports",
                        name,
                        exc,
                        self._generation,
                    )
                else:
                    self._refusal = (
                        f"generation {name} was published but cannot be served ({exc}); the "
                        f"generation served before, {self._generation}, does not stand in "
                        f"for it: {published.difference(Holding.of(old.path))}"
                    )
                    log.error("%s; no answers until it is rebuilt", self._refusal)
                return False
            self._snapshot = snapshot
            self._generation = name
            self._refusal = None
        # In-flight searches hold their own reference to `old`; its SQLite handle is
        # thread-safe to close only after them, so leave it to garbage collection.
        return True

    @property
    def root(self) -> Path:
        """The index folder."""
        return self._layout.root

    @property
    def generation(self) -> str:
        """The name of the generation served now (``gen-…``; see ``qa.index.layout``)."""
        return self.snapshot.path.name

    def status(self) -> IndexStatus:
        """What is served now (see ``IndexStatus``)."""
        snap = self.snapshot
        return IndexStatus(
            root=self.root,
            generation=snap.path.name,
            built_at=snap.manifest.built_at,
            model=snap.manifest.model["name"],
            backend=snap.embedder.backend,
            precision=snap.embedder.precision,
            documents=len(snap.store.documents),
            passages=snap.size,
        )

    @property
    def documents(self) -> dict[str, Document]:
        """The indexed documents, by id."""
        return self.snapshot.store.documents

    def passages(self) -> list[Passage]:
        """Every passage of the served generation, in index order."""
        return self.snapshot.store.all()

    @property
    def embedder(self) -> Embedder:
        """The model the index was built with (loaded once per process)."""
        return self._snapshot.embedder

    def close(self) -> None:
        self._snapshot.close()
        self.kept_sentences.close()
