"""The index a reader serves from: the current generation of an index folder, opened (or
built first when there is none), and swapped for a newer one when a build publishes it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import qa.config as config
from qa.documents import Document, Passage
from qa.embed import Embedder
from qa.errors import IndexNotFoundError, IndexOutdatedError
from qa.index.build import BuildReport, Progress, build_index
from qa.index.layout import IndexLayout
from qa.index.snapshot import Snapshot
from qa.policy import DEFAULT, IndexPolicy

#: How often (seconds) a reader checks whether a new index generation was published.
RELOAD_CHECK_SECONDS = 1.0


class ServedIndex:
    """The served generation of one index folder, for as long as a reader lives.

    ``snapshot`` is the generation to query now: at most once a second it checks the folder's
    ``CURRENT`` pointer and, when a build has published a newer generation, opens it with the
    same model (loaded once per process). Searches in flight keep the snapshot they started
    with. Thread-safe.
    """

    def __init__(
        self, layout: IndexLayout, snapshot: Snapshot, *, policy: IndexPolicy = DEFAULT.index
    ) -> None:
        self._layout = layout
        self._snapshot = snapshot
        self._generation = snapshot.path.name
        self._policy = policy
        self._reload_lock = threading.Lock()
        self._checked_at = time.monotonic()

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
        Report QA built it (``open_or_build`` rebuilds it).
        """
        layout = IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())
        current = layout.current()
        if isinstance(model, Embedder):
            snapshot = Snapshot.open(current, embedder=model, policy=policy)
        else:
            snapshot = Snapshot.open(current, model=model or config.env("QA_MODEL"), policy=policy)
        return cls(layout, snapshot, policy=policy)

    @classmethod
    def open_or_build(
        cls,
        index_dir: str | Path | None = None,
        *,
        policy: IndexPolicy = DEFAULT.index,
        on_build: Callable[[str], None] | None = None,
        progress: Progress | None = None,
    ) -> tuple[ServedIndex, BuildReport | None]:
        """``open``, building the index first (loading the model only once) when there is
        none yet — from the bundled reports (``QA_DATA``) — or when it was built by an older
        Report QA that matched text differently — from the files it was built from.

        ``on_build(message)`` says why before such a build; ``progress`` reports on it.
        Returns the index and the build report (``None`` when nothing was built).
        """
        target = Path(index_dir) if index_dir else config.default_index_dir()
        try:
            return cls.open(target, policy=policy), None
        except IndexNotFoundError:
            sources = None
            message = (
                f"no index in {target} yet: building it from {config.default_data_dir()} first"
            )
        except IndexOutdatedError as exc:
            sources = [f for f in exc.sources if Path(f).exists()] or None
            origin = (
                f"its {len(sources)} source file(s)" if sources else str(config.default_data_dir())
            )
            message = f"{exc}: rebuilding it from {origin}"
        if on_build:
            on_build(message)
        embedder = Embedder.load()
        report = build_index(sources, target, model=embedder, progress=progress, policy=policy)
        return cls.open(target, model=embedder, policy=policy), report

    @property
    def snapshot(self) -> Snapshot:
        """The generation to query now (switching to a newer one when published)."""
        now = time.monotonic()
        if now - self._checked_at >= RELOAD_CHECK_SECONDS:
            self._checked_at = now
            self.reload_if_changed()
        return self._snapshot

    def reload_if_changed(self) -> bool:
        """Switch to the newest published generation; True if it changed."""
        name = self._layout.current_name()
        if name is None or name == self._generation:
            return False
        with self._reload_lock:
            if name == self._generation:
                return False
            old = self._snapshot
            # Same model object: the model is loaded once per process.
            self._snapshot = Snapshot.open(
                self._layout.root / name, embedder=old.embedder, policy=self._policy
            )
            self._generation = name
        # In-flight searches hold their own reference to `old`; its SQLite handle is
        # thread-safe to close only after them, so leave it to garbage collection.
        return True

    @property
    def root(self) -> Path:
        """The index folder."""
        return self._layout.root

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
