"""What the bot remembers across restarts, in a small SQLite file: the passages behind each
"more passages" button (their ids, not their texts: the passages are read from the index when
the button is pressed), each user's question budget (with wall-clock times, so a restart
neither refills nor empties it) and each conversation's thread (the last question's intent, as
``Intent.to_json()``, which a follow-up question takes over).

The file is ``QA_BOT_STATE`` (default ``bot-state.sqlite`` inside the index folder: one folder
to deploy and back up; a build never touches it). Every change is its own transaction in WAL
mode, so ``kill -9`` loses nothing already answered. Size is bounded: the last
:data:`MAX_PAGES` answers keep their pages, and a budget is dropped once it has refilled
(after one rate-limit window it is as good as new) or past :data:`MAX_USERS` users, a thread
once it is older than the conversation lifetime or past :data:`MAX_THREADS`. A file
that is not such a database is moved aside (renamed with the time, a warning names it) and a
new one is started: losing the "more" pages is better than not starting.

Handlers run on the event loop and call this from there; a lock makes it safe from worker
threads as well. Each call is a few milliseconds at most.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from qa import connect_checked, locked_transaction, open_or_replace

#: Answers whose "more" pages are kept (older ones expire politely).
MAX_PAGES = 2000
#: Users whose question budget is kept at once (beyond, the longest idle are forgotten).
MAX_USERS = 100_000
#: Conversation threads kept at once (beyond, the longest idle are forgotten).
MAX_THREADS = 100_000
#: Budgets are pruned every this many questions.
PRUNE_EVERY = 256
#: The version of the file's schema (``PRAGMA user_version``).
SCHEMA_VERSION = 2  # 2: threads

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    key TEXT PRIMARY KEY, question TEXT NOT NULL, language TEXT NOT NULL,
    passages TEXT NOT NULL, used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_used ON pages(used);
CREATE TABLE IF NOT EXISTS shown (
    key TEXT NOT NULL REFERENCES pages(key) ON DELETE CASCADE, offset INTEGER NOT NULL,
    PRIMARY KEY (key, offset)
);
CREATE TABLE IF NOT EXISTS buckets (
    user INTEGER PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL,
    warned INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS buckets_updated ON buckets(updated);
CREATE TABLE IF NOT EXISTS threads (
    chat INTEGER NOT NULL, user INTEGER NOT NULL, intent TEXT NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (chat, user)
);
CREATE INDEX IF NOT EXISTS threads_updated ON threads(updated);
"""
_TABLES = {"pages", "shown", "buckets", "threads"}


@dataclass
class StoredPage:
    """The passages of one answer still behind its "more" button: their ids (best first),
    and the offsets already sent."""

    question: str
    language: str
    passage_ids: list[str]
    shown: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Bucket:
    """One user's question budget: tokens left at ``updated`` (wall-clock seconds), and
    whether they were told they are asking too fast."""

    tokens: float
    updated: float
    warned: bool = False


class BotMemory:
    """The bot's state file (``path``), or state kept in memory when ``path`` is ``None``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con = self._open()

    def _open(self) -> sqlite3.Connection:
        return open_or_replace(
            self.path,
            self._connect,
            what="the bot's state file",
            consequence="earlier 'more' buttons expire, question budgets start full",
            remedy="set QA_BOT_STATE to a writable file, or to off to keep the state in memory",
        )

    @staticmethod
    def _connect(where: str) -> sqlite3.Connection:
        return connect_checked(
            where, schema=_SCHEMA, tables=_TABLES, version=SCHEMA_VERSION, foreign_keys=True
        )

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return locked_transaction(self._con, self._lock)

    # -- "more" pages -----------------------------------------------------------------
    def remember(
        self, key: str, question: str, language: str, passage_ids: Sequence[str], *, keep: int
    ) -> None:
        """Store an answer's further passages under ``key``; keep only the last ``keep``."""
        with self._transaction() as con:
            con.execute(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                (key, question, language, json.dumps(list(passage_ids)), time.time()),
            )
            con.execute(
                "DELETE FROM pages WHERE key IN "
                "(SELECT key FROM pages ORDER BY used DESC LIMIT -1 OFFSET ?)",
                (keep,),
            )

    def page(self, key: str) -> StoredPage | None:
        """The page stored under ``key`` (``None`` when it expired), marked as used now."""
        with self._transaction() as con:
            row = con.execute(
                "SELECT question, language, passages FROM pages WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            con.execute("UPDATE pages SET used = ? WHERE key = ?", (time.time(), key))
            shown = {r[0] for r in con.execute("SELECT offset FROM shown WHERE key = ?", (key,))}
        try:
            ids = [str(i) for i in json.loads(row[2])]
        except (ValueError, TypeError):
            return None
        return StoredPage(row[0], row[1], ids, shown)

    def mark_shown(self, key: str, offset: int) -> bool:
        """Record that the page at ``offset`` was sent; False if it already was (two presses
        of one button)."""
        with self._transaction() as con:
            if con.execute("SELECT 1 FROM pages WHERE key = ?", (key,)).fetchone() is None:
                return False
            cursor = con.execute("INSERT OR IGNORE INTO shown VALUES (?, ?)", (key, offset))
            return cursor.rowcount == 1

    def pages(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT COUNT(*) FROM pages").fetchone()[0])

    # -- question budgets ---------------------------------------------------------------
    @contextmanager
    def bucket(self, user: int) -> Iterator[list[Bucket | None]]:
        """A user's budget to read and replace in one transaction::

        with memory.bucket(7) as slot:
            slot[0] = Bucket(...)     # slot[0] is the stored bucket, or None
        """
        with self._transaction() as con:
            row = con.execute(
                "SELECT tokens, updated, warned FROM buckets WHERE user = ?", (user,)
            ).fetchone()
            slot: list[Bucket | None] = [Bucket(row[0], row[1], bool(row[2])) if row else None]
            yield slot
            if slot[0] is not None:
                b = slot[0]
                con.execute(
                    "INSERT OR REPLACE INTO buckets VALUES (?, ?, ?, ?)",
                    (user, b.tokens, b.updated, int(b.warned)),
                )

    def prune_buckets(self, *, idle_since: float, keep: int) -> None:
        """Drop the budgets untouched since ``idle_since`` (refilled by now), and all but the
        ``keep`` most recent."""
        with self._transaction() as con:
            con.execute("DELETE FROM buckets WHERE updated < ?", (idle_since,))
            con.execute(
                "DELETE FROM buckets WHERE user IN "
                "(SELECT user FROM buckets ORDER BY updated DESC LIMIT -1 OFFSET ?)",
                (keep,),
            )

    def buckets(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT COUNT(*) FROM buckets").fetchone()[0])

    # -- conversation threads -----------------------------------------------------------
    def remember_thread(
        self, chat: int, user: int, intent: dict, *, now: float, idle_since: float, keep: int
    ) -> None:
        """Keep ``intent`` (``Intent.to_json()``) as the thread of ``user`` in ``chat``; drop
        the threads untouched since ``idle_since`` and all but the ``keep`` most recent."""
        with self._transaction() as con:
            con.execute(
                "INSERT OR REPLACE INTO threads VALUES (?, ?, ?, ?)",
                (chat, user, json.dumps(intent, ensure_ascii=False), now),
            )
            con.execute("DELETE FROM threads WHERE updated < ?", (idle_since,))
            con.execute(
                "DELETE FROM threads WHERE rowid IN "
                "(SELECT rowid FROM threads ORDER BY updated DESC LIMIT -1 OFFSET ?)",
                (keep,),
            )

    def thread(self, chat: int, user: int, *, idle_since: float) -> dict | None:
        """The intent kept as the thread of ``user`` in ``chat``, unless it is older than
        ``idle_since`` (or unreadable)."""
        with self._lock:
            row = self._con.execute(
                "SELECT intent FROM threads WHERE chat = ? AND user = ? AND updated >= ?",
                (chat, user, idle_since),
            ).fetchone()
        if row is None:
            return None
        try:
            data = json.loads(row[0])
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def forget_thread(self, chat: int, user: int) -> bool:
        """Forget the thread of ``user`` in ``chat``; False if there was none."""
        with self._transaction() as con:
            cursor = con.execute("DELETE FROM threads WHERE chat = ? AND user = ?", (chat, user))
            return cursor.rowcount > 0

    def threads(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT COUNT(*) FROM threads").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._con.close()
