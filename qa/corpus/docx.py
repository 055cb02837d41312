"""Paragraphs, headings and metadata of Word reports (``.docx``, read with python-docx).

Body paragraphs and tables are read in document order. Paragraphs styled Heading N (or
with an outline level, as Chinese templates often set) are headings and the first one
styled Title is the title; a document that styles no headings gets the text files'
short-line rule instead. Each table row is one passage, its cells joined with " | ".
Title and creation date come from the core properties.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qa.corpus import metadata
from qa.corpus.plaintext import Block, join_lines, looks_like_heading
from qa.errors import SourceError

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

log = logging.getLogger(__name__)

CELL_SEPARATOR = " | "

_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題)\s*[1-9]$", re.IGNORECASE)
_TITLE_STYLE = {"title", "标题", "標題"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# python-docx's blank template carries this creation time: it dates the template, not the
# report, so documents generated from it without setting a date get none.
_TEMPLATE_CREATED = datetime(2013, 12, 23, 23, 15)


def parse(path: Path, data: bytes) -> tuple[dict, list[Block]]:
    """A Word document's metadata and layout (title, headings, paragraphs, table rows)."""
    from docx.table import Table

    document = _open(path, data)
    items: list[tuple[str, str]] = []  # (role, text); role: title | heading | body | row
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            items.extend(("row", text) for text in _table_rows(item))
            continue
        text = _text(item.text)
        if text:
            items.append((_role(item), text))
    styled = any(role == "heading" for role, _ in items)
    layout: list[Block] = []
    for role, text in items:
        if role == "title" and not any(b.kind == "title" for b in layout):
            layout.append(Block("title", text))
        elif role in ("heading", "title") or (
            role == "body" and not styled and _short_line_heading(text)
        ):
            layout.append(Block("heading", text))
        else:
            layout.append(Block("paragraph", text))
    return _core_metadata(path, document), layout


def _open(path: Path, data: bytes) -> WordDocument:
    # Imported here so that text-only use of the corpus does not load python-docx.
    import docx

    if data.startswith(_OLE_MAGIC):
        raise SourceError(f"{path}: an old binary Word (.doc) file; save it as .docx")
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:
        # python-docx raises zip, package, XML and key errors on damaged files alike.
        raise SourceError(
            f"{path}: not a readable Word document ({type(exc).__name__}: {exc})"
        ) from exc


def _text(raw: str) -> str:
    """A paragraph's text, its line breaks joined like wrapped lines of a text file."""
    return join_lines(raw.split("\n"))


def _style_names_and_levels(paragraph: Paragraph) -> tuple[list[str], list[str]]:
    """Style names up the style's inheritance chain, and outline levels set on the way."""
    levels = list(paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val"))
    names: list[str] = []
    style = paragraph.style
    for _ in range(10):  # a bounded walk: style chains may be cyclic in damaged files
        if style is None:
            break
        names.append((style.name or "").strip())
        levels.extend(style.element.xpath("./w:pPr/w:outlineLvl/@w:val"))
        style = style.base_style
    return names, levels


def _role(paragraph: Paragraph) -> str:
    try:
        names, levels = _style_names_and_levels(paragraph)
    except (AttributeError, KeyError, ValueError):
        return "body"
    if names and names[0].lower() in _TITLE_STYLE:
        return "title"
    if any(_HEADING_STYLE.match(name) for name in names):
        return "heading"
    # Outline levels 0–8 are heading levels; 9 is body text.
    if levels and levels[0].isdigit() and int(levels[0]) < 9:
        return "heading"
    return "body"


def _short_line_heading(text: str) -> bool:
    return looks_like_heading(text) and not metadata.is_note_line(text)


def _table_rows(table: Table) -> list[str]:
    """One line per table row: its non-repeated cells' text joined with " | "."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                continue  # a horizontally merged cell is listed once per grid column
            previous = cell._tc
            cells.append(_text(cell.text))
        if any(cells):
            rows.append(CELL_SEPARATOR.join(cells))
    return rows


def _core_metadata(path: Path, document: WordDocument) -> dict:
    """Title and creation date from the document's core properties."""
    try:
        props = document.core_properties
        title, created = props.title, props.created
    except Exception as exc:  # a damaged core.xml costs the metadata, not the text
        log.warning("%s: cannot read the document properties (%s)", path, exc)
        return {}
    meta: dict = {}
    if title and title.strip():
        meta["title"] = title.strip()
    if isinstance(created, datetime) and created.replace(tzinfo=None) != _TEMPLATE_CREATED:
        meta["date"] = created.date().isoformat()
    return metadata.clean(meta, where=str(path))
