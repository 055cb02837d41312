"""SQLite files the library and the bot keep beside an index (the embedding cache, feedback,
the bot's state) share one way of recovering from damage: the file is renamed out of the way
and a new one is started. Losing a cache or a button's pages beats refusing to start, and
the old file stays for inspection."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

#: Suffix of a damaged file moved aside (followed by the UTC time it was moved).
BROKEN_SUFFIX = ".broken-"
#: SQLite's files beside a database, moved with it.
COMPANIONS = ("-journal", "-wal", "-shm")


def move_aside(path: Path, why: str, *, what: str, consequence: str = "") -> Path:
    """Rename the damaged SQLite file at ``path`` (and its journal) to
    ``<name>.broken-<UTC time>``, and log a warning naming both: ``what`` is unusable
    (``why``), with the ``consequence`` of starting anew when given. Returns the new name.

    >>> move_aside(Path("index/feedback.sqlite"), "file is not a database",
    ...            what="the feedback file")  # doctest: +SKIP
    PosixPath('index/feedback.sqlite.broken-20261203-014500')
    """
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = path.with_name(f"{path.name}{BROKEN_SUFFIX}{stamp}")
    n = 2
    while target.exists():  # moved aside twice within a second
        target, n = path.with_name(f"{path.name}{BROKEN_SUFFIX}{stamp}-{n}"), n + 1
    os.replace(path, target)
    for companion in COMPANIONS:
        extra = path.with_name(path.name + companion)
        if extra.exists():
            os.replace(extra, target.with_name(target.name + companion))
    log.warning(
        "%s %s is unusable (%s): moved it aside to %s and started a new one%s",
        what,
        path,
        why,
        target.name,
        f" ({consequence})" if consequence else "",
    )
    return target


def connect_checked(
    where: str,
    *,
    schema: str,
    tables: Iterable[str],
    version: int,
    foreign_keys: bool = False,
) -> sqlite3.Connection:
    """A connection to the SQLite file ``where`` (or ``":memory:"``) in WAL mode, its
    ``schema`` created if missing and its ``version`` recorded, shared across threads.
    ``sqlite3.DatabaseError`` when the file holds other ``tables`` than ours or fails its
    quick check: the caller moves it aside (``move_aside``) and starts anew."""
    con = sqlite3.connect(where, check_same_thread=False, isolation_level=None, timeout=10)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")  # with WAL: a commit survives kill -9
        if foreign_keys:
            con.execute("PRAGMA foreign_keys=ON")
        found = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if found and not found <= set(tables):
            raise sqlite3.DatabaseError(f"a database of another schema ({', '.join(found)})")
        con.executescript(schema)
        con.execute(f"PRAGMA user_version={version}")
        (check,) = con.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(check)
    except BaseException:
        con.close()
        raise
    return con


def open_or_replace(
    path: Path | None,
    connect: Callable[[str], sqlite3.Connection],
    *,
    what: str,
    consequence: str = "",
    remedy: str,
) -> sqlite3.Connection:
    """``connect`` (``connect_checked`` with a schema) to the file at ``path``, its folder
    made if missing, or to memory when ``path`` is ``None``. A damaged file is moved aside
    (``move_aside`` with ``what`` and ``consequence``) and a new one started; a file that
    cannot be opened or written at all is a setting to fix: ``OSError`` (``EACCES``) naming
    ``what`` and the ``remedy``.

    >>> con = open_or_replace(Path("state.sqlite"), connect, what="the bot's state file",
    ...                       remedy="set QA_BOT_STATE to a writable file")  # doctest: +SKIP
    """
    if path is None:
        return connect(":memory:")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return connect(str(path))
        except sqlite3.OperationalError:
            raise  # cannot open or write it at all: a setting to fix, not a damaged file
        except sqlite3.DatabaseError as exc:
            move_aside(path, str(exc), what=what, consequence=consequence)
            return connect(str(path))
    except (OSError, sqlite3.OperationalError) as exc:
        raise OSError(errno.EACCES, f"cannot open {what} ({exc}); {remedy}", str(path)) from exc


@contextmanager
def locked_transaction(
    con: sqlite3.Connection, lock: threading.Lock
) -> Iterator[sqlite3.Connection]:
    """One write transaction on ``con`` (opened by ``connect_checked``, shared by threads):
    under ``lock``, ``BEGIN IMMEDIATE`` (the write lock up front, so two writers never
    deadlock upgrading), committed at the end of the block, rolled back on any exception.

    >>> with locked_transaction(con, lock) as c:              # doctest: +SKIP
    ...     c.execute("INSERT INTO pages VALUES (?)", (key,))
    """
    with lock:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
