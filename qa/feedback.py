"""Feedback on answers — 👍 / 👎 in the web page (``qa serve``) and in the bot — kept so that
it becomes evaluation: ``qa feedback export FILE.jsonl`` writes what users marked as
questions in the format ``qa eval`` reads.

Every answer shown with feedback buttons is remembered first (``FeedbackStore.remember``:
the question, the answer as ``qa ask --json`` gives it, the index generation, and the
passages a 👎 may name as the one that should have answered), under a short random key that
fits in a button. A rating copies all of that into its own row, so it stays complete when
the remembered answers are pruned (the last :data:`MAX_ANSWERS` are kept). One rating per
answer: rating it again replaces the earlier one. No user names, chat ids or addresses are
stored.

The file is ``QA_FEEDBACK`` (default ``feedback.sqlite`` in the index folder, beside the
bot's state; a build never touches it), SQLite in WAL mode, one transaction per change. A
file that is not such a database is moved aside (renamed with the time, a warning names it)
and a new one is started. Safe to share between threads.

Export rules (what a rating says about the question)::

    👍 on quotes          answerable; gold = the first quote; figures = the quotes' figures
    👍 on a decline        not answerable (the reports do not answer it)
    👎 naming a passage    answerable; gold = that passage
    👎 naming none         not exported: it says the answer is wrong, not what is right
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import threading
import time
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qa.answer import Answer
from qa.errors import ArgumentError, UnknownAnswerError
from qa.present import view_answer
from qa.present.as_json import answer_data
from qa.retrieve import Hit
from qa.sqlite_files import connect_checked, locked_transaction, open_or_replace

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")

#: Answers remembered for rating at once (older ones can no longer be rated).
MAX_ANSWERS = 5000
#: Passages a 👎 may name: the answer's best retrieved passages, quoted ones included.
CANDIDATES = 5
#: Longest gold anchor written by ``export``: a sentence's start is distinctive enough.
ANCHOR_CHARS = 60
#: The version of the file's schema (``PRAGMA user_version``).
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, question TEXT NOT NULL, language TEXT NOT NULL,
    generation TEXT NOT NULL, answer TEXT NOT NULL, candidates TEXT NOT NULL,
    asked REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_asked ON answers(asked);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL, language TEXT NOT NULL, generation TEXT NOT NULL,
    rating TEXT NOT NULL, found INTEGER NOT NULL, answer TEXT NOT NULL, intent TEXT,
    passage_id TEXT, passage_text TEXT, asked REAL NOT NULL, rated REAL NOT NULL
);
"""
_TABLES = {"answers", "feedback", "sqlite_sequence"}
_SENTENCE_END = re.compile(r"[。！？；!?;]|\.(?:\s|$)")


@dataclass(frozen=True)
class Candidate:
    """A passage a 👎 may name as the one that should have answered."""

    id: str
    text: str


@dataclass(frozen=True)
class RememberedAnswer:
    """An answer shown with feedback buttons, as remembered for rating it."""

    key: str
    question: str
    language: str
    generation: str
    answer: dict
    candidates: tuple[Candidate, ...]

    @property
    def found(self) -> bool:
        return bool(self.answer.get("found"))


@dataclass(frozen=True)
class Feedback:
    """One rating, complete in itself: the question, the answer as JSON (with the question's
    intent when the answer carries one), the index generation and, for a 👎, the passage
    named as the one that should have answered."""

    id: int
    key: str
    question: str
    language: str
    generation: str
    rating: Rating
    found: bool
    answer: dict
    intent: object | None
    passage_id: str | None
    passage_text: str | None
    asked: float
    rated: float

    @property
    def exportable(self) -> bool:
        """Whether ``export`` makes this rating a question (see the module docstring)."""
        return eval_question(self) is not None


@dataclass(frozen=True)
class FeedbackStats:
    """How many answers were rated, and how: ``exportable`` ratings become questions."""

    ratings: int
    up: int
    down: int
    down_with_passage: int
    exportable: int
    by_language: dict[str, dict[str, int]]
    remembered: int

    def as_dict(self) -> dict:
        return {
            "ratings": self.ratings,
            "up": self.up,
            "down": self.down,
            "down_with_passage": self.down_with_passage,
            "exportable": self.exportable,
            "by_language": self.by_language,
            "remembered_answers": self.remembered,
        }


@dataclass(frozen=True)
class ExportReport:
    """What ``export`` wrote: questions written, and ratings left out (a 👎 naming no
    passage)."""

    path: Path
    written: int
    skipped: int
    answerable: int


def feedback_candidates(answer: Answer) -> list[Hit]:
    """The passages a 👎 of ``answer`` may name: its best retrieved ones, quoted ones too."""
    return answer.hits[:CANDIDATES]


def anchor(text: str, limit: int = ANCHOR_CHARS) -> str:
    """A verbatim piece of ``text`` that finds its passage: its first sentence, at most
    ``limit`` characters (``qa eval`` looks for it in the retrieved passages' text).

    >>> anchor("全省發放低保金58.68億元。另有臨時救助3.4萬人次。")
    '全省發放低保金58.68億元。'
    """
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    found = _SENTENCE_END.search(text, start, end)
    if found is not None:
        end = found.start() + 1
    return text[start : min(end, start + limit)].rstrip()


def eval_question(item: Feedback) -> dict | None:
    """A rating as a question of ``qa eval``'s format (see the module docstring); ``None``
    when the rating says nothing about what the right answer is."""
    base = {
        "id": f"feedback-{item.id}",
        "lang": item.language,
        "question": item.question,
        "kind": "feedback",
        "rating": item.rating,
        "generation": item.generation,
    }
    if item.rating == "up":
        quotes = item.answer.get("quotes") or []
        if not item.found or not quotes:
            return {**base, "answerable": False, "gold_anchor": None, "figures": []}
        figures = [f["text"] for q in quotes for f in q.get("figures", [])]
        gold = anchor(quotes[0]["text"])
        return {**base, "answerable": True, "gold_anchor": gold, "figures": figures}
    if item.passage_text:
        gold = anchor(item.passage_text)
        return {
            **base,
            "answerable": True,
            "gold_anchor": gold,
            "figures": [],
            "gold_passage": item.passage_id,
        }
    return None


class FeedbackStore:
    """The feedback file at ``path`` (kept in memory when ``path`` is ``None``)."""

    def __init__(self, path: Path | None = None, *, max_answers: int = MAX_ANSWERS) -> None:
        self.path = path
        self._max_answers = max_answers
        self._lock = threading.Lock()
        self._con = self._open()
        self._remembered = 0

    # -- the file -----------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        return open_or_replace(
            self.path,
            _connect,
            what="the feedback file",
            remedy="set QA_FEEDBACK to a writable file, or to off",
        )

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return locked_transaction(self._con, self._lock)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    # -- answers to rate ----------------------------------------------------------------
    def remember(self, answer: Answer, *, generation: str) -> str:
        """Remember ``answer`` (from index generation ``generation``) for rating; returns its
        key (16 URL-safe characters: it fits in a Telegram button's data)."""
        key = secrets.token_urlsafe(12)
        data = answer_data(view_answer(answer))
        candidates = [{"id": h.id, "text": h.text} for h in feedback_candidates(answer)]
        with self._transaction() as con:
            con.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    answer.question,
                    answer.language,
                    generation,
                    json.dumps(data, ensure_ascii=False),
                    json.dumps(candidates, ensure_ascii=False),
                    time.time(),
                ),
            )
            self._remembered += 1
            if self._remembered % 64 == 0:  # prune now and then, not on every answer
                con.execute(
                    "DELETE FROM answers WHERE key IN "
                    "(SELECT key FROM answers ORDER BY asked DESC LIMIT -1 OFFSET ?)",
                    (self._max_answers,),
                )
        return key

    def answer(self, key: str) -> RememberedAnswer | None:
        """The answer remembered under ``key`` (``None`` when unknown or pruned)."""
        with self._lock:
            row = self._con.execute(
                "SELECT key, question, language, generation, answer, candidates FROM answers "
                "WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        candidates = tuple(Candidate(c["id"], c["text"]) for c in json.loads(row[5]))
        return RememberedAnswer(row[0], row[1], row[2], row[3], json.loads(row[4]), candidates)

    # -- ratings ------------------------------------------------------------------------
    def rate(self, key: str, rating: str, *, passage: str | None = None) -> Feedback:
        """Record ``rating`` ("up" or "down") of the answer remembered under ``key``; a 👎
        may name ``passage``, one of the answer's candidates. Rating an answer again
        replaces the earlier rating. ``UnknownAnswerError`` for a key not remembered,
        ``ArgumentError`` for another rating or a passage that is no candidate."""
        if rating not in RATINGS:
            raise ArgumentError(f"a rating is 'up' or 'down', not {rating!r}")
        remembered = self.answer(key)
        if remembered is None:
            raise UnknownAnswerError("this answer is unknown or expired; ask again to rate it")
        chosen: Candidate | None = None
        if passage is not None:
            if rating != "down":
                raise ArgumentError("only a 👎 names the passage that should have answered")
            chosen = next((c for c in remembered.candidates if c.id == passage), None)
            if chosen is None:
                raise ArgumentError(f"passage {passage!r} is not one of this answer's passages")
        now = time.time()
        with self._transaction() as con:
            asked = con.execute("SELECT asked FROM answers WHERE key = ?", (key,)).fetchone()
            con.execute(
                "INSERT INTO feedback (key, question, language, generation, rating, found, "
                "answer, intent, passage_id, passage_text, asked, rated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET rating = excluded.rating, "
                "passage_id = excluded.passage_id, passage_text = excluded.passage_text, "
                "rated = excluded.rated",
                (
                    key,
                    remembered.question,
                    remembered.language,
                    remembered.generation,
                    rating,
                    int(remembered.found),
                    json.dumps(remembered.answer, ensure_ascii=False),
                    _intent(remembered.answer),
                    chosen.id if chosen else None,
                    chosen.text if chosen else None,
                    asked[0] if asked else now,
                    now,
                ),
            )
            row = con.execute(f"{_SELECT} WHERE key = ?", (key,)).fetchone()
        return _feedback(row)

    def items(self) -> list[Feedback]:
        """Every rating, oldest first."""
        with self._lock:
            rows = self._con.execute(f"{_SELECT} ORDER BY id").fetchall()
        return [_feedback(r) for r in rows]

    def stats(self) -> FeedbackStats:
        """Counts of the ratings (``qa feedback stats``)."""
        items = self.items()
        by_language: dict[str, Counter[str]] = {}
        for item in items:
            by_language.setdefault(item.language, Counter())[item.rating] += 1
        with self._lock:
            (remembered,) = self._con.execute("SELECT COUNT(*) FROM answers").fetchone()
        return FeedbackStats(
            ratings=len(items),
            up=sum(1 for i in items if i.rating == "up"),
            down=sum(1 for i in items if i.rating == "down"),
            down_with_passage=sum(1 for i in items if i.rating == "down" and i.passage_id),
            exportable=sum(1 for i in items if i.exportable),
            by_language={
                lang: {"up": c["up"], "down": c["down"]} for lang, c in sorted(by_language.items())
            },
            remembered=int(remembered),
        )

    def export(self, path: str | Path) -> ExportReport:
        """Write the ratings as questions ``qa eval`` reads (JSONL, one a line; see the
        module docstring for which ratings become which questions)."""
        path = Path(path)
        questions, skipped = [], 0
        for item in self.items():
            question = eval_question(item)
            if question is None:
                skipped += 1
            else:
                questions.append(question)
        if not questions:
            raise ArgumentError(
                f"no rating to export yet ({skipped} 👎 without a passage named)"
                if skipped
                else "no rating to export yet"
            )
        text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return ExportReport(
            path=path,
            written=len(questions),
            skipped=skipped,
            answerable=sum(1 for q in questions if q["answerable"]),
        )


_SELECT = (
    "SELECT id, key, question, language, generation, rating, found, answer, intent, "
    "passage_id, passage_text, asked, rated FROM feedback"
)


def _feedback(row: tuple) -> Feedback:
    return Feedback(
        id=row[0],
        key=row[1],
        question=row[2],
        language=row[3],
        generation=row[4],
        rating=row[5],
        found=bool(row[6]),
        answer=json.loads(row[7]),
        intent=json.loads(row[8]) if row[8] is not None else None,
        passage_id=row[9],
        passage_text=row[10],
        asked=row[11],
        rated=row[12],
    )


def _intent(answer: dict) -> str | None:
    """The question's intent as the answer's JSON carries it (when it does)."""
    intent = answer.get("intent")
    return None if intent is None else json.dumps(intent, ensure_ascii=False)


def _connect(where: str) -> sqlite3.Connection:
    return connect_checked(where, schema=_SCHEMA, tables=_TABLES, version=SCHEMA_VERSION)
