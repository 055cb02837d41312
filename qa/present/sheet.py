"""Tables of what an index holds: the figure sheet (CSV, JSON, terminal) and the list of
reports with each metadata value's origin (``qa sources``); and a table answer as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qa.answer.sheet import FigureRow
from qa.documents import FIELDS, Document
from qa.paths import shown
from qa.periods import Period
from qa.present.as_json import dumps, sources_data
from qa.present.safe import clean
from qa.present.view import AnswerView

#: The figure sheet's columns, in order (CSV header and JSON keys).
FIGURE_COLUMNS = (
    "doc",
    "document",
    "section",
    "paragraph",
    "passage_id",
    "figure",
    "value",
    "unit",
    "kind",
    "qualifier",
    "measures",
    "sentence",
)


def _value(value: float) -> str:
    """A figure's value as written in the sheet: whole numbers without ".0"."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def figures_csv(rows: Sequence[FigureRow]) -> str:
    """The figure sheet as CSV (UTF-8 text, a header row, one figure a line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIGURE_COLUMNS)
    for row in rows:
        data = asdict(row)
        data["value"] = _value(row.value)
        writer.writerow(["" if data[c] is None else data[c] for c in FIGURE_COLUMNS])
    return out.getvalue()


def figures_data(rows: Sequence[FigureRow]) -> list[dict]:
    """The figure sheet as a list of objects, one per figure, with the columns as keys."""
    return [{c: asdict(row)[c] for c in FIGURE_COLUMNS} for row in rows]


#: A table answer's CSV columns, in order: the keys of the rows ``qa ask --json`` writes
#: under ``table``, with the quote's citation spread over its own columns.
TABLE_COLUMNS = (
    "label",
    "region",
    "year",
    "found",
    "role",
    "figure",
    "value",
    "unit",
    "report",
    "quote",
    "document",
    "section",
    "paragraph",
    "passage_id",
)

#: A cell a spreadsheet would read as a formula starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell: text from a report that starts like a formula is written with a leading
    ``'`` (spreadsheets then show it as text and run nothing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return _value(value)
    text = clean(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def table_csv(view: AnswerView) -> str | None:
    """A table answer as CSV (UTF-8 text, a header row, one report a line, in the
    question's order; a report that states no such figure is a row with ``found`` false),
    or ``None`` when the answer is no table."""
    table = view.table
    if table is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    for row in table.rows:
        quote = row.quote
        citation = quote.quote.citation if quote is not None else None
        values = {
            "label": row.label,
            "region": row.region,
            "year": row.year,
            "found": quote is not None,
            "role": row.role_code if quote is not None else None,
            "figure": row.figure or None,
            "value": row.value,
            "unit": row.unit or None,
            "report": row.report,
            "quote": quote.excerpt.text if quote is not None else None,
            "document": citation.document if citation else None,
            "section": citation.section if citation else None,
            "paragraph": citation.paragraph if citation else None,
            "passage_id": citation.passage_id if citation else None,
        }
        writer.writerow([_cell(values[c]) for c in TABLE_COLUMNS])
    return out.getvalue()


def figures_json(rows: Sequence[FigureRow]) -> str:
    """The figure sheet as a JSON list of objects."""
    return dumps(figures_data(rows))


def print_figures(console: Console, rows: Sequence[FigureRow]) -> None:
    """The figure sheet as a terminal table (the sentence is in the CSV and JSON)."""
    several = len({row.doc for row in rows}) > 1
    table = Table(show_lines=False, header_style="dim")
    for column in ("doc",) * several + ("¶", "figure", "kind", "unit", "qualifier", "measures"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            *(clean(row.doc),) * several,
            "" if row.paragraph is None else str(row.paragraph),
            Text(clean(row.figure), style="bold"),
            row.kind,
            clean(row.unit or ""),
            row.qualifier,
            clean(row.measures or ""),
        )
    console.print(table)
    console.print(Text(f"{len(rows)} figures", style="dim"))


def sources_json(documents: Sequence[Document]) -> str:
    """Every report with its metadata and each value's origin, as JSON."""
    return dumps(sources_data(documents))


def print_sources(console: Console, documents: Sequence[Document]) -> None:
    """Every report, each metadata value followed by where it came from."""
    for doc in documents:
        console.print(Text(clean(doc.id), style="bold"))
        for name in FIELDS:
            value = getattr(doc, name)
            if value is None or value == "":
                continue
            if isinstance(value, Period):
                value = value.label()
            line = Text(clean(f"  {name:<10}{value}"))
            origin = doc.origin(name)
            if origin:
                line.append(f"  ({origin})", style="dim")
            console.print(line, soft_wrap=True)
        if doc.path:
            console.print(
                Text(clean(f"  {'path':<10}{shown(doc.path)}"), style="dim"), soft_wrap=True
            )
