"""The passages of an index and their documents, in SQLite (readable, lazy, never pickle).

Row numbers (0-based, in build order) are the vector ids in FAISS and the document
numbers in BM25, so a hit's row fetches its passage directly.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from qa.documents import Document, Passage
from qa.periods import Period
from qa.errors import IndexCorruptError

FILENAME = "passages.sqlite"
#: Version of the documents and passages tables (recorded in the manifest; 2 added each
#: value's origin, 3 a report's speaker and periods, a passage's section path and period).
DOCUMENTS_FORMAT = 3

_SCHEMA = """
-- origins: JSON object, metadata field → where its value came from (Document.origins).
-- reviews, plans, period: a year or a range of years ("2025", "2021-2025").
CREATE TABLE documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, path TEXT, source TEXT, date TEXT,
    region TEXT, year INTEGER, publisher TEXT, notes TEXT NOT NULL, origins TEXT NOT NULL,
    speaker TEXT, reviews TEXT, plans TEXT
);
-- sections: JSON list, the headings a passage stands under, outermost first.
CREATE TABLE passages (
    row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL REFERENCES documents(id),
    text TEXT NOT NULL, section TEXT, paragraph INTEGER, kind TEXT NOT NULL, title TEXT,
    sections TEXT NOT NULL, period TEXT, role TEXT
);
-- The documents' own records, found at open without reading every passage.
CREATE INDEX records ON passages(row) WHERE kind = 'metadata';
-- Each document's rows, found at open from this index alone (not the passages' text).
CREATE INDEX document_rows ON passages(doc, row);
"""


def write(path: Path, documents: Iterable[Document], passages: Sequence[Passage]) -> None:
    """Write a fresh passage store at ``path`` (which must not exist)."""
    con = sqlite3.connect(path)
    try:
        con.executescript(_SCHEMA)
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (d.id, d.title, d.path, d.source, d.date, d.region, d.year, d.publisher,
                 json.dumps(list(d.notes), ensure_ascii=False),
                 json.dumps(dict(d.origins), ensure_ascii=False),
                 d.speaker, _label(d.reviews), _label(d.plans))
                for d in documents
            ],
        )
        con.executemany(
            "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (row, p.id, p.doc, p.text, p.section, p.paragraph, p.kind, p.title,
                 json.dumps(list(p.sections), ensure_ascii=False), _label(p.period), p.role)
                for row, p in enumerate(passages)
            ],
        )
        con.commit()
    finally:
        con.close()


def document_ids(path: Path) -> list[str] | None:
    """The ids of the documents in the passage store at ``path``, read without opening the
    store (read-only, no checks); ``None`` when it cannot be read."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return [r[0] for r in con.execute("SELECT id FROM documents ORDER BY rowid")]
    except sqlite3.Error:
        return None
    finally:
        con.close()


_PASSAGE_COLUMNS = "id, doc, text, section, paragraph, kind, title, sections, period, role"


def _label(period: Period | None) -> str | None:
    return period.label().replace("–", "-") if period is not None else None


def _period(text: str | None) -> Period | None:
    return Period.parse(text) if text else None


def _passage(r: tuple) -> Passage:
    return Passage(
        id=r[0], doc=r[1], text=r[2], section=r[3], paragraph=r[4], kind=r[5], title=r[6],
        sections=tuple(json.loads(r[7])), period=_period(r[8]), role=r[9],
    )


class PassageStore:
    """Read access to an index's passages and documents; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        # Opened read-only through a URI so that a reader can never modify a built index.
        self.path = path
        self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            (self.count,) = self._con.execute("SELECT COUNT(*) FROM passages").fetchone()
            self.documents: dict[str, Document] = {
                r[0]: Document(
                    id=r[0], title=r[1], path=r[2] or "", source=r[3], date=r[4], region=r[5],
                    year=r[6], publisher=r[7], notes=tuple(json.loads(r[8])),
                    origins=tuple(json.loads(r[9]).items()), speaker=r[10],
                    reviews=_period(r[11]), plans=_period(r[12]),
                )
                for r in self._con.execute("SELECT * FROM documents ORDER BY rowid")
            }

    def get(self, rows: Sequence[int]) -> list[Passage]:
        """Passages at ``rows``, in the order given."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        with self._lock, self._reading():
            found = {
                r[0]: _passage(r[1:])
                for r in self._con.execute(
                    f"SELECT row, {_PASSAGE_COLUMNS} FROM passages WHERE row IN ({marks})",
                    [int(r) for r in rows],
                )
            }
        return [found[int(r)] for r in rows]

    def all(self) -> list[Passage]:
        with self._lock, self._reading():
            return [
                _passage(r)
                for r in self._con.execute(
                    f"SELECT {_PASSAGE_COLUMNS} FROM passages ORDER BY row"
                )
            ]

    def record_rows(self) -> np.ndarray:
        """Rows of the documents' own records (``kind == "metadata"``), ascending."""
        with self._lock, self._reading():
            # The literal (not a parameter) lets SQLite use the partial index `records`.
            rows = [r[0] for r in self._con.execute(
                "SELECT row FROM passages WHERE kind = 'metadata' ORDER BY row")]
        return np.asarray(rows, dtype=np.int64)

    def rows_of_ids(self, ids: Sequence[str]) -> dict[str, int]:
        """Rows of the passages with these ids (ids not in the index are left out)."""
        found: dict[str, int] = {}
        ids = list(ids)
        with self._lock, self._reading():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    self._con.execute(f"SELECT id, row FROM passages WHERE id IN ({marks})", chunk)
                )
        return found

    def document_rows(self) -> dict[str, tuple[int, int]]:
        """Each document's rows as ``[first, last + 1)``: a document's passages are written
        together, so they are one contiguous run of rows (checked)."""
        with self._lock:
            spans = self._con.execute(
                "SELECT doc, MIN(row), MAX(row), COUNT(*) FROM passages GROUP BY doc"
            ).fetchall()
        out: dict[str, tuple[int, int]] = {}
        for doc, first, last, count in spans:
            if last - first + 1 != count:
                raise ValueError(f"the passages of document {doc!r} are not contiguous")
            out[doc] = (int(first), int(last) + 1)
        return out

    def check_structure(self) -> str | None:
        """SQLite's structural check of the file (reads all of it): ``None`` when intact,
        else the first problem found."""
        with self._lock, self._reading():
            problems = [r[0] for r in self._con.execute("PRAGMA quick_check")]
        return None if problems == ["ok"] else problems[0]

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """A file damaged after it was opened fails a query with one line naming it."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError.damaged(self.path, str(exc)) from exc

    def close(self) -> None:
        with self._lock:
            self._con.close()
