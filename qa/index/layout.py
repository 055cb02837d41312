"""An index folder on disk: generations, the ``CURRENT`` pointer, and the build lock.

::

    index/
      CURRENT                 name of the generation being served, e.g. "gen-20261129-004512-3f2a"
      gen-…/                  one complete, validated build (manifest.json, passages, vectors, BM25)
      cache/embeddings.sqlite passage vectors by (model, text hash), reused by later builds
      .build.lock             held by the one build that may run at a time

A build writes a new generation beside the current one and only then replaces
``CURRENT`` (write to a temporary file, fsync, rename): a build that fails or is killed
at any moment leaves the previous generation serving.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeGuard

from filelock import FileLock, Timeout

from qa.errors import BuildLockedError, IndexNotFoundError, IndexPathError
from qa.paths import shown

CURRENT = "CURRENT"
LOCK = ".build.lock"
GEN_PREFIX = "gen-"
TMP_PREFIX = ".tmp-gen-"
KEEP_GENERATIONS = 2  # the current one and the one before (still served by older readers)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush every file under ``path`` (and the folders) to disk."""
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            fd = os.open(Path(dirpath) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


class IndexLayout:
    """Paths and atomic operations of one index folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    def check_root(self) -> None:
        """``IndexPathError`` unless the index path is a folder or does not exist yet (a file,
        or a path through a file, cannot hold an index)."""
        for part in (self.root, *self.root.parents):
            if part.is_dir():
                return
            if part.exists() or part.is_symlink():
                what = "is a file" if part == self.root else f"is inside the file {part}"
                raise IndexPathError(
                    f"index path {self.root} {what}: an index is a folder; name a folder, "
                    "or a path that does not exist yet"
                )

    def current_name(self) -> str | None:
        """The name ``CURRENT`` holds (``None`` when there is none); ``IndexPathError`` when
        the index path is not a folder."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            self.check_root()
            raise
        except UnicodeDecodeError:
            return ""  # garbage: names no generation
        return name or None

    def generations(self) -> list[Path]:
        """Every published generation, newest first (by when it was built)."""
        if not self.root.is_dir():
            return []
        gens = [g for g in self.root.glob(GEN_PREFIX + "*") if g.is_dir()]
        return sorted(gens, key=lambda g: (g.stat().st_mtime, g.name), reverse=True)

    def current(self) -> Path:
        """The generation being served; ``IndexNotFoundError`` if there is none."""
        name = self.current_name()
        if not self._names_generation(name):
            where = shown(self.root)
            raise IndexNotFoundError(
                f"no index in {where}: build one with qa build PATH ... --index {where}"
            )
        return self.root / name

    def exists(self) -> bool:
        return self._names_generation(self.current_name())

    def _names_generation(self, name: str | None) -> TypeGuard[str]:
        # A plain generation name only: CURRENT never leads outside the index folder.
        return (
            name is not None
            and name.startswith(GEN_PREFIX)
            and Path(name).name == name
            and (self.root / name).is_dir()
        )

    def new_workdir(self) -> Path:
        """A fresh hidden folder to build the next generation in."""
        self.check_root()
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        path = self.root / f"{TMP_PREFIX}{stamp}-{secrets.token_hex(3)}"
        path.mkdir()
        return path

    def publish(self, workdir: Path) -> Path:
        """Make ``workdir`` the served generation, atomically."""
        fsync_tree(workdir)
        final = self.root / (GEN_PREFIX + workdir.name.removeprefix(TMP_PREFIX))
        os.replace(workdir, final)
        tmp = self.root / f".{CURRENT}.{secrets.token_hex(3)}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(final.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / CURRENT)
        _fsync_dir(self.root)
        return final

    def prune(self, *, sound: Callable[[Path], bool] | None = None) -> None:
        """Remove leftovers of interrupted builds and every generation but the current one and
        the newest before it (still served by older readers, and the fallback should the
        current one be damaged). With ``sound``, the one kept before the current one is the
        newest for which ``sound(generation)`` holds: a damaged generation is not kept in
        place of a good one."""
        current = self.current_name()
        for tmp in self.root.glob(TMP_PREFIX + "*"):
            shutil.rmtree(tmp, ignore_errors=True)
        for stray in self.root.glob(f".{CURRENT}.*"):
            stray.unlink(missing_ok=True)
        gens = sorted(self.root.glob(GEN_PREFIX + "*"), key=lambda p: p.stat().st_mtime)
        earlier = [g for g in reversed(gens) if g.name != current]  # newest first
        keep = {current}
        for gen in earlier:
            if len(keep) >= KEEP_GENERATIONS:
                break
            if sound is None or sound(gen):
                keep.add(gen.name)
        for gen in gens:
            if gen.name not in keep:
                shutil.rmtree(gen, ignore_errors=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the build lock, or raise ``BuildLockedError`` at once if another build has it.

        The index folder (and missing folders above it) is made for the lock; when the work
        done under it fails before anything is left there but the lock file (the sources
        are missing, empty or unreadable), the folders made are removed again: a failed
        build leaves no litter."""
        self.check_root()
        made = [p for p in (self.root, *self.root.parents) if not p.exists()]  # deepest first
        self.root.mkdir(parents=True, exist_ok=True)
        held: list[int] = []  # the descriptor filelock lends while the lock is held

        def note_holder(fd: int) -> None:
            # Who holds it, for the message a refused build shows (and for qa doctor).
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
            held.append(fd)

        # The file stays after release: a refused build reads the holder from it, and a
        # waiting build must lock the same file the holder locked.
        build_lock = FileLock(
            self.root / LOCK, blocking=False, preserve_lock_file=True, on_acquired=note_holder
        )
        try:
            build_lock.acquire()
        except Timeout:
            raise BuildLockedError(
                f"another build of {shown(self.root)} is running ({_holder(self.root / LOCK)}); "
                "wait for it to finish"
            ) from None
        try:
            yield
        finally:
            try:
                os.ftruncate(held[0], 0)
                if made:
                    self._remove_if_unused(made)  # still holding the lock: no one else builds
            finally:
                build_lock.release()

    def _remove_if_unused(self, made: list[Path]) -> None:
        """Remove the folders ``made`` for the lock (deepest first) if the index folder holds
        nothing but the lock file: no generation, no cached vectors, no leftovers."""
        try:
            if set(os.listdir(self.root)) - {LOCK}:
                return
            (self.root / LOCK).unlink()
            for folder in made:
                os.rmdir(folder)  # only empty folders: stops at one that is not
        except OSError:
            return


def _holder(lock_file: Path) -> str:
    """What the lock file says of the build holding it ("pid N")."""
    try:
        return lock_file.read_text(encoding="utf-8", errors="replace").strip() or "another process"
    except OSError:
        return "another process"
