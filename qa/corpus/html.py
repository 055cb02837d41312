"""Paragraphs, headings and metadata of web-page reports (``.html``, parsed with lxml).

Only text content is kept — never markup, attributes or script: the page is parsed, and
a walk of the tree emits the text nodes of what a reader sees, breaking paragraphs at
block elements (``<p>``, ``<li>``, ``<div>``, ``<td>``, …) and ``<br>``. ``<h1>`` is the
title (``<title>`` when there is none), ``<h2>``–``<h6>`` are section headings, and a table
row of plain cells is one passage, its cells joined with " | ". Scripts, styles, embedded
objects, hidden elements, ``<nav>``, and ``<header>``/``<footer>``/``<aside>`` outside an
``<article>`` are dropped. The walk is iterative, so deeply nested pages cannot exhaust
the stack. Metadata comes from ``<meta>`` tags (date, source, author).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

from qa.corpus import metadata
from qa.corpus.encoding import decode
from qa.corpus.plaintext import Block, join_lines
from qa.errors import SourceError

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

CELL_SEPARATOR = " | "

# Elements whose content is never report text.
_CODE = ("script", "style", "noscript", "template")
_EMBEDDED = ("iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math")
_MEDIA = ("canvas", "audio", "video", "map")
_WIDGETS = ("select", "option", "datalist", "textarea", "button", "input")
# Raw-text elements: their content is markup shown as text (an injection vector).
_RAW_TEXT = ("xmp", "plaintext", "noembed", "noframes")
# The head is read for metadata only; ruby annotations (pinyin) would split words.
_OTHER = ("head", "title", "rt", "rp", "nav")
DROPPED = frozenset((*_CODE, *_EMBEDDED, *_MEDIA, *_WIDGETS, *_RAW_TEXT, *_OTHER))
#: Page furniture, dropped unless inside an ``<article>`` (where it holds the byline).
OUTSIDE_ARTICLE_DROPPED = frozenset({"header", "footer", "aside"})
#: Elements that start and end a paragraph.
BLOCKS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "center", "details", "dialog"),
        *("div", "dl", "dd", "dt", "fieldset", "figcaption", "figure", "footer", "form"),
        *("header", "hgroup", "hr", "html", "main", "menu", "dir", "ol", "ul", "li", "p"),
        *("pre", "section", "summary", "table", "caption", "thead", "tbody", "tfoot"),
        *("tr", "td", "th"),
    )
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = ("td", "th")
_NOT_PLAIN_CELL = ["p", "div", "br", "table", "ul", "ol", "li", *HEADINGS]

_META_FIELDS = {
    "articletitle": "title",  # the Chinese government-site metadata standard
    "date": "date",
    "pubdate": "date",
    "publishdate": "date",
    "article:published_time": "date",
    "dc.date": "date",
    "dcterms.created": "date",
    "source": "source",
    "contentsource": "source",
    "author": "publisher",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
_SPACES = re.compile(r"[ \t\f\r\xa0]+")


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 kB (``<meta charset>``, ``http-equiv``)."""
    head = data[:4096]
    m = _CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii") if m else None


def parse(path: Path, data: bytes) -> tuple[dict, list[Block]]:
    """A web page's metadata and layout: title, headings, paragraphs, table rows."""
    from bs4 import BeautifulSoup

    text = decode(path, data, declared=declared_charset(data)).text
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml refuses some damaged input outright
        raise SourceError(f"{path}: not a readable HTML page ({exc})") from exc
    walker = _Walker()
    walker.walk(soup)
    meta = _meta(soup)
    has_h1 = any(b.kind == "title" for b in walker.blocks)
    if "title" not in meta and not has_h1:
        title = soup.find("title")
        if title is not None:
            meta["title"] = clean_text(title.get_text())
    return metadata.clean(meta, where=str(path)), walker.blocks


def clean_text(raw: str) -> str:
    """Rendered text of an element: spaces collapsed, source line breaks joined as wraps."""
    return join_lines([_SPACES.sub(" ", line) for line in raw.split("\n")])


def _meta(soup: BeautifulSoup) -> dict:
    meta: dict = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("name") or tag.get("property") or tag.get("itemprop") or "")
        field = _META_FIELDS.get(key.strip().lower())
        content = clean_text(str(tag.get("content") or ""))
        if not field or not content or field in meta:
            continue
        if field == "date":
            date = metadata.parse_date(content)
            if date:
                meta["date"] = date
        else:
            meta[field] = content
    return meta


def _hidden(tag: Tag) -> bool:
    attrs = tag.attrs
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))
    )


def _plain_row(row: Tag) -> bool:
    """A data row: cells of inline text only (a layout table's cells hold paragraphs)."""
    cells = row.find_all(_CELLS, recursive=False)
    return bool(cells) and not any(cell.find(_NOT_PLAIN_CELL) for cell in cells)


class _Walker:
    """Collects the blocks of a parsed page, in document order, without recursion."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._text: list[str] = []  # the paragraph being read
        self._heading: list[str] | None = None
        self._heading_depth = 0  # headings nested in headings (hostile pages) read as one
        self._heading_tag = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._articles = 0

    def walk(self, root: Tag) -> None:
        from bs4.element import NavigableString, Tag

        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:  # only a Tag entered is pushed to be left
                self._leave(cast(Tag, node))
                continue
            # Only plain text nodes: comments, CDATA, doctypes, processing instructions and
            # script/style strings are NavigableString subclasses.
            if type(node) is NavigableString:
                self._add(str(node))
                continue
            if not isinstance(node, Tag) or self._dropped(node):
                continue
            self._enter(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        self._flush()

    def _dropped(self, tag: Tag) -> bool:
        name = tag.name.lower()
        if name in DROPPED or _hidden(tag):
            return True
        return name in OUTSIDE_ARTICLE_DROPPED and not self._articles

    def _add(self, text: str) -> None:
        if self._cell is not None:
            self._cell.append(text)
        elif self._heading is not None:
            self._heading.append(text)
        elif self._row is None:  # text between a plain row's cells is only whitespace
            self._text.append(text)

    def _flush(self) -> None:
        # A break inside a heading or a plain cell is a line break within it.
        if self._cell is not None:
            self._cell.append("\n")
            return
        if self._heading is not None:
            self._heading.append("\n")
            return
        text = clean_text("".join(self._text))
        self._text.clear()
        if text:
            self.blocks.append(Block("paragraph", text))

    def _enter(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name == "article":
            self._articles += 1
        if name in HEADINGS:
            if self._heading is None:
                self._flush()
                self._heading, self._heading_tag = [], name
            self._heading_depth += 1
        elif name == "tr" and self._row is None and self._heading is None and _plain_row(tag):
            self._flush()
            self._row = []
        elif name in _CELLS and self._row is not None and self._cell is None:
            self._cell = []
        elif name in BLOCKS or name == "br":
            self._flush()

    def _leave(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name == "article":
            self._articles -= 1
        if name in HEADINGS and self._heading is not None:
            self._heading_depth -= 1
            if self._heading_depth == 0:
                self._end_heading()
        elif name in _CELLS and self._cell is not None and self._row is not None:
            self._row.append(clean_text("".join(self._cell)))
            self._cell = None
        elif name == "tr" and self._row is not None and self._cell is None:
            if any(self._row):
                self.blocks.append(Block("paragraph", CELL_SEPARATOR.join(self._row)))
            self._row = None
        elif name in BLOCKS:
            self._flush()

    def _end_heading(self) -> None:
        text = clean_text("".join(self._heading or []))
        self._heading = None
        if not text:
            return
        first_h1 = self._heading_tag == "h1" and not any(b.kind == "title" for b in self.blocks)
        self.blocks.append(Block("title" if first_h1 else "heading", text))
