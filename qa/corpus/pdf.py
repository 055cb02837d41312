"""Paragraphs, headings and metadata of PDF reports (text layer read with pypdf).

A PDF holds lines, not paragraphs: a paragraph's lines are joined back (CJK lines without a
space) while each line runs to the full text width, and the paragraph ends at a short line,
a blank line or an indented next line. Page numbers and running headers/footers (the same
first or last line on most pages) are dropped. Short lines without figures or sentence
punctuation are headings, as in text files. Title and creation date come from the PDF's
document information dictionary.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from qa.corpus import metadata
from qa.corpus.layout import PAGE_NUMBER, furniture_key
from qa.corpus.plaintext import _SENTENCE_END, Block, join_lines, looks_like_heading
from qa.errors import SourceError

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

log = logging.getLogger(__name__)

#: A line shorter than this share of the full text width ends its paragraph. Justified CJK
#: lines vary by a character or two; ragged-right Latin lines by up to a long word.
FULL_LINE_SHARE = 0.85
#: A line starting this many layout columns right of the line before begins a paragraph.
INDENT_COLUMNS = 2

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
# Titles that name the file the PDF was printed from, not the report.
_TITLE_PREFIX = re.compile(r"^microsoft\s+(?:word|excel|powerpoint)\s*-\s*", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\.(?:docx?|wps|pdf|txt|rtf|xlsx?|pptx?)$", re.IGNORECASE)
_NO_TITLE = {"untitled", "无标题", "無標題", "title", "document", "文档", "文件"}


def _quiet_pypdf() -> None:
    # pypdf logs every repair of a damaged file (dozens of lines for one broken PDF); what
    # cannot be read is said once by this reader, naming the file and page.
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def parse(path: Path, data: bytes) -> tuple[dict, list[Block]]:
    """A PDF's metadata and layout (headings and paragraphs) from its text layer."""
    _quiet_pypdf()
    reader = _open(path, data)
    pages = _page_lines(path, reader)
    if not any(line.text.strip() for page in pages for line in page):
        raise SourceError(f"{path}: no text layer (scanned PDF?)")
    layout = [
        Block("heading" if _is_heading(text) else "paragraph", text)
        for text in paragraphs(_drop_page_furniture(pages))
    ]
    return _info(path, reader), layout


def _open(path: Path, data: bytes) -> PdfReader:
    # Imported here so that text-only use of the corpus does not load pypdf.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        # pypdf tries the empty user password itself (restricted-but-open PDFs).
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceError(f"{path}: encrypted PDF (it needs a password to open)")
        _ = reader.pages[0]  # a file without a readable page tree fails here
    except SourceError:
        raise
    except DependencyError as exc:
        raise SourceError(
            f"{path}: encrypted PDF (AES; reading it needs the 'cryptography' package)"
        ) from exc
    except Exception as exc:
        # pypdf raises many types (PdfReadError, ValueError, KeyError, …) on damaged files.
        raise SourceError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    return reader


class Line(NamedTuple):
    """A line of a page's text, and its indent in columns when the layout tells it."""

    text: str
    indent: int | None = None


def _page_lines(path: Path, reader: PdfReader) -> list[list[Line]]:
    """Each page's text lines; a page whose text cannot be extracted is left out."""
    pages: list[list[Line]] = []
    failed = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # a damaged content stream spoils one page, not the report
            log.warning("%s: page %d: cannot extract text (%s)", path, number, exc)
            failed += 1
            continue
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        pages.append(_with_indents(lines, page))
    if failed and not pages:
        raise SourceError(f"{path}: not a readable PDF (no page's text could be extracted)")
    return pages


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _with_indents(lines: list[str], page: PageObject) -> list[Line]:
    """The page's lines with their indents, read off pypdf's layout mode.

    The text itself comes from the plain mode: layout mode pads lines with spaces to place
    them on a grid. Its leading spaces show where a line starts, though — the first-line
    indent of a paragraph. Used only when both modes agree on the lines, character for
    character (spaces aside); otherwise the page has no indents.
    """
    try:
        grid = [ln for ln in page.extract_text(extraction_mode="layout").split("\n") if ln.strip()]
    except Exception:  # layout mode fails on some fonts; indents are only a hint
        grid = []
    text_lines = [ln for ln in lines if ln.strip()]
    if len(grid) != len(text_lines) or any(
        _squash(a) != _squash(b) for a, b in zip(grid, text_lines, strict=True)
    ):
        return [Line(ln) for ln in lines]
    indents = iter(len(ln) - len(ln.lstrip(" ")) for ln in grid)
    return [Line(ln, next(indents)) if ln.strip() else Line(ln) for ln in lines]


def _drop_page_furniture(pages: list[list[Line]]) -> list[Line]:
    """All lines in reading order, without page numbers and running headers/footers."""
    bodies = [[i for i, line in enumerate(page) if line.text.strip()] for page in pages]
    ends = [(page[b[0]].text, page[b[-1]].text) for page, b in zip(pages, bodies, strict=True) if b]
    firsts = Counter(furniture_key(first) for first, _ in ends)
    lasts = Counter(furniture_key(last) for _, last in ends)
    # A line repeated at the top (or bottom) of at least two pages and half of them.
    repeated = max(2, (len(pages) + 1) // 2)
    out: list[Line] = []
    for page, body in zip(pages, bodies, strict=True):
        start, end = 0, len(body)
        # A page may carry a running header and a page number at either end: up to two.
        for _ in range(2):
            if start < end and _furniture(page[body[start]].text, firsts, repeated):
                start += 1
            if start < end and _furniture(page[body[end - 1]].text, lasts, repeated):
                end -= 1
        if start < end:
            out.extend(page[body[start] : body[end - 1] + 1])
    return out


def _furniture(line: str, seen: Counter, repeated: int) -> bool:
    return bool(PAGE_NUMBER.match(line.strip())) or seen[furniture_key(line)] >= repeated


def display_width(text: str) -> int:
    """Width in half-width columns: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def full_width(widths: list[int]) -> int:
    """The width of a full line of body text.

    The widest width that at least two lines come close to (within 10%): body lines run
    to about the same width, while one overlong line (a table row, a URL) stands alone.
    Lines of all different widths give the widest; a lower guess would merge paragraphs.
    """
    ordered = sorted(widths)
    for i in range(len(ordered) - 1, -1, -1):
        width = ordered[i]
        if bisect.bisect_left(ordered, 0.9 * width) < i:  # another line within 10% below
            return width
    return ordered[-1]


def paragraphs(lines: list[Line]) -> list[str]:
    """Join wrapped lines back into paragraphs.

    A paragraph ends at a blank line and after a line shorter than the full width. A new
    one starts at an indented line (the first-line indent of Chinese documents, drawn as
    full-width spaces or as an offset), at a line wholly in brackets (a credit or source
    note), and at a heading after a sentence end.
    """
    widths = [display_width(line.text.strip()) for line in lines if line.text.strip()]
    if not widths:
        return []
    short = full_width(widths) * FULL_LINE_SHARE
    out: list[str] = []
    current: list[str] = []
    previous_indent: int | None = None

    def flush() -> None:
        if current:
            out.append(join_lines(current))
            current.clear()

    for raw, indent in lines:
        line = raw.strip()
        if not line:
            flush()
            continue
        indented = raw[:1] == "\u3000" or raw[:2] == "  "
        if indent is not None and previous_indent is not None:
            indented = indented or indent - previous_indent >= INDENT_COLUMNS
        previous_indent = indent
        if current and (
            indented
            or metadata.is_note_line(line)
            or (current[-1].endswith(_SENTENCE_END) and _is_heading(line))
        ):
            flush()
        current.append(line)
        if display_width(line) < short:
            flush()
    flush()
    return out


def _is_heading(text: str) -> bool:
    return looks_like_heading(text) and not metadata.is_note_line(text)


def _info(path: Path, reader: PdfReader) -> dict:
    """Title and date from the document information dictionary, when they are real."""
    try:
        info: dict = reader.metadata or {}
        raw_title = info.get("/Title")
        raw_date = info.get("/CreationDate")
    except Exception as exc:  # a damaged info dictionary costs the metadata, not the text
        log.warning("%s: cannot read the PDF metadata (%s)", path, exc)
        return {}
    meta: dict = {}
    title = clean_title(str(raw_title)) if raw_title is not None else None
    if title:
        meta["title"] = title
    m = _PDF_DATE.match(str(raw_date or "").strip())
    if m:
        meta["date"] = metadata.parse_date("-".join(m.groups()))
    return metadata.clean(meta, where=str(path))


def clean_title(title: str) -> str | None:
    """A PDF's /Title as a report title; None for "Untitled" or a bare file name."""
    text = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", title.strip())).strip()
    if not text or text.lower() in _NO_TITLE:
        return None
    return text
